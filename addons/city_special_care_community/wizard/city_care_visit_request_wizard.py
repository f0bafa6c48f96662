from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date


class CityCareVisitRequestWizard(models.TransientModel):
    """A care worker turns the findings of a visit into a community service request for the recipient."""

    _name = "city.care.visit.request.wizard"
    _description = "Open Community Request from a Care Visit"

    visit_id = fields.Many2one("city.care.visit", required=True, readonly=True, ondelete="cascade")
    recipient_id = fields.Many2one(related="visit_id.recipient_id")
    item_id = fields.Many2one(
        "city.service.item", string="Service Item", required=True, domain=[("is_alarm", "=", False)]
    )
    description = fields.Text(
        compute="_compute_description",
        store=True,
        readonly=False,
        precompute=True,
        compute_sudo=False,
        required=True,
        help="The resident reads this description in the portal.",
    )

    @api.depends("visit_id")
    def _compute_description(self):
        for wizard in self:
            wizard.description = wizard.visit_id.findings

    @api.model_create_multi
    def create(self, vals_list):
        # The wizard shows the recipient and the findings: only for a visit the user may change.
        visit_ids = [vals["visit_id"] for vals in vals_list if vals.get("visit_id")]
        self.env["city.care.visit"].browse(visit_ids).check_access("write")
        return super().create(vals_list)

    def action_confirm(self):
        self.ensure_one()
        visit = self.visit_id
        # A care worker usually holds no community role, so the request is created as superuser.
        # That is only safe once we know the user may change this visit: the care rules scope
        # visits to the worker's divisions, and the request goes to the recipient's own division.
        visit.check_access("write")
        # Serialise two workers confirming for the same visit at once: the second one sees the link.
        visit.flush_recordset()
        self.env.cr.execute(SQL("SELECT id FROM city_care_visit WHERE id = %s FOR NO KEY UPDATE", visit.id))
        visit.invalidate_recordset(["state", "request_id"])
        visit._check_can_open_request()
        if not (self.description or "").strip():
            raise UserError(self.env._("Describe what the resident needs."))
        if self.item_id.is_alarm:
            raise UserError(self.env._("Sensor-alarm items are opened by devices, not from a visit."))
        partner_sudo = visit.recipient_id.sudo().partner_id
        Request_sudo = self.env["city.request"].sudo()
        location = Request_sudo._location_from_partner(partner_sudo)
        if not location:
            raise UserError(
                self.env._("%(name)s has no home division: record the resident's home first.", name=partner_sudo.name)
            )
        request_sudo = Request_sudo.create(
            {
                "item_id": self.item_id.id,
                # the worker enters the request on the resident's behalf, as at the service window
                "channel": "window",
                "partner_id": partner_sudo.id,
                "description": self.description,
                **location,
            }
        )
        request_sudo.action_submit()
        # the care worker follows the request, so he hears of its progress without a community role
        request_sudo.message_subscribe(partner_ids=self.env.user.partner_id.ids)
        visit.write({"request_id": request_sudo.id})
        visit.message_post(
            body=self.env._(
                "Community request %(ref)s opened (%(item)s).",
                ref=request_sudo._get_html_link(),
                item=self.item_id.display_name,
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        request_sudo.message_post(
            body=self.env._(
                "Opened by %(worker)s from the findings of a care visit on %(date)s.",
                worker=self.env.user.name,
                date=format_date(self.env, fields.Date.context_today(self, visit.visited_at)),
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
