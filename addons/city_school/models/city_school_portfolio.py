from odoo import api, fields, models

TERMS = [("1", "First Term"), ("2", "Second Term")]


class CitySchoolPortfolio(models.Model):
    """A student's growth record for one term (成长档案): awards, activities, evaluations."""

    _name = "city.school.portfolio"
    _description = "Student Portfolio"
    _inherit = ["mail.thread"]
    _order = "year desc, term desc, id desc"

    student_id = fields.Many2one("city.school.student", required=True, index=True, ondelete="cascade")
    school_id = fields.Many2one(related="student_id.school_id", store=True, index=True)
    class_id = fields.Many2one(related="student_id.class_id", store=True)
    year = fields.Integer(required=True, help="The school year starting in September of this year.")
    term = fields.Selection(TERMS, required=True, default="1")
    name = fields.Char(compute="_compute_name")
    entry_ids = fields.One2many("city.school.portfolio.entry", "portfolio_id", string="Entries")
    teacher_comment = fields.Text(help="The head teacher's comment for the term (shown to the guardians).")
    award_count = fields.Integer(compute="_compute_counts")
    activity_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        ("term_unique", "unique(student_id, year, term)", "The student already has a portfolio for this term.")
    ]

    @api.depends("student_id.name", "year", "term")
    @api.depends_context("lang")
    def _compute_name(self):
        terms = dict(self._fields["term"]._description_selection(self.env))
        for portfolio in self:
            portfolio.name = self.env._(
                "%(student)s %(year)s-%(next)s %(term)s",
                student=portfolio.student_id.name or "",
                year=portfolio.year,
                next=(portfolio.year or 0) + 1,
                term=terms.get(portfolio.term, ""),
            )

    @api.depends("entry_ids.kind")
    def _compute_counts(self):
        for portfolio in self:
            kinds = portfolio.entry_ids.mapped("kind")
            portfolio.award_count = kinds.count("award")
            portfolio.activity_count = kinds.count("activity")
