from odoo import fields, models

LEVELS = [
    ("class", "Class"),
    ("school", "School"),
    ("district", "District"),
    ("city", "City"),
    ("province", "Province"),
    ("national", "National"),
]


class CitySchoolPortfolioEntry(models.Model):
    _name = "city.school.portfolio.entry"
    _description = "Portfolio Entry"
    _order = "date desc, id desc"

    portfolio_id = fields.Many2one("city.school.portfolio", required=True, index=True, ondelete="cascade")
    student_id = fields.Many2one(related="portfolio_id.student_id", store=True, index=True)
    school_id = fields.Many2one(related="portfolio_id.school_id", store=True)
    kind = fields.Selection(
        [("award", "Award"), ("activity", "Activity"), ("evaluation", "Evaluation"), ("work", "Work")],
        required=True,
        default="activity",
    )
    name = fields.Char(string="Title", required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    level = fields.Selection(LEVELS, help="For awards and activities: the level at which they were given.")
    description = fields.Text()
    attachment = fields.Binary(attachment=True, help="A photo, certificate or piece of work.")
    filename = fields.Char()
    author_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
