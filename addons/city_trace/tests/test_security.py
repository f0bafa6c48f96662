from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestTraceSecurity(TraceCase, TransactionCase):
    def test_roles(self):
        self.assertCanRead(self.officer, self.rice)
        self.rice.with_user(self.officer).write({"shelf_life_days": 300})
        self.assertCannotRead(self.worker_a, self.rice)
        self.assertCannotRead(self.portal_business, self.rice)
        self.assertCanRead(self.supervisor, self.rice)
        self.assertCannotWrite(self.supervisor, self.rice, {"name": "改名"})
        with self.assertRaises(AccessError):
            self.rice.with_user(self.officer).unlink()
