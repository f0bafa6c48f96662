from odoo import fields, models


class CityRequest(models.Model):
    _inherit = "city.request"

    care_visit_ids = fields.One2many(
        "city.care.visit",
        "request_id",
        string="Care Visits",
        groups="city_special_care.group_city_special_care_worker",
        help="The care visit whose findings opened this request.",
    )

    def action_view_care_visit(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "city.care.visit",
            "name": self.env._("Care Visit"),
            "view_mode": "form",
            "res_id": self.care_visit_ids[:1].id,
        }
