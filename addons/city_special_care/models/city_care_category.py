from odoo import fields, models

# Categories the system derives from other data and keeps current (see city.care.recipient).
DERIVED_CODES = ("elderly_80", "disabled_full", "disabled_semi", "disability", "left_behind_child")


class CityCareCategory(models.Model):
    """A population category of care: 高龄, 孤寡, 独居, 空巢, 失能, 半失能, 留守儿童, 残障人士."""

    _name = "city.care.category"
    _description = "Care Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, index=True, help="Stable code used by derivation rules and the API.")
    sequence = fields.Integer(default=10)
    group = fields.Selection(
        [("elderly", "Elderly"), ("child", "Left-behind Child"), ("disability", "Disability")],
        required=True,
    )
    is_derived = fields.Boolean(
        string="Derived",
        help="Set and removed by the system from the birth date, assessments, disability data or family "
        "situation; workers cannot tick it by hand.",
    )
    is_key_group = fields.Boolean(
        string="Key Group",
        help="Key groups are visited at least monthly by the default policy and count towards the "
        "monthly coverage target of special-difficulty people.",
    )
    color = fields.Integer()
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)

    _sql_constraints = [("code_unique", "unique(code)", "A category code must be unique.")]
