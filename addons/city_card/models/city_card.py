from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools import demo
from ..tools.card_crypto import card_number_error, luhn_check_digit
from ..tools.errors import CardError

ISSUER_PREFIX = "2202"  # Jilin City
CARD_STATES = [
    ("applied", "Applied"),
    ("issued", "Issued"),
    ("active", "Active"),
    ("lost", "Reported Lost"),
    ("frozen", "Frozen"),
    ("replaced", "Replaced"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("applied", "issued", "active", "lost", "frozen")
# Allowed lifecycle moves: from state -> the states it may go to.
TRANSITIONS = {
    "applied": ("issued", "cancelled"),
    "issued": ("active", "cancelled", "replaced"),
    "active": ("lost", "frozen", "replaced", "cancelled"),
    "lost": ("active", "replaced", "cancelled"),
    "frozen": ("active", "replaced", "cancelled"),
    "replaced": (),
    "cancelled": (),
}
VALIDITY_YEARS = 10


class CityCard(models.Model):
    """A resident one-card: its number, holder, type, functions and lifecycle.

    The card's money lives in its purse accounts of the ledger (``city.card.account``); the
    balances shown here are the purses' cached balances, which the reconciliation proves equal to
    the sums of their entries. Every lifecycle change is posted in the chatter and appended to
    the ``card`` chain of the audit log; blocking changes update the terminals' hotlist at once.
    """

    _name = "city.card"
    _description = "Resident Card"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
    _order = "id desc"
    _rec_name = "number"
    _mail_post_access = "read"  # holders write to the card office from the portal chatter

    number = fields.Char(readonly=True, copy=False, index=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Holder",
        required=True,
        tracking=True,
        ondelete="restrict",
        index=True,
        domain=[("is_resident", "=", True)],
    )
    division_id = fields.Many2one(
        "city.division", related="partner_id.city_division_id", store=True, index=True, string="Division"
    )
    type_id = fields.Many2one("city.card.type", string="Card Type", required=True, tracking=True, ondelete="restrict")
    function_ids = fields.Many2many("city.card.function", string="Functions", tracking=True)
    state = fields.Selection(CARD_STATES, default="applied", required=True, readonly=True, tracking=True, index=True)
    applied_on = fields.Date(default=fields.Date.context_today, readonly=True)
    issued_on = fields.Date(readonly=True)
    activated_on = fields.Date(readonly=True)
    expires_on = fields.Date(readonly=True, help="Cards are valid for ten years from issue.")
    closed_on = fields.Date(readonly=True, help="When the card was replaced or cancelled.")
    state_reason = fields.Char(readonly=True, tracking=True)
    desk_id = fields.Many2one("city.card.desk", string="Issuing Desk", ondelete="restrict")
    previous_card_id = fields.Many2one("city.card", readonly=True, ondelete="restrict", copy=False)
    replacement_card_id = fields.Many2one("city.card", readonly=True, ondelete="restrict", copy=False)
    account_ids = fields.One2many("city.card.account", "card_id", string="Purses")
    cash_balance = fields.Integer(compute="_compute_balances", help="Fen.")
    subsidy_balance = fields.Integer(compute="_compute_balances", help="Fen, unexpired subsidies.")
    cash_balance_yuan = fields.Float(string="Cash Purse (CNY)", compute="_compute_balances", digits=(16, 2))
    subsidy_balance_yuan = fields.Float(string="Subsidy Purse (CNY)", compute="_compute_balances", digits=(16, 2))
    total_balance_yuan = fields.Float(string="Balance (CNY)", compute="_compute_balances", digits=(16, 2))
    last_counter = fields.Integer(
        string="Transaction Counter",
        readonly=True,
        help="The highest card transaction counter accepted from a terminal; lower ones are refused.",
    )
    hotlisted = fields.Boolean(compute="_compute_hotlisted", help="Blocked on terminals (lost, frozen, closed).")
    operation_count = fields.Integer(compute="_compute_operation_count")

    _sql_constraints = [("number_unique", "unique(number)", "A card number must be unique.")]

    def init(self):
        # A resident holds at most one card that is not closed.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS city_card_one_open_card_idx ON city_card (partner_id) "
            "WHERE state IN ('applied', 'issued', 'active', 'lost', 'frozen')"
        )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_balances(self):
        today = fields.Date.context_today(self)
        for card in self:
            cash = sum(a.cached_balance for a in card.account_ids if a.kind == "purse_cash")
            subsidy = sum(
                a.cached_balance
                for a in card.account_ids
                if a.kind == "purse_subsidy" and a.expires_on and a.expires_on >= today
            )
            card.cash_balance = cash
            card.subsidy_balance = subsidy
            card.cash_balance_yuan = cash / 100
            card.subsidy_balance_yuan = subsidy / 100
            card.total_balance_yuan = (cash + subsidy) / 100

    @api.depends("state")
    def _compute_hotlisted(self):
        for card in self:
            card.hotlisted = card.state in ("lost", "frozen", "replaced", "cancelled")

    def _compute_operation_count(self):
        counts = dict(
            self.env["city.card.operation"]._read_group([("card_id", "in", self.ids)], ["card_id"], ["__count"])
        )
        for card in self:
            card.operation_count = counts.get(card, 0)

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for card in self:
            card.access_url = f"/my/cards/{card.id}"
        return result

    # ------------------------------------------------------------------
    # Constraints and CRUD
    # ------------------------------------------------------------------
    @api.constrains("partner_id")
    def _check_holder(self):
        for card in self:
            if not card.partner_id.is_resident:
                raise ValidationError(self.env._("A card holder must be a registered resident."))

    @api.constrains("partner_id", "type_id")
    def _check_type_age(self):
        for card in self.filtered(lambda c: c.state in ("applied", "issued")):
            card_type, age = card.type_id, card.partner_id.age
            if not card.partner_id.birth_date:
                continue
            if (card_type.min_age and age < card_type.min_age) or (card_type.max_age and age > card_type.max_age):
                raise ValidationError(
                    self.env._(
                        "%(holder)s (%(age)s) cannot hold a %(type)s card.",
                        holder=card.partner_id.name,
                        age=age,
                        type=card_type.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("function_ids") and vals.get("type_id"):
                card_type = self.env["city.card.type"].browse(vals["type_id"])
                vals["function_ids"] = [fields.Command.set(card_type.function_ids.ids)]
        self.flush_model(["partner_id", "state"])
        holders = [vals.get("partner_id") for vals in vals_list]
        if len(set(holders)) < len(holders) or self.sudo().search_count(
            [("partner_id", "in", holders), ("state", "in", OPEN_STATES)], limit=1
        ):
            raise ValidationError(
                self.env._("A resident holds one card at a time: replace or cancel the current card first.")
            )
        cards = super().create(vals_list)
        for card in cards:
            card._audit("card.apply")
        return cards

    def write(self, vals):
        if "state" in vals and not self.env.context.get("city_card_transition"):
            raise UserError(self.env._("Use the card's lifecycle buttons to change its state."))
        if {"partner_id", "type_id"} & set(vals) and any(card.state not in ("applied",) for card in self):
            raise UserError(self.env._("The holder and type of a card are fixed once it is issued."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_applications(self):
        if any(card.state != "applied" for card in self):
            raise UserError(self.env._("Only card applications can be deleted; cancel an issued card instead."))

    # ------------------------------------------------------------------
    # Lifecycle
    # ------------------------------------------------------------------
    def _transition(self, new_state, reason=None, extra=None):
        """Move to ``new_state`` if the lifecycle allows it; audit, chatter and hotlist follow."""
        for card in self:
            if new_state not in TRANSITIONS[card.state]:
                states = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "Card %(number)s cannot go from %(old)s to %(new)s.",
                        number=card.number or card.partner_id.name,
                        old=states[card.state],
                        new=states[new_state],
                    )
                )
            old_state = card.state
            vals = dict(extra or {}, state=new_state, state_reason=reason or False)
            card.with_context(city_card_transition=True).write(vals)
            card._audit(f"card.{new_state}", {"from": old_state, "reason": reason or ""})
            was_blocked = old_state in ("lost", "frozen")
            now_blocked = new_state in ("lost", "frozen", "replaced", "cancelled")
            if now_blocked and not was_blocked and old_state != "applied":
                self.env["city.card.hotlist"].sudo()._block(card, new_state)
            elif was_blocked and new_state == "active":
                self.env["city.card.hotlist"].sudo()._unblock(card)
        return True

    def _audit(self, event, payload=None):
        self.ensure_one()
        data = {"card": self.number or "", "holder": self.partner_id.id, "state": self.state}
        data.update(payload or {})
        self.env["city.audit.log"].sudo().record(event, record=self, payload=data, chain="card")

    @api.model
    def _next_number(self):
        body = self.env["ir.sequence"].sudo().next_by_code("city.card.number")
        digits = ISSUER_PREFIX + body.zfill(14)
        return digits + luhn_check_digit(digits)

    def action_issue(self):
        """The card is made: it gets its number and purses."""
        today = fields.Date.context_today(self)
        for card in self:
            number = card.number or self._next_number()
            card._transition(
                "issued",
                extra={"number": number, "issued_on": today, "expires_on": today + relativedelta(years=VALIDITY_YEARS)},
            )
            card._cash_purse()
        return True

    def action_activate(self):
        for card in self:
            card._transition("active", extra={"activated_on": card.activated_on or fields.Date.context_today(self)})
        return True

    def action_report_lost(self, reason=None):
        self._transition("lost", reason=reason or self.env._("Reported lost"))
        return True

    def action_freeze(self, reason=None):
        self._transition("frozen", reason=reason or self.env._("Frozen"))
        return True

    def action_unblock(self):
        """A lost card found again, or a frozen card released."""
        self._transition("active", reason=self.env._("Unblocked"))
        return True

    def action_replace(self, reason=None):
        """Issue a new card to the same holder and move every purse's balance to it."""
        self.ensure_one()
        if self.state not in ("issued", "active", "lost", "frozen"):
            self._transition("replaced")  # raises the lifecycle error
        old_state = self.state
        self._release_holds()
        self._transition("replaced", reason=reason or self.env._("Replaced"), extra={"closed_on": fields.Date.today()})
        new_card = self.create(
            {
                "partner_id": self.partner_id.id,
                "type_id": self.type_id.id,
                "function_ids": [fields.Command.set(self.function_ids.ids)],
                "desk_id": self.desk_id.id,
                "previous_card_id": self.id,
            }
        )
        self.with_context(city_card_transition=True).write({"replacement_card_id": new_card.id})
        new_card.action_issue()
        self.env["city.card.operation"].sudo()._transfer(self, new_card)
        new_card.message_post(
            body=self.env._(
                "Replaces card %(number)s (%(state)s); balances transferred.", number=self.number, state=old_state
            )
        )
        return new_card

    def action_cancel(self, desk=None, reason=None):
        """Close the card: the cash purse is paid out at the desk, subsidies return to the fund."""
        for card in self:
            if card.state in TRANSITIONS and "cancelled" in TRANSITIONS[card.state]:
                card._release_holds()
            if card.state != "applied" and card.cash_balance and not desk:
                raise UserError(self.env._("Cancelling a card with money on it needs the desk that pays it out."))
            card._transition(
                "cancelled", reason=reason or self.env._("Cancelled"), extra={"closed_on": fields.Date.today()}
            )
            if card.state == "cancelled" and card.account_ids:
                self.env["city.card.operation"].sudo()._cancel_refund(card, desk)
        return True

    # ------------------------------------------------------------------
    # Ledger helpers
    # ------------------------------------------------------------------
    def _check_usable(self, merchant=None, for_topup=False, for_refund=False):
        """Refuse operations on a card that cannot take them (state, validity, functions)."""
        self.ensure_one()
        if for_refund:
            if self.state in ("replaced", "cancelled"):
                raise CardError(self.env._("Card %(number)s is closed.", number=self.number), "card_not_active", 409)
            return
        if self.state != "active":
            states = dict(self._fields["state"]._description_selection(self.env))
            raise CardError(
                self.env._("Card %(number)s is %(state)s.", number=self.number or "", state=states[self.state]),
                "card_not_active",
                409,
            )
        if self.expires_on and self.expires_on < fields.Date.context_today(self):
            raise CardError(self.env._("Card %(number)s has expired.", number=self.number), "card_expired", 409)
        if merchant is not None:
            if not merchant.active or merchant.state != "active":
                raise CardError(self.env._("The merchant does not accept payments."), "merchant_inactive", 409)
            if merchant.function_id and merchant.function_id not in self.function_ids:
                raise CardError(
                    self.env._(
                        "The %(function)s function is not enabled on this card.", function=merchant.function_id.name
                    ),
                    "function_disabled",
                    409,
                )

    def _cash_purse(self):
        """The card's cash purse (created on first use)."""
        self.ensure_one()
        accounts = self.env["city.card.account"].sudo()
        purse = accounts.search([("card_id", "=", self.id), ("kind", "=", "purse_cash")], limit=1)
        if not purse:
            purse = accounts.create(
                {
                    "name": self.env._("Cash purse %(number)s", number=self.number),
                    "code": f"C{self.number}",
                    "kind": "purse_cash",
                    "card_id": self.id,
                }
            )
        return purse

    def _subsidy_purse(self, expires_on):
        """The card's subsidy purse expiring on ``expires_on`` (one per expiry date)."""
        self.ensure_one()
        accounts = self.env["city.card.account"].sudo()
        purse = accounts.search(
            [("card_id", "=", self.id), ("kind", "=", "purse_subsidy"), ("expires_on", "=", expires_on)], limit=1
        )
        if not purse:
            purse = accounts.create(
                {
                    "name": self.env._("Subsidy purse %(number)s until %(date)s", number=self.number, date=expires_on),
                    "code": f"S{self.number}-{fields.Date.to_string(expires_on)}",
                    "kind": "purse_subsidy",
                    "card_id": self.id,
                    "expires_on": expires_on,
                }
            )
        return purse

    def _current_card(self):
        """This card, or the card that (after one or more replacements) took its place."""
        self.ensure_one()
        card = self
        while card.state == "replaced" and card.replacement_card_id:
            card = card.replacement_card_id
        return card

    def _matching_purse(self, purse):
        """This card's purse of the same kind (and expiry) as ``purse`` of another card."""
        if purse.kind == "purse_cash":
            return self._cash_purse()
        return self._subsidy_purse(purse.expires_on)

    def _release_holds(self):
        """Void the card's pending holds (before its balances move or are paid out)."""
        holds = (
            self.env["city.card.operation"].sudo().search([("card_id", "in", self.ids), ("hold_state", "=", "pending")])
        )
        for hold in holds:
            hold._void(channel="desk", scope="system", key=f"release:{hold.id}")
        return holds

    def _balances(self):
        """``{"cash": fen, "subsidy": fen, "total": fen}`` from the purses' cached balances."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE(SUM(cached_balance) FILTER (WHERE kind = 'purse_cash'), 0),
                          COALESCE(SUM(cached_balance) FILTER (WHERE kind = 'purse_subsidy' AND expires_on >= %s), 0)
                     FROM city_card_account WHERE card_id = %s""",
                fields.Date.context_today(self),
                self.id,
            )
        )
        cash, subsidy = self.env.cr.fetchone()
        return {"cash": cash, "subsidy": subsidy, "total": cash + subsidy}

    @api.model
    def _find_by_number(self, number):
        """The card with this number (any state), checking the number's form first."""
        if not isinstance(number, str) or card_number_error(number):
            raise CardError(self.env._("The card number is not valid."), "card_invalid", 400)
        card = self.sudo().search([("number", "=", number)], limit=1)
        if not card:
            raise CardError(self.env._("No card with this number."), "card_unknown", 404)
        return card

    @api.model
    def _demo_populate(self):
        """Demo data only (called by demo/city_card_demo.xml): cards and a week of history."""
        demo.populate(self.env)

    def action_view_operations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("city_card.city_card_operation_action")
        action["domain"] = [("card_id", "=", self.id)]
        action["context"] = {"default_card_id": self.id}
        return action
