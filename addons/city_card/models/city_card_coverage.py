from odoo import fields, models, tools

from odoo.addons.city_base.models.city_division import DIVISION_TYPES

COVERAGE_TARGET = 90.0


class CityCardCoverage(models.Model):
    """Card coverage per division: active cards ÷ residents, for the division and everything under it."""

    _name = "city.card.coverage"
    _description = "Card Coverage"
    _auto = False
    _order = "division_code"
    _rec_name = "division_id"

    division_id = fields.Many2one("city.division", readonly=True)
    division_code = fields.Char(readonly=True)
    division_type = fields.Selection(DIVISION_TYPES, readonly=True)
    parent_id = fields.Many2one("city.division", string="Parent Division", readonly=True)
    resident_count = fields.Integer(string="Residents", readonly=True, aggregator="max")
    card_count = fields.Integer(string="Active Cards", readonly=True, aggregator="max")
    coverage = fields.Float(string="Coverage (%)", readonly=True, aggregator="max", digits=(16, 1))
    meets_target = fields.Boolean(string="Meets 90 % Target", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            """CREATE OR REPLACE VIEW city_card_coverage AS (
                WITH residents AS (
                    SELECT city_division_id AS division_id, count(*) AS n
                      FROM res_partner
                     WHERE is_resident AND active AND city_division_id IS NOT NULL
                     GROUP BY city_division_id),
                cards AS (
                    SELECT division_id, count(*) AS n
                      FROM city_card
                     WHERE state = 'active' AND division_id IS NOT NULL
                     GROUP BY division_id),
                totals AS (
                    SELECT d.id, COALESCE(SUM(r.n), 0) AS residents, COALESCE(SUM(c.n), 0) AS cards
                      FROM city_division d
                      JOIN city_division sub ON sub.parent_path LIKE d.parent_path || '%%'
                      LEFT JOIN residents r ON r.division_id = sub.id
                      LEFT JOIN cards c ON c.division_id = sub.id
                     WHERE d.active
                     GROUP BY d.id)
                SELECT d.id, d.id AS division_id, d.code AS division_code, d.type AS division_type,
                       d.parent_id, t.residents AS resident_count, t.cards AS card_count,
                       CASE WHEN t.residents > 0 THEN round(100.0 * t.cards / t.residents, 1) ELSE 0 END AS coverage,
                       t.residents > 0 AND 100.0 * t.cards / t.residents >= %s AS meets_target
                  FROM city_division d JOIN totals t ON t.id = d.id
            )""",
            [COVERAGE_TARGET],
        )
