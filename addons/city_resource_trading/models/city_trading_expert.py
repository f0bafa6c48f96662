from odoo import api, fields, models
from odoo.exceptions import ValidationError

EXPERT_GROUP = "city_resource_trading.group_city_resource_trading_expert"


class CityTradingExpert(models.Model):
    """A member of the evaluation expert pool (评标专家库).

    ``tie_partner_ids`` lists the organisations the expert is tied to (the employer and any
    organisation worked for or with in the past three years): the draw never seats an expert on
    a procedure whose buyer or one of whose bidders is among them.
    """

    _name = "city.trading.expert"
    _description = "Evaluation Expert"
    _inherit = ["mail.thread"]
    _order = "name, id"

    partner_id = fields.Many2one("res.partner", required=True, ondelete="restrict", tracking=True)
    name = fields.Char(related="partner_id.name", store=True)
    user_id = fields.Many2one(
        "res.users",
        ondelete="restrict",
        tracking=True,
        domain="[('share', '=', False)]",
        help="The internal user the expert signs in with to confirm, recuse and score.",
    )
    specialty_ids = fields.Many2many("city.trading.expert.specialty", string="Specialties", required=True)
    employer_id = fields.Many2one(
        "res.partner", tracking=True, domain="[('is_company', '=', True)]", help="Current employer organisation."
    )
    tie_partner_ids = fields.Many2many(
        "res.partner",
        "city_trading_expert_tie_rel",
        "expert_id",
        "partner_id",
        string="Tied Organisations",
        domain="[('is_company', '=', True)]",
        help="Organisations the expert worked for or with in the past three years (the employer counts too).",
    )
    active = fields.Boolean(default=True, tracking=True)
    blacklisted = fields.Boolean(tracking=True, help="Removed from draws after misconduct.")

    _sql_constraints = [("partner_unique", "unique(partner_id)", "A person is in the expert pool once.")]

    @api.constrains("user_id")
    def _check_user(self):
        for expert in self.filtered("user_id"):
            if expert.user_id.share or not expert.user_id.has_group(EXPERT_GROUP):
                raise ValidationError(
                    self.env._(
                        "The user of expert %(expert)s must be an internal user of the Evaluation Expert group.",
                        expert=expert.name,
                    )
                )

    def _tied_partners(self):
        """Every organisation ``self`` (one expert) is tied to, as commercial partners."""
        self.ensure_one()
        return (self.tie_partner_ids | self.employer_id).commercial_partner_id
