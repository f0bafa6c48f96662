from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import geo


class CityCareZone(models.Model):
    """A safe zone of a recipient: a location report outside every active zone raises an alarm."""

    _name = "city.care.zone"
    _description = "Safe Zone"
    _order = "recipient_id, id"

    recipient_id = fields.Many2one("city.care.recipient", required=True, index=True, ondelete="cascade")
    name = fields.Char(required=True)
    shape = fields.Selection([("circle", "Circle"), ("polygon", "Polygon")], required=True, default="circle")
    latitude = fields.Float(string="Centre Latitude", digits=(10, 7))
    longitude = fields.Float(string="Centre Longitude", digits=(10, 7))
    radius = fields.Integer(string="Radius (m)", default=500)
    polygon = fields.Text(help="Corners as JSON: [[latitude, longitude], ...], at least three.")
    active = fields.Boolean(default=True)

    @api.constrains("shape", "latitude", "longitude", "radius", "polygon")
    def _check_shape(self):
        for zone in self:
            if zone.shape == "circle":
                if not (-90 <= zone.latitude <= 90 and -180 <= zone.longitude <= 180) or not (
                    zone.latitude or zone.longitude
                ):
                    raise ValidationError(self.env._("Give the centre of the circle as latitude and longitude."))
                if not 20 <= zone.radius <= 50000:
                    raise ValidationError(self.env._("A circle's radius is 20 m to 50 km."))
            else:
                try:
                    geo.parse_polygon(zone.polygon)
                except (ValueError, TypeError) as error:
                    reasons = {
                        "points": self.env._("a polygon needs at least three corners"),
                        "pair": self.env._("each corner is a [latitude, longitude] pair"),
                        "range": self.env._("a corner lies outside the Earth's coordinates"),
                    }
                    reason = reasons.get(str(error), self.env._("it is not JSON like [[43.85, 126.55], ...]"))
                    raise ValidationError(self.env._("The polygon is not valid: %(reason)s.", reason=reason)) from error

    def _contains(self, lat, lng):
        self.ensure_one()
        if self.shape == "circle":
            return geo.distance_m(lat, lng, self.latitude, self.longitude) <= self.radius
        return geo.point_in_polygon(lat, lng, geo.parse_polygon(self.polygon))
