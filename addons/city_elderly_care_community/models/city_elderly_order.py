from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

# A complaint is about a service that took place, started, or was called off.
COMPLAINT_ORDER_STATES = ("in_progress", "done", "cancelled")
# A complaint in one of these states is settled: the order may get a new one.
CLOSED_REQUEST_STATES = ("refused", "closed", "merged", "cancelled")


COMPLAINT_ITEM_PARAM = "city_elderly_care_community.complaint_item_id"


class CityElderlyOrder(models.Model):
    _inherit = "city.elderly.order"

    complaint_request_ids = fields.One2many(
        "city.request",
        "elderly_order_id",
        string="Complaints",
        groups="city_base.group_city_base_worker,city_base.group_city_base_supervisor",
        help="Community requests opened by complaints about this order.",
    )
    complaint_count = fields.Integer(compute="_compute_complaint", compute_sudo=True)
    complaint_refs = fields.Char(
        string="Complaint Requests",
        compute="_compute_complaint",
        compute_sudo=True,
        help="References of the community requests opened by complaints about this order.",
    )

    @api.depends("complaint_request_ids.state")
    def _compute_complaint(self):
        for order in self:
            requests = order.complaint_request_ids
            order.complaint_count = len(requests)
            order.complaint_refs = ", ".join(requests.mapped("name")) or False

    def action_open_complaint_wizard(self):
        self.ensure_one()
        self.check_access("write")
        self.sudo()._check_can_complain()
        return {
            "type": "ir.actions.act_window",
            "res_model": "city.elderly.order.complaint.wizard",
            "name": self.env._("Complain"),
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def action_view_complaints(self):
        self.ensure_one()
        requests = self.complaint_request_ids
        action = {
            "type": "ir.actions.act_window",
            "res_model": "city.request",
            "name": self.env._("Complaints"),
            "domain": [("id", "in", requests.ids)],
            "view_mode": "list,form",
        }
        if len(requests) == 1:
            action.update(view_mode="form", res_id=requests.id)
        return action

    def _check_can_complain(self):
        """Refuse a complaint on an order that has not started, or that already has an open complaint."""
        for order in self:
            if order.state not in COMPLAINT_ORDER_STATES:
                raise UserError(
                    self.env._("Only a service that has started, is done or was cancelled can be complained about.")
                )
            open_requests = order.sudo().complaint_request_ids.filtered(
                lambda request: request.state not in CLOSED_REQUEST_STATES
            )
            if open_requests:
                raise UserError(
                    self.env._(
                        "Order %(order)s already has an open complaint: %(ref)s.",
                        order=order.name,
                        ref=", ".join(open_requests.mapped("name")),
                    )
                )

    @api.model
    def _elderly_complaint_item(self):
        """The service item complaints are filed under, as chosen in the settings (none if unset)."""
        value = self.env["ir.config_parameter"].sudo().get_param(COMPLAINT_ITEM_PARAM)
        item = self.env["city.service.item"].sudo().browse(int(value) if str(value or "").isdigit() else 0).exists()
        if item and (item.is_alarm or not item.active):
            item = item.browse()
        return item.with_env(self.env)

    @api.model
    def _elderly_complain(self, order, text, item=None):
        """File a complaint about ``order`` as a submitted community request; returns the request.

        Workers complain on the elder's behalf (service window); in the portal the elder or a family
        member with consent complains in their own name. The request is created as superuser, so the
        user's right to the order is checked first: workers must be able to change it (their
        divisions), portal users must be the elder or the consenting family.
        """
        order = order.with_env(self.env)
        order.ensure_one()
        order.check_access("read")
        user = self.env.user
        if user.share:
            if not order._is_elder_or_family():
                raise AccessError(self.env._("Only the elder or the family can complain about this service."))
            channel = "portal"
        else:
            order.check_access("write")
            channel = "window"
        text = (text or "").strip()
        if not text:
            raise UserError(self.env._("Describe what went wrong with the service."))
        item = (item or self._elderly_complaint_item()).sudo()
        if not item:
            raise UserError(self.env._("The community service catalogue has no item for complaints."))
        if item.is_alarm:
            raise UserError(self.env._("Sensor-alarm items are opened by devices, not by complaints."))
        # Serialise two complaints about the same order: the second one sees the first one's request.
        order.flush_recordset()
        self.env.cr.execute(SQL("SELECT id FROM city_elderly_order WHERE id = %s FOR NO KEY UPDATE", order.id))
        order_sudo = order.sudo()
        order_sudo.invalidate_recordset(["state", "complaint_request_ids"])
        order_sudo._check_can_complain()
        recipient_sudo = order_sudo.recipient_id
        Request_sudo = self.env["city.request"].sudo()
        # The request goes to the elder's home division, whoever complains.
        location = Request_sudo._location_from_partner(recipient_sudo.partner_id)
        if not location and recipient_sudo.division_id:
            location = {"division_id": recipient_sudo.division_id.id}
        if not location:
            raise UserError(
                self.env._(
                    "%(name)s has no home division: record the elder's home first.",
                    name=recipient_sudo.partner_id.name,
                )
            )
        partner = user.partner_id if channel == "portal" else recipient_sudo.partner_id
        request_sudo = Request_sudo.create(
            {
                "item_id": item.id,
                "channel": channel,
                "partner_id": partner.id,
                "description": text,
                "elderly_order_id": order.id,
                **location,
            }
        )
        request_sudo.action_submit()
        if channel == "window":
            # the worker follows the complaint without needing a community role
            request_sudo.message_subscribe(partner_ids=user.partner_id.ids)
        order_sudo.message_post(
            body=self.env._(
                "Complaint filed by %(user)s: community request %(ref)s.",
                user=user.name,
                ref=request_sudo.name,
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        request_sudo.message_post(
            body=self.env._(
                "Complaint about elderly-care service order %(order)s (%(service)s, provider %(provider)s).",
                order=order_sudo.name,
                service=order_sudo.service_id.name,
                provider=order_sudo.provider_id.name or "-",
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return request_sudo.with_env(self.env)
