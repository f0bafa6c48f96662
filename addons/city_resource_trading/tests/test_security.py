from odoo.tests import TransactionCase, tagged

from .common import TradingCase


@tagged("post_install", "-at_install")
class TestSecurity(TradingCase, TransactionCase):
    def test_reference_sequence(self):
        procedure = self.make_procedure()
        self.assertRegex(procedure.reference, r"^JY\d{4}\d{5}$")
        self.assertIn(procedure.reference, procedure.display_name)

    def test_draft_hidden_from_portal_and_public(self):
        procedure = self.make_procedure()
        self.assertFalse(procedure.is_public)
        public = self.env.ref("base.public_user")
        for user in (self.bidder_a, public):
            self.assertFalse(self.env["city.trading.procedure"].with_user(user).search([("id", "=", procedure.id)]))
            self.assertCannotRead(user, procedure)

    def test_officer_division_scope(self):
        procedure = self.make_procedure(division_id=self.community_a.id)
        self.assertCanRead(self.officer, procedure)
        self.assertCannotRead(self.officer_other, procedure)
        self.assertCanRead(self.trd_supervisor, procedure)
        self.assertCanRead(self.auditor, procedure)
        self.assertCannotWrite(self.trd_supervisor, procedure, {"name": "x"})
        self.assertCannotCreate(self.bidder_a, "city.trading.procedure", {"name": "x"})
