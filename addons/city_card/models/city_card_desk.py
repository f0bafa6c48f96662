from odoo import api, fields, models


class CityCardDesk(models.Model):
    """A card service desk (网点): issues and tops up cards and keeps the cash it takes."""

    _name = "city.card.desk"
    _description = "Card Service Desk"
    _order = "name"

    name = fields.Char(required=True)
    code = fields.Char(required=True)
    division_id = fields.Many2one("city.division", ondelete="restrict")
    address = fields.Char()
    user_ids = fields.Many2many("res.users", string="Operators")
    account_id = fields.Many2one("city.card.account", string="Cash Account", readonly=True, ondelete="restrict")
    cash_collected_yuan = fields.Float(
        string="Cash Held (CNY)",
        compute="_compute_cash_collected",
        digits=(16, 2),
        help="Cash taken for top-ups less cash paid out for cancellations.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "A desk code must be unique.")]

    def _compute_cash_collected(self):
        balances = self.mapped("account_id")._derived_balances()
        for desk in self:
            desk.cash_collected_yuan = -balances.get(desk.account_id.id, 0) / 100

    @api.model_create_multi
    def create(self, vals_list):
        desks = super().create(vals_list)
        for desk in desks:
            desk._cash_account()
        return desks

    def _cash_account(self):
        self.ensure_one()
        if not self.account_id:
            self.sudo().account_id = (
                self.env["city.card.account"]
                .sudo()
                .create(
                    {
                        "name": self.env._("Desk cash %(name)s", name=self.name),
                        "code": f"D{self.code}",
                        "kind": "desk_cash",
                        "desk_id": self.id,
                    }
                )
            )
        return self.account_id

    @api.model
    def _for_user(self):
        """The desk the current user works at (the first one), if any."""
        return self.search([("user_ids", "in", self.env.uid)], limit=1)
