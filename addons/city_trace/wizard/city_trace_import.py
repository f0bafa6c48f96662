import base64
import csv
import datetime
import io
import os
import re
import tempfile

import openpyxl
import xlsxwriter
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from odoo.addons.city_base.tools import validators

from ..tools import epcis, epcis_json, gs1

_lt = LazyTranslate(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
CAPTURE_CHUNK = 1000
LOCAL_OFFSET = "+08:00"  # times without an offset are the city's local time
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_KEY = re.compile(r"\(\s*([a-z_]+)\s*\)\s*$")
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")
# (key, label, width, description): the columns of the import file, in template order.
COLUMNS = [
    ("event_ref", _lt("Event Reference"), 16, _lt("Required. Rows with the same reference form one event.")),
    ("event_type", _lt("Event Type"), 12, _lt("object (default), aggregation, transformation or transaction.")),
    ("action", _lt("Action"), 9, _lt("ADD, OBSERVE or DELETE; default ADD for commissioning, else OBSERVE.")),
    ("biz_step", _lt("Business Step"), 14, _lt("CBV business step, e.g. commissioning, shipping, receiving.")),
    ("disposition", _lt("Disposition"), 14, _lt("CBV disposition, e.g. active, in_transit.")),
    ("event_time", _lt("Event Time"), 18, _lt("Required. Local time (UTC+8), e.g. 2026-11-20 09:30.")),
    (
        "enterprise_uscc",
        _lt("Enterprise USCC"),
        21,
        _lt("The recording enterprise; empty: the enterprise chosen in the import form (or your own)."),
    ),
    ("location_gln", _lt("Location GLN"), 15, _lt("GLN of a registered location, optional.")),
    ("source_uscc", _lt("Source USCC"), 21, _lt("The enterprise the goods came from (receiving).")),
    ("destination_uscc", _lt("Destination USCC"), 21, _lt("The enterprise the goods go to (shipping).")),
    ("doc_type", _lt("Document Type"), 12, _lt("po, desadv, recadv, inv, prodorder or testprd.")),
    ("doc_number", _lt("Document Number"), 16, _lt("Business document number, e.g. a despatch advice.")),
    ("role", _lt("Object Role"), 10, _lt("epc (default), input, output, parent or child.")),
    ("gtin", _lt("GTIN"), 16, _lt("GTIN-8/12/13/14 with its check digit (format the column as text).")),
    ("batch", _lt("Batch"), 14, _lt("Batch number: with the GTIN, a lot and its quantity.")),
    ("serial", _lt("Serial Number"), 14, _lt("Serial number: with the GTIN, one serial item.")),
    ("sscc", _lt("SSCC"), 20, _lt("18-digit SSCC of a logistic unit, instead of GTIN (format as text).")),
    ("quantity", _lt("Quantity"), 10, _lt("Quantity of the batch, in the product's unit.")),
]
COLUMN_KEYS = [key for key, _label, _width, _help in COLUMNS]
EVENT_COLUMNS = COLUMN_KEYS[:12]
CODE_COLUMNS = {"gtin", "sscc", "location_gln", "enterprise_uscc", "source_uscc", "destination_uscc", "batch", "serial"}
# Where a capture problem of a draft is reported: its logical field -> the column.
FIELD_COLUMNS = {
    "gtin": "gtin",
    "lot": "batch",
    "serial": "serial",
    "sscc": "sscc",
    "quantity": "quantity",
    "uom": "quantity",
    "party": "enterprise_uscc",
    "location": "location_gln",
    "source": "source_uscc",
    "destination": "destination_uscc",
    "objects": "role",
    "parentID": "role",
    "childEPCs": "role",
    "epcList": "gtin",
    "bizTransactionList": "doc_number",
}


class RowError(Exception):
    def __init__(self, column, message):
        super().__init__(message)
        self.column = column
        self.message = message


class CityTraceImport(models.TransientModel):
    """Import trace events from a CSV or XLSX file: one row per object of an event, rows with the
    same event reference form one event. Every row is checked first; when any row fails, nothing is
    imported and a per-row error report (row, column, message) can be downloaded; otherwise the
    events are captured with the ``import`` channel (an event captured before is a duplicate).

    The parsing and checks are model methods (:meth:`_read_file`, :meth:`_import_rows`,
    :meth:`_import_file`) so that the enterprise portal reuses them for its own uploads.
    """

    _name = "city.trace.import"
    _description = "Trace Event Import"

    file = fields.Binary(attachment=False, help="CSV (UTF-8 or GBK) or XLSX, at most 10 MB and 50,000 rows.")
    filename = fields.Char()
    partner_id = fields.Many2one(
        "res.partner",
        string="Enterprise",
        domain=[("trace_enterprise", "=", True)],
        help="Records the events of rows without an enterprise USCC.",
    )
    state = fields.Selection(
        [("draft", "Upload"), ("error", "Errors"), ("done", "Imported")], default="draft", required=True
    )
    row_count = fields.Integer(string="Rows", readonly=True)
    created_count = fields.Integer(string="Events Created", readonly=True)
    duplicate_count = fields.Integer(string="Duplicates", readonly=True)
    error_count = fields.Integer(string="Errors", readonly=True)
    error_html = fields.Html(string="Error List", readonly=True, sanitize=False)
    report_id = fields.Many2one("ir.attachment", string="Error Report", readonly=True)
    event_ids = fields.Many2many("city.trace.event", string="Events", readonly=True)

    # ------------------------------------------------------------------
    # Reading files
    # ------------------------------------------------------------------
    @api.model
    def _read_file(self, data, filename=""):
        """The rows of an uploaded file as ``[{"row": n, <column key>: value}]`` (``n`` = the
        spreadsheet row number) and the header problems as errors ``{"row", "column", "message"}``.

        Raises UserError for a file that cannot be read at all (too large, not CSV or XLSX, too many rows).
        """
        if not data:
            raise UserError(self.env._("Choose the file to import."))
        if len(data) > MAX_BYTES:
            raise UserError(
                self.env._("The file is larger than %(size)s MB: split it.", size=MAX_BYTES // (1024 * 1024))
            )
        if data[:4] == b"PK\x03\x04":
            table = self._read_xlsx(data)
        elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or (filename or "").lower().endswith(".xls"):
            raise UserError(self.env._("Excel 97-2003 (.xls) files are not supported: save the file as .xlsx or CSV."))
        else:
            table = self._read_csv(data)
        header_row = next(((number, cells) for number, cells in table if any(_text(cell) for cell in cells)), None)
        if header_row is None:
            raise UserError(self.env._("The file is empty."))
        number, header = header_row
        columns, errors = self._header(header, number)
        rows = []
        for row_number, cells in table:
            if row_number <= number or not any(_text(cell) for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise UserError(self.env._("The file has more than %(max)s rows: split it.", max=MAX_ROWS))
            row = {"row": row_number}
            for position, key in columns.items():
                row[key] = cells[position] if position < len(cells) else None
            rows.append(row)
        if not rows and not errors:
            raise UserError(self.env._("The file has a header but no rows."))
        return rows, errors

    @api.model
    def _read_csv(self, data):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")  # a superset of GBK, what Excel writes on a Chinese system
            except UnicodeDecodeError as error:
                raise UserError(self.env._("The file is neither UTF-8 nor GBK text.")) from error
        sample = text[:4096]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect)
        table = []
        try:
            for number, cells in enumerate(reader, start=1):
                if number > MAX_ROWS + 1 + 1000:
                    raise UserError(self.env._("The file has more than %(max)s rows: split it.", max=MAX_ROWS))
                table.append((number, cells))
        except csv.Error as error:
            raise UserError(self.env._("The CSV file cannot be read: %(error)s", error=str(error))) from error
        return table

    @api.model
    def _read_xlsx(self, data):
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds of errors on a damaged file
            raise UserError(self.env._("The XLSX file cannot be read: it is damaged or not a workbook.")) from error
        try:
            sheet = workbook.worksheets[0]
            table = []
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS + 1 + 1000:
                    raise UserError(self.env._("The file has more than %(max)s rows: split it.", max=MAX_ROWS))
                table.append((number, list(cells)))
        finally:
            workbook.close()
        return table

    @api.model
    def _header_names(self):
        """``{normalised header text: column key}``: the key, the English label and the label in the
        user's language and in Chinese, so that any template version is understood."""
        names = {}
        langs = {"en_US", self.env.lang or "en_US", "zh_CN"}
        for key, label, _width, _help in COLUMNS:
            names[_norm(key)] = key
            for lang in langs:
                names[_norm(label._translate(lang))] = key
        return names

    @api.model
    def _header(self, cells, number):
        names = self._header_names()
        columns, errors = {}, []
        for position, cell in enumerate(cells):
            text = _text(cell)
            if not text:
                continue
            match = HEADER_KEY.search(text)
            key = match.group(1) if match and match.group(1) in COLUMN_KEYS else names.get(_norm(text))
            if not key:
                errors.append(_error(number, text, self.env._("Unknown column %(column)s.", column=text)))
            elif key in columns.values():
                errors.append(_error(number, text, self.env._("The column %(column)s appears twice.", column=text)))
            else:
                columns[position] = key
        for key in ("event_ref", "event_time"):
            if key not in columns.values():
                errors.append(_error(number, key, self.env._("The column %(column)s is missing.", column=key)))
        if not {"gtin", "sscc"} & set(columns.values()):
            errors.append(_error(number, "gtin", self.env._("The file needs a GTIN or an SSCC column.")))
        return columns, errors

    # ------------------------------------------------------------------
    # Rows -> drafts -> events
    # ------------------------------------------------------------------
    @api.model
    def _choices(self):
        """``{column: {normalised code or label: code}}`` of the columns with a fixed list of values."""
        Event = self.env["city.trace.event"]
        selections = {
            "event_type": ("city.trace.event", "event_type"),
            "action": ("city.trace.event", "action"),
            "biz_step": ("city.trace.event", "biz_step"),
            "disposition": ("city.trace.event", "disposition"),
            "doc_type": ("city.trace.event", "biz_transaction_type"),
            "role": ("city.trace.event.line", "role"),
        }
        langs = {"en_US", self.env.lang or "en_US", "zh_CN"}
        choices = {}
        for column, (model, field_name) in selections.items():
            field = self.env[model]._fields[field_name]
            values = {}
            for lang in langs:
                for code, label in field._description_selection(Event.with_context(lang=lang).env):
                    values[_norm(code)] = code
                    values[_norm(label)] = code
            choices[column] = values
        for name, code in epcis.EPCIS_EVENT_TYPES.items():
            choices["event_type"][_norm(name)] = code
        return choices

    @api.model
    def _cell_choice(self, row, column, choices):
        text = _text(row.get(column))
        if not text:
            return None
        value = epcis.cbv_code(text) if column in ("biz_step", "disposition", "doc_type") else text
        code = choices[column].get(_norm(value))
        if not code:
            raise RowError(column, self.env._("%(value)s is not one of the allowed values.", value=text))
        return code

    @api.model
    def _cell_time(self, row, now):
        value = row.get("event_time")
        if isinstance(value, datetime.datetime):
            moment, offset = value, LOCAL_OFFSET
        else:
            text = _text(value)
            if not text:
                raise RowError("event_time", self.env._("Enter when the event happened."))
            moment = _parse_local_time(text)
            if moment is None:
                raise RowError(
                    "event_time",
                    self.env._("%(value)s is not a date and time like 2026-11-20 09:30.", value=text),
                )
            offset = epcis_json.format_offset(moment.utcoffset()) if moment.tzinfo else LOCAL_OFFSET
        if moment.tzinfo is None:
            moment = moment - epcis_json.offset_delta(offset)
        else:
            moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        try:
            epcis_json.check_not_future(moment, "event_time", now, _text(value))
        except epcis_json.DraftError as error:
            raise RowError("event_time", error.message(self.env)) from error
        return moment, offset

    @api.model
    def _cell_party(self, row, column):
        text = _code(row.get(column))
        if not text:
            return None
        if validators.uscc_error(text):
            raise RowError(column, self.env._("%(value)s is not a valid unified social credit code.", value=text))
        return ("uscc", validators.normalize_uscc(text))

    @api.model
    def _row_event(self, row, choices, now, enterprise):
        """The event-level values of one row (the first row of an event sets them)."""
        values = {column: self._cell_choice(row, column, choices) for column in ("event_type", "biz_step")}
        values["event_type"] = values["event_type"] or "object"
        values["action"] = self._cell_choice(row, "action", choices)
        if values["event_type"] == "transformation":
            if values["action"]:
                raise RowError("action", self.env._("A transformation event has no action."))
        elif not values["action"]:
            values["action"] = "ADD" if values["biz_step"] == "commissioning" else "OBSERVE"
        values["disposition"] = self._cell_choice(row, "disposition", choices)
        values["event_time"], values["event_tz"] = self._cell_time(row, now)
        values["party"] = self._cell_party(row, "enterprise_uscc") or (("id", enterprise.id) if enterprise else None)
        if not values["party"]:
            raise RowError("enterprise_uscc", self.env._("Enter the USCC of the enterprise that records the event."))
        gln = _code(row.get("location_gln"))
        if gln and not gs1.is_valid_gln(gln):
            raise RowError("location_gln", self.env._("%(value)s is not a valid GLN.", value=gln))
        values["location"] = gln or None
        values["source"] = [party for party in [self._cell_party(row, "source_uscc")] if party]
        values["destination"] = [party for party in [self._cell_party(row, "destination_uscc")] if party]
        values["biz_transaction_type"] = self._cell_choice(row, "doc_type", choices)
        number = _text(row.get("doc_number"))
        if number and len(number) > epcis_json.MAX_TEXT:
            raise RowError("doc_number", self.env._("The document number is too long."))
        values["biz_transaction_ref"] = number or None
        return values

    @api.model
    def _row_object(self, row, choices, event_type):
        role = self._cell_choice(row, "role", choices)
        if not role:
            if event_type in ("aggregation", "transformation"):
                raise RowError("role", self.env._("Say the role of the object: input, output, parent or child."))
            role = "epc"
        gtin, batch, serial, sscc = (_code(row.get(key)) for key in ("gtin", "batch", "serial", "sscc"))
        obj = {"role": role, "gtin": None, "lot": None, "serial": None, "sscc": None, "uom": None, "ref": row["row"]}
        obj["quantity"] = self._cell_quantity(row)
        if sscc:
            if gtin or batch or serial:
                raise RowError("sscc", self.env._("A row names either an SSCC or a GTIN with its batch or serial."))
            if not gs1.is_valid_sscc(sscc):
                raise RowError("sscc", self.env._("%(value)s is not a valid SSCC.", value=sscc))
            obj["sscc"] = sscc
            return obj
        if not gtin:
            raise RowError("gtin", self.env._("Enter the GTIN and batch, the GTIN and serial number, or an SSCC."))
        if not gs1.is_valid_gtin(gtin):
            raise RowError("gtin", self.env._("%(value)s is not a valid GTIN (length or check digit).", value=gtin))
        obj["gtin"] = gs1.gtin14(gtin)
        for column, key, value in (("batch", "lot", batch), ("serial", "serial", serial)):
            if value and not gs1.is_valid_ai_text(value):
                raise RowError(column, self.env._("%(value)s: 1 to 20 letters, digits or GS1 symbols.", value=value))
            obj[key] = value or None
        if not batch and not serial:
            raise RowError("batch", self.env._("Enter the batch number (or a serial number)."))
        return obj

    @api.model
    def _cell_quantity(self, row):
        value = row.get("quantity")
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            value = None
        elif not isinstance(value, (int, float)):
            try:
                value = float(_text(value).replace(",", ""))
            except ValueError:
                value = None
        if value is None or not 0 < value < 1e12:
            raise RowError("quantity", self.env._("The quantity must be a positive number."))
        return float(value)

    @api.model
    def _rows_to_drafts(self, rows, enterprise):
        """Group the rows into drafts; return ``(drafts, first row of each draft, errors)``."""
        choices = self._choices()
        now = datetime.datetime.utcnow()
        drafts, firsts, failed, errors = {}, {}, set(), []
        for row in rows:
            ref = _text(row.get("event_ref"))
            if not ref or len(ref) > epcis_json.MAX_TEXT:
                message = self.env._("The event reference is too long.") if ref else None
                errors.append(_error(row["row"], "event_ref", message or self.env._("Enter the event reference.")))
                continue
            try:
                if ref not in firsts:
                    firsts[ref] = row
                    draft = epcis_json.new_draft(len(drafts), ref=row["row"])
                    draft.update(self._row_event(row, choices, now, enterprise), client_event_id=ref)
                    drafts[ref] = draft
                else:
                    self._check_same_event(row, firsts[ref])
            except RowError as error:
                errors.append(_error(row["row"], error.column, error.message))
                failed.add(ref)
            event_type = drafts[ref]["event_type"] if ref in drafts else "object"
            try:
                obj = self._row_object(row, choices, event_type)
            except RowError as error:
                errors.append(_error(row["row"], error.column, error.message))
                failed.add(ref)
                continue
            if ref in drafts:
                drafts[ref]["objects"].append(obj)
        # an event with a faulty row is not checked further: its other problems would only repeat it
        return [draft for ref, draft in drafts.items() if ref not in failed], errors

    def _check_same_event(self, row, first):
        for column in EVENT_COLUMNS:
            value, expected = _text(row.get(column)), _text(first.get(column))
            if value and value != expected:
                raise RowError(
                    column,
                    self.env._(
                        "%(value)s differs from row %(row)s of the same event (%(expected)s).",
                        value=value,
                        row=first["row"],
                        expected=expected or "-",
                    ),
                )

    @api.model
    def _draft_error(self, error, drafts_by_index):
        draft = drafts_by_index[error.index]
        row = error.obj["ref"] if error.obj is not None else draft["ref"]
        column = FIELD_COLUMNS.get(error.field, "event_ref")
        return _error(row, column, error.message(self.env))

    @api.model
    def _import_rows(self, rows, enterprise=None):
        """Check ``rows`` (from :meth:`_read_file`) and turn them into ``_capture`` values.

        ``enterprise`` records the events of rows without an enterprise USCC (an enterprise portal
        user's own enterprise by default; a user who is no traceability officer records for it only).
        Returns ``(vals_list, errors)``: every problem as ``{"row", "column", "message"}`` and no
        values when there is any; otherwise the values of every event, after creating the lots the
        rows commission (see ``tools/epcis_json.py``), so call it in a transaction that is rolled
        back when the capture fails.
        """
        officer = self.env.su or self.env.user.has_group("city_trace.group_city_trace_user")
        if not enterprise and not officer:
            enterprise = self.env.user.commercial_partner_id
        drafts, errors = self._rows_to_drafts(rows, enterprise)
        checked = []
        drafts_by_index = {draft["index"]: draft for draft in drafts}
        for draft in drafts:
            try:
                epcis_json.check_shape(draft)
                checked.append(draft)
            except epcis_json.DraftError as error:
                error.index = draft["index"]
                errors.append(self._draft_error(error, drafts_by_index))
        capture = epcis_json.DraftCapture(self.env, channel="import")
        if errors:
            # every problem in one report: resolve the events that passed the row checks too
            errors += [self._draft_error(error, drafts_by_index) for error in capture.check(checked)]
            return [], _sorted(errors)
        try:
            vals_by_draft = capture.prepare(drafts)
        except epcis_json.CaptureError as error:
            errors = [self._draft_error(draft_error, drafts_by_index) for draft_error in error.errors]
            return [], _sorted(errors)
        return [vals_by_draft[draft["index"]] for draft in drafts], []

    @api.model
    def _import_file(self, data, filename="", enterprise=None):
        """Read, check and capture a file, all or nothing: ``{"rows", "errors", "results"}``
        (``results`` as ``_capture`` returns them, empty when there are errors)."""
        rows, errors = self._read_file(data, filename)
        results = []
        if not errors:
            try:
                with self.env.cr.savepoint():
                    vals_list, errors = self._import_rows(rows, enterprise)
                    Event = self.env["city.trace.event"]
                    for start in range(0, len(vals_list), CAPTURE_CHUNK):
                        results += Event._capture(vals_list[start : start + CAPTURE_CHUNK], channel="import")
            except (ValidationError, AccessError, UserError) as error:
                # a rule of the event store no row check foresaw: the whole file is refused
                errors, results = [_error(None, None, error.args[0])], []
        return {"rows": len(rows), "errors": errors, "results": results}

    # ------------------------------------------------------------------
    # Spreadsheets
    # ------------------------------------------------------------------
    @api.model
    def _xlsx(self, build):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "book.xlsx")
            workbook = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False})
            build(workbook)
            workbook.close()
            with open(path, "rb") as handle:
                return handle.read()

    @api.model
    def _template_xlsx(self):
        """The import template: the header and one example row (a shipment), and the column guide."""
        env = self.env
        lang = env.lang or "en_US"
        event_fields = env["city.trace.event"]._fields
        labels = {
            name: dict(event_fields[name]._description_selection(env))
            for name in ("event_type", "biz_step", "disposition", "biz_transaction_type")
        }
        roles = dict(env["city.trace.event.line"]._fields["role"]._description_selection(env))
        example = {
            "event_ref": "FH-20261120-01",
            "event_type": labels["event_type"]["object"],
            "action": "OBSERVE",
            "biz_step": labels["biz_step"]["shipping"],
            "disposition": labels["disposition"]["in_transit"],
            "event_time": "2026-11-20 09:30",
            "enterprise_uscc": "91220204MA0000001" + validators.uscc_check_char("91220204MA0000001"),
            "location_gln": "690123401002" + gs1.check_digit("690123401002"),
            "source_uscc": "",
            "destination_uscc": "91220204MA0000002" + validators.uscc_check_char("91220204MA0000002"),
            "doc_type": labels["biz_transaction_type"]["desadv"],
            "doc_number": "FH-2026-001",
            "role": roles["epc"],
            "gtin": "06901234567892",
            "batch": "20261120A",
            "serial": "",
            "sscc": "",
            "quantity": 100,
        }

        def build(workbook):
            head = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
            text = workbook.add_format({"num_format": "@"})
            sheet = workbook.add_worksheet(env._("Events"))
            for column, (key, label, width, _help) in enumerate(COLUMNS):
                sheet.set_column(column, column, width, text if key in CODE_COLUMNS else None)
                sheet.write_string(0, column, f"{label._translate(lang)} ({key})", head)
                value = example[key]
                if isinstance(value, str):
                    sheet.write_string(1, column, value, text if key in CODE_COLUMNS else None)
                else:
                    sheet.write_number(1, column, value)
            sheet.freeze_panes(1, 0)
            guide = workbook.add_worksheet(env._("Columns"))
            guide.set_column(0, 0, 28)
            guide.set_column(1, 1, 90)
            guide.write_string(0, 0, env._("Column"), head)
            guide.write_string(0, 1, env._("Content"), head)
            for row, (key, label, _width, help_text) in enumerate(COLUMNS, start=1):
                guide.write_string(row, 0, f"{label._translate(lang)} ({key})")
                guide.write_string(row, 1, help_text._translate(lang))

        return self._xlsx(build)

    @api.model
    def _report_xlsx(self, errors):
        """The error report: one line per problem (row, column, message)."""
        env = self.env
        labels = {key: f"{label._translate(env.lang or 'en_US')} ({key})" for key, label, _w, _h in COLUMNS}

        def build(workbook):
            head = workbook.add_format({"bold": True, "bg_color": "#F8CBAD", "border": 1})
            sheet = workbook.add_worksheet(env._("Errors"))
            sheet.set_column(0, 0, 8)
            sheet.set_column(1, 1, 26)
            sheet.set_column(2, 2, 100)
            for column, title in enumerate((env._("Row"), env._("Column"), env._("Problem"))):
                sheet.write_string(0, column, title, head)
            for index, error in enumerate(errors, start=1):
                if error["row"]:
                    sheet.write_number(index, 0, error["row"])
                sheet.write_string(index, 1, labels.get(error["column"], error["column"] or ""))
                sheet.write_string(index, 2, error["message"])
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(errors), 1), 2)

        return self._xlsx(build)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _download(self, name, data):
        attachment = self.env["ir.attachment"].create(
            {"name": name, "raw": data, "res_model": self._name, "res_id": self.id, "mimetype": XLSX_MIME}
        )
        return attachment, {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import Events"),
        }

    def action_download_template(self):
        self.ensure_one()
        return self._download("trace_events_template.xlsx", self._template_xlsx())[1]

    def action_download_report(self):
        self.ensure_one()
        if not self.report_id:
            raise UserError(self.env._("There is no error report."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.report_id.id}?download=true",
            "target": "self",
        }

    def action_import(self):
        self.ensure_one()
        outcome = self._import_file(self.file and base64.b64decode(self.file), self.filename, self.partner_id or None)
        values = {"row_count": outcome["rows"], "error_count": len(outcome["errors"])}
        if outcome["errors"]:
            attachment, _action = self._download(
                f"{os.path.splitext(self.filename or 'import')[0]}_errors.xlsx", self._report_xlsx(outcome["errors"])
            )
            values.update(state="error", report_id=attachment.id, error_html=self._error_html(outcome["errors"]))
        else:
            results = outcome["results"]
            created = sum(1 for result in results if result["status"] == "created")
            values.update(
                state="done",
                created_count=created,
                duplicate_count=len(results) - created,
                event_ids=[fields.Command.set(list({result["event"].id for result in results}))],
            )
        self.write(values)
        return self._reopen()

    def action_reset(self):
        self.write({"state": "draft", "file": False, "filename": False, "error_html": False, "error_count": 0})
        return self._reopen()

    def action_view_events(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Imported Events"),
            "res_model": "city.trace.event",
            "view_mode": "list,form",
            "domain": [("id", "in", self.event_ids.ids)],
            "context": {"create": False},
        }

    def _error_html(self, errors, limit=100):
        labels = {key: label._translate(self.env.lang or "en_US") for key, label, _w, _h in COLUMNS}
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>")
            % (error["row"] or "-", labels.get(error["column"], error["column"] or "-"), error["message"])
            for error in errors[:limit]
        )
        more = Markup("")
        if len(errors) > limit:
            more = Markup("<p>%s</p>") % self.env._(
                "%(count)s more problems are in the error report.", count=len(errors) - limit
            )
        head = Markup("<tr><th>%s</th><th>%s</th><th>%s</th></tr>") % (
            self.env._("Row"),
            self.env._("Column"),
            self.env._("Problem"),
        )
        return Markup('<table class="table table-sm"><thead>%s</thead><tbody>%s</tbody></table>%s') % (head, rows, more)


def _text(value):
    """A cell as stripped text (numbers without a useless ``.0``, dates in ISO form)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def _code(value):
    """A code cell (GTIN, SSCC, GLN, USCC, batch): text without inner spaces."""
    return re.sub(r"\s+", "", _text(value))


def _norm(text):
    return re.sub(r"[\s_\-]+", "", str(text)).lower()


def _error(row, column, message):
    return {"row": row, "column": column, "message": message}


def _sorted(errors):
    return sorted(errors, key=lambda error: (error["row"] or 0, error["column"] or ""))


def _parse_local_time(text):
    """A date and time in ISO 8601 (with or without offset) or one of TIME_FORMATS; None otherwise."""
    for pattern in TIME_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern)
        except ValueError:
            continue
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
