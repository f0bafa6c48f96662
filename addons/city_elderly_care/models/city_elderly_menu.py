import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.city_base.tools.dates import city_local_text
from odoo.addons.city_special_care.models.city_care_recipient import CITY_TZ

from .city_elderly_provider import _division_under

MEALS = [("lunch", "Lunch"), ("dinner", "Dinner")]


city_datetime = city_local_text  # a naive UTC datetime shown in the city's time zone (for messages)


class CityElderlyMenu(models.Model):
    """The dishes of one meal of one day at a canteen; orders close at the canteen's cut-off hour."""

    _name = "city.elderly.menu"
    _description = "Canteen Menu"
    _order = "date desc, canteen_id, meal"

    canteen_id = fields.Many2one("city.elderly.canteen", required=True, index=True, ondelete="cascade")
    provider_id = fields.Many2one(related="canteen_id.provider_id", store=True, index=True)
    date = fields.Date(required=True, index=True, default=fields.Date.context_today)
    meal = fields.Selection(MEALS, required=True, default="lunch")
    dishes = fields.Text(required=True)
    price_fen = fields.Integer(string="Price (fen)", help="Price of one meal in fen.")
    price = fields.Float(compute="_compute_price", digits=(16, 2), help="Price of one meal in yuan.")
    cutoff_at = fields.Datetime(
        string="Order Cut-off",
        compute="_compute_cutoff_at",
        store=True,
        help="Orders are taken until this time: the menu's day at the canteen's cut-off hour, city time.",
    )
    order_ids = fields.One2many("city.elderly.meal.order", "menu_id", string="Orders")
    ordered_quantity = fields.Integer(compute="_compute_ordered_quantity", string="Meals Ordered")

    _sql_constraints = [
        (
            "canteen_date_meal_unique",
            "unique(canteen_id, date, meal)",
            "This canteen already has a menu for that meal.",
        ),
        ("price_fen_positive", "CHECK(price_fen >= 0)", "The price cannot be negative."),
    ]

    @api.depends("canteen_id.name", "date", "meal")
    def _compute_display_name(self):
        labels = dict(self._fields["meal"]._description_selection(self.env))
        for menu in self:
            menu.display_name = f"{menu.canteen_id.name or ''} {menu.date or ''} {labels.get(menu.meal, '')}".strip()

    @api.depends("price_fen")
    def _compute_price(self):
        for menu in self:
            menu.price = menu.price_fen / 100

    @api.depends("date", "canteen_id.cutoff_hour")
    def _compute_cutoff_at(self):
        tz = pytz.timezone(CITY_TZ)
        for menu in self:
            if not menu.date or not menu.canteen_id:
                menu.cutoff_at = False
                continue
            minutes = round((menu.canteen_id.cutoff_hour or 0.0) * 60)
            local = datetime.datetime.combine(menu.date, datetime.time()) + datetime.timedelta(minutes=minutes)
            menu.cutoff_at = tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)

    @api.depends("order_ids.state", "order_ids.quantity")
    def _compute_ordered_quantity(self):
        for menu in self:
            menu.ordered_quantity = sum(menu.order_ids.filtered(lambda o: o.state != "cancelled").mapped("quantity"))

    def _serves(self, recipient):
        """True when the canteen serves ``recipient``'s area (no division: the whole city)."""
        self.ensure_one()
        canteen = self.canteen_id
        return canteen.active and (
            not canteen.division_id or _division_under(recipient.division_id, canteen.division_id)
        )

    def _is_open(self):
        self.ensure_one()
        return bool(self.cutoff_at) and fields.Datetime.now() < self.cutoff_at

    def _check_open(self):
        for menu in self:
            if not menu._is_open():
                raise UserError(
                    self.env._(
                        "Orders for %(menu)s closed at %(cutoff)s (city time).",
                        menu=menu.display_name,
                        cutoff=city_datetime(menu.cutoff_at) if menu.cutoff_at else "",
                    )
                )
