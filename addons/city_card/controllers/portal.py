import datetime
from decimal import Decimal, InvalidOperation

import pytz

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request
from odoo.tools import format_date

from odoo.addons.city_base.tools.labels import selection_labels
from odoo.addons.payment import utils as payment_utils
from odoo.addons.payment.controllers.portal import PaymentPortal
from odoo.addons.payment.controllers.post_processing import PaymentPostProcessing
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.city_card_operation import yuan
from ..models.payment_transaction import MAX_ONLINE_TOPUP, MIN_ONLINE_TOPUP
from ..tools.errors import CardError

DEFAULT_TZ = "Asia/Shanghai"
# History filters: the operation kinds of the ledger entries each one shows.
HISTORY_KINDS = {
    "all": (),
    "topup": ("topup", "topup_online"),
    "payment": ("payment", "hold", "capture", "void"),
    "refund": ("refund", "cancel_refund"),
    "subsidy": ("subsidy", "expiry"),
}


def format_card_number(number):
    """``2202000000000012345`` -> ``2202 0000 0000 0012 345`` (read aloud in groups of four)."""
    number = number or ""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def _int_or_none(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


class CardPortal(PaymentPortal):
    """The holder's one-card pages: cards, purses, ledger history, report lost, online top-up."""

    _card_per_page = 20  # cards on /my/cards
    _card_history_per_page = 20  # ledger entries per history page

    # ------------------------------------------------------------------
    # Home counter
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "city_card_count" in counters:
            Card = request.env["city.card"]
            values["city_card_count"] = Card.search_count(self._card_domain()) if Card.has_access("read") else 0
        return values

    @staticmethod
    def _card_domain():
        return [("partner_id", "=", request.env.user.partner_id.id)]

    def _card_holder_sudo(self, card_id):
        """The card ``card_id`` if the logged-in user holds it (sudo), else an empty recordset."""
        try:
            card_sudo = self._document_check_access("city.card", card_id)
        except (AccessError, MissingError):
            return request.env["city.card"]
        if card_sudo.partner_id != request.env.user.partner_id:
            return request.env["city.card"]
        return card_sudo

    # ------------------------------------------------------------------
    # My cards
    # ------------------------------------------------------------------
    @http.route(["/my/cards", "/my/cards/page/<int:page>"], type="http", auth="user", website=True, readonly=True)
    def portal_my_cards(self, page=1, **kw):
        Card = request.env["city.card"]
        if not Card.has_access("read"):
            return request.redirect("/my")
        domain = self._card_domain()
        count = Card.search_count(domain)
        pager = portal_pager(url="/my/cards", total=count, page=page, step=self._card_per_page)
        cards = Card.search(domain, order="id desc", limit=self._card_per_page, offset=pager["offset"])
        request.session["my_cards_history"] = cards.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "city_cards",
                "cards": cards,
                "pager": pager,
                "default_url": "/my/cards",
                "format_card_number": format_card_number,
                "yuan": yuan,
            }
        )
        return request.render("city_card.portal_my_cards", values)

    # ------------------------------------------------------------------
    # One card: purses and history
    # ------------------------------------------------------------------
    @staticmethod
    def _card_tz():
        return request.env.user.tz or DEFAULT_TZ

    @classmethod
    def _card_parse_date(cls, value):
        try:
            return datetime.date.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None

    @classmethod
    def _card_utc_bound(cls, day):
        """Local midnight of ``day`` as the naive UTC datetime the ledger stores."""
        local = pytz.timezone(cls._card_tz()).localize(datetime.datetime.combine(day, datetime.time.min))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    def _card_history_domain(self, card, kind, date_from, date_to):
        domain = [("card_id", "=", card.id)]
        if HISTORY_KINDS.get(kind):
            domain.append(("kind", "in", HISTORY_KINDS[kind]))
        if date_from:
            domain.append(("posted_at", ">=", self._card_utc_bound(date_from)))
        if date_to:
            domain.append(("posted_at", "<", self._card_utc_bound(date_to + datetime.timedelta(days=1))))
        return domain

    def _card_history(self, card_sudo, kind="all", date_from=None, date_to=None, before=None, after=None):
        """One page of the card's ledger entries, newest first, by keyset on the entry id.

        The search walks the index (card_id, id DESC) INCLUDE (kind, posted_at) from ``before``
        down (older pages) or from ``after`` up (newer pages) as an index-only scan, then the page's
        rows are fetched by id: the cost depends on the page size, not on how many entries the card
        or the ledger holds, and there is no count over the whole history.
        Returns ``(entries, newer_after, older_before)``; the cursors are None at either end.
        """
        Entry_sudo = request.env["city.card.entry"].sudo()
        fields_ = ["kind", "amount", "balance_after", "posted_at", "account_id", "operation_id"]
        limit = self._card_history_per_page
        domain = self._card_history_domain(card_sudo, kind, date_from, date_to)
        if after:
            entries = Entry_sudo.search(domain + [("id", ">", after)], order="id asc", limit=limit + 1)
            if len(entries) > limit:
                entries = entries[:limit].sorted("id", reverse=True)
                entries.fetch(fields_)
                return entries, entries[0].id, entries[-1].id
            before = None  # reached the newest entries: show the first page
        if before:
            domain = domain + [("id", "<", before)]
        entries = Entry_sudo.search(domain, order="id desc", limit=limit + 1)
        older = entries[limit - 1].id if len(entries) > limit else None
        entries = entries[:limit]
        entries.fetch(fields_)
        newer = entries[0].id if before and entries else None
        return entries, newer, older

    def _card_history_rows(self, entries):
        """Display values of history entries (prefetched together: a fixed number of queries)."""
        env = request.env
        kinds = selection_labels(env["city.card.entry"], "kind")
        channels = selection_labels(env["city.card.operation"], "channel")
        tz = pytz.timezone(self._card_tz())
        rows = []
        for entry in entries:
            operation = entry.operation_id
            account = entry.account_id
            if operation.merchant_id:
                detail = operation.merchant_id.name
            elif operation.desk_id:
                detail = operation.desk_id.name
            elif entry.kind in ("topup", "topup_online"):
                detail = channels.get(operation.channel, "")
            else:
                detail = operation.note or ""
            if account.kind == "purse_subsidy":
                purse = env._("Subsidy until %(date)s", date=account.expires_on)
            else:
                purse = env._("Cash")
            rows.append(
                {
                    "id": entry.id,
                    # plain local time: babel formatting per row costs more than the page's queries
                    "date": pytz.utc.localize(entry.posted_at).astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                    "kind": kinds.get(entry.kind, entry.kind),
                    "kind_code": entry.kind,
                    "detail": detail,
                    "purse": purse,
                    "amount": ("+" if entry.amount > 0 else "−") + yuan(abs(entry.amount)),
                    "credit": entry.amount > 0,
                    "balance": yuan(entry.balance_after or 0),
                }
            )
        return rows

    def _card_purses(self, card_sudo):
        """The cash purse and the subsidy purses still of use (unexpired or not empty)."""
        today = fields.Date.context_today(card_sudo.with_context(tz=self._card_tz()))
        purses = []
        for account in card_sudo.account_ids.sorted(lambda a: (a.kind != "purse_cash", a.expires_on or today, a.id)):
            if account.kind == "purse_cash":
                purses.append(
                    {
                        "name": request.env._("Cash purse"),
                        "balance": yuan(account.cached_balance),
                        "validity": None,
                        "expired": False,
                        "code": "cash",
                    }
                )
            elif account.kind == "purse_subsidy" and (account.cached_balance or (account.expires_on or today) >= today):
                expired = bool(account.expires_on) and account.expires_on < today
                day = format_date(request.env, account.expires_on)
                purses.append(
                    {
                        "name": request.env._("Subsidy purse"),
                        "balance": yuan(account.cached_balance),
                        "validity": request.env._("expired on %(date)s", date=day)
                        if expired
                        else request.env._("valid until %(date)s", date=day),
                        "expired": expired,
                        "code": "subsidy",
                    }
                )
        return purses

    def _card_topup_result(self, card_sudo):
        """The holder's last online top-up of this card in this session (for the landing message)."""
        tx_id = request.session.get(PaymentPostProcessing.MONITORED_TX_ID_KEY)
        tx_sudo = request.env["payment.transaction"].sudo().browse(tx_id).exists() if tx_id else None
        if not tx_sudo or tx_sudo.card_id != card_sudo:
            return None
        return tx_sudo

    def _card_page_values(self, card_sudo, access_token=None, **kw):
        kind = kw.get("kind") if kw.get("kind") in HISTORY_KINDS else "all"
        date_from = self._card_parse_date(kw.get("date_from"))
        date_to = self._card_parse_date(kw.get("date_to"))
        before, after = _int_or_none(kw.get("before")), _int_or_none(kw.get("after"))
        entries, newer, older = self._card_history(card_sudo, kind, date_from, date_to, before, after)
        env = request.env
        is_holder = card_sudo.partner_id == env.user.partner_id
        filters = {
            "all": env._("All"),
            "topup": env._("Top-ups"),
            "payment": env._("Payments"),
            "refund": env._("Refunds"),
            "subsidy": env._("Subsidies"),
        }
        query = {"kind": kind, "date_from": date_from or "", "date_to": date_to or ""}
        if access_token:
            query["access_token"] = access_token
        topup_tx = self._card_topup_result(card_sudo) if kw.get("topup") else None
        topup_message = None
        if topup_tx and topup_tx.card_topup_state == "credited":
            topup_message = env._("¥ %(amount)s were added to your cash purse.", amount=yuan(topup_tx.card_amount))
        elif topup_tx and topup_tx.card_topup_state == "failed":
            topup_message = env._(
                "Your payment of ¥ %(amount)s was received but could not be credited to the card. The card office "
                "has been told and will credit or refund it.",
                amount=yuan(topup_tx.card_amount),
            )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "city_card",
                "card": card_sudo,
                "card_number": format_card_number(card_sudo.number),
                "balances": {key: yuan(value) for key, value in card_sudo._balances().items()},
                "purses": self._card_purses(card_sudo),
                "history": self._card_history_rows(entries),
                "history_filters": filters,
                "history_query": query,
                "history_newer": newer,
                "history_older": older,
                "history_paged": bool(before or after),
                "kind": kind,
                "date_from": date_from,
                "date_to": date_to,
                "is_holder": is_holder,
                "can_report_lost": is_holder and card_sudo.state == "active",
                "can_topup": is_holder and card_sudo.state == "active",
                "message": kw.get("message") if kw.get("message") in ("lost",) else None,
                "error": kw.get("error") if kw.get("error") in ("lost",) else None,
                "topup_tx": topup_tx,
                "topup_message": topup_message,
                "yuan": yuan,
            }
        )
        return self._get_page_view_values(card_sudo, access_token, values, "my_cards_history", False)

    @http.route(["/my/cards/<int:card_id>"], type="http", auth="public", website=True, readonly=True)
    def portal_my_card(self, card_id, access_token=None, **kw):
        try:
            card_sudo = self._document_check_access("city.card", card_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        # Without the card's access token, only its holder sees it here (not the desk staff).
        if not access_token and card_sudo.partner_id != request.env.user.partner_id:
            return request.redirect("/my")
        values = self._card_page_values(card_sudo, access_token, **kw)
        return request.render("city_card.portal_my_card", values)

    # ------------------------------------------------------------------
    # Report lost
    # ------------------------------------------------------------------
    @http.route(["/my/cards/<int:card_id>/lost"], type="http", auth="user", website=True, methods=["POST"])
    def portal_card_report_lost(self, card_id, **post):
        card_sudo = self._card_holder_sudo(card_id)
        if not card_sudo:
            return request.redirect("/my")
        if card_sudo.state != "active":
            return request.redirect(f"{card_sudo.access_url}?error=lost")
        card_sudo.action_report_lost(reason=request.env._("Reported lost by the holder online"))
        return request.redirect(f"{card_sudo.access_url}?message=lost")

    # ------------------------------------------------------------------
    # Online top-up
    # ------------------------------------------------------------------
    @staticmethod
    def _card_parse_amount(amount):
        """Yuan as typed or sent (``"50"``, ``"12.5"``, 12.5) -> whole fen; CardError if malformed."""
        try:
            value = Decimal(str(amount).strip()) * 100
        except (InvalidOperation, ValueError):
            value = None
        if value is None or not value.is_finite() or value != value.to_integral_value():
            raise CardError(request.env._("Enter an amount in yuan with at most two decimals."), "amount_invalid", 400)
        return int(value)

    @staticmethod
    def _card_topup_token(partner_id, card_id, fen, currency_id):
        return payment_utils.generate_access_token(partner_id, card_id, fen, currency_id)

    def _card_topup_values(self, card_sudo, fen=None, error=None, amount_text=""):
        env = request.env
        Tx = env["payment.transaction"]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "city_card_topup",
                "card": card_sudo,
                "card_number": format_card_number(card_sudo.number),
                "cash_message": env._("Cash purse: ¥ %(amount)s", amount=yuan(card_sudo._balances()["cash"])),
                "limits_message": env._(
                    "From ¥ %(min)s to ¥ %(max)s per top-up. The amount is added to the cash purse once the payment "
                    "is confirmed.",
                    min=yuan(MIN_ONLINE_TOPUP),
                    max=yuan(MAX_ONLINE_TOPUP),
                ),
                "min_amount": MIN_ONLINE_TOPUP / 100,
                "max_amount": MAX_ONLINE_TOPUP / 100,
                "amount_text": amount_text,
                "error": error,
                "amount": None,
            }
        )
        if fen is None:
            return values
        partner_sudo = env.user.partner_id
        currency = Tx._card_currency()
        amount = fen / 100
        availability_report = {}
        providers_sudo = (
            env["payment.provider"]
            .sudo()
            ._get_compatible_providers(
                env.company.id, partner_sudo.id, amount, currency_id=currency.id, report=availability_report
            )
        )
        payment_methods_sudo = (
            env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(
                providers_sudo.ids, partner_sudo.id, currency_id=currency.id, report=availability_report
            )
        )
        tokens_sudo = env["payment.token"].sudo()._get_available_tokens(providers_sudo.ids, partner_sudo.id)
        values.update(
            {
                "amount": amount,
                "amount_yuan": yuan(fen),
                "currency": currency,
                "partner_id": partner_sudo.id,
                "providers_sudo": providers_sudo,
                "payment_methods_sudo": payment_methods_sudo,
                "tokens_sudo": tokens_sudo,
                "availability_report": availability_report,
                "show_tokenize_input_mapping": self._compute_show_tokenize_input_mapping(providers_sudo),
                "transaction_route": f"/my/cards/{card_sudo.id}/topup/transaction",
                "landing_route": f"{card_sudo.access_url}?topup=1",
                "access_token": self._card_topup_token(partner_sudo.id, card_sudo.id, fen, currency.id),
                "reference_prefix": None,
            }
        )
        return values

    @http.route(["/my/cards/<int:card_id>/topup"], type="http", auth="user", website=True, methods=["GET"])
    def portal_card_topup(self, card_id, amount=None, **kw):
        """Step 1: the amount (checked against the limits); step 2: the payment form for it."""
        card_sudo = self._card_holder_sudo(card_id)
        if not card_sudo:
            return request.redirect("/my")
        if amount in (None, ""):
            return request.render("city_card.portal_card_topup", self._card_topup_values(card_sudo))
        try:
            fen = self._card_parse_amount(amount)
            request.env["payment.transaction"]._card_check_topup(card_sudo, fen, lock=False)
        except CardError as error:
            values = self._card_topup_values(card_sudo, error=error.args[0], amount_text=amount)
            return request.render("city_card.portal_card_topup", values)
        return request.render(
            "city_card.portal_card_topup", self._card_topup_values(card_sudo, fen, amount_text=amount)
        )

    @http.route(["/my/cards/<int:card_id>/topup/transaction"], type="json", auth="user")
    def portal_card_topup_transaction(self, card_id, amount, access_token, **kwargs):
        """Create the payment transaction of a top-up (called by the payment form)."""
        env = request.env
        card_sudo = self._card_holder_sudo(card_id)
        if not card_sudo:
            raise ValidationError(env._("This card is not yours."))
        fen = self._card_parse_amount(amount)
        partner_sudo = env.user.partner_id
        Tx = env["payment.transaction"]
        currency = Tx._card_currency()
        if not payment_utils.check_access_token(access_token, partner_sudo.id, card_sudo.id, fen, currency.id):
            raise ValidationError(env._("The access token is invalid."))
        self._validate_transaction_kwargs(kwargs)
        if kwargs.get("is_validation"):
            raise ValidationError(env._("A top-up is a payment, not a payment method check."))
        Tx._card_check_topup(card_sudo, fen)
        kwargs.pop("csrf_token", None)
        kwargs["landing_route"] = f"{card_sudo.access_url}?topup=1"
        tx_sudo = self._create_transaction(
            amount=fen / 100,
            currency_id=currency.id,
            partner_id=partner_sudo.id,
            custom_create_values={"card_id": card_sudo.id, "card_amount": fen, "card_topup_state": "waiting"},
            **kwargs,
        )
        return tx_sudo._get_processing_values()
