"""Per-row validation of a batch file (BATCH_FORMAT.md), built on core.identifiers, core.money, core.dates.

Each fault of a row becomes one RowError with a BATCH_FORMAT code; a row with no fault becomes a CleanRow.
"""

from __future__ import annotations

import datetime
import operator
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import Product
from core.dates import DateParseError, parse_date
from core.identifiers import (
    ID_NUMBER_CHECK_CHARS,
    ID_NUMBER_MIN_BIRTH_YEAR,
    ID_NUMBER_WEIGHTS,
    IdentifierError,
    mask_id_number,
    mask_phone,
    normalize_email,
    normalize_id_number,
    normalize_phone,
    to_halfwidth,
)
from core.money import FEN, AmountError, parse_percentage, parse_yuan

from .reader import COLUMN_BY_KEY, COLUMNS, HISTORY_KEYS, PercentCell

ID_NUMBER_LENGTH = 18  # GB 11643
ISO_DATE_LENGTH = 10  # YYYY-MM-DD
MAX_ANNUAL_RATE_PERCENT = 100
MOBILE_LENGTH = 11
EMAIL_MAX_LENGTH = 254  # RFC 5321 path limit

REQUIRED = "required"
TOO_LONG = "too_long"
VALUE_INVALID = "value_invalid"
AMOUNT_INVALID = "amount_invalid"
DATE_ORDER = "date_order"
DUPLICATE_IN_FILE = "duplicate_in_file"
DUPLICATE_EXISTING = "duplicate_existing"

MAX_AMOUNT = Decimal("10000000")  # BATCH_FORMAT.md: principal at most 10,000,000 yuan
RATE_PLACES = Decimal("0.001")  # Case.annual_rate keeps 3 decimal places

MESSAGES: dict[str, Promise] = {
    REQUIRED: _("This column is required and the cell is empty."),
    TOO_LONG: _("The value is longer than this column allows."),
    "product": _("Not a product type: use 信用卡, 消费贷款, 小额贷款 or 其他."),
    "consent": _("Not a yes/no value: use 是 or 否."),
    "principal_zero": _("The principal must be greater than 0."),
    "amount_max": _("The amount must not exceed 10,000,000 yuan."),
    DATE_ORDER: _("The contract date is after the overdue date."),
    "before_contract": _("This date is before the contract date."),
    DUPLICATE_IN_FILE: _(
        "This contract number appears on an earlier row of this file; the earlier row stands."
    ),
    DUPLICATE_EXISTING: _("You already have a case with this contract number; it was not imported again."),
}

PRODUCTS = {
    "信用卡": Product.CREDIT_CARD,
    "消费贷款": Product.CONSUMER_LOAN,
    "消费贷": Product.CONSUMER_LOAN,
    "小额贷款": Product.MICROLOAN,
    "小额贷": Product.MICROLOAN,
    "其他": Product.OTHER,
    "其它": Product.OTHER,
    **{p.value: p.value for p in Product},
}
YES = {"是", "yes", "y", "true", "1", "同意"}
NO = {"否", "no", "n", "false", "0", "不同意"}


@dataclass(slots=True)
class RowError:
    row: int
    column: str
    code: str
    message: str  # English msgid; translated when shown
    value_masked: str


@dataclass(slots=True)
class CleanRow:
    row: int
    external_ref: str
    debtor_name: str
    id_number: str
    phone: str
    address: str
    email: str
    product: str
    principal: Decimal
    interest: Decimal
    fees: Decimal
    annual_rate: Decimal | None
    overdue_since: datetime.date
    contract_date: datetime.date | None
    e_service_consent: bool
    note: str
    # The optional history columns (HISTORY_KEYS order), None when the row gives none of them.
    history: tuple[Any, ...] | None = None

    @property
    def claimed_total(self) -> Decimal:
        return self.principal + self.interest + self.fees


def msgid(message: Any) -> str:
    """The English msgid of a lazy message, stored so each reader later sees it in their own language."""
    if isinstance(message, str):
        return message
    args = getattr(message, "_args", None)  # a gettext_lazy proxy keeps its msgid as its one argument
    if isinstance(args, tuple) and len(args) == 1 and isinstance(args[0], str):
        return args[0]
    with translation.override("en"):
        return str(message)


# Fast paths for the well-formed common case. Each accepts only text that the core helper would accept
# with the same result; anything else goes to core.identifiers / core.money / core.dates for its exact code.
_PLAIN_AMOUNT_RE = re.compile(r"^(\d{1,8}|\d{1,3}(,\d{3}){1,2})(\.\d{1,2})?$")
_PLAIN_RATE_RE = re.compile(r"^\d{1,3}(\.\d{1,3})?%?$")


_WIDE_RE = re.compile("[\uff01-\uff5e\u3000]")
PRODUCT_PLAIN = {**{k: str(v) for k, v in PRODUCTS.items()}, "": Product.OTHER.value}
CONSENT_PLAIN = {"": False, "是": True, "否": False}


def _plain(value: Any, limit: int) -> bool:
    """Text that trimming and full-width folding would leave as it is, within the column's length."""
    return (
        type(value) is str
        and 0 < len(value) <= limit
        and value.isprintable()
        and value[0] != " "
        and value[-1] != " "
        and not _WIDE_RE.search(value)
    )


def id_number_fast(value: Any, today: datetime.date) -> str | None:
    """An 18-character ID number with a real birth date and a matching check character, else None."""
    if type(value) is not str or len(value) != ID_NUMBER_LENGTH:
        return None
    number = value.upper()
    first17 = number[:17]
    if not (first17.isascii() and first17.isdigit()):
        return None
    if ID_NUMBER_CHECK_CHARS[sum(map(operator.mul, map(int, first17), ID_NUMBER_WEIGHTS)) % 11] != number[17]:
        return None
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if birth.year < ID_NUMBER_MIN_BIRTH_YEAR or birth > today:
        return None
    return number


def amount_fast(value: Any) -> Decimal | None:
    if type(value) is not str or not _PLAIN_AMOUNT_RE.match(value):
        return None
    return Decimal(value.replace(",", "")).quantize(FEN)


def date_fast(value: Any, today: datetime.date) -> datetime.date | None:
    if type(value) is not str or len(value) != ISO_DATE_LENGTH or value[4] != "-" or value[7] != "-":
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if day <= today else None


def rate_fast(value: Any) -> Decimal | None:
    if type(value) is not str or not _PLAIN_RATE_RE.match(value):
        return None
    rate = Decimal(value.removesuffix("%"))
    return rate if rate <= MAX_ANNUAL_RATE_PERCENT else None


def text(value: Any) -> str:
    """A cell as trimmed half-width text; spreadsheet numbers lose a meaningless '.0'."""
    if value is None:
        return ""
    if isinstance(value, str):
        return to_halfwidth(value).strip().replace("\x00", "")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    return str(value)


def masked(column: str, value: Any) -> str:
    shown = text(value)
    if not shown:
        return ""
    if column == "id_number":
        return mask_id_number(shown)
    if column == "phone":
        return mask_phone(shown)
    return shown[:200]


class RowValidator:
    """Validates rows one at a time; remembers the contract numbers seen so far in this file."""

    def __init__(self, positions: dict[str, int], *, today: datetime.date) -> None:
        self.positions = positions
        self.today = today
        self.seen_refs: set[str] = set()
        self.last_ref = ""  # the last row's contract number when it is well-formed (for duplicate_existing)
        self._at = tuple(positions.get(c.key, -1) for c in COLUMNS if c.key not in HISTORY_KEYS)
        self._history_at = {k: positions[k] for k in HISTORY_KEYS if k in positions}

    def validate(self, row: int, cells: list[Any]) -> tuple[CleanRow | None, list[RowError]]:
        clean = self._fast(row, cells)
        errors: list[RowError] = []
        if clean is None:
            clean, errors = self._full(row, cells)
        if self._history_at and (clean is not None or errors):
            history, history_errors = self.history(row, cells, clean.contract_date if clean else None)
            if history_errors:
                return None, [*errors, *history_errors]
            if clean is not None:
                clean.history = history
        return clean, errors

    def history(
        self, row: int, cells: list[Any], contract: datetime.date | None
    ) -> tuple[tuple[Any, ...] | None, list[RowError]]:
        """The optional history columns: dates not in the future nor before the contract, texts in length."""
        errors: list[RowError] = []
        width = len(cells)
        raw = {k: (cells[i] if i < width else None) for k, i in self._history_at.items()}

        def fail(column: str, code: str, message: Any) -> None:
            errors.append(RowError(row, column, code, msgid(message), masked(column, raw.get(column))))

        values: list[Any] = []
        for key in HISTORY_KEYS:
            if key not in raw:
                values.append("" if COLUMN_BY_KEY[key].max_length else None)
            elif COLUMN_BY_KEY[key].max_length:
                values.append(self._text_column(key, raw, fail))
            else:
                day = self._date(key, raw, fail)
                if day and contract and day < contract:
                    fail(key, DATE_ORDER, MESSAGES["before_contract"])
                values.append(day)
        if errors:
            return None, errors
        return (tuple(values) if any(values) else None), []

    def _fast(self, row: int, cells: list[Any]) -> CleanRow | None:
        """The whole row at once when every cell is in its plain form, else None (then _full decides).

        Accepts only what _full accepts, with the same result; the tests hold the two together.
        """
        width = len(cells)
        v = [cells[i] if 0 <= i < width else "" for i in self._at]
        (
            ref,
            name,
            number,
            phone,
            address,
            email,
            product,
            principal,
            interest,
            fees,
            rate,
            overdue,
            contract,
            consent,
            note,
        ) = v
        today = self.today
        if (
            not _plain(ref, 64)
            or ref in self.seen_refs
            or not _plain(name, 50)
            or email != ""
            or not (address == "" or _plain(address, 300))
            or not (note == "" or _plain(note, 500))
            or type(phone) is not str
            or len(phone) != MOBILE_LENGTH
            or not phone.isdigit()
            or not phone.isascii()
            or phone[0] != "1"
            or phone[1] in "012"
        ):
            return None
        id_number = id_number_fast(number, today)
        product_value = PRODUCT_PLAIN.get(product) if type(product) is str else None
        consent_value = CONSENT_PLAIN.get(consent) if type(consent) is str else None
        amount = amount_fast(principal)
        interest_value = Decimal("0.00") if interest == "" else amount_fast(interest)
        fees_value = Decimal("0.00") if fees == "" else amount_fast(fees)
        overdue_on = date_fast(overdue, today)
        contract_on = None if contract == "" else date_fast(contract, today)
        rate_value = None if rate == "" else rate_fast(rate)
        if (
            id_number is None
            or product_value is None
            or consent_value is None
            or not amount
            or amount > MAX_AMOUNT
            or interest_value is None
            or interest_value > MAX_AMOUNT
            or fees_value is None
            or fees_value > MAX_AMOUNT
            or overdue_on is None
            or (contract != "" and (contract_on is None or contract_on > overdue_on))
            or (rate != "" and rate_value is None)
        ):
            return None
        self.seen_refs.add(ref)
        self.last_ref = ref
        return CleanRow(
            row,
            ref,
            name,
            id_number,
            phone,
            address,
            email,
            product_value,
            amount,
            interest_value,
            fees_value,
            None if rate_value is None else rate_value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP),
            overdue_on,
            contract_on,
            consent_value,
            note,
        )

    def _full(self, row: int, cells: list[Any]) -> tuple[CleanRow | None, list[RowError]]:
        errors: list[RowError] = []
        width = len(cells)
        raw = {k: (cells[i] if i < width else None) for k, i in self.positions.items()}

        def fail(column: str, code: str, message: Any) -> None:
            errors.append(RowError(row, column, code, msgid(message), masked(column, raw.get(column))))

        ref = self._text_column("external_ref", raw, fail)
        self.last_ref = ref
        if ref:
            if ref in self.seen_refs:
                fail("external_ref", DUPLICATE_IN_FILE, MESSAGES[DUPLICATE_IN_FILE])
            else:
                self.seen_refs.add(ref)
        name = self._text_column("debtor_name", raw, fail)
        id_number = id_number_fast(raw.get("id_number"), self.today) or self._identifier(
            "id_number", raw, fail, lambda v: normalize_id_number(v, today=self.today)
        )
        phone = self._identifier("phone", raw, fail, normalize_phone)
        address = self._text_column("address", raw, fail)
        email = ""
        if text(raw.get("email")):
            email = self._identifier("email", raw, fail, normalize_email)
            if len(email) > EMAIL_MAX_LENGTH:
                fail("email", TOO_LONG, MESSAGES[TOO_LONG])
        product = self._choice(
            "product", raw, fail, choices=PRODUCTS, message=MESSAGES["product"], default=Product.OTHER
        )
        principal = self._amount("principal", raw, fail, positive=True)
        interest = self._amount("interest", raw, fail)
        fees = self._amount("fees", raw, fail)
        rate = self._rate(raw, fail)
        overdue = self._date("overdue_since", raw, fail)
        contract = self._date("contract_date", raw, fail)
        if overdue and contract and contract > overdue:
            fail("contract_date", DATE_ORDER, MESSAGES[DATE_ORDER])
        consent = self._consent(raw, fail)
        note = self._text_column("note", raw, fail)
        if errors or principal is None or overdue is None:
            return None, errors
        return CleanRow(
            row,
            ref,
            name,
            id_number,
            phone,
            address,
            email,
            product,
            principal,
            interest or Decimal("0.00"),
            fees or Decimal("0.00"),
            rate,
            overdue,
            contract,
            consent,
            note,
        ), errors

    # --- one column each ---

    @staticmethod
    def _text_column(key: str, raw: dict[str, Any], fail: Any) -> str:
        column = COLUMN_BY_KEY[key]
        value = text(raw.get(key))
        if not value:
            if column.required:
                fail(key, REQUIRED, MESSAGES[REQUIRED])
            return ""
        if column.max_length and len(value) > column.max_length:
            fail(key, TOO_LONG, MESSAGES[TOO_LONG])
            return ""
        return value

    @staticmethod
    def _identifier(key: str, raw: dict[str, Any], fail: Any, normalise: Any) -> str:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if COLUMN_BY_KEY[key].required:
                fail(key, REQUIRED, MESSAGES[REQUIRED])
            return ""
        try:
            return str(normalise(value))
        except IdentifierError as exc:
            fail(key, exc.code, exc.message)
            return ""

    @staticmethod
    def _choice(
        key: str, raw: dict[str, Any], fail: Any, *, choices: dict[str, str], message: Any, default: str
    ) -> str:
        value = text(raw.get(key))
        if not value:
            return default
        found = choices.get(value) or choices.get(value.casefold())
        if found is None:
            fail(key, VALUE_INVALID, message)
            return default
        return found

    @staticmethod
    def _amount(key: str, raw: dict[str, Any], fail: Any, *, positive: bool = False) -> Decimal | None:
        value = raw.get(key)
        fast = amount_fast(value)
        if fast is not None and fast <= MAX_AMOUNT and (fast or not positive):
            return fast
        if value is None or (isinstance(value, str) and not value.strip()):
            if positive:
                fail(key, REQUIRED, MESSAGES[REQUIRED])
            return None
        try:
            amount = parse_yuan(value)
        except AmountError as exc:
            fail(key, AMOUNT_INVALID, exc.message)
            return None
        if positive and amount == 0:
            fail(key, AMOUNT_INVALID, MESSAGES["principal_zero"])
            return None
        if amount > MAX_AMOUNT:
            fail(key, AMOUNT_INVALID, MESSAGES["amount_max"])
            return None
        return amount

    @staticmethod
    def _rate(raw: dict[str, Any], fail: Any) -> Decimal | None:
        value = raw.get("annual_rate")
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        fast = rate_fast(value)
        if fast is not None:
            return fast.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        try:
            if isinstance(value, PercentCell):
                rate = parse_percentage(float(value), is_fraction=True)
            else:
                rate = parse_percentage(value)
        except AmountError as exc:
            fail("annual_rate", exc.code, exc.message)
            return None
        return rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)

    def _date(self, key: str, raw: dict[str, Any], fail: Any) -> datetime.date | None:
        value = raw.get(key)
        fast = date_fast(value, self.today)
        if fast is not None:
            return fast
        if value is None or (isinstance(value, str) and not value.strip()):
            if COLUMN_BY_KEY[key].required:
                fail(key, REQUIRED, MESSAGES[REQUIRED])
            return None
        try:
            return parse_date(value.strip() if isinstance(value, str) else value, not_after=self.today)
        except DateParseError as exc:
            fail(key, exc.code, exc.message)
            return None

    @staticmethod
    def _consent(raw: dict[str, Any], fail: Any) -> bool:
        value = raw.get("e_service_consent")
        if isinstance(value, bool):
            return value
        word = text(value).casefold()
        if not word or word in NO:
            return False
        if word in YES:
            return True
        fail("e_service_consent", VALUE_INVALID, MESSAGES["consent"])
        return False


def error_message(stored: str) -> str:
    """A stored message in the reader's language (the msgids are translated in the project's catalogue)."""
    return translation.gettext(stored) if stored else ""
