"""Batch files made in the test, never committed: rows in BATCH_FORMAT.md's layout, as CSV, TSV or XLSX."""

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from tests.factories import valid_id_number, valid_phone

HEADERS = [
    "合同编号",
    "姓名",
    "身份证号",
    "手机号",
    "地址",
    "电子邮箱",
    "产品类型",
    "本金",
    "利息",
    "费用",
    "年利率",
    "逾期起始日",
    "合同签订日",
    "同意电子送达",
    "备注",
]
KEYS = [
    "external_ref",
    "debtor_name",
    "id_number",
    "phone",
    "address",
    "email",
    "product",
    "principal",
    "interest",
    "fees",
    "annual_rate",
    "overdue_since",
    "contract_date",
    "e_service_consent",
    "note",
]


def distinct_id_number(n: int) -> str:
    """A valid ID number for each n below 13 million: birth dates walk 40 years, 1000 sequences a day."""
    day, seq = divmod(n, 1000)
    year, rest = 1960 + day // 336 % 40, day % 336
    return valid_id_number(seq, birth=f"{year:04d}{rest // 28 + 1:02d}{rest % 28 + 1:02d}")


def good_row(n: int, **overrides: Any) -> dict[str, Any]:
    row = {
        "external_ref": f"HT{n:08d}",
        "debtor_name": "张三",
        "id_number": valid_id_number(n, region="350502"),
        "phone": valid_phone(n),
        "address": "福建省泉州市鲤城区1号",
        "email": f"d{n}@example.com",
        "product": "信用卡",
        "principal": "10,000.00",
        "interest": "500",
        "fees": "100",
        "annual_rate": "18%",
        "overdue_since": "2025-03-05",
        "contract_date": "2023/1/5",
        "e_service_consent": "是",
        "note": "",
    }
    row.update(overrides)
    return row


def as_lists(rows: Iterable[dict[str, Any]], keys: Sequence[str] = KEYS) -> list[list[Any]]:
    return [[row.get(k, "") for k in keys] for row in rows]


def write_csv(
    path: Path,
    rows: Iterable[dict[str, Any]],
    *,
    headers: Sequence[str] = HEADERS,
    keys: Sequence[str] = KEYS,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(as_lists(rows, keys))
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: Iterable[Sequence[Any]], *, headers: Sequence[str] = HEADERS) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path
