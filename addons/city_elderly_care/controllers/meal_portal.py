from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.city_base.tools.labels import selection_labels
from odoo.addons.portal.controllers.portal import pager as portal_pager

from .portal import ElderlyCarePortal, yuan

MEAL_STATE_CLASSES = {"ordered": "text-bg-info", "served": "text-bg-success", "cancelled": "text-bg-secondary"}


class ElderlyMealPortal(ElderlyCarePortal):
    """The meal programme (助餐) in the portal: the elder and consenting family order meals from the
    open menus of the canteens serving the elder's area until the cut-off, and cancel before it."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "elderly_meal_count" in counters:
            MealOrder = request.env["city.elderly.meal.order"]
            values["elderly_meal_count"] = (
                MealOrder.search_count([("recipient_id", "in", self._eld_recipients(active_test=False).ids)])
                if MealOrder.has_access("read")
                else 0
            )
        return values

    def _eld_open_menus(self, recipients_sudo):
        """Open menus (sudo) of the canteens serving any of ``recipients_sudo``, soonest first."""
        menus_sudo = (
            request.env["city.elderly.menu"]
            .sudo()
            .search(
                [("cutoff_at", ">", fields.Datetime.now()), ("canteen_id.active", "=", True)],
                order="date, meal, canteen_id",
                limit=200,
            )
        )
        return menus_sudo.filtered(lambda menu: any(menu._serves(recipient) for recipient in recipients_sudo))

    def _eld_meal_values(self, recipients_sudo, page=1, form=None, error=None, message=None):
        env = request.env
        MealOrder = env["city.elderly.meal.order"]
        domain = [("recipient_id", "in", recipients_sudo.ids)]
        count = MealOrder.search_count(domain)
        pager = portal_pager(url="/my/elderly/meals", total=count, page=page, step=self._eld_per_page)
        orders = MealOrder.search(domain, order="date desc, id desc", limit=self._eld_per_page, offset=pager["offset"])
        labels = {name: selection_labels(MealOrder, name) for name in ("meal", "fulfilment", "dietary_note", "state")}
        menus_sudo = self._eld_open_menus(recipients_sudo)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "elderly_meals",
                "recipients": recipients_sudo,
                "menus": [
                    {
                        "id": menu.id,
                        "label": env._(
                            "%(canteen)s · %(date)s %(meal)s · %(dishes)s · %(price)s yuan",
                            canteen=menu.canteen_id.name,
                            date=menu.date,
                            meal=labels["meal"].get(menu.meal, ""),
                            dishes=menu.dishes,
                            price=yuan(menu.price_fen),
                        ),
                        "cutoff": self._eld_moment(menu.cutoff_at),
                        "delivery": menu.canteen_id.delivery,
                    }
                    for menu in menus_sudo
                ],
                "dietary_notes": list(labels["dietary_note"].items()),
                "orders": [
                    {
                        "id": order.id,
                        "date": order.date,
                        "meal": labels["meal"].get(order.meal, ""),
                        "canteen": order.canteen_id.name,
                        "elder": order.recipient_id.name,
                        "dishes": order.menu_id.dishes,
                        "quantity": order.quantity,
                        "fulfilment": labels["fulfilment"].get(order.fulfilment, ""),
                        "dietary": " ".join(
                            filter(None, [labels["dietary_note"].get(order.dietary_note), order.dietary_text])
                        ),
                        "amount": yuan(order.menu_id.price_fen * order.quantity),
                        "state": order.state,
                        "state_label": labels["state"].get(order.state, order.state),
                        "state_class": MEAL_STATE_CLASSES.get(order.state, "text-bg-light"),
                        "can_cancel": order.state == "ordered" and order.menu_id._is_open(),
                    }
                    for order in orders.sudo()
                ],
                "pager": pager,
                "default_url": "/my/elderly/meals",
                "form": form or {"quantity": "1", "fulfilment": "pickup"},
                "error": error,
                "message": message,
            }
        )
        return values

    @http.route(
        ["/my/elderly/meals", "/my/elderly/meals/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
        readonly=True,
    )
    def portal_my_elderly_meals(self, page=1, **kw):
        recipients_sudo = self._eld_recipients()
        if not recipients_sudo or not request.env["city.elderly.meal.order"].has_access("read"):
            return request.redirect("/my")
        message, message_text = self._eld_message(
            kw,
            {
                "ordered": request.env._("Your meal is ordered."),
                "cancelled": request.env._("The meal order is cancelled."),
            },
        )
        values = self._eld_meal_values(recipients_sudo, page=page, message=message and (message, message_text))
        return request.render("city_elderly_care.portal_my_elderly_meals", values)

    @http.route(["/my/elderly/meals"], type="http", auth="user", website=True, methods=["POST"])
    def portal_elderly_meal_order(self, **post):
        recipients_sudo = self._eld_recipients()
        if not recipients_sudo:
            return request.redirect("/my")
        env = request.env
        try:
            recipient_sudo, menu_sudo, quantity = self._eld_meal_parse(recipients_sudo, post)
            with env.cr.savepoint():
                env["city.elderly.meal.order"]._order_for_portal(
                    recipient_sudo,
                    menu_sudo,
                    quantity=quantity,
                    fulfilment=post.get("fulfilment"),
                    dietary_note=post.get("dietary_note") or False,
                    dietary_text=(post.get("dietary_text") or "").strip()[:200] or False,
                )
        except (UserError, ValidationError, AccessError) as error:
            values = self._eld_meal_values(recipients_sudo, form=post, error=str(error.args[0]))
            return request.render("city_elderly_care.portal_my_elderly_meals", values)
        return request.redirect("/my/elderly/meals?message=ordered")

    def _eld_meal_parse(self, recipients_sudo, post):
        env = request.env
        recipient_sudo = recipients_sudo.filtered(lambda r: str(r.id) == str(post.get("recipient_id")))
        if not recipient_sudo:
            raise UserError(env._("Choose the elder."))
        menu_id = str(post.get("menu_id") or "")
        menu_sudo = env["city.elderly.menu"].sudo().browse(int(menu_id) if menu_id.isdigit() else 0).exists()
        if not menu_sudo:
            raise UserError(env._("Choose the meal."))
        if post.get("fulfilment") not in ("pickup", "delivery"):
            raise UserError(env._("Choose pick-up or delivery."))
        if post.get("dietary_note") and post["dietary_note"] not in dict(
            env["city.elderly.meal.order"]._fields["dietary_note"].selection
        ):
            raise UserError(env._("Choose a dietary note from the list."))
        try:
            quantity = int(post.get("quantity") or 1)
        except ValueError:
            quantity = 0
        if not 1 <= quantity <= 5:
            raise UserError(env._("The number of meals must be between 1 and 5."))
        return recipient_sudo, menu_sudo, quantity

    @http.route(["/my/elderly/meals/<int:order_id>/cancel"], type="http", auth="user", website=True, methods=["POST"])
    def portal_elderly_meal_cancel(self, order_id, **post):
        env = request.env
        order = env["city.elderly.meal.order"].browse(order_id)
        try:
            # The record rules say whether the user reads the order at all.
            order.check_access("read")
            with env.cr.savepoint():
                order._cancel_for_portal()
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:
            recipients_sudo = self._eld_recipients()
            values = self._eld_meal_values(recipients_sudo, error=str(error.args[0]))
            return request.render("city_elderly_care.portal_my_elderly_meals", values)
        return request.redirect("/my/elderly/meals?message=cancelled")
