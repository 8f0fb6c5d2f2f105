"""The batch template to download: Chinese headers, an example row, (.xlsx) a sheet explaining each column."""

import io

from django.utils.translation import gettext as _

from .export import csv_bytes
from .reader import COLUMNS

EXAMPLE = {
    "external_ref": "HT2025000123",
    "debtor_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13912345678",
    "address": "福建省泉州市鲤城区中山路1号",
    "email": "zhangsan@example.com",
    "product": "信用卡",
    "principal": "12000.00",
    "interest": "860.50",
    "fees": "120.00",
    "annual_rate": "18%",
    "overdue_since": "2025-03-05",
    "contract_date": "2023-01-15",
    "e_service_consent": "是",
    "note": "",
    "last_demand_date": "2025-09-10",
    "acknowledged_on": "",
    "last_payment_date": "2025-06-20",
    "original_creditor": "",
    "assigned_on": "",
    "assignment_ref": "",
}


def template_csv() -> bytes:
    return csv_bytes([c.header for c in COLUMNS], [[EXAMPLE[c.key] for c in COLUMNS]])


def template_xlsx() -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Cases")[:31]
    sheet.append([c.header for c in COLUMNS])
    sheet.append([EXAMPLE[c.key] for c in COLUMNS])
    for i, column in enumerate(COLUMNS, start=1):
        letter = openpyxl.utils.get_column_letter(i)
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 3)
        sheet.cell(row=1, column=i).font = Font(bold=column.required)
        # Why: a number cell loses an ID number's last digits; the whole column is text from the start.
        if column.key in ("external_ref", "id_number", "phone"):
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=i).number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(_("Columns")[:31])
    guide.append([_("Column"), _("English key"), _("Required"), _("Rule")])
    for column in COLUMNS:
        guide.append([column.header, column.key, _("yes") if column.required else _("no"), str(column.rule)])
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 20
    guide.column_dimensions["C"].width = 10
    guide.column_dimensions["D"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
