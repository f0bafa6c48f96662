"""A one-sheet xlsx download for list exports (xlsxwriter)."""

import base64
import io

import xlsxwriter


def xlsx_bytes(title, headers, rows):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    money = workbook.add_format({"num_format": "#,##0.00"})
    for column, header in enumerate(headers):
        sheet.write(0, column, header, bold)
        sheet.set_column(column, column, max(12, min(40, len(header) * 2)))
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, float):
                sheet.write_number(row_index, column, value, money)
            else:
                sheet.write(row_index, column, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    workbook.close()
    return buffer.getvalue()


def xlsx_download(env, title, headers, rows, filename):
    """Store the workbook as a private attachment of the current user and return the download action."""
    attachment = env["ir.attachment"].create(
        {
            "name": filename,
            "datas": base64.b64encode(xlsx_bytes(title, headers, rows)),
            "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    )
    return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}
