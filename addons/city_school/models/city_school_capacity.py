from odoo import fields, models

from .city_school import GRADES


class CitySchoolCapacity(models.Model):
    _name = "city.school.capacity"
    _description = "School Capacity per Grade"
    _order = "year desc, grade, id"

    school_id = fields.Many2one("city.school", required=True, index=True, ondelete="cascade")
    year = fields.Integer(required=True, help="The school year starting in September of this year.")
    grade = fields.Selection(GRADES, required=True)
    seats = fields.Integer(required=True, help="Places offered to new pupils in this grade and year.")

    _sql_constraints = [
        ("seats_positive", "CHECK(seats >= 0)", "The number of seats cannot be negative."),
        ("grade_year_unique", "unique(school_id, year, grade)", "One capacity line per grade and year."),
    ]
