from odoo import fields, models


class CitySchoolResourceVersion(models.Model):
    """One uploaded file of a library resource; a new upload adds a version and keeps the older ones."""

    _name = "city.school.resource.version"
    _description = "Library Resource Version"
    _order = "slide_id, version desc"

    slide_id = fields.Many2one("slide.slide", string="Resource", required=True, index=True, ondelete="cascade")
    school_id = fields.Many2one(related="slide_id.school_id", store=True, index=True)
    version = fields.Integer(required=True)
    attachment_id = fields.Many2one("ir.attachment", string="File", ondelete="restrict")
    file_name = fields.Char(related="attachment_id.name")
    mimetype = fields.Char(related="attachment_id.mimetype")
    file_size = fields.Integer(related="attachment_id.file_size")
    uploaded_by_id = fields.Many2one("res.users", required=True, ondelete="restrict")
    uploaded_at = fields.Datetime(required=True, default=fields.Datetime.now)
    note = fields.Char()

    _sql_constraints = [
        ("version_unique", "unique(slide_id, version)", "This version of the resource already exists."),
    ]
