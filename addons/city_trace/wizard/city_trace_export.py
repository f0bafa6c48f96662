import datetime
import os
import tempfile

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# Time zone offsets run from -12:00 to +14:00: the UTC pre-filter on event_time (indexed) is this
# much wider than the requested local dates, the exact filter is on the event's local time.
TZ_MARGIN = datetime.timedelta(hours=14)
# The key data elements of one row (one object of one event), in column order: (label, width).
COLUMNS = [
    (_lt("Event Time (local)"), 19),
    (_lt("Time Zone"), 8),
    (_lt("Event Type"), 14),
    (_lt("Business Step"), 14),
    (_lt("Disposition"), 14),
    (_lt("Enterprise"), 28),
    (_lt("Enterprise USCC"), 20),
    (_lt("Location"), 22),
    (_lt("Location GLN"), 15),
    (_lt("Source"), 28),
    (_lt("Source USCC"), 20),
    (_lt("Destination"), 28),
    (_lt("Destination USCC"), 20),
    (_lt("Document Type"), 14),
    (_lt("Document Number"), 18),
    (_lt("Object Role"), 12),
    (_lt("GTIN"), 16),
    (_lt("Product"), 24),
    (_lt("Batch"), 14),
    (_lt("Serial Number"), 14),
    (_lt("SSCC"), 20),
    (_lt("Quantity"), 10),
    (_lt("Unit"), 8),
    (_lt("Declared Erroneous"), 10),
    (_lt("Event ID (hash)"), 70),
]
QUANTITY_COLUMN = 21


class CityTraceExport(models.TransientModel):
    """The "records within 24 hours" export (FSMA 204 style): every key data element of the
    events of a product or of lots over a period, one row per object of an event, as a sortable
    spreadsheet (frozen header, auto-filter). The rows come from one set-based query."""

    _name = "city.trace.export"
    _description = "Trace Records Export"

    product_id = fields.Many2one("city.trace.product", help="Every lot of this product.")
    lot_ids = fields.Many2many("city.trace.lot", string="Lots", help="Only these lots (of the product, if one is set).")
    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.subtract(fields.Date.context_today(self), days=30)
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    partner_id = fields.Many2one(
        "res.partner",
        string="Enterprise",
        domain=[("trace_enterprise", "=", True)],
        help="Only events this enterprise recorded, sent or received.",
    )
    row_count = fields.Integer(string="Rows", readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise ValidationError(self.env._("The period starts after it ends."))

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "city.trace.lot" and context.get("active_ids") and "lot_ids" in fields_list:
            values["lot_ids"] = [fields.Command.set(context["active_ids"])]
        elif context.get("active_model") == "city.trace.product" and context.get("active_id"):
            values.setdefault("product_id", context["active_id"])
        return values

    # ------------------------------------------------------------------
    # Rows
    # ------------------------------------------------------------------
    def _query(self):
        """One query for every row: the lots asked for, the event objects naming them (a lot, one of
        its serial items, or a logistic unit holding the lot or its items, nested units included:
        one row per lot in the unit), their events in the period (event local time) and the
        enterprise filter."""
        self.ensure_one()
        if not self.product_id and not self.lot_ids:
            raise UserError(self.env._("Choose a product or lots to export."))
        conditions = []
        if self.product_id:
            conditions.append(SQL("lot.product_id = %s", self.product_id.id))
        if self.lot_ids:
            conditions.append(SQL("lot.id = ANY(%s)", self.lot_ids.ids))
        start = datetime.datetime.combine(self.date_from, datetime.time.min)
        end = datetime.datetime.combine(fields.Date.add(self.date_to, days=1), datetime.time.min)
        partner_filter = SQL("TRUE")
        if self.partner_id:
            partner_filter = SQL(
                "%(p)s IN (ev.partner_id, ev.source_partner_id, ev.dest_partner_id)", p=self.partner_id.id
            )
        return SQL(
            """
            WITH lots AS (
                SELECT lot.id FROM city_trace_lot lot WHERE %(lot_filter)s
            ), line_lot AS (
                SELECT l.id AS line_id, l.lot_id FROM city_trace_event_line l JOIN lots ON lots.id = l.lot_id
                UNION ALL
                SELECT l.id, s.lot_id
                  FROM city_trace_event_line l
                  JOIN city_trace_serial s ON s.id = l.serial_id
                  JOIN lots ON lots.id = s.lot_id
                UNION ALL
                SELECT DISTINCT l.id, packed.lot_id
                  FROM city_trace_event_line l
                  JOIN city_trace_logistic_unit top ON top.id = l.unit_id
                  JOIN city_trace_logistic_unit inner_unit ON starts_with(inner_unit.parent_path, top.parent_path)
                  JOIN (
                      SELECT city_trace_logistic_unit_id AS unit_id, city_trace_lot_id AS lot_id
                        FROM city_trace_logistic_unit_city_trace_lot_rel
                       UNION ALL
                      SELECT rel.city_trace_logistic_unit_id, s.lot_id
                        FROM city_trace_logistic_unit_city_trace_serial_rel rel
                        JOIN city_trace_serial s ON s.id = rel.city_trace_serial_id
                  ) packed ON packed.unit_id = inner_unit.id
                  JOIN lots ON lots.id = packed.lot_id
            )
            SELECT ev.event_time + ev.event_tz::interval AS local_time, ev.event_tz, ev.event_type, ev.biz_step,
                   ev.disposition, p.name, p.uscc, loc.name, loc.gln, src.name, src.uscc, dst.name, dst.uscc,
                   ev.biz_transaction_type, ev.biz_transaction_ref, l.role, prod.gtin, prod.name, lot.name,
                   s.name, u.sscc, CASE WHEN l.unit_id IS NULL THEN l.quantity END, prod.uom,
                   ev.is_erroneous, ev.event_hash
              FROM line_lot ll
              JOIN city_trace_event_line l ON l.id = ll.line_id
              JOIN city_trace_event ev ON ev.id = l.event_id
              JOIN city_trace_lot lot ON lot.id = ll.lot_id
              JOIN city_trace_product prod ON prod.id = lot.product_id
              JOIN res_partner p ON p.id = ev.partner_id
              LEFT JOIN city_trace_location loc ON loc.id = ev.location_id
              LEFT JOIN res_partner src ON src.id = ev.source_partner_id
              LEFT JOIN res_partner dst ON dst.id = ev.dest_partner_id
              LEFT JOIN city_trace_serial s ON s.id = l.serial_id
              LEFT JOIN city_trace_logistic_unit u ON u.id = l.unit_id
             WHERE ev.event_time >= %(utc_start)s AND ev.event_time < %(utc_end)s
               AND ev.event_time + ev.event_tz::interval >= %(start)s
               AND ev.event_time + ev.event_tz::interval < %(end)s
               AND %(partner_filter)s
             ORDER BY ev.event_time, ev.id, l.id, ll.lot_id
            """,
            lot_filter=SQL(" AND ").join(conditions),
            utc_start=start - TZ_MARGIN,
            utc_end=end + TZ_MARGIN,
            start=start,
            end=end,
            partner_filter=partner_filter,
        )

    def _check_export_access(self):
        """The query reads events, lots and enterprises in SQL: only for users who may read them all."""
        for model in ("city.trace.event", "city.trace.event.line", "city.trace.lot", "res.partner"):
            self.env[model].check_access("read")
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("city_trace.group_city_trace_user")
            or user.has_group("city_base.group_city_base_supervisor")
        ):
            raise AccessError(self.env._("Only traceability officers and supervisors can export trace records."))

    def _rows(self):
        """The rows of the export, labels translated, in event time order."""
        self._check_export_access()
        for model in ("city.trace.event", "city.trace.event.line", "city.trace.lot", "city.trace.serial"):
            self.env[model].flush_model()
        self.env.cr.execute(self._query())
        fetched = self.env.cr.fetchall()  # before the label lookups below, which run queries of their own
        env = self.env
        event_fields = env["city.trace.event"]._fields
        types = dict(event_fields["event_type"]._description_selection(env))
        steps = dict(event_fields["biz_step"]._description_selection(env))
        dispositions = dict(event_fields["disposition"]._description_selection(env))
        documents = dict(event_fields["biz_transaction_type"]._description_selection(env))
        units = dict(env["city.trace.product"]._fields["uom"]._description_selection(env))
        roles = dict(env["city.trace.event.line"]._fields["role"]._description_selection(env))
        yes = env._("Yes")
        rows = []
        for row in fetched:
            row = list(row)
            row[2] = types.get(row[2], row[2])
            row[3] = steps.get(row[3], row[3] or "")
            row[4] = dispositions.get(row[4], row[4] or "")
            row[13] = documents.get(row[13], row[13] or "")
            row[15] = roles.get(row[15], row[15])
            row[22] = units.get(row[22], row[22])
            row[23] = yes if row[23] else ""
            rows.append(row)
        return rows

    # ------------------------------------------------------------------
    # Workbook
    # ------------------------------------------------------------------
    def _workbook(self, rows):
        env = self.env
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "export.xlsx")
            # constant_memory streams rows to disk: 100,000 rows stay cheap in memory; values are data,
            # never formulas or links (faster, and a document number starting with "=" stays text)
            workbook = xlsxwriter.Workbook(
                path,
                {
                    "constant_memory": True,
                    "tmpdir": tmp,
                    "default_date_format": "yyyy-mm-dd hh:mm:ss",
                    "strings_to_formulas": False,
                    "strings_to_urls": False,
                },
            )
            head = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
            quantity = workbook.add_format({"num_format": "#,##0.###"})
            sheet = workbook.add_worksheet(env._("Trace Records"))
            for column, (label, width) in enumerate(COLUMNS):
                sheet.set_column(column, column, width, quantity if column == QUANTITY_COLUMN else None)
                sheet.write(0, column, label._translate(env.lang), head)
            for index, row in enumerate(rows, start=1):
                sheet.write_row(index, 0, row)
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)

            about = workbook.add_worksheet(env._("Query"))
            about.set_column(0, 0, 24)
            about.set_column(1, 1, 60)
            lines = [
                (env._("Trace records of"), self._subject()),
                (env._("Period (event local dates)"), f"{self.date_from} – {self.date_to}"),
                (env._("Enterprise"), self.partner_id.display_name or env._("All enterprises")),
                (env._("Rows"), len(rows)),
                (env._("Exported by"), env.user.name),
                (env._("Exported at (UTC)"), fields.Datetime.to_string(fields.Datetime.now())),
            ]
            for index, (label, value) in enumerate(lines):
                about.write(index, 0, label, head)
                about.write(index, 1, value)
            workbook.close()
            with open(path, "rb") as handle:
                return handle.read()

    def _subject(self):
        parts = []
        if self.product_id:
            parts.append(self.product_id.display_name)
        if self.lot_ids:
            parts.append(", ".join(self.lot_ids.mapped("display_name")))
        return " / ".join(parts)

    def _filename(self):
        key = self.product_id.gtin or "lots"
        if len(self.lot_ids) == 1:
            key = f"{self.lot_ids.product_id.gtin}_{self.lot_ids.name}"
        return f"trace_records_{key}_{self.date_from}_{self.date_to}.xlsx"

    def action_export(self):
        """Build the spreadsheet, keep it as an attachment of the wizard and download it."""
        self.ensure_one()
        rows = self._rows()
        data = self._workbook(rows)
        self.row_count = len(rows)
        attachment = self.env["ir.attachment"].create(
            {
                "name": self._filename(),
                "raw": data,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
