from . import api, main, portal, portal_recall
