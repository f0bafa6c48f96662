import base64
import json
import secrets
from decimal import Decimal, InvalidOperation

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, config

from odoo.addons.city_base.tools.validators import canonical_json

from ..tools import sealing
from .city_trading_procedure import BIDDING_STATES, city_day

DEFAULT_MAX_FILE_MB = 20


class CityTradingBid(models.Model):
    """A sealed bid (投标文件) of an organisation for a procedure.

    The price and the files are sealed at submission to the procedure's public key: only their
    SHA-256 digests and the ciphertexts are stored. ``price`` stays empty until the opening
    decrypts it, and the key that decrypts is derived only from the opening time on.
    """

    _name = "city.trading.bid"
    _description = "Sealed Bid"
    _inherit = ["mail.thread", "portal.mixin"]
    _order = "procedure_id, rank, submitted_at, id"
    _rec_name = "reference"

    reference = fields.Char(required=True, readonly=True, copy=False, default="/", index=True)
    procedure_id = fields.Many2one("city.trading.procedure", required=True, ondelete="restrict", index=True)
    procedure_state = fields.Selection(related="procedure_id.state", string="Procedure Status")
    currency_id = fields.Many2one(related="procedure_id.currency_id")
    bidder_id = fields.Many2one(
        "res.partner",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('is_company', '=', True), ('uscc', '!=', False)]",
    )
    user_id = fields.Many2one("res.users", string="Submitted by", readonly=True, ondelete="set null")
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("withdrawn", "Withdrawn"),
            ("replaced", "Replaced"),
            ("opened", "Opened"),
            ("valid", "Valid"),
            ("disqualified", "Disqualified"),
        ],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    submitted_at = fields.Datetime(readonly=True, copy=False)
    upload_ip = fields.Char("Upload IP", readonly=True, copy=False)
    contact_phone = fields.Char()
    contact_email = fields.Char()
    price = fields.Monetary(
        currency_field="currency_id",
        readonly=True,
        copy=False,
        help="Empty until the opening: the submitted price is stored sealed and decrypted at the opening.",
    )
    price_sealed = fields.Binary(
        "Sealed Price", attachment=False, readonly=True, copy=False, groups="base.group_system"
    )
    price_sha256 = fields.Char("Price SHA-256", readonly=True, copy=False)
    file_ids = fields.One2many("city.trading.bid.file", "bid_id", string="Files")
    receipt_signature = fields.Char(readonly=True, copy=False)
    replaced_by_id = fields.Many2one("city.trading.bid", readonly=True, copy=False)
    reconfirm_required = fields.Boolean(
        readonly=True, copy=False, help="The notice was amended after submission: the bidder must reconfirm."
    )
    reconfirmed_at = fields.Datetime(readonly=True, copy=False)
    disqualification_reason = fields.Text(readonly=True, copy=False)
    opening_response = fields.Selection(
        [("pending", "Pending"), ("confirmed", "Confirmed"), ("objected", "Objected")],
        readonly=True,
        copy=False,
    )
    opening_objection = fields.Text(readonly=True, copy=False)
    opening_responded_at = fields.Datetime(readonly=True, copy=False)
    rank = fields.Integer(readonly=True, copy=False)
    score = fields.Float(readonly=True, copy=False, digits=(16, 2))

    _sql_constraints = [("reference_unique", "unique(reference)", "The bid reference must be unique.")]

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for bid in self:
            bid.access_url = f"/my/trading/{bid.procedure_id.id}"
        return result

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = self.env["ir.sequence"].next_by_code("city.trading.bid") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if "price" in vals and not self.env.context.get("city_trading_opening"):
            raise UserError(self.env._("The price of a bid is set only by the opening."))
        return super().write(vals)

    # ------------------------------------------------------------------
    # Submission
    # ------------------------------------------------------------------
    @api.model
    def _max_file_bytes(self):
        return int(config.get("city_trading_bid_max_file_mb") or DEFAULT_MAX_FILE_MB) * 1024 * 1024

    def _receipt_payload(self):
        """The signed statement of a receipt: what was received, when, with which digests."""
        self.ensure_one()
        return canonical_json(
            {
                "bid": self.reference,
                "procedure": self.procedure_id.reference,
                "bidder": self.bidder_id.uscc,
                "submitted_at": fields.Datetime.to_string(self.submitted_at),
                "price_sha256": self.price_sha256,
                "files": sorted([file.filename, file.sha256, file.size] for file in self.file_ids),
            }
        ).encode()

    def _price_aad(self):
        return f"{self.reference}:price".encode()

    @api.model
    def _submit(
        self, procedure, price, files, contact_phone=None, contact_email=None, upload_ip=None, replace=None, now=None
    ):
        procedure.ensure_one()
        procedure._check_registered()
        env = self.env
        now = now or fields.Datetime.now()
        if procedure.state not in BIDDING_STATES or not procedure.bid_deadline or now >= procedure.bid_deadline:
            raise UserError(
                env._(
                    "The bid deadline (%(deadline)s) has passed: late bids are refused.",
                    deadline=procedure._local(procedure.bid_deadline),
                )
            )
        partner = env.user.commercial_partner_id
        errors = procedure._bidder_errors(partner, city_day(now))
        if errors:
            raise UserError(" ".join(errors))
        try:
            amount = Decimal(str(price)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError) as error:
            raise UserError(env._("The price must be an amount in yuan.")) from error
        if amount <= 0:
            raise UserError(env._("The price must be positive."))
        if not files:
            raise UserError(env._("Attach the bid file(s)."))
        limit = self._max_file_bytes()
        for filename, content in files:
            if not content:
                raise UserError(env._("The file %(name)s is empty.", name=filename))
            if len(content) > limit:
                raise UserError(
                    env._(
                        "The file %(name)s is larger than %(limit)s MB.",
                        name=filename,
                        limit=limit // (1024 * 1024),
                    )
                )
        current = self.search(
            [("procedure_id", "=", procedure.id), ("bidder_id", "=", partner.id), ("state", "=", "submitted")]
        )
        if current and (not replace or replace != current):
            raise UserError(env._("Your organisation already submitted a bid: withdraw or replace it."))
        bid_sudo = self.sudo().create(
            {
                "procedure_id": procedure.id,
                "bidder_id": partner.id,
                "user_id": env.user.id,
                "contact_phone": contact_phone,
                "contact_email": contact_email,
                "upload_ip": upload_ip,
            }
        )
        public_key = procedure.seal_public_key
        # A random nonce in the price payload: its digest cannot be matched against guessed prices.
        price_payload = canonical_json(
            {"bid": bid_sudo.reference, "price": str(amount), "nonce": secrets.token_hex(16)}
        ).encode()
        file_vals = []
        for filename, content in files:
            file_vals.append(
                {
                    "bid_id": bid_sudo.id,
                    "filename": filename,
                    "size": len(content),
                    "sha256": sealing.sha256_hex(content),
                    "content": base64.b64encode(
                        sealing.seal(public_key, content, f"{bid_sudo.reference}:{filename}".encode())
                    ),
                }
            )
        self.env["city.trading.bid.file"].sudo().create(file_vals)
        bid_sudo.write(
            {
                "state": "submitted",
                "submitted_at": now,
                "price_sha256": sealing.sha256_hex(price_payload),
                "price_sealed": base64.b64encode(sealing.seal(public_key, price_payload, bid_sudo._price_aad())),
            }
        )
        bid_sudo.receipt_signature = sealing.sign(bid_sudo._receipt_payload())
        if current:
            current.sudo().write({"state": "replaced", "replaced_by_id": bid_sudo.id})
            procedure._audit("bid.replace", {"bid": current.reference, "by": bid_sudo.reference})
        procedure._audit(
            "bid.submit",
            {
                "bid": bid_sudo.reference,
                "price_sha256": bid_sudo.price_sha256,
                "files": [[vals["filename"], vals["sha256"]] for vals in file_vals],
                "signature": bid_sudo.receipt_signature,
            },
        )
        return bid_sudo.with_env(env)

    def _check_own_open_bid(self):
        """The bid belongs to the user's organisation and may still change (before the deadline)."""
        self.ensure_one()
        self.check_access("read")
        if self.bidder_id != self.env.user.commercial_partner_id and not self.env.is_superuser():
            raise AccessError(self.env._("Only the bidder may change its bid."))
        procedure = self.procedure_id
        if self.state != "submitted":
            raise UserError(self.env._("This bid is no longer open."))
        if procedure.state not in BIDDING_STATES or fields.Datetime.now() >= procedure.bid_deadline:
            raise UserError(self.env._("The bid deadline has passed."))

    def action_withdraw(self):
        for bid in self:
            bid._check_own_open_bid()
            bid.sudo().write({"state": "withdrawn"})
            bid.procedure_id._audit("bid.withdraw", {"bid": bid.reference})
        return True

    def action_reconfirm(self):
        """The bidder confirms the bid still stands after an amendment of the notice."""
        for bid in self:
            bid._check_own_open_bid()
            if not bid.reconfirm_required:
                raise UserError(self.env._("This bid does not need a reconfirmation."))
            bid.sudo().write({"reconfirm_required": False, "reconfirmed_at": fields.Datetime.now()})
            bid.procedure_id._audit("bid.reconfirm", {"bid": bid.reference})
        return True

    def verify_receipt(self, signature):
        """Is ``signature`` the platform's signature of this bid's receipt?"""
        self.ensure_one()
        return sealing.verify_signature(self._receipt_payload(), signature)

    # ------------------------------------------------------------------
    # Opening
    # ------------------------------------------------------------------
    def _unseal_all(self, private_key, blacklisted):
        """Decrypt and verify every bid of ``self`` (sudo, same procedure); returns one outcome per bid."""
        env = self.env
        outcomes = []
        for bid in self:
            outcome = {
                "id": bid.id,
                "reference": bid.reference,
                "bidder": bid.bidder_id.name,
                "price": None,
                "state": "disqualified",
                "reason": None,
            }
            if bid.reconfirm_required:
                outcome["reason"] = env._("not reconfirmed after the amendment of the notice")
            elif bid.bidder_id in blacklisted:
                outcome["reason"] = env._("blacklisted in the credit registry on the bid deadline")
            else:
                outcome["price"], outcome["reason"] = bid._unseal_price_and_files(private_key)
                if outcome["reason"] is None:
                    outcome["state"] = "opened"
            outcomes.append(outcome)
        return outcomes

    def _unseal_price_and_files(self, private_key):
        """(price, None) when the bid is intact, (None, reason) when anything does not match."""
        env = self.env
        mismatch = env._("hash mismatch")
        if not self.verify_receipt(self.receipt_signature):
            return None, env._("%(mismatch)s: the receipt signature does not match", mismatch=mismatch)
        try:
            payload = sealing.unseal(private_key, base64.b64decode(self.price_sealed or b""), self._price_aad())
        except sealing.SealError:
            return None, env._("%(mismatch)s: the sealed price was altered", mismatch=mismatch)
        if sealing.sha256_hex(payload) != self.price_sha256:
            return None, env._("%(mismatch)s: price", mismatch=mismatch)
        for file in self.file_ids:
            try:
                content = file._unseal(private_key)
            except sealing.SealError:
                return None, env._("%(mismatch)s: %(file)s was altered", mismatch=mismatch, file=file.filename)
            if sealing.sha256_hex(content) != file.sha256:
                return None, env._("%(mismatch)s: %(file)s", mismatch=mismatch, file=file.filename)
        data = json.loads(payload)
        if data.get("bid") != self.reference:
            return None, env._("%(mismatch)s: the sealed price belongs to another bid", mismatch=mismatch)
        return float(data["price"]), None

    @api.model
    def _store_opening(self, outcomes):
        """Write the outcomes of the opening in one statement."""
        if not outcomes:
            return
        self.flush_model()
        rows = SQL(", ").join(
            SQL("(%s, %s, %s, %s)", outcome["id"], outcome["price"], outcome["state"], outcome["reason"])
            for outcome in outcomes
        )
        self.env.cr.execute(
            SQL(
                """UPDATE city_trading_bid b
                      SET price = v.price::numeric, state = v.state, disqualification_reason = v.reason,
                          opening_response = 'pending', write_date = now() at time zone 'utc', write_uid = %s
                     FROM (VALUES %s) AS v(id, price, state, reason)
                    WHERE b.id = v.id""",
                self.env.uid,
                rows,
            )
        )
        self.invalidate_model(["price", "state", "disqualification_reason", "opening_response"])

    def _check_opening_participant(self):
        self.ensure_one()
        self.check_access("read")
        if self.bidder_id != self.env.user.commercial_partner_id:
            raise AccessError(self.env._("Only the bidder answers the opening record of its bid."))
        if not self.procedure_id.opening_record or self.opening_response != "pending":
            raise UserError(self.env._("There is no opening record waiting for your answer."))

    def action_confirm_opening(self):
        for bid in self:
            bid._check_opening_participant()
            bid.sudo().write({"opening_response": "confirmed", "opening_responded_at": fields.Datetime.now()})
            bid.procedure_id._audit("opening.confirm", {"bid": bid.reference})
        return True

    def action_object_opening(self, objection):
        objection = (objection or "").strip()
        if not objection:
            raise UserError(self.env._("Write your objection to the opening record."))
        for bid in self:
            bid._check_opening_participant()
            bid.sudo().write(
                {
                    "opening_response": "objected",
                    "opening_objection": objection,
                    "opening_responded_at": fields.Datetime.now(),
                }
            )
            bid.procedure_id._audit("opening.object", {"bid": bid.reference, "objection": objection})
        return True
