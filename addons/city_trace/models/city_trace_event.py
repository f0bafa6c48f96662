import datetime
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..tools import epcis

# Fields an enterprise may still change on a captured event: what it publishes on the scan page.
MUTABLE_FIELDS = {"public"}
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)
TZ_OFFSET_LENGTH = 6  # "+08:00"


class CityTraceEvent(models.Model):
    """An EPCIS 2.0 event: what, when, where and why, immutable and chained per enterprise.

    Events are written only through :meth:`_capture`. They are never changed or deleted; a
    wrong event is corrected by an *error declaration* (a new event pointing to it and to its
    corrective events), after which the wrong event no longer counts in the trace graph.
    """

    _name = "city.trace.event"
    _description = "Trace Event"
    _order = "event_time desc, id desc"
    _rec_name = "event_hash"

    event_hash = fields.Char(required=True, readonly=True, index=True, copy=False)
    hash_uri = fields.Char(string="Event ID (hash)", compute="_compute_hash_uri")
    client_event_id = fields.Char(string="Sender's Event ID", readonly=True, index="btree_not_null")
    event_type = fields.Selection(epcis.EVENT_TYPES, required=True, readonly=True, index=True)
    action = fields.Selection(epcis.ACTIONS, readonly=True)
    biz_step = fields.Selection(epcis.BIZ_STEPS, string="Business Step", readonly=True, index=True)
    disposition = fields.Selection(epcis.DISPOSITIONS, readonly=True)
    event_time = fields.Datetime(required=True, readonly=True, index=True)
    event_tz = fields.Char(string="Time Zone Offset", required=True, readonly=True, default="+08:00")
    record_time = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    partner_id = fields.Many2one(
        "res.partner", string="Enterprise", required=True, readonly=True, index=True, ondelete="restrict"
    )
    location_id = fields.Many2one("city.trace.location", readonly=True, ondelete="restrict")
    source_partner_id = fields.Many2one("res.partner", string="Source", readonly=True, ondelete="restrict")
    dest_partner_id = fields.Many2one("res.partner", string="Destination", readonly=True, ondelete="restrict")
    biz_transaction_type = fields.Selection(epcis.BIZ_TRANSACTION_TYPES, string="Document Type", readonly=True)
    biz_transaction_ref = fields.Char(string="Document Number", readonly=True)
    line_ids = fields.One2many("city.trace.event.line", "event_id", string="Objects", readonly=True)
    public = fields.Boolean(
        string="Published", default=True, help="Shown on the public scan page as a chain-of-custody step."
    )
    capture_channel = fields.Selection(
        [("portal", "Enterprise Portal"), ("import", "File Import"), ("api", "API"), ("backend", "Backend")],
        readonly=True,
        default="backend",
    )
    # Per-enterprise hash chain
    chain_sequence = fields.Integer(string="Chain Position", readonly=True)
    prev_hash = fields.Char(string="Previous Link", readonly=True)
    chain_hash = fields.Char(string="Link Hash", readonly=True)
    # Error declarations
    declares_error_of_id = fields.Many2one(
        "city.trace.event", readonly=True, index="btree_not_null", ondelete="restrict"
    )
    error_reason = fields.Selection(epcis.ERROR_REASONS, readonly=True)
    corrective_event_ids = fields.Many2many(
        "city.trace.event",
        "city_trace_event_corrective_rel",
        "declaration_id",
        "event_id",
        string="Corrective Events",
        readonly=True,
    )
    declaration_ids = fields.One2many("city.trace.event", "declares_error_of_id", string="Error Declarations")
    is_erroneous = fields.Boolean(string="Declared Erroneous", compute="_compute_is_erroneous", store=True, index=True)
    summary = fields.Char(compute="_compute_summary")

    _sql_constraints = [
        ("event_hash_unique", "unique(event_hash)", "This event has already been captured."),
        ("chain_unique", "unique(partner_id, chain_sequence)", "An enterprise's event chain cannot fork."),
    ]

    def init(self):
        # An enterprise's events in time order (portal lists, exports), and shipments addressed to it.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_trace_event_partner_time_idx "
            "ON city_trace_event (partner_id, event_time DESC)"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS city_trace_event_dest_partner_idx "
            "ON city_trace_event (dest_partner_id) WHERE dest_partner_id IS NOT NULL"
        )

    def _compute_hash_uri(self):
        for event in self:
            event.hash_uri = epcis.hash_uri(event.event_hash) if event.event_hash else False

    @api.depends("declaration_ids")
    def _compute_is_erroneous(self):
        for event in self:
            event.is_erroneous = bool(event.declaration_ids)

    @api.depends("event_type", "biz_step", "partner_id", "event_time")
    def _compute_summary(self):
        types = dict(self._fields["event_type"]._description_selection(self.env))
        steps = dict(self._fields["biz_step"]._description_selection(self.env))
        for event in self:
            step = steps.get(event.biz_step) or types.get(event.event_type, "")
            event.summary = f"{step} · {event.partner_id.name or ''}"

    @api.depends("summary")
    def _compute_display_name(self):
        for event in self:
            event.display_name = event.summary

    # ------------------------------------------------------------------
    # Immutability
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("city_trace_capture"):
            raise UserError(self.env._("Trace events are recorded through capture (portal, import or API) only."))
        return super().create(vals_list)

    def write(self, vals):
        if self and set(vals) - MUTABLE_FIELDS:
            raise UserError(
                self.env._("Trace events cannot be changed; declare an error and capture the corrective event.")
            )
        self.env["city.trace.scan"]._page_touch(event_ids=self.ids)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Trace events cannot be deleted; declare an error instead."))

    def copy(self, default=None):
        if self:
            raise UserError(self.env._("Trace events cannot be duplicated."))
        return super().copy(default)

    # ------------------------------------------------------------------
    # Capture
    # ------------------------------------------------------------------
    @api.model
    def _capture_check_partner(self, partner):
        """An enterprise user captures for their own enterprise; officers for any enterprise."""
        if not partner.trace_enterprise:
            raise ValidationError(self.env._("%(name)s is not a traceability enterprise.", name=partner.display_name))
        if self.env.su or self.env.user.has_group("city_trace.group_city_trace_user"):
            return
        if partner != self.env.user.commercial_partner_id:
            raise AccessError(self.env._("You can only record events of your own enterprise."))

    @api.model
    def _capture_validate_objects(self, vals):
        """Check the objects of one event against its type; raise a translated ValidationError."""
        env = self.env
        event_type = vals.get("event_type")
        roles = defaultdict(int)
        for line in vals.get("lines") or []:
            roles[line["role"]] += 1
            quantity = line.get("quantity")
            if quantity is not None and quantity < 0:
                raise ValidationError(env._("A quantity cannot be negative."))
            if not (line.get("lot_id") or line.get("serial_id") or line.get("unit_id")):
                raise ValidationError(env._("Every object of an event needs a lot, a serial item or an SSCC."))
        if event_type == "transformation":
            if vals.get("action"):
                raise ValidationError(env._("A transformation event has no action."))
            if not roles["input"] or not roles["output"]:
                raise ValidationError(env._("A transformation event needs at least one input and one output lot."))
            return
        if vals.get("action") not in dict(epcis.ACTIONS):
            raise ValidationError(env._("The event needs an action: ADD, OBSERVE or DELETE."))
        if event_type == "aggregation":
            if roles["parent"] != 1 or (vals["action"] != "OBSERVE" and not roles["child"]):
                raise ValidationError(env._("An aggregation event needs one parent logistic unit and its children."))
        elif not roles["epc"] and not vals.get("declares_error_of_id"):
            raise ValidationError(env._("The event does not name any lot, serial item or SSCC."))
        if event_type == "transaction" and not vals.get("biz_transaction_ref"):
            raise ValidationError(env._("A transaction event needs a business document."))

    @api.model
    def _capture_validate(self, vals):
        """Raise a translated ValidationError when ``vals`` is not a complete event of its type."""
        env = self.env
        if vals.get("event_type") not in dict(epcis.EVENT_TYPES):
            raise ValidationError(env._("Unknown event type %(type)s.", type=vals.get("event_type")))
        self._capture_validate_objects(vals)
        if vals.get("biz_step") and vals["biz_step"] not in epcis.BIZ_STEP_CODES:
            raise ValidationError(env._("Unknown business step %(step)s.", step=vals["biz_step"]))
        if vals.get("disposition") and vals["disposition"] not in epcis.DISPOSITION_CODES:
            raise ValidationError(env._("Unknown disposition %(disposition)s.", disposition=vals["disposition"]))
        event_time = vals.get("event_time")
        if not isinstance(event_time, datetime.datetime):
            raise ValidationError(env._("The event needs its time."))
        if event_time > fields.Datetime.now() + FUTURE_TOLERANCE:
            raise ValidationError(env._("The event time %(time)s is in the future.", time=event_time))
        tz = vals.get("event_tz") or "+08:00"
        if len(tz) != TZ_OFFSET_LENGTH or tz[0] not in "+-" or tz[3] != ":" or not (tz[1:3] + tz[4:]).isdigit():
            raise ValidationError(env._("The time zone offset must look like +08:00."))

    @api.model
    def _capture_identifiers(self, vals_list):
        """Map the records the events name to the identifiers their hash uses, in a few queries."""
        ids = defaultdict(set)
        for vals in vals_list:
            for key in ("partner_id", "source_partner_id", "dest_partner_id"):
                if vals.get(key):
                    ids["res.partner"].add(vals[key])
            if vals.get("location_id"):
                ids["city.trace.location"].add(vals["location_id"])
            for line in vals.get("lines") or []:
                for key, model in (
                    ("lot_id", "city.trace.lot"),
                    ("serial_id", "city.trace.serial"),
                    ("unit_id", "city.trace.logistic.unit"),
                ):
                    if line.get(key):
                        ids[model].add(line[key])
        names = {}
        for partner in self.env["res.partner"].sudo().browse(ids["res.partner"]):
            names["res.partner", partner.id] = f"uscc:{partner.uscc or partner.id}"
        for location in self.env["city.trace.location"].sudo().browse(ids["city.trace.location"]):
            names["city.trace.location", location.id] = f"sgln:{location.gln}" if location.gln else f"loc:{location.id}"
        for lot in self.env["city.trace.lot"].sudo().browse(ids["city.trace.lot"]):
            names["city.trace.lot", lot.id] = f"lgtin:{lot.product_id.gtin}.{lot.name}"
        for serial in self.env["city.trace.serial"].sudo().browse(ids["city.trace.serial"]):
            names["city.trace.serial", serial.id] = f"sgtin:{serial.product_id.gtin}.{serial.name}"
        for unit in self.env["city.trace.logistic.unit"].sudo().browse(ids["city.trace.logistic.unit"]):
            names["city.trace.logistic.unit", unit.id] = f"sscc:{unit.sscc}"
        return names

    @api.model
    def _capture_hash(self, vals, names, hashes_of):
        def name(model, record_id):
            return names.get((model, record_id)) if record_id else None

        lines = []
        for line in vals.get("lines") or []:
            if line.get("serial_id"):
                identifier = name("city.trace.serial", line["serial_id"])
            elif line.get("unit_id"):
                identifier = name("city.trace.logistic.unit", line["unit_id"])
            else:
                identifier = name("city.trace.lot", line["lot_id"])
            lines.append((line["role"], identifier, line.get("quantity")))
        error = None
        if vals.get("declares_error_of_id"):
            error = (
                vals.get("error_reason") or "incorrect_data",
                hashes_of[vals["declares_error_of_id"]],
                [hashes_of[event_id] for event_id in vals.get("corrective_event_ids") or []],
            )
        transaction = None
        if vals.get("biz_transaction_ref"):
            transaction = f"{vals.get('biz_transaction_type') or 'po'}:{vals['biz_transaction_ref']}"
        content = epcis.canonical_content(
            event_type=vals["event_type"],
            action=vals.get("action"),
            event_time=vals["event_time"],
            event_tz=vals.get("event_tz") or "+08:00",
            biz_step=vals.get("biz_step"),
            disposition=vals.get("disposition"),
            party=name("res.partner", vals["partner_id"]),
            location=name("city.trace.location", vals.get("location_id")),
            source=name("res.partner", vals.get("source_partner_id")),
            destination=name("res.partner", vals.get("dest_partner_id")),
            transaction=transaction,
            lines=lines,
            error=error,
        )
        return epcis.event_hash(content)

    @api.model
    def _capture_check_custody(self, vals_list):
        """An enterprise user names only lots its enterprise produced or has held.

        Receipts are the way lots come in, so a receiving event may name any lot; every other event
        names lots of the enterprise's own production, or lots that reached it (an edge into a node of
        the enterprise, or one of its earlier events naming the lot). Officers record for anyone.
        """
        if self.env.su or self.env.user.has_group("city_trace.group_city_trace_user"):
            return
        wanted = defaultdict(set)
        serials = (
            self.env["city.trace.serial"]
            .sudo()
            .browse(
                {line["serial_id"] for vals in vals_list for line in vals.get("lines") or [] if line.get("serial_id")}
            )
        )
        serial_lot = {serial.id: serial.lot_id.id for serial in serials}
        received = set()  # lots received earlier in the same batch count as held
        for vals in vals_list:
            lots = {
                line.get("lot_id") or serial_lot.get(line.get("serial_id"))
                for line in vals.get("lines") or []
                if line.get("role") != "output"
            } - {None, False}
            if vals.get("biz_step") == "receiving":
                received |= {(vals["partner_id"], lot_id) for lot_id in lots}
                continue
            wanted[vals["partner_id"]] |= {lot_id for lot_id in lots if (vals["partner_id"], lot_id) not in received}
        if not any(wanted.values()):
            return
        pairs = [(partner_id, lot_id) for partner_id, lots in wanted.items() for lot_id in lots]
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """WITH w(partner_id, lot_id) AS (SELECT * FROM unnest(%s::int[], %s::int[]))
                   SELECT w.partner_id, w.lot_id FROM w
                    WHERE NOT EXISTS (SELECT 1 FROM city_trace_lot l
                                       WHERE l.id = w.lot_id AND l.partner_id = w.partner_id)
                      AND NOT EXISTS (SELECT 1 FROM city_trace_edge e
                                       WHERE e.dst_lot_id = w.lot_id AND e.dst_partner_id = w.partner_id)
                      AND NOT EXISTS (SELECT 1 FROM city_trace_event_line li
                                        JOIN city_trace_event ev ON ev.id = li.event_id
                                       WHERE li.lot_id = w.lot_id AND ev.partner_id = w.partner_id
                                         AND NOT ev.is_erroneous)""",
                [pair[0] for pair in pairs],
                [pair[1] for pair in pairs],
            )
        )
        foreign = self.env.cr.fetchall()
        if foreign:
            lot = self.env["city.trace.lot"].sudo().browse(foreign[0][1])
            raise AccessError(
                self.env._("Lot %(lot)s was neither produced nor received by your enterprise.", lot=lot.display_name)
            )

    @api.model
    def _capture_resolve_refs(self, vals_list):
        """Let error declarations name events by the sender's event id (``declares_error_of_ref``,
        ``corrective_event_refs``) instead of record ids; the events must be the same enterprise's."""
        for vals in vals_list:
            refs = [vals.get("declares_error_of_ref"), *(vals.get("corrective_event_refs") or [])]
            if not any(refs):
                continue
            found = dict(
                self.sudo()._read_group(
                    [("partner_id", "=", vals.get("partner_id")), ("client_event_id", "in", [r for r in refs if r])],
                    ["client_event_id"],
                    ["id:max"],
                )
            )
            for ref in filter(None, refs):
                if ref not in found:
                    raise ValidationError(self.env._("The enterprise has no event with the event id %(ref)s.", ref=ref))
            if vals.get("declares_error_of_ref"):
                vals["declares_error_of_id"] = found[vals.pop("declares_error_of_ref")]
            if vals.get("corrective_event_refs"):
                vals["corrective_event_ids"] = [
                    *(vals.get("corrective_event_ids") or []),
                    *(found[ref] for ref in vals.pop("corrective_event_refs")),
                ]

    @api.model
    def _capture_check_declarations(self, vals_list):
        """Error declarations: the declared event exists, is the enterprise's own and not declared yet."""
        target_ids = {vals["declares_error_of_id"] for vals in vals_list if vals.get("declares_error_of_id")}
        corrective_ids = {i for vals in vals_list for i in vals.get("corrective_event_ids") or []}
        events = self.sudo().browse(target_ids | corrective_ids).exists()
        by_id = {event.id: event for event in events}
        seen = set()
        for vals in vals_list:
            target_id = vals.get("declares_error_of_id")
            if not target_id:
                if vals.get("corrective_event_ids") or vals.get("error_reason"):
                    raise ValidationError(self.env._("Corrective events belong to an error declaration."))
                continue
            target = by_id.get(target_id)
            if not target:
                raise ValidationError(self.env._("The event declared erroneous does not exist."))
            if target.partner_id.id != vals["partner_id"]:
                raise AccessError(self.env._("An enterprise can only declare errors in its own events."))
            if target.is_erroneous or target_id in seen:
                raise ValidationError(self.env._("This event has already been declared erroneous."))
            if target.declares_error_of_id:
                raise ValidationError(self.env._("An error declaration cannot itself be declared erroneous."))
            seen.add(target_id)
            for corrective_id in vals.get("corrective_event_ids") or []:
                if corrective_id not in by_id:
                    raise ValidationError(self.env._("A corrective event does not exist."))
        return {event.id: event.event_hash for event in events}

    @api.model
    def _capture(self, vals_list, channel="backend"):
        """Record events; the single way in for portal forms, file imports, the API and the backend.

        Each item of ``vals_list`` is a dictionary with the event fields and ``lines``, a list of
        ``{"role", "lot_id" | "serial_id" | "unit_id", "quantity"}`` (roles ``epc``, ``input``,
        ``output``, ``parent``, ``child``); an error declaration may name the declared and corrective
        events by their sender's event ids (``declares_error_of_ref``, ``corrective_event_refs``). Records
        are validated, hashed, checked for duplicates
        (in the database and in the batch), appended to their enterprise's chain, and indexed in the
        trace graph. Returns one ``{"status": "created" | "duplicate", "event": record}`` per item,
        in order. Any invalid item raises and nothing of the batch is kept.
        """
        if not vals_list:
            return []
        partner_ids = {vals.get("partner_id") for vals in vals_list}
        partners = self.env["res.partner"].browse(partner_id for partner_id in partner_ids if partner_id)
        if len(partners) != len(partner_ids):
            raise ValidationError(self.env._("Every event needs the enterprise that records it."))
        for partner in partners:
            self._capture_check_partner(partner)
        vals_list = [dict(vals) for vals in vals_list]
        self._capture_resolve_refs(vals_list)
        for vals in vals_list:
            self._capture_validate(vals)
        self._capture_check_custody(vals_list)
        hashes_of = self._capture_check_declarations(vals_list)
        names = self._capture_identifiers(vals_list)
        digests = [self._capture_hash(vals, names, hashes_of) for vals in vals_list]

        heads = self.env["city.trace.chain"].sudo()._lock_heads(partners.ids)
        self.env.cr.execute(
            SQL("SELECT event_hash, id FROM city_trace_event WHERE event_hash = ANY(%s)", list(set(digests)))
        )
        existing = dict(self.env.cr.fetchall())
        results, to_create, created_index = [], [], {}
        now = fields.Datetime.now()
        for vals, digest in zip(vals_list, digests, strict=True):
            if digest in existing:
                results.append({"status": "duplicate", "event": self.browse(existing[digest])})
                continue
            if digest in created_index:
                results.append({"status": "duplicate", "index": created_index[digest]})
                continue
            head = heads[vals["partner_id"]]
            sequence = head[0] + 1
            link = epcis.chain_link(head[1], sequence, digest)
            record = {
                key: vals.get(key)
                for key in (
                    "event_type",
                    "action",
                    "biz_step",
                    "disposition",
                    "event_time",
                    "partner_id",
                    "location_id",
                    "source_partner_id",
                    "dest_partner_id",
                    "biz_transaction_type",
                    "biz_transaction_ref",
                    "client_event_id",
                    "declares_error_of_id",
                    "error_reason",
                )
                if vals.get(key)
            }
            record.update(
                event_hash=digest,
                event_tz=vals.get("event_tz") or "+08:00",
                public=vals.get("public", True),
                capture_channel=channel,
                record_time=now,
                chain_sequence=sequence,
                prev_hash=head[1],
                chain_hash=link,
            )
            if vals.get("corrective_event_ids"):
                record["corrective_event_ids"] = [fields.Command.set(vals["corrective_event_ids"])]
            head[0], head[1] = sequence, link
            created_index[digest] = len(to_create)
            results.append({"status": "created", "index": len(to_create)})
            to_create.append((record, vals.get("lines") or []))

        events = self.sudo().with_context(city_trace_capture=True).create([record for record, _lines in to_create])
        line_vals = [
            {
                "event_id": event.id,
                "role": line["role"],
                "lot_id": line.get("lot_id"),
                "serial_id": line.get("serial_id"),
                "unit_id": line.get("unit_id"),
                "quantity": line.get("quantity") or 0.0,
            }
            for event, (_record, lines) in zip(events, to_create, strict=True)
            for line in lines
        ]
        self.env["city.trace.event.line"].sudo().with_context(city_trace_capture=True).create(line_vals)
        self.env["city.trace.chain"].sudo()._store_heads(heads)
        declared = events.filtered("declares_error_of_id")
        if declared:
            declared.declares_error_of_id.sudo().modified(["declaration_ids"])
            self.env["city.trace.edge"].sudo()._drop_for(declared.declares_error_of_id)
        self.env["city.trace.edge"].sudo()._index(events - declared)
        # the public pages of the lots named, and of the lots an event declared erroneous named
        self.env["city.trace.scan"]._page_touch(event_ids=(events | declared.declares_error_of_id).ids)
        for result in results:
            if "index" in result:
                result["event"] = events[result.pop("index")]
        return results

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_chain(self):
        self.ensure_one()
        chain = self.env["city.trace.chain"].search([("partner_id", "=", self.partner_id.id)], limit=1)
        return chain.action_verify()
