from odoo import fields, models


class CitySchoolResourceDownload(models.Model):
    """A download of a library resource, logged by the download route."""

    _name = "city.school.resource.download"
    _description = "Library Resource Download"
    _order = "id desc"
    _log_access = False

    slide_id = fields.Many2one("slide.slide", string="Resource", required=True, index=True, ondelete="cascade")
    school_id = fields.Many2one(related="slide_id.school_id", store=True, index=True)
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    date = fields.Datetime(required=True, default=fields.Datetime.now)
