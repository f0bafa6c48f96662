from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    city_department_ids = fields.Many2many(
        "city.department",
        "city_department_res_users_rel",
        "user_id",
        "department_id",
        string="Departments",
        help="Department officers see and handle the requests dispatched to these departments.",
    )
