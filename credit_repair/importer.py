"""Payment files (CSV/TSV in UTF-8 or GB18030, or XLSX): header matched, every row checked, then recorded
set-based by credit_repair.services.ledger.payments_insert. Each row that is not a new payment is reported."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from cases.batches.reader import FileRefused, detect_delimiter, detect_encoding, human_size
from cases.models import FINAL_STAGES
from cases.selectors import cases_visible_to
from core.dates import DateParseError, parse_date
from core.identifiers import to_halfwidth
from core.money import AmountError, parse_yuan

from .models import Payment, PaymentImport, PaymentImportIssue
from .rules import MAX_PAYMENT

PAYMENT_REFERENCE_MAX = 64  # the Payment.reference column

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000

# Column key -> accepted headers (Chinese first, as in the template), compared without spaces or case.
COLUMNS: dict[str, tuple[str, ...]] = {
    "case_code": ("案件编号", "case code", "case_code"),
    "external_ref": ("合同编号", "contract number", "contract_number", "external_ref"),
    "paid_on": ("还款日期", "日期", "payment date", "paid_on", "date"),
    "amount": ("还款金额", "金额", "amount"),
    "reference": ("交易流水号", "流水号", "reference"),
}
REQUIRED = ("paid_on", "amount", "reference")
TEMPLATE_HEADER = [names[0] for names in COLUMNS.values()]


def _key(text: Any) -> str:
    return "".join(to_halfwidth(str(text or "")).split()).strip("*").casefold()


HEADERS = {_key(name): key for key, names in COLUMNS.items() for name in names}


@dataclass
class Issue:
    row: int
    column: str
    code: str
    message: str  # English msgid
    value: str = ""


def _cell_text(value: Any) -> str:
    """A cell as text; a spreadsheet number that is whole (a reference typed as a number) loses its '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(uploaded: UploadedFile) -> tuple[dict[str, int], Iterator[tuple[int, list[Any]]]]:
    """The header's columns and the data rows (row number, cells) of a payment file, or FileRefused."""
    size = uploaded.size or 0
    if size > MAX_BYTES:
        raise FileRefused(
            gettext_noop("The file is {size}; the limit is {limit}. Split it into smaller files."),
            size=human_size(size),
            limit=human_size(MAX_BYTES),
        )
    uploaded.seek(0)
    data = uploaded.read()
    if not data.strip():
        raise FileRefused(gettext_noop("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(gettext_noop("This is an old Excel (.xls) file: save it as .xlsx or CSV."))
    else:
        encoding = detect_encoding(data[: 64 * 1024])
        text = data.decode(encoding, errors="replace")
        first = text.lstrip("\r\n").splitlines()[0]
        rows = enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(first)), start=1
        )
    for _row_no, cells in rows:
        if any(_cell_text(c) for c in cells):
            return _header(cells), ((n, c) for n, c in rows if any(_cell_text(x) for x in c))
    raise FileRefused(gettext_noop("The file is empty."))


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign zip: say so rather than fail
        raise FileRefused(gettext_noop("The .xlsx file cannot be opened; save it again and upload.")) from exc
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    return ((n, list(values)) for n, values in enumerate(sheet.iter_rows(values_only=True), start=1))


def _header(cells: list[Any]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = HEADERS.get(_key(cell))
        if key and key not in positions:
            positions[key] = i
    missing = [k for k in REQUIRED if k not in positions]
    if missing or ("case_code" not in positions and "external_ref" not in positions):
        raise FileRefused(
            gettext_noop(
                "The first row must name the columns: 案件编号 (case code) or 合同编号 (contract number), "
                "还款日期 (date), 还款金额 (amount) and 交易流水号 (reference)."
            )
        )
    return positions


@dataclass
class Row:
    row: int
    case_code: str
    external_ref: str
    paid_on: date
    amount: Decimal
    reference: str

    @property
    def same_as(self) -> tuple[str, str, date, Decimal]:
        return (self.case_code, self.external_ref, self.paid_on, self.amount)


def _check_row(row_no: int, cells: list[Any], positions: dict[str, int], today: date) -> Row | list[Issue]:
    def get(key: str) -> Any:
        pos = positions.get(key)
        return cells[pos] if pos is not None and pos < len(cells) else None

    issues: list[Issue] = []
    code = _cell_text(get("case_code")).upper()
    external_ref = _cell_text(get("external_ref"))
    if not code and not external_ref:
        issues.append(
            Issue(row_no, "case", "case_missing", gettext_noop("Give the case code or contract number."))
        )
    paid_on: date | None = None
    try:
        raw = get("paid_on")
        paid_on = parse_date(raw.strip() if isinstance(raw, str) else raw, not_after=today)
    except DateParseError as exc:
        issues.append(Issue(row_no, "paid_on", exc.code, str(exc.message), _cell_text(get("paid_on"))[:100]))
    amount: Decimal | None = None
    try:
        amount = parse_yuan(get("amount"), allow_zero=False, max_value=MAX_PAYMENT)
    except AmountError as exc:
        issues.append(Issue(row_no, "amount", exc.code, str(exc.message), _cell_text(get("amount"))[:100]))
    reference = _cell_text(get("reference"))
    if not reference or len(reference) > PAYMENT_REFERENCE_MAX:
        issues.append(
            Issue(
                row_no,
                "reference",
                "reference_invalid",
                gettext_noop("Give the payment's reference (at most 64 characters)."),
                reference[:100],
            )
        )
    if issues or paid_on is None or amount is None:
        return issues
    return Row(row_no, code, external_ref, paid_on, amount, reference)


def import_payment_file(*, user: Any, uploaded: UploadedFile) -> PaymentImport:
    from .services.ledger import payments_insert

    org = user.membership.organisation
    record = PaymentImport(
        centre_id=org.centre_id, creditor=org, created_by=user, filename=(uploaded.name or "")[-255:]
    )
    issues: list[Issue] = []
    rows: list[Row] = []
    today = timezone.localdate()
    with translation.override("en"):  # messages are stored as English msgids, translated when shown
        try:
            positions, data_rows = read_rows(uploaded)
            for row_no, cells in data_rows:
                record.rows_read += 1
                if record.rows_read > MAX_ROWS:
                    raise FileRefused(gettext_noop("The file has more than 20,000 rows; split it."))
                checked = _check_row(row_no, cells, positions, today)
                if isinstance(checked, Row):
                    rows.append(checked)
                else:
                    issues.extend(checked)
        except FileRefused as exc:
            record.status, record.message = PaymentImport.Status.REFUSED, str(exc.message)
            record.rejected = record.rows_read
            record.save()
            return record
    good, duplicates = _match_cases(user, org.pk, rows, issues)
    with transaction.atomic():
        record.save()
        inserted, existing, performed = payments_insert(
            creditor_id=org.pk,
            user=user,
            rows=[(r.row, case_id, r.paid_on, r.amount, r.reference) for r, case_id in good],
            payment_import=record,
        )
        for r, case_id in good:
            payment = existing.get(r.row)
            if r.row in inserted or payment is None:
                continue
            if (payment.case_id, payment.paid_on, payment.amount) == (case_id, r.paid_on, r.amount):
                duplicates.append(
                    Issue(r.row, "reference", "duplicate", gettext_noop("Already recorded."), r.reference)
                )
            else:
                issues.append(_conflict(r, payment))
        PaymentImportIssue.objects.bulk_create(
            PaymentImportIssue(
                payment_import=record,
                row=i.row,
                column=i.column,
                code=i.code,
                message=i.message[:300],
                value=i.value[:100],
            )
            for i in sorted(issues + duplicates, key=lambda i: (i.row, i.column))
        )
        record.accepted = len(inserted)
        record.duplicates = len({i.row for i in duplicates})
        record.rejected = len({i.row for i in issues})
        record.performed = len(performed)
        record.save()
    return record


def _conflict(r: Row, payment: Payment) -> Issue:
    return Issue(
        r.row,
        "reference",
        "reference_conflict",
        gettext_noop("This reference was already used for a different payment (amount, date or case)."),
        f"{r.reference}: {payment.amount} {payment.paid_on}",
    )


def _match_cases(
    user: Any, creditor_id: int, rows: list[Row], issues: list[Issue]
) -> tuple[list, list[Issue]]:
    """Find each row's case in one query; rows repeated in the file, unknown or closed cases are reported."""
    duplicates: list[Issue] = []
    first: dict[str, Row] = {}
    unique: list[Row] = []
    for r in rows:
        seen = first.get(r.reference)
        if seen is None:
            first[r.reference] = r
            unique.append(r)
        elif seen.same_as == r.same_as:
            duplicates.append(
                Issue(
                    r.row,
                    "reference",
                    "duplicate_in_file",
                    gettext_noop("The same payment is listed twice in the file."),
                    r.reference,
                )
            )
        else:
            issues.append(
                Issue(
                    r.row,
                    "reference",
                    "reference_conflict",
                    gettext_noop("The file uses this reference for two different payments."),
                    r.reference,
                )
            )
    visible = cases_visible_to(user).filter(creditor_id=creditor_id)
    codes = {r.case_code for r in unique if r.case_code}
    refs = {r.external_ref for r in unique if r.external_ref}
    found = list(
        visible.filter(Q(code__in=codes) | Q(external_ref__in=refs)).values_list(
            "pk", "code", "external_ref", "stage"
        )
    )
    by_code = {code: (pk, stage) for pk, code, _ref, stage in found}
    by_ref = {ref: (pk, stage) for pk, _code, ref, stage in found}
    good = []
    for r in unique:
        by_c, by_r = by_code.get(r.case_code), by_ref.get(r.external_ref)
        match = by_c or by_r
        if r.case_code and r.external_ref and by_c != by_r:
            issues.append(
                Issue(
                    r.row,
                    "case",
                    "case_mismatch",
                    gettext_noop("The case code and the contract number name different cases."),
                    f"{r.case_code} / {r.external_ref}",
                )
            )
        elif match is None:
            issues.append(
                Issue(
                    r.row,
                    "case",
                    "case_unknown",
                    gettext_noop("No case of yours has this code or contract number."),
                    r.case_code or r.external_ref,
                )
            )
        elif match[1] in FINAL_STAGES:
            issues.append(
                Issue(
                    r.row,
                    "case",
                    "case_closed",
                    gettext_noop("The case is closed or withdrawn: no payment can be recorded."),
                    r.case_code or r.external_ref,
                )
            )
        else:
            good.append((r, match[0]))
    return good, duplicates
