from odoo import api, fields, models


class SlideSlide(models.Model):
    _inherit = "slide.slide"

    school_id = fields.Many2one(
        "city.school",
        compute="_compute_school_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        ondelete="restrict",
        help="The school of the resource (by default the school of its course); counted in the indicators.",
    )

    @api.depends("channel_id.school_id")
    def _compute_school_id(self):
        for slide in self:
            slide.school_id = slide.channel_id.school_id or slide.school_id
