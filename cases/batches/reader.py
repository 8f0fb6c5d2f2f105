"""Open a batch file as a stream of rows: sniff the kind, detect encoding and delimiter, match the header.

The contract is BATCH_FORMAT.md. Nothing here holds the whole file: rows are yielded one at a time.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.identifiers import to_halfwidth

# Limits on one upload; a project sets BATCH_MAX_BYTES / BATCH_MAX_ROWS in its settings to change them.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_ROWS = 1_000_000
SNIFF_BYTES = 64 * 1024
# The first bytes of common files that are not spreadsheets: PDF, PNG, JPEG, GIF, gzip, RAR, 7-Zip.
NOT_SPREADSHEET_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


def max_bytes() -> int:
    return int(getattr(settings, "BATCH_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "BATCH_MAX_ROWS", DEFAULT_MAX_ROWS))


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    rule: Promise
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column(
        "external_ref",
        "合同编号",
        True,
        _("The creditor's contract or account number; unique per creditor; at most 64 characters."),
        64,
    ),
    Column("debtor_name", "姓名", True, _("The debtor's name; at most 50 characters."), 50),
    Column(
        "id_number",
        "身份证号",
        True,
        _(
            "Resident ID number, 18 characters with a valid check character (15-digit numbers are "
            "converted). "
            "Format the column as text: a number cell loses digits and is rejected."
        ),
    ),
    Column(
        "phone",
        "手机号",
        True,
        _("Mainland mobile number, 11 digits starting with 13 to 19; +86, spaces and hyphens allowed."),
    ),
    Column("address", "地址", False, _("Service address for post; at most 300 characters."), 300),
    Column("email", "电子邮箱", False, _("E-mail address.")),
    Column(
        "product",
        "产品类型",
        False,
        _(
            "信用卡 / 消费贷款 / 小额贷款 / 其他 (or credit_card / consumer_loan / microloan / other); "
            "default 其他."
        ),
    ),
    Column(
        "principal",
        "本金",
        True,
        _(
            "Greater than 0, at most 2 decimal places, at most 10,000,000; ¥, 元 and thousands separators "
            "allowed."
        ),
    ),
    Column("interest", "利息", False, _("0 or more, same form as the principal; default 0.")),
    Column("fees", "费用", False, _("Penalties and late fees: 0 or more, same form; default 0.")),
    Column("annual_rate", "年利率", False, _("A percentage from 0 to 100: 18, 18% and 18.25% are accepted.")),
    Column(
        "overdue_since",
        "逾期起始日",
        True,
        _("A date not in the future: 2024-03-05, 2024/3/5, 2024.03.05, 2024年3月5日 or a date cell."),
    ),
    Column("contract_date", "合同签订日", False, _("A date in the same forms, not after the overdue date.")),
    Column(
        "e_service_consent",
        "同意电子送达",
        False,
        _("是/否 (yes/no, true/false, 1/0); default 否: notices then go by post."),
    ),
    Column("note", "备注", False, _("At most 500 characters."), 500),
    # Optional history of the claim, for the legality screen (Civil Code 195 interruption; assignment).
    Column(
        "last_demand_date",
        "最后催收日",
        False,
        _(
            "The last demand that reached the debtor (letter, SMS, e-mail): a date, not before the "
            "contract date."
        ),
    ),
    Column(
        "acknowledged_on",
        "债务确认日",
        False,
        _(
            "The day the debtor last acknowledged the debt or agreed to pay: a date, not before the "
            "contract date."
        ),
    ),
    Column(
        "last_payment_date",
        "最后还款日",
        False,
        _("The debtor's last part payment: a date, not before the contract date."),
    ),
    Column(
        "original_creditor",
        "原债权人",
        False,
        _("For an assigned debt: the original creditor's name; at most 120 characters."),
        120,
    ),
    Column(
        "assigned_on",
        "债权转让日",
        False,
        _("For an assigned debt: the day of the assignment, not before the contract date."),
    ),
    Column(
        "assignment_ref",
        "转让协议编号",
        False,
        _("For an assigned debt: the assignment agreement's number; at most 64 characters."),
        64,
    ),
)
# The optional history columns: parsed apart from the rest of a row (RowValidator.history).
HISTORY_KEYS = (
    "last_demand_date",
    "acknowledged_on",
    "last_payment_date",
    "original_creditor",
    "assigned_on",
    "assignment_ref",
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED_KEYS = tuple(c.key for c in COLUMNS if c.required)


def _header_key(text: str) -> str:
    # Why: people mark required headers with * or write them with full-width letters and stray spaces.
    return "".join(to_halfwidth(text).split()).strip("*").casefold()


# Other names creditors' systems give the optional history columns (the claim-history export of a core
# banking system rarely says 最后催收日 exactly); matched like the headers above.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "last_demand_date": ("最后催收日期", "最近催收日", "最近一次催收日期", "催收日期", "last_demand_on"),
    "acknowledged_on": ("债务确认日期", "承认债务日", "确认债务日期", "acknowledgement_date"),
    "last_payment_date": ("最后还款日期", "最近还款日", "最后一次还款日期", "last_payment_on"),
    "original_creditor": ("原始债权人", "转让方"),
    "assigned_on": ("债权转让日期", "转让日期", "assignment_date"),
    "assignment_ref": ("转让协议号", "债权转让协议编号"),
}
HEADER_LOOKUP = {
    **{_header_key(alias): key for key, aliases in HEADER_ALIASES.items() for alias in aliases},
    **{_header_key(c.header): c.key for c in COLUMNS},
    **{c.key: c.key for c in COLUMNS},
}


class FileRefused(Exception):
    """The file as a whole cannot be imported: ``template`` (a lazy msgid) and ``params`` say why."""

    def __init__(self, template: Any, **params: Any) -> None:
        self.template = template
        self.params = {k: str(v) for k, v in params.items()}
        super().__init__(str(self.message))

    @property
    def message(self) -> Any:
        return format_lazy(self.template, **self.params) if self.params else self.template


class PercentCell(float):
    """A spreadsheet number formatted as a percentage: 0.18 shown as 18%."""


@dataclass
class Sheet:
    kind: str  # "xlsx" or "csv"
    positions: dict[str, int]  # column key -> position in the row
    unknown_columns: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (spreadsheet row number, cells), blank rows left out
    header: list[Any] = field(default_factory=list)  # the header row's cells as the file has them
    encoding: str = ""
    delimiter: str = ""
    progress: Any = None  # () -> fraction of the file read so far, 0..1
    _closers: list[Any] = field(default_factory=list)

    def close(self) -> None:
        for closer in self._closers:
            closer()


# What the platform's own downloads put before text that a spreadsheet would run (export.neutralise):
# taken off again on upload, so that a downloaded file of rejected rows imports as it is once fixed.
NEUTRALISED = ("'=", "'+", "'-", "'@")


def unneutralised(cells: list[Any]) -> list[Any]:
    return [c[1:] if isinstance(c, str) and c.startswith(NEUTRALISED) else c for c in cells]


def check_size(size: int) -> None:
    if size > max_bytes():
        raise FileRefused(
            _("The file is {size}; the limit is {limit}. Split it into smaller files."),
            size=human_size(size),
            limit=human_size(max_bytes()),
        )


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"
    return f"{n / 1024:.1f}".removesuffix(".0") + " KB"


def open_sheet(path: str | Path) -> Sheet:
    """Open a batch file for streaming, or raise FileRefused saying why it cannot be read."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileRefused(_("The uploaded file can no longer be found; upload it again.")) from exc
    check_size(size)
    if size == 0:
        raise FileRefused(_("The file is empty."))
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path)
    if head.startswith(NOT_SPREADSHEET_MAGIC):
        raise _refuse_not_spreadsheet()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            _("This is an old Excel 97-2003 (.xls) file: save it as .xlsx or CSV and upload again.")
        )
    return _open_csv(path, head, size)


def _refuse_not_spreadsheet() -> FileRefused:
    return FileRefused(_("The file is not a spreadsheet: upload an .xlsx, .csv or .tsv file."))


# --- header ---


def match_header(cells: list[Any]) -> tuple[dict[str, int], list[str]]:
    """Column keys to positions; unknown headers are listed; a missing required column refuses the file."""
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for i, cell in enumerate(cells):
        text = "" if cell is None else str(cell).strip()
        if not text:
            continue
        key = HEADER_LOOKUP.get(_header_key(text))
        if key is None:
            unknown.append(text)
        elif key in positions:
            raise FileRefused(
                _("The column {column} appears twice in the header row; keep one."), column=_label(key)
            )
        else:
            positions[key] = i
    missing = [k for k in REQUIRED_KEYS if k not in positions]
    if missing:
        raise FileRefused(
            _(
                "The file lacks the required column(s) {columns}. The first row must be the header row; "
                "download the template to see it."
            ),
            columns=", ".join(_label(k) for k in missing),
        )
    return positions, unknown


def _label(key: str) -> str:
    return f"{COLUMN_BY_KEY[key].header} ({key})"


def _is_blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _check_row_limit(n: int) -> None:
    if n > max_rows():
        raise FileRefused(
            _("The file has more than {limit} data rows; split it into smaller files."),
            limit=f"{max_rows():,}",
        )


# --- CSV / TSV ---


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030; anything else is not a text spreadsheet."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head:
        raise _refuse_not_spreadsheet()
    for encoding in ("utf-8", "gb18030"):
        try:
            # Why: the sample may end inside a multi-byte character; an incremental decoder allows that.
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileRefused(
        _("The file's text is neither UTF-8 nor GB18030 (GBK): save it as CSV UTF-8 and upload again.")
    )


def detect_delimiter(first_line: str) -> str:
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def _open_csv(path: Path, head: bytes, size: int) -> Sheet:
    encoding = detect_encoding(head)
    text = head.decode(encoding, errors="ignore")
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    first_line = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    delimiter = detect_delimiter(first_line)
    raw = path.open("rb")
    stream = io.TextIOWrapper(raw, encoding=encoding, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header, header_row = _first_nonblank(reader)
        positions, unknown = match_header(header)
    except BaseException:
        stream.close()
        raise
    sheet = Sheet(
        kind="csv",
        positions=positions,
        unknown_columns=unknown,
        rows=iter(()),
        encoding=encoding,
        delimiter=delimiter,
        progress=lambda: raw.tell() / size if size else 1.0,
        header=list(header),
    )
    sheet.rows = _csv_rows(reader, encoding, header_row)
    sheet._closers.append(stream.close)
    return sheet


def _first_nonblank(reader: Any) -> tuple[list[Any], int]:
    try:
        for cells in reader:
            if not _is_blank(cells):
                return cells, reader.line_num
    except UnicodeDecodeError as exc:
        raise FileRefused(
            _("The file's text is neither UTF-8 nor GB18030 (GBK): save it as CSV UTF-8.")
        ) from exc
    except csv.Error as exc:
        raise _refuse_not_spreadsheet() from exc
    raise FileRefused(_("The file is empty."))


def _csv_rows(reader: Any, encoding: str, header_row: int) -> Iterator[tuple[int, list[Any]]]:
    row_no, data_rows, limit = header_row, 0, max_rows()
    try:
        for cells in reader:
            row_no += 1
            # A CSV row is all text: one joined string tells whether it is blank (every cell whitespace, as
            # _is_blank says) or may hold a neutralised cell.
            joined = "\t".join(cells)
            if not joined.strip():
                continue
            data_rows += 1
            if data_rows > limit:
                _check_row_limit(data_rows)
            yield row_no, (unneutralised(cells) if "'" in joined else cells)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            _("The text near row {row} is not valid {encoding}: save the whole file in one encoding."),
            row=row_no + 1,
            encoding=encoding.removesuffix("-sig").upper(),
        ) from exc
    except csv.Error as exc:
        raise FileRefused(_("Row {row} cannot be read: {detail}"), row=row_no + 1, detail=str(exc)) from exc


# --- XLSX ---


def _open_xlsx(path: Path) -> Sheet:
    import openpyxl

    try:
        with zipfile.ZipFile(path) as z:
            if "xl/workbook.xml" not in z.namelist():
                raise _refuse_not_spreadsheet()
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileRefused:
        raise
    except Exception as exc:  # a damaged or foreign zip: say so rather than fail
        raise FileRefused(
            _("The .xlsx file cannot be opened; it may be damaged. Save it again and upload.")
        ) from exc
    if not workbook.worksheets:
        workbook.close()
        raise FileRefused(_("The file is empty."))
    ws = workbook.worksheets[0]
    declared = ws.max_row if isinstance(ws.max_row, int) else 0
    if declared > max_rows() + 1:
        workbook.close()
        _check_row_limit(declared - 1)
    # Why: some generators write a wrong dimension; forget it so that every row is read.
    ws.reset_dimensions()
    rows = enumerate(ws.iter_rows(), start=1)
    try:
        header, header_row = _xlsx_first_nonblank(rows)
        positions, unknown = match_header(header)
    except BaseException:
        workbook.close()
        raise
    state = {"row": header_row}
    sheet = Sheet(
        kind="xlsx",
        positions=positions,
        unknown_columns=unknown,
        rows=iter(()),
        progress=lambda: min(1.0, state["row"] / declared) if declared else 0.0,
        header=list(header),
    )
    sheet.rows = _xlsx_rows(rows, positions.get("annual_rate"), state)
    sheet._closers.append(workbook.close)
    return sheet


def _xlsx_first_nonblank(rows: Iterator[tuple[int, Any]]) -> tuple[list[Any], int]:
    for row_no, cells in rows:
        values = [c.value for c in cells]
        if not _is_blank(values):
            return values, row_no
    raise FileRefused(_("The file is empty."))


def _xlsx_rows(
    rows: Iterator[tuple[int, Any]], rate_pos: int | None, state: dict[str, int]
) -> Iterator[tuple[int, list[Any]]]:
    data_rows = 0
    for row_no, cells in rows:
        state["row"] = row_no
        values = [c.value for c in cells]
        if _is_blank(values):
            continue
        data_rows += 1
        if data_rows > max_rows():
            _check_row_limit(data_rows)
        if rate_pos is not None and rate_pos < len(cells):
            value = values[rate_pos]
            if isinstance(value, int | float | Decimal) and "%" in (cells[rate_pos].number_format or ""):
                values[rate_pos] = PercentCell(value)
        yield row_no, unneutralised(values)
