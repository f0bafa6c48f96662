from odoo import fields, models, tools


class CitySchoolPointsRanking(models.Model):
    """Contributor ranking: every teacher's points, with the rank in the school and in the city."""

    _name = "city.school.points.ranking"
    _description = "Contributor Ranking"
    _auto = False
    _order = "city_rank, id"

    teacher_id = fields.Many2one("city.school.teacher", readonly=True)
    teacher_name = fields.Char(readonly=True)
    school_id = fields.Many2one("city.school", readonly=True)
    school_name = fields.Char(readonly=True)
    district_id = fields.Many2one("city.division", readonly=True)
    points = fields.Integer(readonly=True)
    resource_count = fields.Integer(string="Published Resources", readonly=True)
    school_rank = fields.Integer(readonly=True)
    city_rank = fields.Integer(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS
            SELECT t.id AS id,
                   t.id AS teacher_id,
                   t.name AS teacher_name,
                   t.school_id AS school_id,
                   s.name AS school_name,
                   s.district_id AS district_id,
                   COALESCE(p.points, 0) AS points,
                   COALESCE(r.resources, 0) AS resource_count,
                   RANK() OVER (PARTITION BY t.school_id ORDER BY COALESCE(p.points, 0) DESC)::int AS school_rank,
                   RANK() OVER (ORDER BY COALESCE(p.points, 0) DESC)::int AS city_rank
              FROM city_school_teacher t
              JOIN city_school s ON s.id = t.school_id
              LEFT JOIN (SELECT teacher_id, SUM(points) AS points
                           FROM city_school_points GROUP BY teacher_id) p ON p.teacher_id = t.id
              LEFT JOIN (SELECT library_teacher_id, COUNT(*) AS resources
                           FROM slide_slide
                          WHERE library_state = 'published'
                          GROUP BY library_teacher_id) r ON r.library_teacher_id = t.id
             WHERE t.active
            """
        )
