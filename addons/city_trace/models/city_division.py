from odoo import models

# What the public scan pages show of a division: its name, and its full name (origin of a lot).
PAGE_FIELDS = {"name", "parent_id"}


class CityDivision(models.Model):
    _inherit = "city.division"

    def write(self, vals):
        if PAGE_FIELDS.intersection(vals):
            self.env["city.trace.scan"]._page_touch(all_pages=True)
        return super().write(vals)
