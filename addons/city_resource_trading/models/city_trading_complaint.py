import datetime

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

SUPERVISOR = "city_resource_trading.group_city_resource_trading_supervisor"


class CityTradingComplaint(models.Model):
    """A complaint (投诉) to the supervision authority after the answer to an objection.

    An accepted complaint suspends the procedure until it is decided: upheld sends the procedure back
    to the evaluation, dismissed resumes the publicity with its end extended by the suspended time.
    """

    _name = "city.trading.complaint"
    _description = "Complaint"
    _inherit = ["mail.thread", "portal.mixin"]
    _order = "submitted_at desc, id desc"
    _rec_name = "reference"

    reference = fields.Char(required=True, readonly=True, copy=False, default="/", index=True)
    objection_id = fields.Many2one("city.trading.objection", required=True, readonly=True, index=True)
    procedure_id = fields.Many2one(related="objection_id.procedure_id", store=True, index=True)
    bidder_id = fields.Many2one(related="objection_id.bidder_id", store=True, index=True)
    user_id = fields.Many2one("res.users", string="Filed by", readonly=True)
    text = fields.Text("Complaint", required=True, readonly=True)
    submitted_at = fields.Datetime(readonly=True, default=fields.Datetime.now)
    state = fields.Selection(
        [
            ("submitted", "Submitted"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
            ("decided", "Decided"),
        ],
        required=True,
        default="submitted",
        readonly=True,
        tracking=True,
        index=True,
    )
    outcome = fields.Selection([("upheld", "Upheld"), ("dismissed", "Dismissed")], readonly=True, tracking=True)
    decision = fields.Text(help="Reason of the rejection or the decision.")
    handled_by_id = fields.Many2one("res.users", string="Supervisor", readonly=True)
    accepted_at = fields.Datetime(readonly=True)
    decided_at = fields.Datetime(readonly=True)

    _sql_constraints = [("reference_unique", "unique(reference)", "The complaint reference must be unique.")]

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for complaint in self:
            complaint.access_url = f"/my/trading/complaints/{complaint.id}"
        return result

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = self.env["ir.sequence"].next_by_code("city.trading.complaint") or "/"
        return super().create(vals_list)

    @api.model
    def _file(self, objection, text):
        """The objecting bidder complains about the answer, within the rule's complaint window."""
        objection.check_access("read")
        text = (text or "").strip()
        if not text:
            raise UserError(self.env._("Write the complaint."))
        if objection.bidder_id != self.env.user.commercial_partner_id:
            raise AccessError(self.env._("Only the objecting bidder complains about the answer."))
        if objection.state != "answered":
            raise UserError(self.env._("A complaint follows an answered objection that is not closed."))
        procedure_sudo = objection.procedure_id.sudo()
        window = procedure_sudo.rule_id.complaint_window_days or 10
        if fields.Datetime.now() > objection.answered_at + datetime.timedelta(days=window):
            raise UserError(self.env._("The complaint window of %(days)s days after the answer is over.", days=window))
        if objection.complaint_ids.filtered(lambda c: c.state in ("submitted", "accepted")):
            raise UserError(self.env._("A complaint about this answer is already pending."))
        # The filer owns the objection (checked above); portal users cannot create directly.
        complaint_sudo = self.sudo().create({"objection_id": objection.id, "user_id": self.env.user.id, "text": text})
        procedure_sudo._audit("complaint.submit", {"complaint": complaint_sudo.reference})
        return complaint_sudo.with_env(self.env)

    def _check_supervisor(self, states):
        self.ensure_one()
        if not self.env.user.has_group(SUPERVISOR):
            raise AccessError(self.env._("Only trading supervisors handle complaints."))
        self.check_access("read")
        if self.state not in states:
            raise UserError(self.env._("This complaint cannot change in its state."))

    def action_accept(self):
        """Accept the complaint for handling: the procedure is suspended until the decision."""
        for complaint in self:
            complaint._check_supervisor(("submitted",))
            complaint.sudo().write(
                {"state": "accepted", "accepted_at": fields.Datetime.now(), "handled_by_id": self.env.user.id}
            )
            procedure = complaint.procedure_id
            if procedure.state not in ("suspended", "contracted", "cancelled", "unsuccessful"):
                procedure._suspend_procedure(
                    self.env._("Complaint %(complaint)s accepted", complaint=complaint.reference)
                )
            procedure._audit("complaint.accept", {"complaint": complaint.reference})
        return True

    def write(self, vals):
        if set(vals) - {"decision"} or self.env.su:
            return super().write(vals)
        for complaint in self:
            complaint._check_supervisor(("submitted", "accepted"))
        # Only the draft decision of an open complaint, by a supervisor.
        return super(CityTradingComplaint, self.sudo()).write(vals)

    def action_reject_form(self):
        for complaint in self:
            complaint.action_reject(complaint.decision)
        return True

    def action_uphold(self):
        for complaint in self:
            complaint.action_decide("upheld", complaint.decision)
        return True

    def action_dismiss(self):
        for complaint in self:
            complaint.action_decide("dismissed", complaint.decision)
        return True

    def action_reject(self, reason):
        """Reject the complaint as inadmissible (out of time, no standing, no grounds)."""
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the rejection."))
        for complaint in self:
            complaint._check_supervisor(("submitted",))
            complaint.sudo().write(
                {
                    "state": "rejected",
                    "decision": reason.strip(),
                    "decided_at": fields.Datetime.now(),
                    "handled_by_id": self.env.user.id,
                }
            )
            complaint.procedure_id._audit("complaint.reject", {"complaint": complaint.reference})
        return True

    def action_decide(self, outcome, decision):
        """Decide an accepted complaint; the procedure resumes (dismissed) or is evaluated again (upheld)."""
        if outcome not in ("upheld", "dismissed"):
            raise UserError(self.env._("The outcome is upheld or dismissed."))
        if not (decision or "").strip():
            raise UserError(self.env._("Write the decision."))
        for complaint in self:
            complaint._check_supervisor(("accepted",))
            complaint.sudo().write(
                {
                    "state": "decided",
                    "outcome": outcome,
                    "decision": decision.strip(),
                    "decided_at": fields.Datetime.now(),
                }
            )
            procedure = complaint.procedure_id
            procedure._audit("complaint.decide", {"complaint": complaint.reference, "outcome": outcome})
            still_pending = procedure.sudo().complaint_ids.filtered(lambda c: c.state == "accepted")
            if procedure.state == "suspended" and not still_pending:
                procedure._resume_procedure(back_to_evaluation=outcome == "upheld")
        return True
