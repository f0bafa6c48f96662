import datetime

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.city_special_care.tools.geo import distance_m

DEFAULT_POSITION_MAX_AGE_HOURS = 2


class CityCareAlarm(models.Model):
    """An alarm of the care desk can be dispatched to the nearest on-duty carer of a contracted provider."""

    _inherit = "city.care.alarm"

    responder_type = fields.Selection(selection_add=[("carer", "Care Provider Carer")], ondelete={"carer": "set null"})
    elderly_carer_id = fields.Many2one(
        "city.elderly.carer",
        string="Responding Carer",
        index="btree_not_null",
        ondelete="set null",
        help="On-duty carer of a contracted care provider sent to the elder.",
    )

    def action_dispatch(self):
        for alarm in self:
            if alarm.responder_type == "carer" and not alarm.elderly_carer_id:
                raise UserError(self.env._("Choose the responding carer."))
        result = super().action_dispatch()
        for alarm in self.filtered(lambda a: a.responder_type == "carer"):
            alarm._notify_carer()
        return result

    def action_dispatch_nearest_carer(self):
        """Called back → dispatched to the nearest on-duty carer of a contracted provider serving the elder."""
        self.check_access("write")
        self._check_step("dispatch")
        for alarm in self:
            carer, distance = alarm._nearest_carer()
            alarm.write({"responder_type": "carer", "elderly_carer_id": carer.id})
            alarm.sudo().message_post(
                body=self.env._(
                    "Nearest on-duty carer: %(carer)s (%(provider)s), about %(distance)s m away.",
                    carer=carer.name,
                    provider=carer.provider_id.name,
                    distance=round(distance),
                ),
                message_type="notification",
                subtype_xmlid="mail.mt_note",
            )
        return self.action_dispatch()

    def _alarm_position(self):
        """(latitude, longitude) of the alarm, else of the elder's building; None when neither is known."""
        self.ensure_one()
        alarm_sudo = self.sudo()
        if alarm_sudo.latitude or alarm_sudo.longitude:
            return alarm_sudo.latitude, alarm_sudo.longitude
        building = alarm_sudo.recipient_id.partner_id.city_building_id
        if building and (building.latitude or building.longitude):
            return building.latitude, building.longitude
        return None

    def _nearest_carer(self):
        """(carer, metres): the nearest on-duty carer with a recent position, of a contracted provider, serving
        the elder's area. Raises UserError when there is none."""
        self.ensure_one()
        position = self._alarm_position()
        if not position:
            raise UserError(
                self.env._("The position of %(alarm)s and of the elder's home are unknown.", alarm=self.name)
            )
        try:
            max_age = float(
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("city_elderly_care.carer_position_max_age_hours", DEFAULT_POSITION_MAX_AGE_HOURS)
            )
        except (TypeError, ValueError):
            max_age = DEFAULT_POSITION_MAX_AGE_HOURS
        since = fields.Datetime.now() - datetime.timedelta(hours=max_age)
        recipient = self.sudo().recipient_id
        carers = (
            self.env["city.elderly.carer"]
            .sudo()
            .search(
                [
                    ("on_duty", "=", True),
                    ("location_at", ">=", since),
                    ("provider_id.active", "=", True),
                    ("provider_id.is_contracted", "=", True),
                ]
            )
            .filtered(lambda c: (c.latitude or c.longitude) and c._serves(recipient))
        )
        if not carers:
            raise UserError(
                self.env._(
                    "No on-duty carer of a contracted provider with a recent position serves the area of %(elder)s.",
                    elder=recipient.name,
                )
            )
        distances = {carer.id: distance_m(*position, carer.latitude, carer.longitude) for carer in carers}
        carer = min(carers, key=lambda c: (distances[c.id], c.id))
        return carer, distances[carer.id]

    def _notify_carer(self):
        """Tell the carer's portal account where to go."""
        self.ensure_one()
        carer = self.sudo().elderly_carer_id
        partner = carer.user_id.partner_id
        if not partner:
            return
        recipient = self.sudo().recipient_id
        building = recipient.partner_id.city_building_id
        self.env["mail.thread"].sudo().message_notify(
            partner_ids=partner.ids,
            subject=self.env._("Emergency: go to %(elder)s", elder=recipient.name),
            body=self.env._(
                "Alarm %(alarm)s (%(kind)s): please go to %(elder)s at %(address)s at once. Phone: %(phone)s",
                alarm=self.name,
                kind=self._kind_label(),
                elder=recipient.name,
                address=building.display_name or recipient.partner_id.contact_address or "",
                phone=recipient.phone or "",
            ),
            email_layout_xmlid="mail.mail_notification_light",
        )
