from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from odoo.addons.city_base.tools.labels import selection_labels
from odoo.addons.city_elderly_care.controllers.portal import ElderlyCarePortal

from ..models.city_elderly_order import CLOSED_REQUEST_STATES, COMPLAINT_ORDER_STATES

COMPLAINT_MAX_LENGTH = 2000


class ElderlyComplaintPortal(ElderlyCarePortal):
    """The elder or a consenting family member complains about a service on the order page; the
    complaint becomes a community request in the elder's home division."""

    def _eld_order_messages(self):
        messages = super()._eld_order_messages()
        messages["complained"] = request.env._(
            "Your complaint has been filed with the community; you will be contacted about it."
        )
        return messages

    def _eld_error_text(self, key):
        env = request.env
        texts = {
            "complaint_text": env._("Describe what went wrong with the service."),
            "complaint": env._(
                "This service cannot be complained about here now: it has not started yet, or a complaint "
                "about it is still open."
            ),
        }
        return texts.get(key) or super()._eld_error_text(key)

    def _eld_order_page_values(self, order_sudo, is_family):
        values = super()._eld_order_page_values(order_sudo, is_family)
        requests_sudo = order_sudo.complaint_request_ids
        states = selection_labels(requests_sudo, "state")
        values.update(
            {
                "complaints": [
                    {"name": req.name, "state": req.state, "state_label": states.get(req.state, req.state)}
                    for req in requests_sudo.sorted("id")
                ],
                "can_complain": is_family
                and order_sudo.state in COMPLAINT_ORDER_STATES
                and all(req.state in CLOSED_REQUEST_STATES for req in requests_sudo),
            }
        )
        return values

    @http.route(
        ["/my/elderly/orders/<int:order_id>/complain"], type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_elderly_order_complain(self, order_id, description=None, **post):
        order_sudo = self._eld_order_sudo(order_id)
        if not order_sudo:
            return request.redirect("/my")
        url = f"/my/elderly/orders/{order_sudo.id}"
        text = (description or "").strip()[:COMPLAINT_MAX_LENGTH]
        if not text:
            return request.redirect(f"{url}?error=complaint_text")
        try:
            with request.env.cr.savepoint():
                # Checks that the user is the elder or the consenting family, then files the request.
                request.env["city.elderly.order"]._elderly_complain(order_sudo.with_env(request.env), text)
        except AccessError:
            return request.redirect("/my")
        except UserError:
            return request.redirect(f"{url}?error=complaint")
        return request.redirect(f"{url}?message=complained")
