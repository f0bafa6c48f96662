from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

OFFICER = "city_resource_trading.group_city_resource_trading_officer"


class CityTradingObjection(models.Model):
    """An objection (异议) of a participating bidder against the published candidates.

    Filed during the publicity; the buyer's officer answers it; the bidder may then complain to the
    supervisor. The publicity cannot end while an objection waits for its answer.
    """

    _name = "city.trading.objection"
    _description = "Objection"
    _inherit = ["mail.thread", "portal.mixin"]
    _order = "submitted_at desc, id desc"
    _rec_name = "reference"

    reference = fields.Char(required=True, readonly=True, copy=False, default="/", index=True)
    procedure_id = fields.Many2one("city.trading.procedure", required=True, readonly=True, index=True)
    bidder_id = fields.Many2one("res.partner", required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Filed by", readonly=True)
    text = fields.Text("Objection", required=True, readonly=True)
    submitted_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    state = fields.Selection(
        [("submitted", "Submitted"), ("answered", "Answered"), ("closed", "Closed")],
        required=True,
        default="submitted",
        readonly=True,
        tracking=True,
        index=True,
    )
    answer = fields.Text(tracking=True)
    answered_at = fields.Datetime(readonly=True)
    answered_by_id = fields.Many2one("res.users", readonly=True)
    closed_at = fields.Datetime(readonly=True)
    complaint_ids = fields.One2many("city.trading.complaint", "objection_id", string="Complaints")

    _sql_constraints = [("reference_unique", "unique(reference)", "The objection reference must be unique.")]

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for objection in self:
            objection.access_url = f"/my/trading/objections/{objection.id}"
        return result

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = self.env["ir.sequence"].next_by_code("city.trading.objection") or "/"
        return super().create(vals_list)

    @api.model
    def _file(self, procedure, text):
        """File the objection of the current user's organisation against ``procedure``'s candidates."""
        procedure.check_access("read")
        text = (text or "").strip()
        if not text:
            raise UserError(self.env._("Write the objection."))
        partner = self.env.user.commercial_partner_id
        if procedure.state != "publicity" or fields.Datetime.now() >= procedure.publicity_end:
            raise UserError(self.env._("Objections are filed while the candidates are published."))
        bids_sudo = procedure.sudo().bid_ids.filtered(
            lambda bid: bid.bidder_id == partner and bid.state not in ("draft", "withdrawn", "replaced")
        )
        if not bids_sudo:
            raise AccessError(self.env._("Only organisations that took part in the procedure file objections."))
        # The filer's participation was checked above; portal users cannot create directly.
        objection_sudo = self.sudo().create(
            {"procedure_id": procedure.id, "bidder_id": partner.id, "user_id": self.env.user.id, "text": text}
        )
        procedure._audit("objection.submit", {"objection": objection_sudo.reference, "bidder": partner.name})
        return objection_sudo.with_env(self.env)

    def write(self, vals):
        if set(vals) - {"answer"} or self.env.su:
            return super().write(vals)
        for objection in self:
            objection.procedure_id.check_access("write")
            if objection.state != "submitted":
                raise UserError(self.env._("The answer of an objection cannot change once sent."))
        # Only the draft answer of a submitted objection, by an officer who may write the procedure.
        return super(CityTradingObjection, self.sudo()).write(vals)

    def action_answer(self, answer=None):
        """The buyer's officer answers (the procedure's write access is required)."""
        for objection in self:
            text = (answer or objection.answer or "").strip()
            if not text:
                raise UserError(self.env._("Write the answer."))
            objection.procedure_id.check_access("write")
            if not self.env.user.has_group(OFFICER):
                raise AccessError(self.env._("Only trading officers answer objections."))
            if objection.state != "submitted":
                raise UserError(self.env._("This objection was already answered."))
            objection.sudo().write(
                {
                    "state": "answered",
                    "answer": text,
                    "answered_at": fields.Datetime.now(),
                    "answered_by_id": self.env.user.id,
                }
            )
            objection.procedure_id._audit("objection.answer", {"objection": objection.reference})
        return True

    def action_close(self):
        """The bidder accepts the answer, or an officer closes it: no complaint can follow any more."""
        for objection in self:
            objection.check_access("read")
            own = objection.bidder_id == self.env.user.commercial_partner_id
            if not own and not self.env.user.has_group(OFFICER):
                raise AccessError(self.env._("Only the objecting bidder or an officer closes an objection."))
            if objection.state != "answered":
                raise UserError(self.env._("Only an answered objection can be closed."))
            objection.sudo().write({"state": "closed", "closed_at": fields.Datetime.now()})
            objection.procedure_id._audit("objection.close", {"objection": objection.reference})
        return True
