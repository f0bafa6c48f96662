import datetime
import hashlib
import json
import secrets

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.city_base.tools.dates import CITY_TZ

from .city_trading_red_flag import SALE_TYPES

EXPERT_GROUP = "city_resource_trading.group_city_resource_trading_expert"
# Bids that passed the opening and are still in the race.
VALID_BID_STATES = ("opened", "valid")
# How many ranked bids are published as candidates (中标候选人).
CANDIDATE_COUNT = 3


def draw_order(seed, expert_ids):
    """The reproducible order of a draw: expert ids sorted by SHA-256(seed + ":" + id)."""
    return sorted(expert_ids, key=lambda expert_id: hashlib.sha256(f"{seed}:{expert_id}".encode()).hexdigest())


def publicity_end_after(moment, days):
    """End of the publicity: midnight (city time) after ``days`` full city calendar days from ``moment``."""
    tz = pytz.timezone(CITY_TZ)
    day = pytz.utc.localize(moment).astimezone(tz).date() + datetime.timedelta(days=days + 1)
    local_midnight = tz.localize(datetime.datetime.combine(day, datetime.time.min))
    return local_midnight.astimezone(pytz.utc).replace(tzinfo=None)


class CityTradingEvaluation(models.Model):
    """The evaluation (评标) of one procedure: the committee draw, the scores, the ranking and the report."""

    _name = "city.trading.evaluation"
    _description = "Bid Evaluation"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _rec_name = "procedure_id"

    procedure_id = fields.Many2one("city.trading.procedure", required=True, ondelete="restrict", index=True)
    procedure_state = fields.Selection(related="procedure_id.state", string="Procedure Status")
    criterion = fields.Selection(related="procedure_id.criterion")
    specialty_ids = fields.Many2many(
        "city.trading.expert.specialty", string="Required Specialties", required=True, tracking=True
    )
    expert_count = fields.Integer("Experts", required=True, default=5, tracking=True)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("drawn", "Committee Drawn"),
            ("scoring", "Scoring"),
            ("ranked", "Ranked"),
            ("done", "Report Confirmed"),
        ],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
    )
    seed = fields.Char(readonly=True, copy=False, help="Random seed of the draw, recorded for verification.")
    draw_pool = fields.Text(readonly=True, copy=False, help="JSON list of the expert ids eligible at the draw.")
    drawn_at = fields.Datetime(readonly=True, copy=False)
    member_ids = fields.One2many("city.trading.evaluation.member", "evaluation_id", string="Draw")
    score_ids = fields.One2many("city.trading.score", "evaluation_id", string="Scores")
    result = fields.Text(readonly=True, copy=False, help="JSON ranking computed from the scores.")
    report_confirmed_at = fields.Datetime(readonly=True, copy=False)
    confirmed_member_count = fields.Integer(compute="_compute_confirmed_member_count")

    _sql_constraints = [
        ("procedure_unique", "unique(procedure_id)", "A procedure has one evaluation."),
        ("expert_count_positive", "CHECK(expert_count >= 1)", "At least one expert evaluates."),
    ]

    @api.depends("member_ids.state")
    def _compute_confirmed_member_count(self):
        for evaluation in self:
            evaluation.confirmed_member_count = len(evaluation.member_ids.filtered(lambda m: m.state == "confirmed"))

    @api.model_create_multi
    def create(self, vals_list):
        evaluations = super().create(vals_list)
        for evaluation in evaluations:
            if evaluation.procedure_id.state != "evaluation":
                raise UserError(self.env._("A procedure is evaluated after its opening, in the Evaluation status."))
        return evaluations

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _audit(self, event, payload=None):
        for evaluation in self:
            self.env["city.audit.log"].record(
                f"trading.{event}",
                evaluation.procedure_id,
                dict(payload or {}, procedure=evaluation.procedure_id.reference),
                chain="trading",
            )

    def _valid_bids(self):
        self.ensure_one()
        return (
            self.env["city.trading.bid"]
            .sudo()
            .search([("procedure_id", "=", self.procedure_id.id), ("state", "in", VALID_BID_STATES)])
        )

    def _conflict_partners(self):
        """The organisations an expert must not be tied to: the buyer and every bidder."""
        self.ensure_one()
        bids = (
            self.env["city.trading.bid"]
            .sudo()
            .search(
                [
                    ("procedure_id", "=", self.procedure_id.id),
                    ("state", "not in", ("draft", "withdrawn", "replaced")),
                ]
            )
        )
        return (self.procedure_id.buyer_id | bids.bidder_id).commercial_partner_id

    def _check_officer(self):
        self.check_access("write")
        self.procedure_id.check_access("write")

    # ------------------------------------------------------------------
    # The draw
    # ------------------------------------------------------------------
    def _eligible_experts(self):
        self.ensure_one()
        return (
            self.env["city.trading.expert"]
            .sudo()
            .search(
                [
                    ("active", "=", True),
                    ("blacklisted", "=", False),
                    ("user_id", "!=", False),
                    ("specialty_ids", "in", self.specialty_ids.ids),
                ]
            )
        )

    def action_draw(self):
        """Draw the committee: eligible experts in seeded order, tied ones excluded with the reason."""
        self._check_officer()
        for evaluation in self:
            if evaluation.state != "draft":
                raise UserError(self.env._("The committee was already drawn."))
            pool = evaluation._eligible_experts()
            seed = secrets.token_hex(16)
            evaluation.sudo().write(
                {
                    "seed": seed,
                    "draw_pool": json.dumps(sorted(pool.ids)),
                    "drawn_at": fields.Datetime.now(),
                    "state": "drawn",
                }
            )
            evaluation._seat_members(draw_order(seed, pool.ids))
            seated = evaluation.member_ids.filtered(lambda m: m.state == "invited")
            if len(seated) < evaluation.expert_count:
                raise UserError(
                    self.env._(
                        "Only %(count)s experts without a conflict are available; %(needed)s are needed.",
                        count=len(seated),
                        needed=evaluation.expert_count,
                    )
                )
            evaluation._audit(
                "evaluation.draw",
                {
                    "seed": seed,
                    "pool": sorted(pool.ids),
                    "invited": seated.expert_id.ids,
                    "excluded": {
                        str(member.expert_id.id): member.exclusion_reason
                        for member in evaluation.member_ids.filtered(lambda m: m.state == "excluded")
                    },
                },
            )
        return True

    def _seat_members(self, ordered_ids):
        """Create one draw line per expert in order: excluded (tie), invited (first seats) or reserve."""
        self.ensure_one()
        conflicts = self._conflict_partners()
        experts = self.env["city.trading.expert"].sudo().browse(ordered_ids)
        vals_list = []
        seats = self.expert_count
        for position, expert in enumerate(experts, start=1):
            tied = expert._tied_partners() & conflicts
            vals = {"evaluation_id": self.id, "expert_id": expert.id, "draw_position": position}
            if tied:
                roles = []
                for partner in tied:
                    role = (
                        self.env._("buyer")
                        if partner == self.procedure_id.buyer_id.commercial_partner_id
                        else self.env._("bidder")
                    )
                    roles.append(self.env._("%(partner)s (%(role)s)", partner=partner.name, role=role))
                vals.update(
                    state="excluded",
                    exclusion_reason=self.env._("Tied to %(partners)s", partners=", ".join(roles)),
                )
            elif seats:
                vals["state"] = "invited"
                seats -= 1
            else:
                vals["state"] = "reserve"
            vals_list.append(vals)
        self.env["city.trading.evaluation.member"].sudo().create(vals_list)

    def verify_draw(self):
        """Recompute the order from the recorded seed and pool; True when it matches the draw lines."""
        self.ensure_one()
        expected = draw_order(self.seed, json.loads(self.draw_pool or "[]"))
        recorded = self.member_ids.sorted("draw_position").expert_id.ids
        return expected == recorded

    def _invite_next(self):
        """Seat the first reserve expert in draw order (after a recusal); returns it (may be empty)."""
        self.ensure_one()
        reserve = self.member_ids.filtered(lambda m: m.state == "reserve").sorted("draw_position")[:1]
        if reserve:
            reserve.sudo().state = "invited"
        return reserve

    def _member_confirmed(self):
        for evaluation in self:
            if evaluation.state == "drawn" and evaluation.confirmed_member_count >= evaluation.expert_count:
                evaluation.sudo().state = "scoring"
                evaluation._audit("evaluation.committee", {"experts": evaluation.expert_count})

    # ------------------------------------------------------------------
    # Scoring and ranking
    # ------------------------------------------------------------------
    def _compute_ranking(self):
        """Rows ``{bid, bidder, price, price_score, technical_score, total}`` best first.

        The best price is the lowest for purchases (tendering, procurement) and the highest for
        transfers (land-use rights, state property), where the seller receives it. Price-only: the
        best valid price wins. Comprehensive: price score = weight × best / price (transfers: weight
        × price / best), plus the mean over the experts of their technical points.
        """
        self.ensure_one()
        procedure = self.procedure_id
        bids = self._valid_bids()
        if not bids:
            raise UserError(self.env._("There is no valid bid to rank."))
        if min(bids.mapped("price")) <= 0:
            raise UserError(self.env._("A valid bid has no price."))
        sale = procedure.type_code in SALE_TYPES
        best = max(bids.mapped("price")) if sale else min(bids.mapped("price"))
        members = self.member_ids.filtered(lambda m: m.state == "confirmed")
        technical = dict.fromkeys(bids.ids, 0.0)
        if procedure.criterion == "comprehensive":
            criteria = procedure.criterion_ids
            if not criteria:
                raise UserError(self.env._("Define the technical criteria of a comprehensive evaluation."))
            total_points = sum(criteria.mapped("max_points"))
            if abs(total_points + procedure.price_weight - 100) > 0.001:
                raise UserError(
                    self.env._(
                        "The technical items total %(points)s points; with the price weight of %(weight)s they "
                        "must make 100.",
                        points=total_points,
                        weight=procedure.price_weight,
                    )
                )
            scores = self.score_ids.sudo().filtered(lambda s: s.member_id in members)
            expected = len(members) * len(bids) * len(criteria)
            if len(scores) != expected:
                raise UserError(
                    self.env._(
                        "%(done)s of %(expected)s scores are entered: every expert scores every valid bid on "
                        "every item.",
                        done=len(scores),
                        expected=expected,
                    )
                )
            for bid in bids:
                points = sum(scores.filtered(lambda s, bid=bid: s.bid_id == bid).mapped("points"))
                technical[bid.id] = points / len(members)
            weight = procedure.price_weight
        else:
            weight = 100.0
        rows = []
        for bid in bids:
            price_score = weight * (bid.price / best if sale else best / bid.price)
            rows.append(
                {
                    "bid": bid.id,
                    "reference": bid.reference,
                    "bidder": bid.bidder_id.name,
                    "price": bid.price,
                    "price_score": round(price_score, 2),
                    "technical_score": round(technical[bid.id], 2),
                    "total": round(price_score + technical[bid.id], 2),
                }
            )
        direction = -1 if sale else 1
        if procedure.criterion == "price":
            rows.sort(key=lambda row: (direction * row["price"], row["bid"]))
        else:
            rows.sort(key=lambda row: (-row["total"], direction * row["price"], row["bid"]))
        for rank, row in enumerate(rows, start=1):
            row["rank"] = rank
        return rows

    def action_rank(self):
        self._check_officer()
        for evaluation in self:
            if evaluation.state not in ("scoring", "ranked"):
                raise UserError(self.env._("The committee must be complete before ranking."))
            rows = evaluation._compute_ranking()
            Bid = self.env["city.trading.bid"].sudo()
            for row in rows:
                Bid.browse(row["bid"]).write({"rank": row["rank"], "score": row["total"]})
            evaluation.sudo().write({"result": json.dumps(rows, ensure_ascii=False), "state": "ranked"})
            evaluation._audit("evaluation.rank", {"ranking": [[r["reference"], r["total"]] for r in rows]})
        return True

    def _ranking_rows(self):
        self.ensure_one()
        return json.loads(self.result or "[]")

    def action_print_report(self):
        self.ensure_one()
        if self.state not in ("ranked", "done"):
            raise UserError(self.env._("Rank the bids before printing the report."))
        return self.env.ref("city_resource_trading.city_trading_evaluation_report_action").report_action(self)

    def action_confirm_report(self):
        """Confirm the report: the first ranked bid becomes the winner candidate; the publicity starts."""
        self._check_officer()
        now = fields.Datetime.now()
        for evaluation in self:
            procedure = evaluation.procedure_id
            if evaluation.state != "ranked":
                raise UserError(self.env._("Only a ranked evaluation can be confirmed."))
            if procedure.state != "evaluation":
                raise UserError(self.env._("The procedure is not in evaluation."))
            rows = evaluation._ranking_rows()
            winner = self.env["city.trading.bid"].sudo().browse(rows[0]["bid"])
            evaluation.sudo().write({"state": "done", "report_confirmed_at": now})
            procedure._start_publicity(winner, now)
            evaluation._audit(
                "evaluation.report",
                {
                    "winner": winner.reference,
                    "candidates": [row["reference"] for row in rows[:CANDIDATE_COUNT]],
                    "publicity_end": procedure.publicity_end,
                },
            )
        return True

    def _reopen_after_complaint(self):
        """A complaint was upheld: the committee scores again (the ranking is discarded)."""
        for evaluation in self:
            evaluation.sudo().write({"state": "scoring", "result": False, "report_confirmed_at": False})
            evaluation._valid_bids().write({"rank": 0, "score": 0})
            evaluation._audit("evaluation.reopen")

    def action_disqualify_bid(self):
        """Open the disqualification form (bid and reason) of this evaluation."""
        self.ensure_one()
        self._check_officer()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Disqualify a Bid"),
            "res_model": "city.trading.disqualify.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_evaluation_id": self.id},
        }

    def disqualify_bid(self, bid, reason):
        """The committee disqualifies a valid bid (non-compliant offer), with the reason."""
        self._check_officer()
        self.ensure_one()
        if self.state not in ("drawn", "scoring", "ranked"):
            raise UserError(self.env._("Bids are disqualified during the evaluation only."))
        if bid.procedure_id != self.procedure_id or bid.state not in VALID_BID_STATES:
            raise UserError(self.env._("Only a valid bid of this procedure can be disqualified."))
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the disqualification."))
        bid.sudo().write({"state": "disqualified", "disqualification_reason": reason.strip(), "rank": 0})
        self._audit("evaluation.disqualify", {"bid": bid.reference, "reason": reason.strip()})
        if self.state == "ranked":
            self.sudo().state = "scoring"
        return True

    def _check_expert_member(self):
        """The current user's confirmed seat in this evaluation (AccessError when there is none)."""
        self.ensure_one()
        member = self.member_ids.filtered(lambda m: m.user_id == self.env.user and m.state == "confirmed")
        if not member:
            raise AccessError(self.env._("Only a confirmed member of the committee scores."))
        return member
