import datetime
import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools.xlsx import xlsx_download

SUPERVISOR = "city_resource_trading.group_city_resource_trading_supervisor"
FLAG_CODES = [
    ("single_valid_bid", "Single Valid Bid"),
    ("identical_prices", "Identical Prices"),
    ("same_contact", "Same Contact Phone or E-mail"),
    ("same_ip", "Same Upload IP"),
    ("short_submission", "Submission Period Shorter Than the Rule"),
    ("lowest_disqualified", "Best Bid Disqualified (Price Only)"),
    ("all_but_winner_disqualified", "All Bids but the Winner Disqualified"),
    ("never_wins", "Bidder Often Bids, Never Wins"),
    ("award_below_estimate", "Award Far Below the Estimate"),
]
# Bids that took part (sealed and submitted, whatever the opening found).
PARTICIPATING = SQL("('submitted', 'opened', 'valid', 'disqualified')")
VALID = SQL("('opened', 'valid')")
# Procedures whose bids were opened (directly or before a suspension).
OPENED = ("evaluation", "publicity", "awarded", "contracted", "unsuccessful")
SALE_TYPES = ("land", "property")  # transfers: the highest price is the best
DEFAULTS = {"never_wins_min_bids": 5, "never_wins_months": 12, "award_below_ratio": 0.7}


class CityTradingRedFlag(models.Model):
    """A supervision warning (预警) on a procedure, computed from its data, with the evidence.

    Flags are recomputed in bulk (``_recompute``); the supervisor's decision (confirmed/dismissed)
    is kept, and a dismissed flag opens again only when its evidence changes.
    """

    _name = "city.trading.red.flag"
    _description = "Red Flag"
    _inherit = ["mail.thread"]
    _order = "computed_at desc, id desc"
    _rec_name = "code"

    procedure_id = fields.Many2one("city.trading.procedure", required=True, ondelete="cascade", index=True)
    procedure_state = fields.Selection(related="procedure_id.state", string="Procedure Status")
    code = fields.Selection(FLAG_CODES, string="Warning", required=True, readonly=True, index=True)
    bidder_ids = fields.Many2many("res.partner", string="Bidders", readonly=True)
    evidence_json = fields.Text("Evidence (JSON)", readonly=True)
    evidence_hash = fields.Char(readonly=True)
    evidence = fields.Text(compute="_compute_evidence")
    computed_at = fields.Datetime(readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("confirmed", "Confirmed"), ("dismissed", "Dismissed")],
        required=True,
        default="open",
        readonly=True,
        tracking=True,
        index=True,
    )
    supervisor_note = fields.Text(tracking=True)
    decided_by_id = fields.Many2one("res.users", string="Decided by", readonly=True)
    decided_at = fields.Datetime(readonly=True)

    _sql_constraints = [("procedure_code_unique", "unique(procedure_id, code)", "One flag per procedure and code.")]

    @api.depends("code", "evidence_json")
    def _compute_evidence(self):
        for flag in self:
            flag.evidence = flag._evidence_text(json.loads(flag.evidence_json or "[]"))

    def _evidence_text(self, items):
        """One line per finding, in the reader's language."""
        lines = []
        for item in items:
            code = self.code
            if code == "single_valid_bid":
                lines.append(self.env._("Only one valid bid: %(bid)s.", bid=item.get("bid")))
            elif code == "identical_prices":
                lines.append(
                    self.env._(
                        "Price %(price)s offered by bids %(bids)s.",
                        price=item.get("price"),
                        bids=", ".join(item["bids"]),
                    )
                )
            elif code == "same_contact":
                lines.append(
                    self.env._(
                        "%(kind)s %(value)s given by bids %(bids)s.",
                        kind=self.env._("E-mail") if item.get("kind") == "email" else self.env._("Phone"),
                        value=item.get("value"),
                        bids=", ".join(item["bids"]),
                    )
                )
            elif code == "same_ip":
                lines.append(
                    self.env._("Uploaded from %(ip)s: bids %(bids)s.", ip=item.get("ip"), bids=", ".join(item["bids"]))
                )
            elif code == "short_submission":
                lines.append(
                    self.env._(
                        "%(days)s days from the notice to the bid deadline; the rule requires %(minimum)s.",
                        days=item.get("days"),
                        minimum=item.get("minimum"),
                    )
                )
            elif code == "lowest_disqualified":
                lines.append(
                    self.env._(
                        "Bid %(bid)s at %(price)s (better than the best valid price %(best)s) was disqualified: "
                        "%(reason)s",
                        bid=item.get("bid"),
                        price=item.get("price"),
                        best=item.get("best_valid") if item.get("best_valid") is not None else "-",
                        reason=item.get("reason") or "",
                    )
                )
            elif code == "all_but_winner_disqualified":
                lines.append(
                    self.env._(
                        "Winner %(winner)s; all %(count)s other bids disqualified.",
                        winner=item.get("winner"),
                        count=item.get("disqualified"),
                    )
                )
            elif code == "never_wins":
                lines.append(
                    self.env._(
                        "%(bidder)s: %(bids)s bids in %(months)s months, no win.",
                        bidder=item.get("bidder"),
                        bids=item.get("bids"),
                        months=item.get("months"),
                    )
                )
            elif code == "award_below_estimate":
                lines.append(
                    self.env._(
                        "Award %(award)s is %(percent)s%% of the estimate %(estimate)s.",
                        award=item.get("award"),
                        percent=item.get("percent"),
                        estimate=item.get("estimate"),
                    )
                )
        return "\n".join(lines)

    # ------------------------------------------------------------------
    # Supervisor actions
    # ------------------------------------------------------------------
    def _check_supervisor(self):
        if not self.env.user.has_group(SUPERVISOR):
            raise AccessError(self.env._("Only trading supervisors decide on red flags."))
        self.check_access("write")

    def _decide(self, state):
        self._check_supervisor()
        for flag in self:
            if flag.state == state:
                continue
            flag.sudo().write({"state": state, "decided_by_id": self.env.uid, "decided_at": fields.Datetime.now()})
            flag.procedure_id._audit(f"red_flag.{state}", {"code": flag.code, "note": flag.supervisor_note or ""})
        return True

    def action_confirm(self):
        return self._decide("confirmed")

    def action_dismiss(self):
        if any(not (flag.supervisor_note or "").strip() for flag in self):
            raise UserError(self.env._("Write a note explaining why the flag is dismissed."))
        return self._decide("dismissed")

    def action_halt(self):
        """Halt (suspend) the procedure online because of this flag."""
        self._check_supervisor()
        for flag in self:
            reason = self.env._("Halted by the supervisor on red flag: %(flag)s", flag=dict(FLAG_CODES)[flag.code])
            if flag.supervisor_note:
                reason = f"{reason}\n{flag.supervisor_note}"
            flag.procedure_id._suspend_procedure(reason)
            if flag.state == "open":
                flag._decide("confirmed")
        return True

    # ------------------------------------------------------------------
    # Computation
    # ------------------------------------------------------------------
    @api.model
    def _param(self, key):
        value = self.env["ir.config_parameter"].sudo().get_param(f"city_resource_trading.red_flag_{key}")
        try:
            return type(DEFAULTS[key])(value) if value else DEFAULTS[key]
        except ValueError:
            return DEFAULTS[key]

    @api.model
    def _queries(self, ids):
        """One SQL per code: rows ``(procedure_id, bidder_ids, evidence item)``."""
        opened = SQL("(p.state IN %s OR (p.state = 'suspended' AND p.suspended_state IN %s))", OPENED, OPENED)
        cutoff = fields.Datetime.now() - datetime.timedelta(days=round(30.4375 * self._param("never_wins_months")))
        return {
            "single_valid_bid": SQL(
                """SELECT b.procedure_id, array_agg(b.bidder_id), jsonb_build_object('bid', min(b.reference))
                     FROM city_trading_bid b JOIN city_trading_procedure p ON p.id = b.procedure_id
                    WHERE b.procedure_id = ANY(%(ids)s) AND b.state IN %(valid)s AND %(opened)s
                    GROUP BY b.procedure_id HAVING count(*) = 1""",
                ids=ids,
                valid=VALID,
                opened=opened,
            ),
            "identical_prices": SQL(
                """SELECT b.procedure_id, array_agg(DISTINCT b.bidder_id),
                          jsonb_build_object('price', b.price, 'bids', array_agg(b.reference ORDER BY b.reference))
                     FROM city_trading_bid b
                    WHERE b.procedure_id = ANY(%(ids)s) AND b.state IN %(part)s AND b.price IS NOT NULL
                    GROUP BY b.procedure_id, b.price HAVING count(DISTINCT b.bidder_id) > 1""",
                ids=ids,
                part=PARTICIPATING,
            ),
            "same_contact": SQL(
                """SELECT procedure_id, array_agg(DISTINCT bidder_id),
                          jsonb_build_object('kind', kind, 'value', value,
                                             'bids', array_agg(reference ORDER BY reference))
                     FROM (SELECT procedure_id, bidder_id, reference, 'phone' AS kind,
                                  regexp_replace(contact_phone, '[^0-9]', '', 'g') AS value
                             FROM city_trading_bid
                            WHERE procedure_id = ANY(%(ids)s) AND state IN %(part)s AND contact_phone IS NOT NULL
                           UNION ALL
                           SELECT procedure_id, bidder_id, reference, 'email', lower(trim(contact_email))
                             FROM city_trading_bid
                            WHERE procedure_id = ANY(%(ids)s) AND state IN %(part)s AND contact_email IS NOT NULL
                          ) c
                    WHERE value <> ''
                    GROUP BY procedure_id, kind, value HAVING count(DISTINCT bidder_id) > 1""",
                ids=ids,
                part=PARTICIPATING,
            ),
            "same_ip": SQL(
                """SELECT b.procedure_id, array_agg(DISTINCT b.bidder_id),
                          jsonb_build_object('ip', b.upload_ip, 'bids', array_agg(b.reference ORDER BY b.reference))
                     FROM city_trading_bid b
                    WHERE b.procedure_id = ANY(%(ids)s) AND b.state IN %(part)s AND b.upload_ip IS NOT NULL
                    GROUP BY b.procedure_id, b.upload_ip HAVING count(DISTINCT b.bidder_id) > 1""",
                ids=ids,
                part=PARTICIPATING,
            ),
            "short_submission": SQL(
                """SELECT p.id, ARRAY[]::integer[], jsonb_build_object('days', d.days, 'minimum', r.min_notice_days)
                     FROM city_trading_procedure p
                     JOIN city_trading_rule r ON r.id = p.rule_id
                     CROSS JOIN LATERAL (
                          SELECT (timezone('Asia/Shanghai', timezone('UTC', p.bid_deadline)))::date
                               - (timezone('Asia/Shanghai', timezone('UTC', p.published_at)))::date AS days) d
                    WHERE p.id = ANY(%(ids)s) AND p.published_at IS NOT NULL AND p.bid_deadline IS NOT NULL
                      AND d.days < r.min_notice_days""",
                ids=ids,
            ),
            # The best price is the lowest for purchases, the highest for transfers (land, property).
            "lowest_disqualified": SQL(
                """SELECT d.procedure_id, array_agg(d.bidder_id),
                          jsonb_build_object('bid', min(d.reference),
                                             'price', CASE WHEN bool_or(p.type_code IN %(sales)s) THEN max(d.price)
                                                           ELSE min(d.price) END,
                                             'reason', min(d.disqualification_reason),
                                             'best_valid', CASE WHEN bool_or(p.type_code IN %(sales)s) THEN max(v.high)
                                                                ELSE min(v.low) END)
                     FROM city_trading_bid d
                     JOIN city_trading_procedure p ON p.id = d.procedure_id AND p.criterion = 'price'
                     LEFT JOIN (SELECT procedure_id, min(price) AS low, max(price) AS high FROM city_trading_bid
                                 WHERE procedure_id = ANY(%(ids)s) AND state IN %(valid)s GROUP BY procedure_id) v
                            ON v.procedure_id = d.procedure_id
                    WHERE d.procedure_id = ANY(%(ids)s) AND d.state = 'disqualified' AND d.price IS NOT NULL
                      AND (v.low IS NULL
                           OR (p.type_code IN %(sales)s AND d.price > v.high)
                           OR (p.type_code NOT IN %(sales)s AND d.price < v.low))
                    GROUP BY d.procedure_id""",
                ids=ids,
                valid=VALID,
                sales=SALE_TYPES,
            ),
            "all_but_winner_disqualified": SQL(
                """SELECT p.id, array_agg(b.bidder_id),
                          jsonb_build_object('winner', min(w.reference), 'disqualified', count(*))
                     FROM city_trading_procedure p
                     JOIN city_trading_bid w ON w.id = p.winner_bid_id
                     JOIN city_trading_bid b ON b.procedure_id = p.id AND b.id <> p.winner_bid_id
                                            AND b.state IN ('opened', 'valid', 'disqualified')
                    WHERE p.id = ANY(%(ids)s)
                    GROUP BY p.id HAVING bool_and(b.state = 'disqualified')""",
                ids=ids,
            ),
            "never_wins": SQL(
                """WITH stats AS (
                        SELECT b.bidder_id, count(*) AS bids
                          FROM city_trading_bid b
                          LEFT JOIN city_trading_procedure w ON w.winner_bid_id = b.id
                         WHERE b.state IN %(part)s AND b.submitted_at >= %(cutoff)s
                           AND b.bidder_id IN (SELECT bidder_id FROM city_trading_bid
                                                WHERE procedure_id = ANY(%(ids)s) AND state IN %(part)s)
                         GROUP BY b.bidder_id
                        HAVING count(*) >= %(minimum)s AND count(w.id) = 0)
                   SELECT b.procedure_id, array_agg(DISTINCT b.bidder_id),
                          jsonb_build_object('bidder', min(rp.name), 'bids', min(s.bids), 'months', %(months)s)
                     FROM city_trading_bid b
                     JOIN stats s ON s.bidder_id = b.bidder_id
                     JOIN res_partner rp ON rp.id = b.bidder_id
                    WHERE b.procedure_id = ANY(%(ids)s) AND b.state IN %(part)s
                    GROUP BY b.procedure_id, b.bidder_id""",
                ids=ids,
                part=PARTICIPATING,
                cutoff=cutoff,
                minimum=self._param("never_wins_min_bids"),
                months=self._param("never_wins_months"),
            ),
            "award_below_estimate": SQL(
                """SELECT p.id, ARRAY[w.bidder_id],
                          jsonb_build_object('award', p.award_amount, 'estimate', p.estimate_amount,
                                             'percent', round(100 * p.award_amount / p.estimate_amount, 1))
                     FROM city_trading_procedure p JOIN city_trading_bid w ON w.id = p.winner_bid_id
                    WHERE p.id = ANY(%(ids)s) AND p.estimate_amount > 0 AND p.award_amount > 0
                      AND p.award_amount < p.estimate_amount * %(ratio)s""",
                ids=ids,
                ratio=self._param("award_below_ratio"),
            ),
        }

    @api.model
    def _recompute(self, procedures):
        """Recompute every flag of ``procedures`` set-based; keeps the supervisors' decisions."""
        ids = list(procedures.ids)
        if not ids:
            return {"created": 0, "updated": 0, "reopened": 0, "removed": 0}
        self.env.flush_all()
        cr = self.env.cr
        found = {}
        for code, query in self._queries(ids).items():
            cr.execute(query)
            for procedure_id, bidder_ids, item in cr.fetchall():
                entry = found.setdefault((procedure_id, code), [set(), []])
                entry[0].update(bidder_ids or ())
                entry[1].append(item)
        cr.execute(
            """SELECT id, procedure_id, code, state, evidence_hash
                 FROM city_trading_red_flag WHERE procedure_id = ANY(%s)""",
            [ids],
        )
        existing = {(row[1], row[2]): row for row in cr.fetchall()}
        now = fields.Datetime.now()
        new_rows, changed_rows, same_ids = [], [], []
        for key, (bidders, items) in found.items():
            items.sort(key=lambda item: json.dumps(item, sort_keys=True))
            evidence = json.dumps(items, sort_keys=True, ensure_ascii=False, default=str)
            digest = hashlib.sha256(f"{sorted(bidders)}|{evidence}".encode()).hexdigest()
            row = {
                "procedure_id": key[0],
                "code": key[1],
                "evidence": evidence,
                "hash": digest,
                "bidders": sorted(bidders),
            }
            old = existing.get(key)
            if not old:
                new_rows.append(row)
            elif old[4] != digest:
                row["id"] = old[0]
                row["reopen"] = old[3] == "dismissed"
                changed_rows.append(row)
            else:
                same_ids.append(old[0])
        gone = [row[0] for key, row in existing.items() if key not in found and row[3] == "open"]
        uid = self.env.uid
        if new_rows:
            cr.execute(
                SQL(
                    """INSERT INTO city_trading_red_flag
                              (procedure_id, code, evidence_json, evidence_hash, computed_at, state,
                               create_uid, create_date, write_uid, write_date)
                       SELECT r.procedure_id, r.code, r.evidence, r.hash, %(now)s, 'open',
                              %(uid)s, %(now)s, %(uid)s, %(now)s
                         FROM jsonb_to_recordset(%(rows)s::jsonb)
                           AS r(procedure_id integer, code varchar, evidence text, hash varchar)
                    RETURNING id, procedure_id, code""",
                    now=now,
                    uid=uid,
                    rows=json.dumps(new_rows, default=str),
                )
            )
            created = {(procedure_id, code): flag_id for flag_id, procedure_id, code in cr.fetchall()}
            for row in new_rows:
                row["id"] = created[(row["procedure_id"], row["code"])]
        if changed_rows:
            cr.execute(
                SQL(
                    """UPDATE city_trading_red_flag f
                          SET evidence_json = r.evidence, evidence_hash = r.hash, computed_at = %(now)s,
                              state = CASE WHEN r.reopen THEN 'open' ELSE f.state END,
                              write_uid = %(uid)s, write_date = %(now)s
                         FROM jsonb_to_recordset(%(rows)s::jsonb)
                           AS r(id integer, evidence text, hash varchar, reopen boolean)
                        WHERE f.id = r.id""",
                    now=now,
                    uid=uid,
                    rows=json.dumps(changed_rows, default=str),
                )
            )
        if same_ids:
            cr.execute("UPDATE city_trading_red_flag SET computed_at = %s WHERE id = ANY(%s)", [now, same_ids])
        touched = new_rows + changed_rows
        if touched:
            cr.execute(
                "DELETE FROM city_trading_red_flag_res_partner_rel WHERE city_trading_red_flag_id = ANY(%s)",
                [[row["id"] for row in changed_rows] or [0]],
            )
            pairs = [[row["id"], partner_id] for row in touched for partner_id in row["bidders"]]
            if pairs:
                cr.execute(
                    """INSERT INTO city_trading_red_flag_res_partner_rel (city_trading_red_flag_id, res_partner_id)
                       SELECT (p->>0)::integer, (p->>1)::integer FROM jsonb_array_elements(%s::jsonb) p""",
                    [json.dumps(pairs)],
                )
        if gone:
            cr.execute("DELETE FROM city_trading_red_flag WHERE id = ANY(%s)", [gone])
        self.invalidate_model()
        result = {
            "created": len(new_rows),
            "updated": len(changed_rows),
            "reopened": sum(1 for row in changed_rows if row["reopen"]),
            "removed": len(gone),
        }
        if touched or gone:
            self.env["city.audit.log"].record(
                "trading.red_flag.recompute", None, dict(result, procedures=len(ids)), chain="trading"
            )
        return result

    def _export_xlsx(self):
        """Download the selected flags with their evidence as xlsx."""
        self.check_access("read")
        codes = dict(self._fields["code"]._description_selection(self.env))
        states = dict(self._fields["state"]._description_selection(self.env))
        headers = [
            self.env._("Procedure"),
            self.env._("Warning"),
            self.env._("Bidders"),
            self.env._("Evidence"),
            self.env._("Computed"),
            self.env._("Status"),
            self.env._("Supervisor Note"),
        ]
        rows = [
            [
                flag.procedure_id.display_name,
                codes.get(flag.code),
                ", ".join(flag.bidder_ids.mapped("name")),
                flag.evidence or "",
                fields.Datetime.to_string(flag.computed_at) if flag.computed_at else "",
                states.get(flag.state),
                flag.supervisor_note or "",
            ]
            for flag in self
        ]
        return xlsx_download(self.env, self.env._("Red Flags"), headers, rows, "trading_red_flags.xlsx")

    @api.model
    def _cron_recompute(self):
        """Scheduled: recompute the flags of every published procedure."""
        procedures = self.env["city.trading.procedure"].search([("state", "!=", "draft")])
        return self._recompute(procedures)
