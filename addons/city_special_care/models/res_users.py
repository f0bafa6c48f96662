from odoo import fields, models

MANAGER_GROUP = "city_special_care.group_city_special_care_manager"


class ResUsers(models.Model):
    _inherit = "res.users"

    care_on_duty = fields.Boolean(
        string="On Alarm Duty", help="Alarm desk operators on duty receive the duty summaries of new alarms."
    )

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["care_on_duty"]

    def _care_covers(self, divisions):
        """Whether the user's served divisions include any of ``divisions`` (city-wide managers do)."""
        self.ensure_one()
        if not self.city_division_ids:
            return self.has_group(MANAGER_GROUP)
        prefixes = [division.parent_path for division in self.city_division_ids.sudo()]
        return any(
            (division.parent_path or "").startswith(prefix) for division in divisions.sudo() for prefix in prefixes
        )

    def action_care_toggle_duty(self):
        self.ensure_one()
        self.care_on_duty = not self.care_on_duty
        return {"type": "ir.actions.client", "tag": "soft_reload"}
