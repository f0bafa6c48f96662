from odoo import fields, models


class SlideChannel(models.Model):
    _inherit = "slide.channel"

    school_id = fields.Many2one(
        "city.school",
        index="btree_not_null",
        ondelete="restrict",
        help="The school that owns this course in the education resource library.",
    )
