import hashlib
import json
import secrets

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools import lottery
from .city_school import STAGE_ENTRY_GRADE, STAGES


class CitySchoolEnrolmentCampaign(models.Model):
    """One year's enrolment for a stage: the application window, the review, the published seed and the draw.

    Publishing the seed freezes the list of approved applications and the seats (their digest is
    published with the seed); the draw then assigns the schools with ``tools.lottery.assign`` and
    publishes the input and the result so anyone can re-run it.
    """

    _name = "city.school.enrolment.campaign"
    _description = "Enrolment Campaign"
    _inherit = ["mail.thread"]
    _order = "year desc, stage, id desc"

    name = fields.Char(required=True, tracking=True)
    year = fields.Integer(required=True, tracking=True, help="The school year the children start in September.")
    stage = fields.Selection(STAGES, required=True, tracking=True)
    grade = fields.Char(compute="_compute_grade", help="The entry grade filled by this campaign.")
    date_start = fields.Date(string="Applications From", required=True, tracking=True)
    date_end = fields.Date(string="Applications Until", required=True, tracking=True)
    order_rule = fields.Selection(
        [
            ("date_then_lottery", "Earlier registration date first, lottery between equal dates"),
            ("lottery", "Lottery over the whole oversubscribed category"),
        ],
        string="Order in an Oversubscribed Category",
        required=True,
        default="date_then_lottery",
        tracking=True,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("open", "Open for Applications"),
            ("review", "Under Review"),
            ("published", "Seed Published"),
            ("drawn", "Drawn"),
            ("closed", "Closed"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    seed = fields.Char(
        tracking=True,
        copy=False,
        help="Published before the draw; leave empty to have a random seed generated when publishing.",
    )
    seed_published_on = fields.Datetime(readonly=True, copy=False)
    input_digest = fields.Char(
        readonly=True, copy=False, help="SHA-256 of the approved applications and the seats, published with the seed."
    )
    seats_json = fields.Text(readonly=True, copy=False, help="Seats left per school when the seed was published.")
    drawn_on = fields.Datetime(readonly=True, copy=False)
    result_digest = fields.Char(readonly=True, copy=False)
    application_ids = fields.One2many("city.school.application", "campaign_id", string="Applications")
    application_count = fields.Integer(compute="_compute_application_count")
    placed_count = fields.Integer(compute="_compute_application_count")
    waitlisted_count = fields.Integer(compute="_compute_application_count")
    note = fields.Html()

    _sql_constraints = [
        ("dates", "CHECK(date_end >= date_start)", "The application window cannot end before it starts."),
    ]

    @api.depends("stage")
    def _compute_grade(self):
        for campaign in self:
            campaign.grade = STAGE_ENTRY_GRADE.get(campaign.stage, False)

    def _compute_application_count(self):
        counts = {
            (campaign.id, state): count
            for campaign, state, count in self.env["city.school.application"]._read_group(
                [("campaign_id", "in", self.ids)], ["campaign_id", "state"], ["__count"]
            )
        }
        for campaign in self:
            campaign.application_count = sum(v for (cid, _s), v in counts.items() if cid == campaign.id)
            campaign.placed_count = counts.get((campaign.id, "placed"), 0) + counts.get((campaign.id, "allocated"), 0)
            campaign.waitlisted_count = counts.get((campaign.id, "waitlisted"), 0)

    @api.constrains("stage", "year", "state")
    def _check_one_live_campaign(self):
        for campaign in self:
            clash = self.search_count(
                [
                    ("id", "!=", campaign.id),
                    ("stage", "=", campaign.stage),
                    ("year", "=", campaign.year),
                    ("state", "!=", "closed"),
                ]
            )
            if clash and campaign.state != "closed":
                raise ValidationError(self.env._("There is already a campaign for this stage and year."))

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(campaign.state != "draft" for campaign in self):
            raise UserError(self.env._("Only draft campaigns can be deleted."))

    # ------------------------------------------------------------------
    # State changes
    # ------------------------------------------------------------------
    def _check_state(self, allowed):
        for campaign in self:
            if campaign.state not in allowed:
                raise UserError(
                    self.env._(
                        "Campaign %(name)s cannot do this in its current state (%(state)s).",
                        name=campaign.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[campaign.state],
                    )
                )

    def action_open(self):
        self._check_state(("draft",))
        self.state = "open"

    def action_close_applications(self):
        self._check_state(("open",))
        self.state = "review"

    def action_publish_seed(self):
        """Freeze the approved applications and the seats, and publish the seed with their digest."""
        self._check_state(("review",))
        for campaign in self:
            pending = self.env["city.school.application"].search_count(
                [("campaign_id", "=", campaign.id), ("state", "in", ("submitted", "under_review", "returned"))]
            )
            if pending:
                raise UserError(
                    self.env._("%(count)s applications are still waiting for a review decision.", count=pending)
                )
            seats = campaign._seats_left()
            rows = campaign._lottery_rows()
            campaign.write(
                {
                    "seed": campaign.seed or secrets.token_hex(16),
                    "seed_published_on": fields.Datetime.now(),
                    "seats_json": json.dumps(seats, sort_keys=True),
                    "input_digest": lottery.input_digest(rows, seats, campaign.order_rule),
                    "state": "published",
                }
            )
            self.env["city.audit.log"].record(
                "school.enrolment.seed",
                campaign,
                {"seed": campaign.seed, "input_digest": campaign.input_digest, "seats": seats},
            )

    def action_draw(self):
        self._check_state(("published",))
        for campaign in self:
            campaign._draw()

    def action_close(self):
        self._check_state(("drawn",))
        self.env["city.school.application"].search(
            [("campaign_id", "in", self.ids), ("state", "in", ("draft", "placed", "waitlisted", "allocated"))]
        )._set_state("closed")
        self.state = "closed"

    # ------------------------------------------------------------------
    # Draw
    # ------------------------------------------------------------------
    def _schools(self):
        self.ensure_one()
        return self.env["city.school"].search([("stage", "=", self.stage)])

    def _seats_left(self):
        """{school code: seats of the entry grade minus the places already given in this campaign}."""
        self.ensure_one()
        taken = dict(
            self.env["city.school.application"]._read_group(
                [("campaign_id", "=", self.id), ("state", "in", ("placed", "allocated"))],
                ["result_school_id"],
                ["__count"],
            )
        )
        return {school.code: school._seats(self.year) - taken.get(school, 0) for school in self._schools()}

    def _lottery_rows(self):
        """The approved applications as the lottery's input (one query)."""
        self.ensure_one()
        self.env["city.school.application"].flush_model()
        self.env.cr.execute(
            """SELECT a.id, a.name, s.code, a.category, a.priority_date
                 FROM city_school_application a JOIN city_school s ON s.id = a.school_id
                WHERE a.campaign_id = %s AND a.state = 'approved'""",
            [self.id],
        )
        return [
            {
                "id": row[0],
                "number": row[1],
                "school": row[2],
                "category": int(row[3]),
                "priority_date": row[4].isoformat() if row[4] else "",
            }
            for row in self.env.cr.fetchall()
        ]

    def _draw(self):
        """Assign every approved application in a few queries (set-based)."""
        self.ensure_one()
        rows = self._lottery_rows()
        seats = json.loads(self.seats_json or "{}")
        if lottery.input_digest(rows, seats, self.order_rule) != self.input_digest:
            raise UserError(self.env._("The approved applications changed after the seed was published."))
        result = lottery.assign(self.seed, seats, rows, self.order_rule)
        schools = {school.code: school.id for school in self._schools()}
        values = []
        for row in rows:
            res = result[row["number"]]
            values.append(
                (
                    row["id"],
                    "placed" if res["placed"] else "waitlisted",
                    res["key"],
                    res["rank"],
                    res["lottery"],
                    res["placed"],
                    schools[row["school"]] if res["placed"] else None,
                )
            )
        cr = self.env.cr
        chunk = 5000
        for start in range(0, len(values), chunk):
            rows_sql = SQL(",").join(
                SQL("(%s, %s, %s, %s, %s, %s, %s::int)", *row) for row in values[start : start + chunk]
            )
            cr.execute(
                SQL(
                    """UPDATE city_school_application AS a
                          SET state = v.state, lottery_key = v.key, lottery_rank = v.rank, in_lottery = v.drawn,
                              result_school_id = v.school, drawn = TRUE, drawn_placed = v.placed,
                              write_uid = %s, write_date = now() at time zone 'utc'
                         FROM (VALUES %s) AS v(id, state, key, rank, drawn, placed, school)
                        WHERE a.id = v.id""",
                    self.env.uid,
                    rows_sql,
                )
            )
        self.env["city.school.application"].invalidate_model()
        self.write({"state": "drawn", "drawn_on": fields.Datetime.now(), "result_digest": self._result_digest()})
        self.env["city.audit.log"].record(
            "school.enrolment.draw",
            self,
            {
                "seed": self.seed,
                "input_digest": self.input_digest,
                "result_digest": self.result_digest,
                "count": len(rows),
            },
        )

    def _published_data(self):
        """The draw's input and result as published (the JSON ``tools/lottery.py`` verifies)."""
        self.ensure_one()
        if self.state == "published":
            rows = [
                {k: row[k] for k in ("number", "school", "category", "priority_date")} for row in self._lottery_rows()
            ]
            applications = sorted(rows, key=lambda row: (row["school"], row["number"]))
        else:
            applications = self._drawn_applications()
        return {
            "campaign": self.name,
            "algorithm": lottery.ALGORITHM_VERSION,
            "order_rule": self.order_rule,
            "seed": self.seed,
            "seed_published_on": fields.Datetime.to_string(self.seed_published_on),
            "input_digest": self.input_digest,
            "seats": json.loads(self.seats_json or "{}"),
            "applications": applications,
        }

    def _drawn_applications(self):
        self.env["city.school.application"].flush_model()
        self.env.cr.execute(
            """SELECT a.name, s.code, a.category, a.priority_date, a.lottery_key, a.lottery_rank, a.drawn_placed
                 FROM city_school_application a JOIN city_school s ON s.id = a.school_id
                WHERE a.campaign_id = %s AND a.drawn
                ORDER BY s.code, a.lottery_rank""",
            [self.id],
        )
        applications = [
            {
                "number": row[0],
                "school": row[1],
                "category": int(row[2]),
                "priority_date": row[3].isoformat() if row[3] else "",
                "key": row[4],
                "rank": row[5],
                "placed": bool(row[6]),
            }
            for row in self.env.cr.fetchall()
        ]
        return applications

    def _result_digest(self):
        text = json.dumps(self._drawn_applications(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def action_view_applications(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Applications"),
            "res_model": "city.school.application",
            "view_mode": "list,form",
            "domain": [("campaign_id", "=", self.id)],
            "context": {"default_campaign_id": self.id},
        }

    def action_open_lottery_page(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": f"/school/enrolment/{self.id}/lottery", "target": "new"}
