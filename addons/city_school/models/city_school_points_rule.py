from odoo import fields, models

POINT_EVENTS = [
    ("approve_school", "Approved by the School"),
    ("approve_district", "Approved by the District"),
    ("approve_city", "Approved by the City"),
    ("view", "Viewed"),
    ("download", "Downloaded"),
    ("good_rating", "Good Rating (4 or 5 Stars)"),
]


class CitySchoolPointsRule(models.Model):
    """How many points an event on a resource earns its author, and the author's daily cap for it."""

    _name = "city.school.points.rule"
    _description = "Contributor Points Rule"
    _order = "event"

    event = fields.Selection(POINT_EVENTS, required=True)
    points = fields.Integer(required=True, default=1)
    daily_cap = fields.Integer(
        help="Most points one author earns from this event in one day (0: no cap). Counting every view or "
        "download of the same visitor once a day, and capping the day, keeps the ranking fair."
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("event_unique", "unique(event)", "There is one rule per event."),
        ("points_positive", "CHECK(points > 0)", "A rule awards a positive number of points."),
        ("cap_positive", "CHECK(daily_cap >= 0)", "The daily cap cannot be negative."),
    ]
