from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class CityTradingEvaluationMember(models.Model):
    """One expert in the draw order of an evaluation: excluded, reserve, invited, confirmed or recused."""

    _name = "city.trading.evaluation.member"
    _description = "Evaluation Committee Seat"
    _order = "evaluation_id, draw_position"
    _rec_name = "expert_id"

    evaluation_id = fields.Many2one("city.trading.evaluation", required=True, ondelete="cascade", index=True)
    procedure_id = fields.Many2one(related="evaluation_id.procedure_id", store=True, index=True)
    expert_id = fields.Many2one("city.trading.expert", required=True, ondelete="restrict", index=True)
    user_id = fields.Many2one(related="expert_id.user_id", store=True, index=True)
    draw_position = fields.Integer(required=True, readonly=True)
    state = fields.Selection(
        [
            ("excluded", "Excluded (Tie)"),
            ("reserve", "Reserve"),
            ("invited", "Invited"),
            ("confirmed", "Confirmed"),
            ("recused", "Recused"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    exclusion_reason = fields.Char(readonly=True)
    recusal_reason = fields.Text()
    confirmed_at = fields.Datetime(readonly=True)
    conflict_check = fields.Text(
        "Parties to Check",
        compute="_compute_conflict_check",
        help="The buyer and the bidders: confirm only if you are tied to none of them.",
    )

    _sql_constraints = [
        ("expert_unique", "unique(evaluation_id, expert_id)", "An expert is drawn once per evaluation."),
    ]

    @api.depends("evaluation_id", "state")
    def _compute_conflict_check(self):
        for member in self:
            if member.state not in ("invited", "confirmed"):
                member.conflict_check = False
                continue
            # The seat's reader was checked by the record rules; the parties' names come from records
            # the expert may not read before confirming.
            evaluation_sudo = member.evaluation_id.sudo()
            partners = evaluation_sudo._conflict_partners()
            member.conflict_check = "\n".join(partners.mapped("name"))

    def write(self, vals):
        if set(vals) - {"recusal_reason"} or self.env.su:
            return super().write(vals)
        for member in self:
            member._check_own_seat(("invited", "confirmed"))
        # Only the expert's own draft reason on its open seat.
        return super(CityTradingEvaluationMember, self.sudo()).write(vals)

    def action_recuse_form(self):
        for member in self:
            member.action_recuse(member.recusal_reason)
        return True

    def _check_own_seat(self, states):
        self.ensure_one()
        self.check_access("read")
        # Trusted code running as superuser (data loading) acts for the expert; users never do.
        if self.user_id != self.env.user and not self.env.su:
            raise AccessError(self.env._("Only the drawn expert answers the invitation."))
        if self.state not in states:
            raise UserError(self.env._("This seat cannot change in its state."))

    def action_confirm(self):
        """The expert declares no conflict of interest and takes the seat."""
        for member in self:
            member._check_own_seat(("invited",))
            member.sudo().write({"state": "confirmed", "confirmed_at": fields.Datetime.now()})
            member.evaluation_id._audit("evaluation.confirm", {"expert": member.expert_id.id})
            member.evaluation_id._member_confirmed()
        return True

    def action_recuse(self, reason):
        """The expert declares a conflict (回避): the next reserve expert in draw order is invited."""
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the recusal."))
        for member in self:
            member._check_own_seat(("invited", "confirmed"))
            # The seat was checked as the expert's own; once recused, the expert no longer reads the evaluation.
            evaluation = member.evaluation_id.sudo()
            if evaluation.state not in ("drawn", "scoring"):
                raise UserError(self.env._("The scoring is over: a recusal is no longer possible."))
            member.sudo().write({"state": "recused", "recusal_reason": reason.strip()})
            member.sudo().env["city.trading.score"].search([("member_id", "=", member.id)]).unlink()
            following = evaluation._invite_next()
            evaluation.state = "drawn"
            evaluation._audit(
                "evaluation.recuse",
                {"expert": member.expert_id.id, "reason": reason.strip(), "next": following.expert_id.id or None},
            )
        return True
