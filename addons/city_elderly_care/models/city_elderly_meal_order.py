from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

DIETARY_NOTES = [
    ("low_salt", "Low Salt"),
    ("low_sugar", "Low Sugar"),
    ("soft", "Soft Food"),
    ("halal", "Halal"),
    ("other", "Other"),
]


class CityElderlyMealOrder(models.Model):
    """An elder's order for one canteen menu, taken until the menu's cut-off time."""

    _name = "city.elderly.meal.order"
    _description = "Meal Order"
    _order = "date desc, canteen_id, id"

    menu_id = fields.Many2one("city.elderly.menu", required=True, index=True, ondelete="restrict")
    canteen_id = fields.Many2one(related="menu_id.canteen_id", store=True, index=True)
    provider_id = fields.Many2one(related="menu_id.provider_id", store=True, index=True)
    date = fields.Date(related="menu_id.date", store=True, index=True)
    meal = fields.Selection(related="menu_id.meal", store=True)
    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, ondelete="restrict")
    partner_id = fields.Many2one(related="recipient_id.partner_id")
    division_id = fields.Many2one(related="recipient_id.division_id", store=True, index=True)
    quantity = fields.Integer(default=1, required=True)
    fulfilment = fields.Selection([("pickup", "Pick-up"), ("delivery", "Delivery")], required=True, default="pickup")
    dietary_note = fields.Selection(DIETARY_NOTES)
    dietary_text = fields.Char(string="Dietary Details")
    state = fields.Selection(
        [("ordered", "Ordered"), ("served", "Served"), ("cancelled", "Cancelled")],
        required=True,
        default="ordered",
        index=True,
    )
    served_at = fields.Datetime(readonly=True)

    _sql_constraints = [("quantity_positive", "CHECK(quantity > 0)", "The quantity must be positive.")]

    def init(self):
        res = super().init()
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS city_elderly_meal_order_active_unique "
            "ON city_elderly_meal_order (menu_id, recipient_id) WHERE state != 'cancelled'"
        )
        return res

    @api.depends("menu_id.display_name", "recipient_id.name")
    def _compute_display_name(self):
        for order in self:
            order.display_name = f"{order.recipient_id.name or ''} · {order.menu_id.display_name or ''}"

    @api.constrains("fulfilment", "menu_id")
    def _check_fulfilment(self):
        for order in self:
            if order.fulfilment == "delivery" and not order.menu_id.canteen_id.delivery:
                raise ValidationError(
                    self.env._("The canteen %(name)s does not deliver.", name=order.menu_id.canteen_id.name)
                )

    def _check_one_per_menu(self, menu, recipient):
        """One active order per elder and menu (also enforced by a partial unique index)."""
        duplicate = (
            self.sudo()
            .with_context(active_test=False)
            .search_count(
                [("menu_id", "=", menu.id), ("recipient_id", "=", recipient.id), ("state", "!=", "cancelled")],
                limit=1,
            )
        )
        if duplicate:
            raise ValidationError(
                self.env._("%(name)s has already ordered %(menu)s.", name=recipient.name, menu=menu.display_name)
            )

    @api.constrains("menu_id", "quantity", "state")
    def _check_capacity(self):
        for order in self.filtered(lambda o: o.state != "cancelled"):
            menu = order.menu_id.sudo()
            capacity = menu.canteen_id.daily_capacity
            if capacity and menu.ordered_quantity > capacity:
                raise ValidationError(
                    self.env._(
                        "%(menu)s is fully booked (%(capacity)s meals).", menu=menu.display_name, capacity=capacity
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        menus = self.env["city.elderly.menu"].browse([vals["menu_id"] for vals in vals_list if vals.get("menu_id")])
        for menu in menus:
            menu._check_open()
        for vals in vals_list:
            if vals.get("state", "ordered") != "cancelled" and vals.get("menu_id") and vals.get("recipient_id"):
                self._check_one_per_menu(
                    self.env["city.elderly.menu"].browse(vals["menu_id"]),
                    self.env["city.care.recipient"].browse(vals["recipient_id"]),
                )
        return super().create(vals_list)

    @api.model
    def _order_for_portal(
        self, recipient, menu, quantity=1, fulfilment="pickup", dietary_note=False, dietary_text=False
    ):
        """A meal ordered in the portal by the elder or a family member with consent (for the controller).

        The canteen must serve the elder's area (a canteen without a division serves the whole city)
        and the menu must still be open; the other rules (one order per menu, capacity, delivery) are
        the model's own constraints.
        """
        recipient_sudo = recipient.sudo()
        partner = self.env.user.partner_id
        if partner != recipient_sudo.partner_id and partner not in recipient_sudo.family_partner_ids:
            raise AccessError(self.env._("You can order meals only for yourself or a family member who consented."))
        menu_sudo = menu.sudo()
        if not menu_sudo._serves(recipient_sudo):
            raise UserError(
                self.env._(
                    "The canteen %(canteen)s does not serve the area of %(elder)s.",
                    canteen=menu_sudo.canteen_id.name,
                    elder=recipient_sudo.name,
                )
            )
        return self.sudo().create(
            {
                "menu_id": menu_sudo.id,
                "recipient_id": recipient_sudo.id,
                "quantity": quantity,
                "fulfilment": fulfilment,
                "dietary_note": dietary_note or False,
                "dietary_text": dietary_text or False,
            }
        )

    def _cancel_for_portal(self):
        """The elder or a consenting family member cancels a meal before the cut-off (for the controller)."""
        self.ensure_one()
        recipient_sudo = self.sudo().recipient_id
        partner = self.env.user.partner_id
        if partner != recipient_sudo.partner_id and partner not in recipient_sudo.family_partner_ids:
            raise AccessError(self.env._("You can cancel only your own or your family member's meals."))
        self.sudo().action_cancel()

    def action_cancel(self):
        for order in self:
            if order.state != "ordered":
                raise UserError(self.env._("Only a pending meal order can be cancelled."))
            order.menu_id._check_open()
        self.write({"state": "cancelled"})

    def action_serve(self):
        if self.filtered(lambda o: o.state != "ordered"):
            raise UserError(self.env._("Only a pending meal order can be served."))
        self.write({"state": "served", "served_at": fields.Datetime.now()})
