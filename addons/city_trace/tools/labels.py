"""QR codes of GS1 Digital Link URIs and printable label sheets (PDF).

Pure Python, no Odoo import. QR codes use error correction level M and the four-module quiet
zone of ISO/IEC 18004; in the PDF they are drawn as vector squares, so they stay sharp at any
printer resolution. Text on a label is the product name (in reportlab's built-in CID font
``STSong-Light``, which shows Chinese without any font file) and the GS1 human-readable
interpretation of the keys: ``(01)`` GTIN, ``(10)`` batch, ``(21)`` serial, then the expiry date.

Two page layouts:

* ``roll``: the page is the label (thermal label printers, one label per page);
* ``a4``: labels tiled on A4 sheets with the given page margin and gap between labels.
"""

import functools
import io
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

QUIET_ZONE = 4  # modules of white around the symbol (ISO/IEC 18004)
# Label sizes offered by default, in millimetres (width, height).
PRESETS = {"40x30": (40.0, 30.0), "50x30": (50.0, 30.0), "70x50": (70.0, 50.0)}
MIN_WIDTH_MM = 25.0
MIN_HEIGHT_MM = 15.0
MAX_WIDTH_MM = 200.0
MAX_HEIGHT_MM = 280.0
MAX_LABELS = 2000
PADDING_MM = 1.5
TEXT_FONT = "STSong-Light"  # CJK font built into reportlab (Adobe-GB1), needs no font file
KEY_FONT = "Helvetica"
MAX_FONT_PT = 9.0
MIN_FONT_PT = 3.5
LINE_SPACING = 1.2
ELLIPSIS = "…"
SHEETS = ("roll", "a4")


class LabelError(ValueError):
    """A label request that cannot be printed; ``code`` is stable (``size``, ``count``, ``sheet``)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Label:
    """What one label shows; ``payload`` is the Digital Link URI encoded in the QR code."""

    payload: str
    product: str
    gtin: str
    batch: str
    serial: str = ""
    expiry: str = ""


def qr_code(payload):
    """A QR code of ``payload`` (error correction M, quiet zone of 4 modules), fitted to the smallest version."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=QUIET_ZONE)
    code.add_data(payload)
    code.make(fit=True)
    return code


def qr_png(payload, box_size=8):
    """The QR code of ``payload`` as PNG bytes, ``box_size`` pixels per module."""
    code = qr_code(payload)
    code.box_size = box_size
    output = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(output, format="PNG")
    return output.getvalue()


@functools.lru_cache(maxsize=256)
def _qr_matrix(payload):
    """The modules of the QR code of ``payload``, quiet zone included (copies of a label reuse it)."""
    return tuple(tuple(row) for row in qr_code(payload).get_matrix())


def check_size(width_mm, height_mm):
    """Raise :class:`LabelError` when a label of this size cannot hold a readable QR code and its text."""
    if not (MIN_WIDTH_MM <= width_mm <= MAX_WIDTH_MM and MIN_HEIGHT_MM <= height_mm <= MAX_HEIGHT_MM):
        raise LabelError(
            "size",
            f"a label must be {MIN_WIDTH_MM:g} to {MAX_WIDTH_MM:g} mm wide and "
            f"{MIN_HEIGHT_MM:g} to {MAX_HEIGHT_MM:g} mm high, not {width_mm:g} x {height_mm:g} mm",
        )


def sheet_grid(width_mm, height_mm, sheet="roll", margin_mm=10.0, gap_mm=2.0):
    """``(page_width_mm, page_height_mm, columns, rows)`` of the page layout for labels of this size."""
    check_size(width_mm, height_mm)
    if sheet == "roll":
        return width_mm, height_mm, 1, 1
    if sheet != "a4":
        raise LabelError("sheet", f"unknown sheet layout {sheet!r}")
    if margin_mm < 0 or gap_mm < 0:
        raise LabelError("size", "margins and gaps cannot be negative")
    page_w, page_h = A4[0] / mm, A4[1] / mm
    columns = int((page_w - 2 * margin_mm + gap_mm) // (width_mm + gap_mm))
    rows = int((page_h - 2 * margin_mm + gap_mm) // (height_mm + gap_mm))
    if columns < 1 or rows < 1:
        raise LabelError("size", f"a {width_mm:g} x {height_mm:g} mm label does not fit on A4 with these margins")
    return page_w, page_h, columns, rows


def _draw_qr(pdf, payload, x, y, size):
    """Draw the QR code of ``payload`` as a ``size`` x ``size`` square (points) at ``(x, y)``, quiet zone included.

    The dark modules are one path of rectangles (one per horizontal run), filled at once: no
    hairline seams between adjacent modules, whatever the renderer.
    """
    matrix = _qr_matrix(payload)
    module = size / len(matrix)
    path = pdf.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            path.rect(x + start * module, top, (column - start) * module, module)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.drawPath(path, stroke=0, fill=1)


def _fit(text, font, size, width, shrink=True):
    """``(text, size)``: the font size shrunk down to MIN_FONT_PT (unless ``shrink`` is false), then the
    text cut with an ellipsis, to fit ``width``."""
    while shrink and size > MIN_FONT_PT and pdfmetrics.stringWidth(text, font, size) > width:
        size = max(MIN_FONT_PT, size - 0.5)
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text, size
    while text and pdfmetrics.stringWidth(text + ELLIPSIS, font, size) > width:
        text = text[:-1]
    return text + ELLIPSIS, size


def _text_lines(label, expiry_caption):
    lines = [(label.product, TEXT_FONT), (f"(01){label.gtin}", KEY_FONT), (f"(10){label.batch}", KEY_FONT)]
    if label.serial:
        lines.append((f"(21){label.serial}", KEY_FONT))
    if label.expiry:
        lines.append((f"{expiry_caption} {label.expiry}".strip(), TEXT_FONT))
    return lines


def _draw_label(pdf, label, x, y, width, height, expiry_caption):
    """Draw one label in the box ``(x, y, width, height)`` (points): QR code and text side by side or stacked."""
    pad = PADDING_MM * mm
    lines = _text_lines(label, expiry_caption)
    if width >= 1.2 * height:  # landscape: QR on the left, text on the right
        qr_size = min(height - 2 * pad, (width - 3 * pad) * 0.55)
        _draw_qr(pdf, label.payload, x + pad, y + (height - qr_size) / 2, qr_size)
        text_x, text_w = x + 2 * pad + qr_size, width - 3 * pad - qr_size
        text_top, text_h = y + height - pad, height - 2 * pad
    else:  # portrait or square: QR on top, text below
        qr_size = min(width - 2 * pad, height * 0.6 - pad)
        _draw_qr(pdf, label.payload, x + (width - qr_size) / 2, y + height - pad - qr_size, qr_size)
        text_x, text_w = x + pad, width - 2 * pad
        text_top, text_h = y + height - 2 * pad - qr_size, height - 3 * pad - qr_size
    line_height = text_h / len(lines)
    # One size for every line: the largest at which the keys (GS1 text) fit the width; the product
    # name and the expiry date use it too and are cut with an ellipsis when they are longer.
    size = min(MAX_FONT_PT, line_height / LINE_SPACING)
    for text, font in lines[1:]:
        size = min(size, _fit(text, font, size, text_w)[1])
    baseline = text_top
    for text, font in lines:
        fitted, _size = _fit(text, font, size, text_w, shrink=False)
        baseline -= line_height
        pdf.setFont(font, size)
        pdf.drawString(text_x, baseline + (line_height - size) / 2, fitted)


def label_sheet_pdf(
    labels, width_mm, height_mm, sheet="roll", margin_mm=10.0, gap_mm=2.0, title="", expiry_caption="EXP"
):
    """The PDF (bytes) of ``labels`` (a list of :class:`Label`), laid out on ``sheet`` pages.

    Raises :class:`LabelError` for a size out of range, a label that does not fit on the sheet,
    no label or more than MAX_LABELS labels.
    """
    if not labels:
        raise LabelError("count", "there is no label to print")
    if len(labels) > MAX_LABELS:
        raise LabelError("count", f"at most {MAX_LABELS} labels per sheet file, not {len(labels)}")
    page_w, page_h, columns, rows = sheet_grid(width_mm, height_mm, sheet, margin_mm, gap_mm)
    pdfmetrics.registerFont(UnicodeCIDFont(TEXT_FONT))
    output = io.BytesIO()
    pdf = canvas.Canvas(output, pagesize=(page_w * mm, page_h * mm), pageCompression=1)
    pdf.setTitle(title)
    pdf.setCreator("city_trace")
    width, height = width_mm * mm, height_mm * mm
    if sheet == "roll":
        origin_x, origin_top = 0.0, page_h * mm
        gap = 0.0
    else:
        # centre the grid on the page
        used_w = columns * width_mm + (columns - 1) * gap_mm
        origin_x = (page_w - used_w) / 2 * mm
        origin_top = (page_h - margin_mm) * mm
        gap = gap_mm * mm
    per_page = columns * rows
    for index, label in enumerate(labels):
        if index and index % per_page == 0:
            pdf.showPage()
        slot = index % per_page
        column, row = slot % columns, slot // columns
        x = origin_x + column * (width + gap)
        y = origin_top - (row + 1) * height - row * gap
        _draw_label(pdf, label, x, y, width, height, expiry_caption)
    pdf.showPage()
    pdf.save()
    return output.getvalue()
