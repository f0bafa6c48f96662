from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    city_school_ids = fields.Many2many(
        "city.school",
        "city_school_res_users_rel",
        "user_id",
        "school_id",
        string="Schools",
        help="School staff see only the records of these schools.",
    )
