import datetime

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.city_special_care.models.city_care_recipient import CITY_TZ
from odoo.addons.city_special_care.tools.geo import distance_m

OPEN_STATES = ("booked", "dispatched", "assigned", "in_progress")
# Set by the order's own steps only (the actions check access, then write as superuser).
PROTECTED_FIELDS = frozenset(
    {
        "name",
        "state",
        "channel",
        "unit_price_fen",
        "voucher_fen",
        "self_pay_fen",
        "checkin_at",
        "checkin_latitude",
        "checkin_longitude",
        "checkin_distance",
        "checkout_at",
        "checkout_latitude",
        "checkout_longitude",
        "actual_minutes",
        "is_short",
        "is_far",
        "rating",
        "rating_comment",
        "rated_at",
        "cancelled_at",
        "dispatched_at",
        "dispatch_error",
    }
)
DEFAULT_MAX_DISTANCE_M = 500
DEFAULT_SHORT_TOLERANCE_PERCENT = 10


class CityElderlyOrder(models.Model):
    """An elderly-care service order: booked, dispatched to a provider, served by a carer, paid, rated."""

    _name = "city.elderly.order"
    _description = "Elderly Care Service Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "scheduled_start desc, id desc"

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    recipient_id = fields.Many2one(
        "city.care.recipient",
        string="Elder",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain=[("active", "=", True)],
    )
    partner_id = fields.Many2one(related="recipient_id.partner_id", string="Resident")
    division_id = fields.Many2one(related="recipient_id.division_id", store=True, index=True)
    community_id = fields.Many2one(related="recipient_id.community_id", store=True, index=True)
    service_id = fields.Many2one("city.elderly.service", required=True, index=True, ondelete="restrict", tracking=True)
    service_unit = fields.Selection(related="service_id.unit", string="Unit")
    provider_id = fields.Many2one("city.elderly.provider", index=True, ondelete="restrict", tracking=True, copy=False)
    carer_id = fields.Many2one(
        "city.elderly.carer",
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
        copy=False,
        domain="[('provider_id', '=', provider_id)]",
    )
    scheduled_start = fields.Datetime(
        string="Scheduled For",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self._default_scheduled_start(),
    )
    scheduled_end = fields.Datetime(compute="_compute_scheduled_end")
    duration_minutes = fields.Integer(
        string="Ordered Duration (min)",
        compute="_compute_duration_minutes",
        store=True,
        readonly=False,
        precompute=True,
        help="Service duration per unit, times the quantity for services billed by the hour.",
    )
    quantity = fields.Integer(default=1, required=True)
    unit_price_fen = fields.Integer(
        string="Unit Price (fen)", readonly=True, copy=False, help="The provider's price when the order was booked."
    )
    amount_fen = fields.Integer(string="Amount (fen)", compute="_compute_amount_fen", store=True)
    voucher_fen = fields.Integer(string="Paid by Voucher (fen)", readonly=True, copy=False)
    self_pay_fen = fields.Integer(string="Self-pay (fen)", readonly=True, copy=False)
    unit_price = fields.Float(compute="_compute_yuan", digits=(12, 2))
    amount = fields.Float(compute="_compute_yuan", digits=(12, 2))
    voucher_amount = fields.Float(string="Paid by Voucher", compute="_compute_yuan", digits=(12, 2))
    self_pay_amount = fields.Float(string="Self-pay", compute="_compute_yuan", digits=(12, 2))
    channel = fields.Selection(
        [("worker", "Worker"), ("portal", "Portal")], default="worker", required=True, readonly=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("booked", "Booked"),
            ("dispatched", "Dispatched to Provider"),
            ("assigned", "Carer Assigned"),
            ("in_progress", "In Progress"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        group_expand=True,
    )
    request_note = fields.Text(string="Request", help="What the elder or the family asked for.")
    dispatched_at = fields.Datetime(readonly=True, copy=False)
    dispatch_error = fields.Char(
        readonly=True,
        copy=False,
        help="Why the automatic dispatch could not send the booked order to a provider: a worker decides.",
    )
    checkin_at = fields.Datetime(string="Checked In", readonly=True, copy=False)
    checkin_latitude = fields.Float(string="Check-in Latitude", digits=(10, 7), readonly=True, copy=False)
    checkin_longitude = fields.Float(string="Check-in Longitude", digits=(10, 7), readonly=True, copy=False)
    checkin_distance = fields.Integer(
        string="Distance from Home (m)",
        readonly=True,
        copy=False,
        help="From the check-in to the elder's building; empty when either location is unknown.",
    )
    checkout_at = fields.Datetime(string="Checked Out", readonly=True, copy=False)
    checkout_latitude = fields.Float(string="Check-out Latitude", digits=(10, 7), readonly=True, copy=False)
    checkout_longitude = fields.Float(string="Check-out Longitude", digits=(10, 7), readonly=True, copy=False)
    actual_minutes = fields.Integer(string="Actual Duration (min)", readonly=True, copy=False)
    is_short = fields.Boolean(
        string="Short Visit", readonly=True, copy=False, help="Shorter than the ordered duration minus the tolerance."
    )
    is_far = fields.Boolean(
        string="Far from Home", readonly=True, copy=False, help="Checked in farther from the elder's home than allowed."
    )
    notes = fields.Text(string="Completion Notes", copy=False)
    rating = fields.Integer(readonly=True, copy=False, aggregator="avg", help="The elder's rating, 1 to 5 stars.")
    rating_comment = fields.Text(readonly=True, copy=False)
    rated_at = fields.Datetime(readonly=True, copy=False)
    cancel_reason = fields.Text(copy=False)
    cancelled_at = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [
        ("quantity_positive", "CHECK(quantity > 0)", "The quantity must be positive."),
        ("duration_positive", "CHECK(duration_minutes IS NULL OR duration_minutes >= 0)", "Invalid duration."),
        ("rating_range", "CHECK(rating IS NULL OR rating = 0 OR rating BETWEEN 1 AND 5)", "Rate from 1 to 5."),
        (
            "payment_split",
            "CHECK(voucher_fen >= 0 AND self_pay_fen >= 0)",
            "The voucher and self-pay parts cannot be negative.",
        ),
    ]

    def init(self):
        res = super().init()
        # The provider's order list (portal and back office): the orders dispatched to one provider,
        # newest first, a page at a time; and the count of its open ones. Both stay index-only
        # lookups however many orders the city has.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_elderly_order_provider_list_index "
            "ON city_elderly_order (provider_id, scheduled_start DESC, id DESC) "
            "WHERE dispatched_at IS NOT NULL"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_elderly_order_provider_open_index "
            "ON city_elderly_order (provider_id, scheduled_start DESC, id DESC) "
            "WHERE dispatched_at IS NOT NULL AND state IN ('booked', 'dispatched', 'assigned', 'in_progress')"
        )
        return res

    @api.model
    def _default_scheduled_start(self):
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        return now + datetime.timedelta(hours=2)

    @api.depends("scheduled_start", "duration_minutes")
    def _compute_scheduled_end(self):
        for order in self:
            order.scheduled_end = (
                order.scheduled_start + datetime.timedelta(minutes=order.duration_minutes or 0)
                if order.scheduled_start
                else False
            )

    @api.depends("service_id", "quantity")
    def _compute_duration_minutes(self):
        for order in self:
            service = order.service_id
            per_unit = service.duration_minutes or 0
            order.duration_minutes = per_unit * (order.quantity or 1) if service.unit == "hour" else per_unit

    @api.depends("unit_price_fen", "quantity")
    def _compute_amount_fen(self):
        for order in self:
            order.amount_fen = (order.unit_price_fen or 0) * (order.quantity or 0)

    @api.depends("unit_price_fen", "amount_fen", "voucher_fen", "self_pay_fen")
    def _compute_yuan(self):
        for order in self:
            order.unit_price = order.unit_price_fen / 100
            order.amount = order.amount_fen / 100
            order.voucher_amount = order.voucher_fen / 100
            order.self_pay_amount = order.self_pay_fen / 100

    @api.depends("name", "recipient_id", "service_id")
    def _compute_display_name(self):
        for order in self:
            parts = [order.name if order.name and order.name != "/" else ""]
            if order.recipient_id:
                parts.append(order.recipient_id.sudo().name or "")
            if order.service_id:
                parts.append(order.service_id.sudo().name or "")
            order.display_name = " ".join(part for part in parts if part)

    @api.constrains("carer_id", "provider_id")
    def _check_carer_provider(self):
        for order in self:
            if order.carer_id and order.carer_id.provider_id != order.provider_id:
                raise ValidationError(self.env._("The carer must work for the order's provider."))

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                forbidden = PROTECTED_FIELDS & set(vals)
                if forbidden:
                    raise UserError(
                        self.env._(
                            "These fields are set by the order's steps only: %(fields)s",
                            fields=", ".join(sorted(forbidden)),
                        )
                    )
        Sequence = self.env["ir.sequence"].sudo()
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = Sequence.next_by_code("city.elderly.order") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            forbidden = PROTECTED_FIELDS & set(vals)
            if forbidden:
                raise UserError(
                    self.env._(
                        "These fields are set by the order's steps only: %(fields)s",
                        fields=", ".join(sorted(forbidden)),
                    )
                )
            if self.env.user.share:
                raise AccessError(self.env._("Provider staff and families change orders through their actions only."))
            if {"recipient_id", "service_id", "quantity", "provider_id"} & set(vals):
                if any(order.state not in ("draft", "booked") for order in self):
                    raise UserError(
                        self.env._("The elder, service, quantity and provider are fixed once the order is dispatched.")
                    )
            if "carer_id" in vals and any(order.state not in ("dispatched", "assigned") for order in self):
                raise UserError(self.env._("A carer is chosen after dispatch and before the check-in."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(order.state not in ("draft", "cancelled") for order in self):
            raise UserError(self.env._("Only draft or cancelled orders can be deleted."))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_book(self):
        """Draft → booked: a worker books for an elder of the worker's divisions."""
        self._check_internal_actor()
        self.check_access("write")
        for order in self:
            order._check_state(("draft",), self.env._("Only a draft order can be booked."))
            if not order.recipient_id.active:
                raise UserError(self.env._("%(elder)s's care file is archived.", elder=order.recipient_id.name))
        for order_sudo in self.sudo():
            values = {"state": "booked"}
            if order_sudo.provider_id:
                values["unit_price_fen"] = order_sudo._provider_price(order_sudo.provider_id)
            order_sudo.write(values)
        return True

    def action_dispatch(self):
        """Booked → dispatched: to the chosen provider, or the least busy contracted provider serving the area."""
        self._check_internal_actor()
        self.check_access("write")
        for order in self:
            order._check_state(("booked",), self.env._("Only a booked order can be dispatched."))
        for order_sudo in self.sudo():
            provider = order_sudo.provider_id or order_sudo._find_provider()
            if not provider.is_contracted:
                raise UserError(
                    self.env._("%(provider)s has no contract in force with the city.", provider=provider.name)
                )
            if not provider._serves(order_sudo.recipient_id):
                raise UserError(
                    self.env._(
                        "%(provider)s does not serve the area of %(elder)s.",
                        provider=provider.name,
                        elder=order_sudo.recipient_id.name,
                    )
                )
            price = order_sudo._provider_price(provider)
            if not price:
                raise UserError(
                    self.env._(
                        "%(provider)s has no price for %(service)s.",
                        provider=provider.name,
                        service=order_sudo.service_id.name,
                    )
                )
            order_sudo.write(
                {
                    "state": "dispatched",
                    "provider_id": provider.id,
                    "unit_price_fen": price,
                    "dispatched_at": fields.Datetime.now(),
                    "dispatch_error": False,
                }
            )
            order_sudo.message_post(
                body=self.env._("Dispatched to %(provider)s.", provider=provider.name),
                message_type="notification",
                subtype_xmlid="mail.mt_note",
            )
        return True

    @api.model
    def _cron_dispatch(self, limit=500):
        """Booked orders not yet due go to a provider automatically (as a worker's dispatch would).

        An order no provider can take stays booked with the reason, posted once in its chatter,
        for a worker to decide (choose a provider, or call the elder). Each order is dispatched in
        its own savepoint: one failure does not undo the others.
        """
        orders_sudo = self.sudo().search(
            [("state", "=", "booked"), ("scheduled_start", ">", fields.Datetime.now())],
            order="scheduled_start, id",
            limit=limit,
        )
        dispatched = self.browse()
        for order_sudo in orders_sudo:
            try:
                with self.env.cr.savepoint():
                    order_sudo.action_dispatch()
                dispatched |= order_sudo
            except UserError as error:
                reason = str(error.args[0])
                if order_sudo.dispatch_error != reason:
                    order_sudo.write({"dispatch_error": reason})
                    order_sudo.message_post(
                        body=self.env._("Automatic dispatch failed: %(reason)s", reason=reason),
                        message_type="notification",
                        subtype_xmlid="mail.mt_note",
                    )
        return dispatched

    def action_assign(self, carer=None):
        """Dispatched → assigned: the provider (or a worker) names the carer."""
        self.check_access("write")
        if isinstance(carer, int):
            carer = self.env["city.elderly.carer"].browse(carer)
        for order in self:
            order._check_state(("dispatched", "assigned"), self.env._("Only a dispatched order can get a carer."))
        for order_sudo in self.sudo():
            chosen = (carer or order_sudo.carer_id).sudo()
            if not chosen:
                raise UserError(self.env._("Choose the carer first."))
            if chosen.provider_id != order_sudo.provider_id:
                raise UserError(
                    self.env._(
                        "%(carer)s does not work for %(provider)s.",
                        carer=chosen.name,
                        provider=order_sudo.provider_id.name,
                    )
                )
            if not chosen.active:
                raise UserError(self.env._("%(carer)s is archived.", carer=chosen.name))
            if not chosen._serves(order_sudo.recipient_id):
                raise UserError(
                    self.env._(
                        "%(carer)s does not serve the area of %(elder)s.",
                        carer=chosen.name,
                        elder=order_sudo.recipient_id.name,
                    )
                )
            order_sudo.write({"state": "assigned", "carer_id": chosen.id})
        return True

    def action_checkin(self, latitude=None, longitude=None):
        """Assigned → in progress: time and place of the carer's arrival; far from home is flagged."""
        self.check_access("write")
        located = latitude is not None and longitude is not None
        if not located and self.env.user.share:
            raise UserError(self.env._("The check-in needs the carer's location."))
        if located and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise UserError(self.env._("The check-in coordinates are not a place on Earth."))
        limit = self._param_int("city_elderly_care.checkin_max_distance_m", DEFAULT_MAX_DISTANCE_M)
        now = fields.Datetime.now()
        for order in self:
            order._check_state(("assigned",), self.env._("Only an order with a carer can be checked in."))
        for order_sudo in self.sudo():
            values = {"state": "in_progress", "checkin_at": now, "is_far": False, "checkin_distance": 0}
            if located:
                values.update(checkin_latitude=latitude, checkin_longitude=longitude)
                building = order_sudo.recipient_id.partner_id.city_building_id
                if building.latitude or building.longitude:
                    distance = round(distance_m(latitude, longitude, building.latitude, building.longitude))
                    values.update(checkin_distance=distance, is_far=distance > limit)
            order_sudo.write(values)
            if located:
                order_sudo.carer_id._record_position(latitude, longitude)
            if values["is_far"]:
                order_sudo.message_post(
                    body=self.env._(
                        "Checked in %(distance)s m from the elder's home (more than %(limit)s m).",
                        distance=values["checkin_distance"],
                        limit=limit,
                    ),
                    message_type="notification",
                    subtype_xmlid="mail.mt_note",
                )
        return True

    def action_checkout(self, notes=None, latitude=None, longitude=None):
        """In progress → done: actual duration (short visits flagged), notes, payment by voucher then self-pay."""
        self.check_access("write")
        tolerance = self._param_int("city_elderly_care.short_tolerance_percent", DEFAULT_SHORT_TOLERANCE_PERCENT)
        now = fields.Datetime.now()
        for order in self:
            order._check_state(("in_progress",), self.env._("Only an order in progress can be checked out."))
            if not (notes or order.notes or "").strip():
                raise UserError(self.env._("Write the completion notes before checking out."))
        Voucher = self.env["city.elderly.voucher"].sudo()
        for order_sudo in self.sudo():
            minutes = max(0, round((now - order_sudo.checkin_at).total_seconds() / 60))
            expected = order_sudo.duration_minutes or 0
            values = {
                "state": "done",
                "checkout_at": now,
                "actual_minutes": minutes,
                "is_short": bool(expected) and minutes < expected * (100 - tolerance) / 100,
            }
            if notes:
                values["notes"] = notes
            if latitude is not None and longitude is not None:
                values.update(checkout_latitude=latitude, checkout_longitude=longitude)
            order_sudo.write(values)
            order_sudo.carer_id._record_position(latitude, longitude)
            amount = order_sudo.amount_fen
            voucher = Voucher._spend(order_sudo, amount) if amount else 0
            order_sudo.write({"voucher_fen": voucher, "self_pay_fen": amount - voucher})
            if values["is_short"]:
                order_sudo.message_post(
                    body=self.env._(
                        "Short visit: %(actual)s min of the %(ordered)s min ordered.", actual=minutes, ordered=expected
                    ),
                    message_type="notification",
                    subtype_xmlid="mail.mt_note",
                )
        return True

    def action_rate(self, rating, comment=None):
        """The elder, the family or a worker rates a done order, once."""
        self.check_access("read")
        rating = int(rating or 0)
        if not 1 <= rating <= 5:
            raise UserError(self.env._("Rate the service from 1 to 5 stars."))
        for order in self:
            if not (order._is_elder_or_family() or (not self.env.user.share and order.has_access("write"))):
                raise AccessError(self.env._("Only the elder, the family or a worker can rate a service."))
            order._check_state(("done",), self.env._("Only a done service can be rated."))
            if order.rating:
                raise UserError(self.env._("This service has already been rated."))
        self.sudo().write({"rating": rating, "rating_comment": comment or False, "rated_at": fields.Datetime.now()})
        return True

    def action_cancel(self, reason=None):
        """Cancel before the check-in; after dispatch only a worker or the provider, with a reason."""
        self.check_access("read")
        for order in self:
            if order.state in ("in_progress", "done"):
                raise UserError(self.env._("A service that has started or is done cannot be cancelled."))
            order._check_state(("draft", "booked", "dispatched", "assigned"), self.env._("Already cancelled."))
            text = (reason or order.cancel_reason or "").strip()
            if order.state in ("draft", "booked"):
                allowed = order._is_elder_or_family() or order.has_access("write")
            else:
                allowed = order.has_access("write")
                if allowed and not text:
                    raise UserError(self.env._("Give the reason for cancelling a dispatched order."))
            if not allowed:
                raise AccessError(self.env._("You cannot cancel this order."))
            order.sudo().write(
                {"state": "cancelled", "cancel_reason": text or False, "cancelled_at": fields.Datetime.now()}
            )
        return True

    def action_reset_draft(self):
        self._check_internal_actor()
        self.check_access("write")
        for order in self:
            order._check_state(("cancelled",), self.env._("Only a cancelled order can be reset to draft."))
        self.sudo().write({"state": "draft", "cancel_reason": False, "cancelled_at": False, "provider_id": False})
        return True

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    @api.model
    def _book_for_portal(self, recipient, service, scheduled_start, quantity=1, note=None):
        """An order booked in the portal by the elder or a family member with consent (for the controller)."""
        recipient = recipient.with_env(self.env)
        recipient.check_access("read")
        partner = self.env.user.partner_id
        recipient_sudo = recipient.sudo()
        if partner != recipient_sudo.partner_id and partner not in recipient_sudo.family_partner_ids:
            raise AccessError(self.env._("You can book services only for yourself or a family member who consented."))
        order_sudo = self.sudo().create(
            {
                "recipient_id": recipient.id,
                "service_id": service.id,
                "scheduled_start": scheduled_start,
                "quantity": quantity,
                "request_note": note,
                "channel": "portal",
            }
        )
        order_sudo.write({"state": "booked"})
        return order_sudo.with_env(self.env)

    def _check_state(self, states, message):
        self.ensure_one()
        if self.state not in states:
            raise UserError(message)

    def _check_internal_actor(self):
        if self.env.user.share and not self.env.su:
            raise AccessError(self.env._("Only a care worker can do this."))

    def _is_elder_or_family(self):
        self.ensure_one()
        partner = self.env.user.partner_id
        recipient_sudo = self.recipient_id.sudo()
        return partner == recipient_sudo.partner_id or partner in recipient_sudo.family_partner_ids

    @api.model
    def _param_int(self, key, default):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return int(value) if value else default
        except ValueError:
            return default

    def _provider_price(self, provider):
        self.ensure_one()
        return self.env["city.elderly.price"].sudo()._price_for(provider, self.service_id)

    def _day_bounds(self):
        """The scheduled day (city time) as a naive UTC interval."""
        self.ensure_one()
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or CITY_TZ)
        local = pytz.utc.localize(self.scheduled_start).astimezone(tz)
        start = tz.localize(datetime.datetime.combine(local.date(), datetime.time.min))
        end = start + datetime.timedelta(days=1)
        return start.astimezone(pytz.utc).replace(tzinfo=None), end.astimezone(pytz.utc).replace(tzinfo=None)

    def _find_provider(self):
        """The contracted provider offering the service in the elder's area with the fewest open orders that day.

        Providers with a daily capacity that is already reached that day are left out.
        """
        self.ensure_one()
        Provider = self.env["city.elderly.provider"].sudo()
        candidates = Provider.search(
            [
                ("is_contracted", "=", True),
                ("price_ids.service_id", "=", self.service_id.id),
                *Provider._serving_domain(self.recipient_id.sudo().division_id),
            ]
        )
        prices = {provider.id: self._provider_price(provider) for provider in candidates}
        candidates = candidates.filtered(lambda p: prices[p.id] > 0 and p._serves(self.recipient_id))
        start, end = self._day_bounds()
        load = {}
        if candidates:
            self.flush_model(["provider_id", "state", "scheduled_start"])
            self.env.cr.execute(
                SQL(
                    """
                    SELECT provider_id, count(*) FROM city_elderly_order
                     WHERE provider_id = ANY(%(ids)s) AND state IN %(states)s
                       AND scheduled_start >= %(start)s AND scheduled_start < %(end)s AND id != %(id)s
                     GROUP BY provider_id
                    """,
                    ids=candidates.ids,
                    states=OPEN_STATES,
                    start=start,
                    end=end,
                    id=self.id,
                )
            )
            load = dict(self.env.cr.fetchall())
            candidates = candidates.filtered(lambda p: not p.daily_capacity or load.get(p.id, 0) < p.daily_capacity)
        if not candidates:
            raise UserError(
                self.env._(
                    "No contracted provider offers %(service)s in the area of %(elder)s with room on that day.",
                    service=self.service_id.name,
                    elder=self.recipient_id.sudo().name,
                )
            )
        return min(candidates, key=lambda p: (load.get(p.id, 0), prices[p.id], p.id))

    @api.model
    def _demo_populate(self):
        """Demo data only (called by demo/city_elderly_order_demo.xml): orders in every state, through the steps."""
        Order = self.sudo().with_context(tracking_disable=True, mail_create_nolog=True)
        if Order.search_count([]):
            return
        plans = self._demo_plans()
        if not plans:
            return
        # Each provider's orders go through the states in this order, so that a small provider has the
        # working states (to assign, to check in and out) and a big one every state.
        steps = ["assigned", "done", "in_progress", "dispatched", "done", "booked", "cancelled", "draft"]
        rounds = {}
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        comments = ["服务很周到，谢谢！", "护理员很耐心，准时上门。", "饭菜可口，送餐及时。", "打扫得很干净。"]
        notes = [
            "已按约定完成服务，老人精神状态良好。",
            "已协助老人洗浴，注意防滑，皮肤无异常。",
            "已送餐上门，老人当面签收。",
        ]
        # Two orders per elder, so that every provider has orders in several states.
        for index, (recipient, provider, carer, prices) in enumerate(plans + plans):
            target = steps[rounds.setdefault(provider, 0) % len(steps)]
            rounds[provider] += 1
            price = prices[index % len(prices)]
            past = target in ("done", "in_progress")
            start = now + datetime.timedelta(days=-(index % 5) - 1 if past else index % 4 + 1, hours=9 - now.hour)
            if target == "in_progress":
                start = now - datetime.timedelta(minutes=20)
            order = Order.create(
                {
                    "recipient_id": recipient.id,
                    "service_id": price.service_id.id,
                    "scheduled_start": start,
                    "provider_id": provider.id if index % 2 else False,
                    "request_note": "请上午九点前后上门。" if index % 3 == 0 else False,
                }
            )
            Order.browse(order.id).write({"channel": "portal" if index % 4 == 1 else "worker"})
            if target == "draft":
                continue
            order.action_book()
            if target == "cancelled":
                order.action_cancel("老人住院，暂停服务。")
                continue
            if target == "booked":
                continue
            if not order.provider_id:
                order.write({"provider_id": provider.id})
            order.action_dispatch()
            if target == "dispatched":
                continue
            order.action_assign(carer)
            if target == "assigned":
                continue
            building = recipient.partner_id.city_building_id
            far = index % 7 == 5
            lat = (building.latitude or 43.84) + (0.01 if far else 0.0003)
            lng = (building.longitude or 126.55) + 0.0002
            order.action_checkin(lat, lng)
            if target == "in_progress":
                continue
            short = index % 4 == 2
            minutes = (order.duration_minutes or 60) // (2 if short else 1)
            order.write({"checkin_at": start})
            order.action_checkout(notes[index % len(notes)], lat, lng)
            order.write(
                {
                    "checkout_at": start + datetime.timedelta(minutes=minutes),
                    "actual_minutes": minutes,
                    "is_short": short,
                }
            )
            if index % 3 != 0:
                order.action_rate(5 - index % 2, comments[index % len(comments)])

    @api.model
    def _demo_plans(self):
        """(elder, provider, carer, prices) for up to 24 elders, spread over the contracted providers serving them."""
        providers = self.env["city.elderly.provider"].sudo().search([("is_contracted", "=", True)])
        recipients = self.env["city.care.recipient"].sudo().search([("active", "=", True)], limit=300, order="id")
        Price = self.env["city.elderly.price"].sudo()
        prices = {
            provider: Price.search([("provider_id", "=", provider.id), ("active", "=", True)], order="id")
            for provider in providers
        }
        plans = []
        served = dict.fromkeys(providers, 0)
        for recipient in recipients:
            # Spread the elders over the providers able to serve them: the least busy one first.
            for provider in sorted(providers, key=lambda p: (served[p], p.id)):
                carers = provider.carer_ids.filtered(lambda c, r=recipient: c.active and c._serves(r))
                if carers and prices[provider] and provider._serves(recipient):
                    plans.append((recipient, provider, carers[0], prices[provider]))
                    served[provider] += 1
                    break
            if len(plans) >= 24:
                break
        return plans
