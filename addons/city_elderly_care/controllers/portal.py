import datetime
import logging

import pytz

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import format_datetime

from odoo.addons.city_base.controllers.portal import CityBasePortal
from odoo.addons.city_base.tools.dates import CITY_TZ
from odoo.addons.city_base.tools.labels import selection_labels
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.city_elderly_order import OPEN_STATES

_logger = logging.getLogger(__name__)

DEFAULT_TZ = CITY_TZ
# Time slots offered for booking: (key, start hour, end hour), city time.
TIME_SLOTS = [("08", 8, 10), ("10", 10, 12), ("14", 14, 16), ("16", 16, 18)]
STATE_CLASSES = {
    "booked": "text-bg-info",
    "dispatched": "text-bg-primary",
    "assigned": "text-bg-primary",
    "in_progress": "text-bg-warning",
    "done": "text-bg-success",
    "cancelled": "text-bg-secondary",
}
# Fields shown in the provider's order list: fetched in one query per page.
PROVIDER_LIST_FIELDS = ["name", "state", "scheduled_start", "recipient_id", "service_id", "carer_id", "quantity"]


def yuan(fen):
    return f"{(fen or 0) / 100:.2f}"


class ElderlyCarePortal(CityBasePortal):
    """Elderly-care services in the portal.

    Elders and their consenting family book services, follow and rate their orders and read the
    voucher balance; provider staff (dispatchers and carers) follow the provider's orders, assign a
    carer and check in and out. The record rules decide which orders each user reads.
    """

    _eld_per_page = 20

    # ------------------------------------------------------------------
    # Home counters
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        Order = request.env["city.elderly.order"]
        if "elderly_order_count" in counters:
            values["elderly_order_count"] = (
                Order.search_count(self._eld_own_domain()) if Order.has_access("read") else 0
            )
        if "elderly_voucher_count" in counters:
            # The care files whose vouchers the user follows: his own and his consenting relatives'.
            values["elderly_voucher_count"] = (
                len(self._eld_recipients()) if request.env["city.elderly.voucher.move"].has_access("read") else 0
            )
        if "elderly_provider_order_count" in counters:
            values["elderly_provider_order_count"] = (
                Order.search_count(self._eld_provider_domain())
                if self._eld_is_provider() and Order.has_access("read")
                else 0
            )
        return values

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @staticmethod
    def _eld_is_provider():
        return request.env.user.has_group("city_elderly_care.group_city_elderly_care_provider")

    def _eld_own_domain(self):
        """Orders of the user as the elder or as a family member with consent.

        By care file ids: an elder does not read his own care file through the rules, so a domain
        through ``recipient_id.partner_id`` would find nothing for him.
        """
        return [("recipient_id", "in", self._eld_recipients(active_test=False).ids)]

    @staticmethod
    def _eld_provider_domain():
        """Orders dispatched to the user's provider (the record rule filters them as well).

        A booking naming the provider as preferred reaches it only with the dispatch.
        """
        # The provider ids as values (one small query) give the planner an exact filter on the indexed column.
        providers = request.env["city.elderly.provider"].search(
            [("partner_id", "=", request.env.user.commercial_partner_id.id)]
        )
        return [("provider_id", "in", providers.ids), ("dispatched_at", "!=", False)]

    @staticmethod
    def _eld_tz():
        return pytz.timezone(request.env.user.tz or DEFAULT_TZ)

    def _eld_moment(self, value):
        return (
            format_datetime(request.env, value, tz=self._eld_tz().zone, dt_format="yyyy-MM-dd HH:mm") if value else ""
        )

    def _eld_recipients(self, active_test=True):
        """Care files of the user (sudo): his own, and those of relatives who consented."""
        partner = request.env.user.partner_id
        Recipient = request.env["city.care.recipient"].sudo().with_context(active_test=active_test)
        # The user's own care file, by identity; the relatives', by the consent.
        return Recipient.search(
            ["|", ("partner_id", "=", partner.id), ("family_partner_ids", "in", partner.ids)], order="name, id"
        )

    def _eld_providers_for(self, recipients_sudo):
        """Contracted providers serving the area of any of ``recipients_sudo`` (sudo)."""
        Provider = request.env["city.elderly.provider"].sudo()
        providers = Provider
        for division in recipients_sudo.division_id:
            providers |= Provider.search([("is_contracted", "=", True), *Provider._serving_domain(division)])
        return providers.sorted("name")

    def _eld_order_sudo(self, order_id):
        """The order ``order_id`` (sudo) when the user may read it, else an empty recordset."""
        try:
            return self._document_check_access("city.elderly.order", order_id)
        except (AccessError, MissingError):
            return request.env["city.elderly.order"]

    def _eld_message(self, kw, messages):
        key = kw.get("message")
        return (key, messages[key]) if key in messages else (None, None)

    # ------------------------------------------------------------------
    # Elder and family: my orders
    # ------------------------------------------------------------------
    @http.route(
        ["/my/elderly/orders", "/my/elderly/orders/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_elderly_orders(self, page=1, sortby=None, **kw):
        Order = request.env["city.elderly.order"]
        if not Order.has_access("read"):
            return request.redirect("/my")
        env = request.env
        sortings = {
            "date": {"label": env._("Scheduled For"), "order": "scheduled_start desc, id desc"},
            "state": {"label": env._("Status"), "order": "state, scheduled_start desc, id desc"},
        }
        orders, values = self._city_list_page(
            Order,
            "/my/elderly/orders",
            page,
            sortby,
            sortings,
            "date",
            domain=self._eld_own_domain(),
            per_page=self._eld_per_page,
            history="my_elderly_orders_history",
        )
        values.update({"page_name": "elderly_orders", "rows": self._eld_rows(orders)})
        return request.render("city_elderly_care.portal_my_elderly_orders", values)

    def _eld_rows(self, orders):
        states = selection_labels(orders, "state")
        # Names of the elders, services, providers and carers in one read each (the orders are readable).
        orders_sudo = orders.sudo()
        return [
            {
                "id": order.id,
                "name": order.name,
                "elder": order.recipient_id.name,
                "service": order.service_id.name,
                "provider": order.provider_id.name or "",
                "carer": order.carer_id.name or "",
                "time": self._eld_moment(order.scheduled_start),
                "state": order.state,
                "state_label": states.get(order.state, order.state),
                "state_class": STATE_CLASSES.get(order.state, "text-bg-light"),
                "amount": yuan(order.amount_fen),
                "voucher": yuan(order.voucher_fen),
                "self_pay": yuan(order.self_pay_fen),
                "rating": order.rating,
            }
            for order in orders_sudo
        ]

    @http.route(["/my/elderly/orders/<int:order_id>"], type="http", auth="public", website=True, readonly=True)
    def portal_my_elderly_order(self, order_id, **kw):
        order_sudo = self._eld_order_sudo(order_id)
        if not order_sudo:
            return request.redirect("/my")
        order = order_sudo.with_env(request.env)
        is_family = order._is_elder_or_family()
        message, message_text = self._eld_message(kw, self._eld_order_messages())
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "elderly_order",
                "order": order_sudo,
                "row": self._eld_rows(order)[0],
                "can_rate": is_family and order_sudo.state == "done" and not order_sudo.rating,
                # action_cancel lets the elder and family cancel before dispatch only.
                "can_cancel": is_family and order_sudo.state in ("draft", "booked"),
                "checkin_at": self._eld_moment(order_sudo.checkin_at),
                "checkout_at": self._eld_moment(order_sudo.checkout_at),
                "message": message,
                "message_text": message_text,
                "error_text": kw.get("error") and self._eld_error_text(kw["error"]),
                **self._eld_order_page_values(order_sudo, is_family),
            }
        )
        values = self._get_page_view_values(order_sudo, None, values, "my_elderly_orders_history", False)
        return request.render("city_elderly_care.portal_my_elderly_order", values)

    def _eld_order_messages(self):
        """Confirmations shown on the order page, by the ``message`` key of the URL."""
        env = request.env
        return {
            "booked": env._("Your booking has been received."),
            "dispatched": env._("Your booking has been received and sent to the provider."),
            "rated": env._("Thank you for your rating."),
            "cancelled": env._("The order is cancelled."),
        }

    def _eld_order_page_values(self, order_sudo, is_family):
        """Extra values of the order page (a hook for the addons that add to the page)."""
        return {}

    def _eld_error_text(self, key):
        env = request.env
        return {
            "rating": env._("Choose from 1 to 5 stars."),
            "rated": env._("This service has already been rated."),
            "cancel": env._("This order can no longer be cancelled here: please call the provider or the community."),
            "carer": env._("Choose a carer of your provider who serves the elder's area."),
            "location": env._("Your location is needed to check in: allow the browser to share it."),
            "notes": env._("Write the completion notes before checking out."),
            "state": env._("The order has changed meanwhile: reload the page."),
        }.get(key)

    @http.route(["/my/elderly/orders/<int:order_id>/rate"], type="http", auth="user", website=True, methods=["POST"])
    def portal_elderly_order_rate(self, order_id, rating=None, comment=None, **post):
        order_sudo = self._eld_order_sudo(order_id)
        if not order_sudo:
            return request.redirect("/my")
        url = f"/my/elderly/orders/{order_id}"
        try:
            rating = int(rating or 0)
        except ValueError:
            rating = 0
        if not 1 <= rating <= 5:
            return request.redirect(f"{url}?error=rating")
        if order_sudo.rating:
            return request.redirect(f"{url}?error=rated")
        try:
            order_sudo.with_env(request.env).action_rate(rating, (comment or "").strip() or None)
        except AccessError:
            return request.redirect("/my")
        except UserError:
            return request.redirect(f"{url}?error=state")
        return request.redirect(f"{url}?message=rated")

    @http.route(["/my/elderly/orders/<int:order_id>/cancel"], type="http", auth="user", website=True, methods=["POST"])
    def portal_elderly_order_cancel(self, order_id, reason=None, **post):
        order_sudo = self._eld_order_sudo(order_id)
        if not order_sudo:
            return request.redirect("/my")
        url = f"/my/elderly/orders/{order_id}"
        try:
            order_sudo.with_env(request.env).action_cancel((reason or "").strip() or None)
        except (AccessError, UserError):
            return request.redirect(f"{url}?error=cancel")
        return request.redirect(f"{url}?message=cancelled")

    # ------------------------------------------------------------------
    # Elder and family: booking
    # ------------------------------------------------------------------
    def _eld_booking_values(self, recipients_sudo, form=None, error=None):
        env = request.env
        today = datetime.datetime.now(self._eld_tz()).date()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "elderly_book",
                "recipients": recipients_sudo,
                "services": env["city.elderly.service"].sudo().search([("active", "=", True)], order="name, id"),
                "providers": self._eld_providers_for(recipients_sudo),
                "slots": [(key, f"{start:02d}:00–{end:02d}:00") for key, start, end in TIME_SLOTS],
                "min_date": today.isoformat(),
                "form": form or {"date": (today + datetime.timedelta(days=1)).isoformat(), "quantity": "1"},
                "error": error,
            }
        )
        return values

    @http.route(["/my/elderly/book"], type="http", auth="user", website=True, methods=["GET"], readonly=True)
    def portal_elderly_book(self, **kw):
        recipients_sudo = self._eld_recipients()
        if not recipients_sudo:
            return request.redirect("/my")
        return request.render("city_elderly_care.portal_elderly_book", self._eld_booking_values(recipients_sudo))

    @http.route(["/my/elderly/book"], type="http", auth="user", website=True, methods=["POST"])
    def portal_elderly_book_post(self, **post):
        recipients_sudo = self._eld_recipients()
        if not recipients_sudo:
            return request.redirect("/my")
        env = request.env
        try:
            recipient_sudo, service_sudo, provider_sudo, start, quantity = self._eld_booking_parse(
                recipients_sudo, post
            )
        except (UserError, ValidationError) as error:
            values = self._eld_booking_values(recipients_sudo, form=post, error=str(error.args[0]))
            return request.render("city_elderly_care.portal_elderly_book", values)
        # _book_for_portal checks again that the user is the elder or a consenting family member;
        # it runs as superuser because an elder does not read his own care file through the rules.
        order_sudo = (
            env["city.elderly.order"]
            .sudo()
            ._book_for_portal(recipient_sudo, service_sudo, start, quantity, (post.get("note") or "").strip() or None)
        )
        message = "booked"
        if provider_sudo:
            # The preferred provider gets the order at once when it can take it; otherwise the order
            # stays booked with the preference and a worker (or the dispatch) decides.
            order_sudo.write({"provider_id": provider_sudo.id})
            try:
                with env.cr.savepoint():
                    order_sudo.action_dispatch()
                message = "dispatched"
            except UserError as error:
                _logger.info("Portal booking %s left for the dispatch: %s", order_sudo.name, error)
        return request.redirect(f"/my/elderly/orders/{order_sudo.id}?message={message}")

    def _eld_booking_parse(self, recipients_sudo, post):
        env = request.env
        recipient_sudo = recipients_sudo.filtered(lambda r: str(r.id) == str(post.get("recipient_id")))
        if not recipient_sudo:
            raise UserError(env._("Choose the elder."))
        service_sudo = (
            env["city.elderly.service"]
            .sudo()
            .search(
                [
                    ("id", "=", int(post.get("service_id") or 0) if str(post.get("service_id") or "").isdigit() else 0),
                    ("active", "=", True),
                ]
            )
        )
        if not service_sudo:
            raise UserError(env._("Choose the service."))
        provider_sudo = env["city.elderly.provider"]
        if post.get("provider_id"):
            provider_sudo = self._eld_providers_for(recipient_sudo).filtered(
                lambda p: str(p.id) == str(post.get("provider_id"))
            )
            if not provider_sudo or not env["city.elderly.price"].sudo()._price_for(provider_sudo, service_sudo):
                raise UserError(
                    env._(
                        "The chosen provider does not offer %(service)s in the area of %(elder)s.",
                        service=service_sudo.name,
                        elder=recipient_sudo.name,
                    )
                )
        slot = next((slot for slot in TIME_SLOTS if slot[0] == post.get("slot")), None)
        try:
            day = datetime.date.fromisoformat(post.get("date") or "")
        except ValueError:
            day = None
        if not slot or not day:
            raise UserError(env._("Choose the day and the time slot."))
        tz = self._eld_tz()
        local = tz.localize(datetime.datetime.combine(day, datetime.time(slot[1])))
        start = local.astimezone(pytz.utc).replace(tzinfo=None)
        if start <= fields.Datetime.now():
            raise UserError(env._("Choose a time slot in the future."))
        try:
            quantity = int(post.get("quantity") or 1)
        except ValueError:
            quantity = 0
        if not 1 <= quantity <= 20:
            raise UserError(env._("The quantity must be between 1 and 20."))
        return recipient_sudo, service_sudo, provider_sudo, start, quantity

    # ------------------------------------------------------------------
    # Elder and family: vouchers
    # ------------------------------------------------------------------
    @http.route(
        ["/my/elderly/vouchers", "/my/elderly/vouchers/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_my_elderly_vouchers(self, page=1, **kw):
        Move = request.env["city.elderly.voucher.move"]
        recipients_sudo = self._eld_recipients()
        if not recipients_sudo or not Move.has_access("read"):
            return request.redirect("/my")
        balances = request.env["city.elderly.voucher"].sudo()._balance(recipients_sudo)
        # The ledger lines the record rules let the user read: his own and his consenting relatives'.
        domain = [("recipient_id", "in", recipients_sudo.ids)]
        count = Move.search_count(domain)
        pager = portal_pager(url="/my/elderly/vouchers", total=count, page=page, step=self._eld_per_page)
        moves = Move.search(domain, order="date desc, id desc", limit=self._eld_per_page, offset=pager["offset"])
        kinds = selection_labels(Move, "kind")
        moves_sudo = moves.sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "elderly_vouchers",
                "balances": [
                    {"id": recipient.id, "name": recipient.name, "balance": yuan(balances.get(recipient.id))}
                    for recipient in recipients_sudo
                ],
                "moves": [
                    {
                        "id": move.id,
                        "date": self._eld_moment(move.date),
                        "elder": move.recipient_id.name,
                        "policy": move.voucher_id.policy_id.name or "",
                        "kind": move.kind,
                        "kind_label": kinds.get(move.kind, move.kind),
                        "order": move.order_id.name or "",
                        "order_id": move.order_id.id,
                        "amount": yuan(move.amount_fen),
                        "positive": move.amount_fen > 0,
                    }
                    for move in moves_sudo
                ],
                "pager": pager,
                "default_url": "/my/elderly/vouchers",
            }
        )
        return request.render("city_elderly_care.portal_my_elderly_vouchers", values)

    # ------------------------------------------------------------------
    # Provider staff: the provider's orders
    # ------------------------------------------------------------------
    @http.route(
        ["/my/elderly/provider-orders", "/my/elderly/provider-orders/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=True,
    )
    def portal_elderly_provider_orders(self, page=1, filterby=None, date=None, **kw):
        Order = request.env["city.elderly.order"]
        if not self._eld_is_provider() or not Order.has_access("read"):
            return request.redirect("/my")
        env = request.env
        states = selection_labels(Order, "state")
        filters = {
            "open": {"label": env._("Open"), "domain": [("state", "in", OPEN_STATES)]},
            "all": {"label": env._("All"), "domain": []},
        }
        for key in ("dispatched", "assigned", "in_progress", "done", "cancelled"):
            filters[key] = {"label": states[key], "domain": [("state", "=", key)]}
        filterby = filterby if filterby in filters else "open"
        domain = [*self._eld_provider_domain(), *filters[filterby]["domain"]]
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError:
                day = None
        if day:
            tz = self._eld_tz()
            start = tz.localize(datetime.datetime.combine(day, datetime.time.min)).astimezone(pytz.utc)
            end = start + datetime.timedelta(days=1)
            domain += [
                ("scheduled_start", ">=", start.replace(tzinfo=None)),
                ("scheduled_start", "<", end.replace(tzinfo=None)),
            ]
        count = Order.search_count(domain)
        url_args = {"filterby": filterby, "date": day.isoformat() if day else ""}
        pager = portal_pager(
            url="/my/elderly/provider-orders", url_args=url_args, total=count, page=page, step=self._eld_per_page
        )
        orders = Order.search_fetch(
            domain,
            PROVIDER_LIST_FIELDS,
            order="scheduled_start desc, id desc",
            limit=self._eld_per_page,
            offset=pager["offset"],
        )
        # One query each for the names of the page's elders, services and carers.
        orders_sudo = orders.sudo()
        elders = {r.id: r.name for r in orders_sudo.recipient_id}
        services = {s.id: s.name for s in orders_sudo.service_id}
        carers = {c.id: c.name for c in orders_sudo.carer_id}
        rows = [
            {
                "id": order.id,
                "name": order.name,
                "elder": elders.get(order.recipient_id.id, ""),
                "service": services.get(order.service_id.id, ""),
                "carer": carers.get(order.carer_id.id, ""),
                "time": self._eld_moment(order.scheduled_start),
                "state": order.state,
                "state_label": states.get(order.state, order.state),
                "state_class": STATE_CLASSES.get(order.state, "text-bg-light"),
            }
            for order in orders_sudo
        ]
        carer_sudo = self._eld_own_carer_sudo()
        duty_messages = {
            "duty_on": env._("You are on duty: SOS alarms near you can be dispatched to you."),
            "duty_off": env._("You are off duty."),
        }
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "carer": carer_sudo,
                "carer_located_at": self._eld_moment(carer_sudo.location_at),
                "duty_message": duty_messages.get(kw.get("message")),
                "page_name": "elderly_provider_orders",
                "rows": rows,
                "pager": pager,
                "default_url": "/my/elderly/provider-orders",
                "searchbar_filters": filters,
                "filterby": filterby,
                "date": day.isoformat() if day else "",
            }
        )
        return request.render("city_elderly_care.portal_elderly_provider_orders", values)

    def _eld_provider_order_sudo(self, order_id):
        """The order (sudo) when it belongs to the provider of the logged-in staff, else empty."""
        order_sudo = self._eld_order_sudo(order_id) if self._eld_is_provider() else None
        if (
            not order_sudo
            or not order_sudo.dispatched_at
            or order_sudo.provider_id.partner_id != request.env.user.commercial_partner_id
        ):
            return request.env["city.elderly.order"]
        return order_sudo

    @http.route(["/my/elderly/provider-orders/<int:order_id>"], type="http", auth="user", website=True, readonly=True)
    def portal_elderly_provider_order(self, order_id, **kw):
        order_sudo = self._eld_provider_order_sudo(order_id)
        if not order_sudo:
            return request.redirect("/my")
        env = request.env
        user = env.user
        is_carer = order_sudo.carer_id.user_id == user
        carers = order_sudo.provider_id.carer_ids.filtered(lambda c: c.active and c._serves(order_sudo.recipient_id))
        message, message_text = self._eld_message(
            kw,
            {
                "assigned": env._("The carer is assigned."),
                "checked_in": env._("Checked in: the service has started."),
                "checked_out": env._("Checked out: the service is done."),
            },
        )
        partner_sudo = order_sudo.recipient_id.partner_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "elderly_provider_order",
                "order": order_sudo,
                "row": self._eld_rows(order_sudo.with_env(env))[0],
                "address": partner_sudo._display_address(without_company=True).replace("\n", " ").strip(),
                "carers": carers,
                "can_assign": order_sudo.state in ("dispatched", "assigned"),
                "can_checkin": is_carer and order_sudo.state == "assigned",
                "can_checkout": is_carer and order_sudo.state == "in_progress",
                "checkin_at": self._eld_moment(order_sudo.checkin_at),
                "checkout_at": self._eld_moment(order_sudo.checkout_at),
                "message": message,
                "message_text": message_text,
                "error_text": kw.get("error") and self._eld_error_text(kw["error"]),
            }
        )
        return request.render("city_elderly_care.portal_elderly_provider_order", values)

    @http.route(
        ["/my/elderly/provider-orders/<int:order_id>/assign"], type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_elderly_provider_assign(self, order_id, carer_id=None, **post):
        order_sudo = self._eld_provider_order_sudo(order_id)
        if not order_sudo:
            return request.redirect("/my")
        url = f"/my/elderly/provider-orders/{order_id}"
        carer = request.env["city.elderly.carer"].search(
            [
                ("id", "=", int(carer_id) if str(carer_id or "").isdigit() else 0),
                ("provider_id", "=", order_sudo.provider_id.id),
            ]
        )
        if not carer:
            return request.redirect(f"{url}?error=carer")
        try:
            order_sudo.with_env(request.env).action_assign(carer)
        except UserError:
            return request.redirect(f"{url}?error=carer")
        return request.redirect(f"{url}?message=assigned")

    @staticmethod
    def _eld_own_carer_sudo():
        """The carer record (sudo) of the logged-in provider staff, if the user is a carer."""
        if not request.env.user.has_group("city_elderly_care.group_city_elderly_care_provider"):
            return request.env["city.elderly.carer"]
        return request.env["city.elderly.carer"].sudo().search([("user_id", "=", request.env.uid)], limit=1)

    @http.route(["/my/elderly/carer/duty"], type="http", auth="user", website=True, methods=["POST"])
    def portal_elderly_carer_duty(self, on_duty=None, **post):
        carer_sudo = self._eld_own_carer_sudo()
        if not carer_sudo:
            return request.redirect("/my")
        latitude, longitude = self._eld_coordinates(post)
        try:
            carer_sudo.with_env(request.env)._set_duty(on_duty == "1", latitude, longitude)
        except UserError:
            # Coordinates off the Earth: the duty changes, the position is not kept.
            carer_sudo.with_env(request.env)._set_duty(on_duty == "1")
        message = "duty_on" if on_duty == "1" else "duty_off"
        return request.redirect(f"/my/elderly/provider-orders?message={message}")

    @staticmethod
    def _eld_coordinates(post):
        try:
            latitude, longitude = float(post.get("latitude")), float(post.get("longitude"))
        except (TypeError, ValueError):
            return None, None
        return latitude, longitude

    @http.route(
        ["/my/elderly/provider-orders/<int:order_id>/checkin"], type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_elderly_provider_checkin(self, order_id, **post):
        order_sudo = self._eld_provider_order_sudo(order_id)
        if not order_sudo or order_sudo.carer_id.user_id != request.env.user:
            return request.redirect("/my")
        url = f"/my/elderly/provider-orders/{order_id}"
        latitude, longitude = self._eld_coordinates(post)
        if latitude is None:
            return request.redirect(f"{url}?error=location")
        try:
            order_sudo.with_env(request.env).action_checkin(latitude, longitude)
        except UserError:
            return request.redirect(f"{url}?error=state")
        return request.redirect(f"{url}?message=checked_in")

    @http.route(
        ["/my/elderly/provider-orders/<int:order_id>/checkout"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_elderly_provider_checkout(self, order_id, notes=None, **post):
        order_sudo = self._eld_provider_order_sudo(order_id)
        if not order_sudo or order_sudo.carer_id.user_id != request.env.user:
            return request.redirect("/my")
        url = f"/my/elderly/provider-orders/{order_id}"
        notes = (notes or "").strip()
        if not notes:
            return request.redirect(f"{url}?error=notes")
        latitude, longitude = self._eld_coordinates(post)
        try:
            order_sudo.with_env(request.env).action_checkout(notes, latitude, longitude)
        except UserError:
            return request.redirect(f"{url}?error=state")
        return request.redirect(f"{url}?message=checked_out")
