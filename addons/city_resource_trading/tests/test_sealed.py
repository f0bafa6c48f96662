import base64

from freezegun import freeze_time

from odoo import SUPERUSER_ID
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.city_base.tests.common import make_uscc

from .common import TradingCase

SECRET = "技术方案：本公司独有的沥青再生工艺".encode()


@tagged("post_install", "-at_install")
class TestSealedBids(TradingCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.procedure = cls.published_procedure(bidders=[cls.bidder_a, cls.bidder_b, cls.bidder_c])
        cls.bid_a = cls.submit(
            cls.bidder_a,
            cls.procedure,
            "4612345.67",
            files=[("技术标.pdf", SECRET)],
            contact_phone="13904320001",
            upload_ip="10.1.1.1",
        )

    def test_price_and_files_unreadable_before_opening_by_every_role(self):
        bid = self.bid_a
        self.assertEqual(bid.state, "submitted")
        admin = self.env.ref("base.user_admin")
        for user in (admin, self.officer, self.trd_manager, self.trd_supervisor, self.auditor, self.bidder_a):
            as_user = bid.with_user(user)
            as_user.invalidate_recordset()
            self.assertFalse(as_user.read(["price"])[0]["price"], user.login)
            self.assertFalse(as_user.search_read([("id", "=", bid.id)], ["price"])[0]["price"], user.login)
            if user.has_group("base.group_allow_export"):
                self.assertFalse(as_user.export_data(["price"])["datas"][0][0], user.login)
            self.assertFalse(as_user.search([("price", ">", 0), ("id", "=", bid.id)]), user.login)
        self.assertTrue(admin.has_group("base.group_allow_export"))
        self.assertFalse(bid.sudo().price)
        self.assertFalse(bid.sudo().export_data(["price", "file_ids/content"])["datas"][0][0])
        self.assertFalse(bid.with_user(SUPERUSER_ID).read(["price"])[0]["price"])
        # The database holds no plaintext: neither the price nor the file.
        self.env.flush_all()
        self.env.cr.execute("SELECT price FROM city_trading_bid WHERE id = %s", [bid.id])
        self.assertIsNone(self.env.cr.fetchone()[0])
        sealed = base64.b64decode(bid.file_ids.sudo().content)
        self.assertNotIn(SECRET, sealed)
        self.assertNotIn(b"4612345.67", base64.b64decode(bid.sudo().price_sealed))
        self.env.cr.execute("SELECT content FROM city_trading_bid_file WHERE bid_id = %s", [bid.id])
        stored = bytes(self.env.cr.fetchone()[0])
        self.assertNotIn(SECRET, stored)
        self.assertNotIn(SECRET, base64.b64decode(stored))
        self.env.cr.execute("SELECT count(*) FROM ir_attachment WHERE res_model LIKE 'city.trading.bid%%'")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        # Nobody gets the key before the opening, the superuser included; the file cannot be opened.
        with freeze_time(self.at(days=24)):
            for env in (self.env, self.env(user=SUPERUSER_ID), self.env(user=admin)):
                with self.assertRaises(AccessError):
                    self.procedure.with_env(env).sudo()._bid_private_key()
                with self.assertRaises(AccessError):
                    bid.file_ids.with_env(env)._plaintext()
        # Nobody can write a price either.
        with self.assertRaises(UserError):
            bid.sudo().write({"price": 1})
        # Only digests are shown.
        self.assertEqual(len(bid.price_sha256), 64)
        self.assertEqual(len(bid.file_ids.sha256), 64)

    def test_late_bid_refused_and_file_size_limited(self):
        with self.assertRaisesRegex(UserError, "late bids are refused"):
            self.submit(self.bidder_b, self.procedure, 4_700_000, when=self.at(days=25))
        big = ("大文件.pdf", b"x" * (self.env["city.trading.bid"]._max_file_bytes() + 1))
        with self.assertRaisesRegex(UserError, "larger than"):
            self.submit(self.bidder_b, self.procedure, 4_700_000, files=[big])
        with self.assertRaises(UserError):
            self.submit(self.bidder_b, self.procedure, -5)
        with self.assertRaises(UserError):
            self.submit(self.bidder_a, self.procedure, 4_500_000)  # already has a bid: withdraw or replace

    def test_unregistered_or_blacklisted_bidder_refused(self):
        loose_company = self.env["res.partner"].create(
            {"name": "吉林市丁建设有限公司", "is_company": True, "uscc": make_uscc("91220204MA0TR1004")}
        )
        stranger = self.bidder_user("t_bidder_d", loose_company, "丁经理")
        with self.assertRaises(AccessError):
            self.submit(stranger, self.procedure, 4_000_000)
        self.env["city.credit.record"].create(
            {
                "partner_id": self.company_b.id,
                "kind": "blacklist",
                "source": "吉林省公共资源交易监督管理局",
                "reason": "提供虚假材料",
                "valid_from": "2026-03-05",
            }
        )
        with self.assertRaisesRegex(UserError, "blacklist"):
            self.submit(self.bidder_b, self.procedure, 4_700_000)

    def test_withdraw_and_replace(self):
        bid_b = self.submit(self.bidder_b, self.procedure, 4_900_000)
        with freeze_time(self.at(days=11)):
            bid_b.with_user(self.bidder_b).action_withdraw()
            with self.assertRaises(AccessError):
                self.bid_a.with_user(self.bidder_b).action_withdraw()
        self.assertEqual(bid_b.state, "withdrawn")
        replacement = self.submit(self.bidder_a, self.procedure, 4_555_000, when=self.at(days=12), replace=self.bid_a)
        self.assertEqual(self.bid_a.state, "replaced")
        self.assertEqual(self.bid_a.replaced_by_id, replacement)
        with freeze_time(self.at(days=26)), self.assertRaises(UserError):
            replacement.with_user(self.bidder_a).action_withdraw()

    def test_receipt_signature(self):
        bid = self.bid_a
        self.assertTrue(bid.verify_receipt(bid.receipt_signature))
        self.assertFalse(bid.verify_receipt("0" * 64))
        # Changing a recorded digest breaks the receipt.
        bid.file_ids.sudo().write({"sha256": "f" * 64})
        self.assertFalse(bid.verify_receipt(bid.receipt_signature))
        html = self.env["ir.actions.report"]._render_qweb_html(
            "city_resource_trading.city_trading_bid_action_report_receipt", bid.ids
        )[0]
        self.assertIn(bid.receipt_signature.encode(), html)
        self.assertIn(bid.price_sha256.encode(), html)

    def test_portal_isolation_between_bidders(self):
        bid_b = self.submit(self.bidder_b, self.procedure, 4_700_000)
        Bid = self.env["city.trading.bid"]
        self.assertEqual(Bid.with_user(self.bidder_a).search([("procedure_id", "=", self.procedure.id)]), self.bid_a)
        self.assertEqual(Bid.with_user(self.bidder_b).search([("procedure_id", "=", self.procedure.id)]), bid_b)
        self.assertCannotRead(self.bidder_a, bid_b)
        self.assertCannotRead(self.bidder_a, bid_b.file_ids, ["sha256"])
        self.assertCannotWrite(self.bidder_a, self.bid_a, {"contact_phone": "1"})

    def test_opening_decrypts_verifies_and_publishes(self):
        bid_b = self.submit(self.bidder_b, self.procedure, 4_700_000, upload_ip="10.1.1.2")
        bid_c = self.submit(self.bidder_c, self.procedure, 4_800_000)
        bid_d_company = self.env["res.partner"].create(
            {"name": "吉林市戊市政有限公司", "is_company": True, "uscc": make_uscc("91220204MA0TR1005")}
        )
        bidder_d = self.bidder_user("t_bidder_e", bid_d_company, "戊经理")
        with freeze_time(self.at(days=1)):
            self.procedure.with_user(bidder_d)._register_bidder()
        bid_d = self.submit(bidder_d, self.procedure, 4_650_000)
        # Tamper with the ciphertext of C's file, and blacklist D after its bid (before the deadline).
        content = bytearray(base64.b64decode(bid_c.file_ids[0].sudo().content))
        content[-1] ^= 0x01
        bid_c.file_ids[0].sudo().write({"content": base64.b64encode(bytes(content))})
        self.env["city.credit.record"].create(
            {
                "partner_id": bid_d_company.id,
                "kind": "blacklist",
                "source": "信用中国（吉林）",
                "reason": "行贿",
                "valid_from": "2026-03-20",
            }
        )
        self.advance(self.at(days=25))
        self.assertEqual(self.procedure.key_released_at, self.at(days=25))
        self.assertEqual(self.bid_a.price, 4612345.67)
        self.assertEqual(bid_b.price, 4_700_000)
        self.assertEqual((self.bid_a.state, bid_b.state), ("opened", "opened"))
        self.assertEqual(bid_c.state, "disqualified")
        self.assertIn("hash mismatch", bid_c.disqualification_reason)
        self.assertFalse(bid_c.price)
        self.assertEqual(bid_d.state, "disqualified")
        self.assertIn("blacklist", bid_d.disqualification_reason)
        # Two valid bids against a minimum of three.
        self.assertEqual(self.procedure.state, "unsuccessful")
        rows = {row["bid"]: row for row in self.procedure._opening_rows()}
        self.assertEqual(rows[self.bid_a.reference]["price"], 4612345.67)
        self.assertIsNone(rows[bid_c.reference]["price"])
        # After the opening the officer can read the decrypted file.
        with freeze_time(self.at(days=25, hours=1)):
            self.assertEqual(self.bid_a.file_ids.with_user(self.officer)._plaintext(), SECRET)
        # Each participant confirms or objects; not for another's bid.
        self.bid_a.with_user(self.bidder_a).action_confirm_opening()
        with self.assertRaises(AccessError):
            bid_b.with_user(self.bidder_a).action_object_opening("价格读错")
        bid_b.with_user(self.bidder_b).action_object_opening("我方报价应为4,690,000元")
        self.assertEqual((self.bid_a.opening_response, bid_b.opening_response), ("confirmed", "objected"))
        with self.assertRaises(UserError):
            self.bid_a.with_user(self.bidder_a).action_confirm_opening()

    def test_opening_with_enough_valid_bids_goes_to_evaluation(self):
        self.submit(self.bidder_b, self.procedure, 4_700_000)
        self.submit(self.bidder_c, self.procedure, 4_800_000)
        self.advance(self.at(days=25))
        self.assertEqual(self.procedure.state, "evaluation")
        self.assertEqual(len(self.procedure._opening_rows()), 3)
        events = self.env["city.audit.log"].search([("chain", "=", "trading"), ("res_id", "=", self.procedure.id)])
        self.assertTrue({"trading.bid.submit", "trading.key_release", "trading.open"} <= set(events.mapped("event")))
        self.assertTrue(self.env["city.audit.log"].verify(["trading"])["ok"])
