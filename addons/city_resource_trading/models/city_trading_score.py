from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class CityTradingScore(models.Model):
    """The points one expert gives one bid on one technical item."""

    _name = "city.trading.score"
    _description = "Technical Score"
    _order = "evaluation_id, bid_id, criterion_id"

    evaluation_id = fields.Many2one("city.trading.evaluation", required=True, ondelete="cascade", index=True)
    member_id = fields.Many2one(
        "city.trading.evaluation.member", string="Expert", required=True, ondelete="cascade", index=True
    )
    bid_id = fields.Many2one("city.trading.bid", required=True, ondelete="cascade", index=True)
    criterion_id = fields.Many2one("city.trading.criterion", required=True, ondelete="cascade")
    max_points = fields.Float(related="criterion_id.max_points")
    points = fields.Float(required=True, digits=(16, 2))
    comment = fields.Char()

    _sql_constraints = [
        (
            "score_unique",
            "unique(member_id, bid_id, criterion_id)",
            "An expert scores a bid once per item.",
        ),
    ]

    @api.constrains("points", "criterion_id", "bid_id", "member_id")
    def _check_points(self):
        for score in self:
            if not 0 <= score.points <= score.criterion_id.max_points:
                raise ValidationError(
                    self.env._(
                        "%(item)s is scored between 0 and %(max)s points.",
                        item=score.criterion_id.name,
                        max=score.criterion_id.max_points,
                    )
                )
            procedure = score.evaluation_id.procedure_id
            if (
                score.bid_id.procedure_id != procedure
                or score.criterion_id.procedure_id != procedure
                or score.member_id.evaluation_id != score.evaluation_id
            ):
                raise ValidationError(self.env._("The bid, the item and the expert belong to the evaluation."))

    @api.model_create_multi
    def create(self, vals_list):
        scores = super().create(vals_list)
        scores._check_scoring_open()
        return scores

    def write(self, vals):
        self._check_scoring_open()
        return super().write(vals)

    def _check_scoring_open(self):
        for score in self:
            if score.evaluation_id.state != "scoring":
                raise UserError(self.env._("Scores are entered while the evaluation is scoring."))
            if not self.env.su:
                score.evaluation_id._check_expert_member()
                if score.member_id.user_id != self.env.user:
                    raise UserError(self.env._("An expert enters only their own scores."))
            if score.bid_id.state not in ("opened", "valid"):
                raise UserError(self.env._("Only valid bids are scored."))

    @api.model
    def _enter(self, evaluation, bid, criterion, points, comment=None):
        """The current expert's score of ``bid`` on ``criterion`` (created or updated)."""
        evaluation = evaluation.with_env(self.env)
        member = evaluation._check_expert_member()
        existing = self.search(
            [("member_id", "=", member.id), ("bid_id", "=", bid.id), ("criterion_id", "=", criterion.id)]
        )
        if existing:
            existing.write({"points": points, "comment": comment})
            return existing
        return self.create(
            {
                "evaluation_id": evaluation.id,
                "member_id": member.id,
                "bid_id": bid.id,
                "criterion_id": criterion.id,
                "points": points,
                "comment": comment,
            }
        )
