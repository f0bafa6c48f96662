from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import labels

SIZES = [
    ("40x30", "40 × 30 mm"),
    ("50x30", "50 × 30 mm"),
    ("70x50", "70 × 50 mm"),
    ("custom", "Custom Size"),
]
MAX_COPIES = 100


class CityTraceLabel(models.TransientModel):
    """Print QR code labels (GS1 Digital Link) of lots or serial items as a PDF label sheet."""

    _name = "city.trace.label"
    _description = "Print QR Labels"

    lot_ids = fields.Many2many("city.trace.lot", string="Lots")
    serial_ids = fields.Many2many("city.trace.serial", string="Serial Items")
    per = fields.Selection(
        [("lot", "One label per lot"), ("serial", "One label per serial item")],
        string="Labels",
        required=True,
        default="lot",
    )
    size = fields.Selection(SIZES, string="Label Size", required=True, default="50x30")
    width_mm = fields.Float(string="Width (mm)", default=50.0)
    height_mm = fields.Float(string="Height (mm)", default=30.0)
    sheet = fields.Selection(
        [("roll", "Label printer (one label per page)"), ("a4", "A4 sheets")],
        required=True,
        default="roll",
    )
    margin_mm = fields.Float(string="Page Margin (mm)", default=10.0)
    gap_mm = fields.Float(string="Gap Between Labels (mm)", default=2.0)
    copies = fields.Integer(required=True, default=1, help="Labels printed for each lot or serial item.")
    label_count = fields.Integer(string="Number of Labels", compute="_compute_label_count")
    per_page = fields.Integer(string="Labels per Page", compute="_compute_per_page")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        ids = context.get("active_ids") or []
        if context.get("active_model") == "city.trace.lot" and ids:
            values["lot_ids"] = [fields.Command.set(ids)]
            values.setdefault("per", "lot")
        elif context.get("active_model") == "city.trace.serial" and ids:
            values["serial_ids"] = [fields.Command.set(ids)]
            values["per"] = "serial"
        return values

    @api.onchange("size")
    def _onchange_size(self):
        if self.size in labels.PRESETS:
            self.width_mm, self.height_mm = labels.PRESETS[self.size]

    @api.depends("lot_ids", "serial_ids", "per", "copies")
    def _compute_label_count(self):
        for wizard in self:
            wizard.label_count = len(wizard._items()) * max(wizard.copies, 0)

    @api.depends("size", "width_mm", "height_mm", "sheet", "margin_mm", "gap_mm")
    def _compute_per_page(self):
        for wizard in self:
            width, height = wizard._dimensions()
            try:
                _page_w, _page_h, columns, rows = labels.sheet_grid(
                    width, height, wizard.sheet or "roll", wizard.margin_mm, wizard.gap_mm
                )
            except labels.LabelError:
                columns = rows = 0
            wizard.per_page = columns * rows

    @api.constrains("size", "width_mm", "height_mm", "sheet", "margin_mm", "gap_mm")
    def _check_size(self):
        for wizard in self:
            width, height = wizard._dimensions()
            try:
                labels.sheet_grid(width, height, wizard.sheet, wizard.margin_mm, wizard.gap_mm)
            except labels.LabelError as error:
                raise ValidationError(
                    self.env._(
                        "A %(width)s × %(height)s mm label cannot be printed this way: labels are %(min_w)s to "
                        "%(max_w)s mm wide, %(min_h)s to %(max_h)s mm high, and must fit on the sheet with its "
                        "margins.",
                        width=width,
                        height=height,
                        min_w=labels.MIN_WIDTH_MM,
                        max_w=labels.MAX_WIDTH_MM,
                        min_h=labels.MIN_HEIGHT_MM,
                        max_h=labels.MAX_HEIGHT_MM,
                    )
                ) from error

    @api.constrains("copies")
    def _check_copies(self):
        for wizard in self:
            if not 1 <= wizard.copies <= MAX_COPIES:
                raise ValidationError(self.env._("Print 1 to %(max)s copies of each label.", max=MAX_COPIES))

    def _dimensions(self):
        self.ensure_one()
        if self.size in labels.PRESETS:
            return labels.PRESETS[self.size]
        return self.width_mm, self.height_mm

    def _items(self):
        """The lots or serial items to label, in a stable order."""
        self.ensure_one()
        if self.per == "serial":
            return (self.serial_ids | self.lot_ids.serial_ids).sorted(lambda s: (s.lot_id.id, s.name))
        return (self.lot_ids | self.serial_ids.lot_id).sorted(lambda lot: (lot.product_id.name or "", lot.name))

    def _labels(self):
        """The :class:`labels.Label` list to print, ``copies`` of each, in item order."""
        self.ensure_one()
        items = self._items()
        if not items:
            if self.per == "serial":
                raise UserError(self.env._("The selected lots have no serial items to label."))
            raise UserError(self.env._("Select the lots or serial items to label."))
        result = []
        for item in items:
            lot = item if item._name == "city.trace.lot" else item.lot_id
            if not item.digital_link:
                raise UserError(
                    self.env._(
                        "%(item)s has no valid GS1 Digital Link (check the product's GTIN and the batch or "
                        "serial number).",
                        item=item.display_name,
                    )
                )
            label = labels.Label(
                payload=item.digital_link,
                product=lot.product_id.name or "",
                gtin=lot.product_id.gtin or "",
                batch=lot.name,
                serial=item.name if item._name == "city.trace.serial" else "",
                expiry=fields.Date.to_string(lot.expiry_date) if lot.expiry_date else "",
            )
            result += [label] * self.copies
        if len(result) > labels.MAX_LABELS:
            raise UserError(
                self.env._(
                    "%(count)s labels at once is too many: print at most %(max)s per file.",
                    count=len(result),
                    max=labels.MAX_LABELS,
                )
            )
        return result

    def _pdf(self):
        width, height = self._dimensions()
        return labels.label_sheet_pdf(
            self._labels(),
            width,
            height,
            sheet=self.sheet,
            margin_mm=self.margin_mm,
            gap_mm=self.gap_mm,
            title=self.env._("QR Labels"),
            expiry_caption=self.env._("EXP"),
        )

    def action_print(self):
        """Build the label sheet, keep it as an attachment of the wizard and download it."""
        self.ensure_one()
        for records in (self.lot_ids, self.serial_ids):
            records.check_access("read")
        data = self._pdf()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"qr_labels_{fields.Date.context_today(self)}.pdf",
                "raw": data,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/pdf",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
