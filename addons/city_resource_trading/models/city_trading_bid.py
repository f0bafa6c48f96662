from odoo import api, fields, models


class CityTradingBid(models.Model):
    """A sealed bid (投标文件) of an organisation for a procedure.

    The price and the files are sealed at submission: only their SHA-256 digests and the
    ciphertexts are stored. ``price`` stays empty until the opening decrypts it.
    """

    _name = "city.trading.bid"
    _description = "Sealed Bid"
    _inherit = ["mail.thread"]
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
    file_ids = fields.One2many("city.trading.bid.file", "bid_id", string="Files")
    disqualification_reason = fields.Text(readonly=True, copy=False)
    rank = fields.Integer(readonly=True, copy=False)
    score = fields.Float(readonly=True, copy=False, digits=(16, 2))

    _sql_constraints = [("reference_unique", "unique(reference)", "The bid reference must be unique.")]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = self.env["ir.sequence"].next_by_code("city.trading.bid") or "/"
        return super().create(vals_list)
