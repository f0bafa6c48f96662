from odoo import fields, models


class CitySchoolResourceRating(models.Model):
    """A user's star rating (1 to 5) of a library resource; one per user and resource."""

    _name = "city.school.resource.rating"
    _description = "Library Resource Rating"
    _order = "id desc"

    slide_id = fields.Many2one("slide.slide", string="Resource", required=True, index=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", required=True, index=True, ondelete="cascade")
    stars = fields.Integer(required=True)

    _sql_constraints = [
        ("rating_unique", "unique(slide_id, user_id)", "A user rates a resource once."),
        ("stars_range", "CHECK(stars BETWEEN 1 AND 5)", "A rating is 1 to 5 stars."),
    ]
