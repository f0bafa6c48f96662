from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

REVIEW_LEVELS = [("school", "School"), ("district", "District"), ("city", "City")]


class CitySchoolResourceReview(models.Model):
    """One decision of a reviewer on a library resource, at the school, district or city level."""

    _name = "city.school.resource.review"
    _description = "Library Resource Review"
    _order = "slide_id, id"

    slide_id = fields.Many2one("slide.slide", string="Resource", required=True, index=True, ondelete="cascade")
    school_id = fields.Many2one(related="slide_id.school_id", store=True, index=True)
    level = fields.Selection(REVIEW_LEVELS, required=True)
    decision = fields.Selection([("approve", "Approved"), ("reject", "Rejected")], required=True)
    reason = fields.Text()
    reviewer_id = fields.Many2one("res.users", required=True, ondelete="restrict", default=lambda self: self.env.user)
    date = fields.Datetime(required=True, default=fields.Datetime.now)

    @api.model
    def _check_reviewer(self, level, school):
        """Raise unless the current user decides at ``level`` for ``school``.

        The school's administrators review at the school level, the district education office of the
        school's district at the district level, and the education bureau at every level.
        """
        user = self.env.user
        # the caller checked the access to the reviewed record; its school is read as superuser
        school = school.sudo()
        if user.has_group("city_school.group_city_school_bureau"):
            return True
        allowed = False
        if level == "school":
            allowed = user.has_group("city_school.group_city_school_admin") and school in user.city_school_ids
        elif level == "district":
            allowed = user.has_group("city_school.group_city_school_district") and bool(
                school.district_id
                and user.city_division_ids.filtered(
                    lambda division: school.district_id.parent_path.startswith(division.parent_path)
                )
            )
        if not allowed:
            labels = dict(REVIEW_LEVELS)
            raise AccessError(
                self.env._(
                    "You are not a %(level)s-level reviewer of %(school)s.",
                    level=labels[level],
                    school=school.display_name,
                )
            )
        return True

    def write(self, vals):
        if self:
            raise UserError(self.env._("Review decisions are kept as they were made."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Review decisions are kept as they were made."))
