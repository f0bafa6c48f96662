from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    city_division_ids = fields.Many2many(
        "city.division",
        "city_division_res_users_rel",
        "user_id",
        "division_id",
        string="Served Divisions",
        help="Workers see the records under these divisions (and everything below them).",
    )
