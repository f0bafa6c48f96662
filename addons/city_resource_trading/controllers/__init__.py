from . import portal_objection
