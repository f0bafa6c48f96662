from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    city_card_ids = fields.One2many("city.card", "partner_id", string="Resident Cards")
    city_card_count = fields.Integer(compute="_compute_city_card_count", string="Card Count")

    def _compute_city_card_count(self):
        counts = dict(self.env["city.card"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.city_card_count = counts.get(partner, 0)

    def action_view_city_cards(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_card.city_card_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
