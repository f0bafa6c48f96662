from odoo import fields, models, tools

from .city_elderly_menu import MEALS


class CityElderlyMealCount(models.Model):
    """Meals to cook per canteen, day, meal and fulfilment, with the dietary notes for the kitchen."""

    _name = "city.elderly.meal.count"
    _description = "Meal Counts"
    _auto = False
    _order = "date desc, canteen_id, meal, fulfilment"

    canteen_id = fields.Many2one("city.elderly.canteen", readonly=True)
    provider_id = fields.Many2one("city.elderly.provider", readonly=True)
    date = fields.Date(readonly=True)
    meal = fields.Selection(MEALS, readonly=True)
    fulfilment = fields.Selection([("pickup", "Pick-up"), ("delivery", "Delivery")], readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True, aggregator="sum")
    quantity = fields.Integer(string="Meals", readonly=True, aggregator="sum")
    dietary_notes = fields.Text(compute="_compute_dietary_notes")

    def _compute_dietary_notes(self):
        labels = dict(self.env["city.elderly.meal.order"]._fields["dietary_note"]._description_selection(self.env))
        for count in self:
            orders = self.env["city.elderly.meal.order"].search(
                [
                    ("canteen_id", "=", count.canteen_id.id),
                    ("date", "=", count.date),
                    ("meal", "=", count.meal),
                    ("fulfilment", "=", count.fulfilment),
                    ("state", "!=", "cancelled"),
                    "|",
                    ("dietary_note", "!=", False),
                    ("dietary_text", "!=", False),
                ]
            )
            lines = []
            for order in orders:
                note = " ".join(filter(None, [labels.get(order.dietary_note), order.dietary_text]))
                lines.append(f"{order.recipient_id.name} × {order.quantity}: {note}")
            count.dietary_notes = "\n".join(lines)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            """
            CREATE VIEW city_elderly_meal_count AS (
                SELECT MIN(o.id) AS id,
                       o.canteen_id,
                       o.provider_id,
                       o.date,
                       o.meal,
                       o.fulfilment,
                       COUNT(*) AS order_count,
                       SUM(o.quantity) AS quantity
                  FROM city_elderly_meal_order o
                 WHERE o.state != 'cancelled'
              GROUP BY o.canteen_id, o.provider_id, o.date, o.meal, o.fulfilment
            )
            """
        )
