from odoo import fields, models


class CityDepartment(models.Model):
    """A government department or unit that handles dispatched requests (承办单位)."""

    _name = "city.department"
    _description = "Handling Department"
    _inherit = ["mail.thread"]
    _order = "sequence, name"

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(required=True, index=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    head_id = fields.Many2one(
        "res.users",
        string="Department Head",
        tracking=True,
        help="Receives the notices (通报) of overdue requests of the department.",
    )
    user_ids = fields.Many2many(
        "res.users",
        "city_department_res_users_rel",
        "department_id",
        "user_id",
        string="Officers",
    )
    phone = fields.Char()
    request_count = fields.Integer(compute="_compute_request_stats")
    open_request_count = fields.Integer(compute="_compute_request_stats")
    overdue_request_count = fields.Integer(compute="_compute_request_stats")
    note = fields.Text()

    _sql_constraints = [("code_unique", "unique(code)", "A department code must be unique.")]

    def _compute_request_stats(self):
        Request = self.env["city.request"]
        open_states = Request.OPEN_STATES
        now = fields.Datetime.now()
        totals = dict(Request._read_group([("department_id", "in", self.ids)], ["department_id"], ["__count"]))
        opened = dict(
            Request._read_group(
                [("department_id", "in", self.ids), ("state", "in", open_states)], ["department_id"], ["__count"]
            )
        )
        overdue = dict(
            Request._read_group(
                [("department_id", "in", self.ids), ("state", "in", open_states), ("deadline", "<", now)],
                ["department_id"],
                ["__count"],
            )
        )
        for department in self:
            department.request_count = totals.get(department, 0)
            department.open_request_count = opened.get(department, 0)
            department.overdue_request_count = overdue.get(department, 0)

    def action_view_requests(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_community.city_request_action")
        action["domain"] = ["|", ("department_id", "=", self.id), ("assist_department_ids", "in", self.ids)]
        action["context"] = {"search_default_open": 1}
        return action
