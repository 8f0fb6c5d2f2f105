"""Normalise and validate personal and institutional identifiers (ID number, phone, USCC, e-mail).

Each ``normalize_*`` function returns the canonical stored form or raises :class:`IdentifierError`
with one of the batch-format error codes (docs: /work/shared/BATCH_FORMAT.md).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

ID_NUMBER_INVALID = "id_number_invalid"
ID_NUMBER_CHECKSUM = "id_number_checksum"
ID_NUMBER_NUMERIC = "id_number_numeric"
PHONE_INVALID = "phone_invalid"
USCC_INVALID = "uscc_invalid"
EMAIL_INVALID = "email_invalid"

MESSAGES: dict[str, Promise] = {
    ID_NUMBER_INVALID: _(
        "Not a valid resident ID number: it needs 18 characters (17 digits and a digit or X) "
        "with a real birth date."
    ),
    ID_NUMBER_CHECKSUM: _("The check character of the resident ID number does not match."),
    ID_NUMBER_NUMERIC: _(
        "The ID number arrived as a spreadsheet number and its last digits may be lost; "
        "format the column as text and enter it again."
    ),
    PHONE_INVALID: _("Not a mainland mobile number (11 digits starting with 13 to 19)."),
    USCC_INVALID: _("Not a valid unified social credit code."),
    EMAIL_INVALID: _("Not a valid e-mail address."),
}

# GB 11643-1999: weights for the first 17 digits of the resident ID number.
ID_NUMBER_WEIGHTS: tuple[int, ...] = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# GB 11643-1999: check character for (weighted sum mod 11) = 0..10.
ID_NUMBER_CHECK_CHARS = "10X98765432"
ID_NUMBER_LENGTH = 18  # GB 11643: 17 digits and a check character
MOBILE_LENGTH = 11
# Why: birth years before 1900 do not occur on live ID cards; earlier years signal a typo.
ID_NUMBER_MIN_BIRTH_YEAR = 1900

_ID18_RE = re.compile(r"^\d{17}[\dX]$")
_ID15_RE = re.compile(r"^\d{15}$")
# Why: a spreadsheet shows big numbers as 3.50502199001011E+17 or 350502199001011000.0; digits are lost.
_NUMERIC_TEXT_RE = re.compile(r"^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Why: people write the country code as +86, 0086 or plain 86 (the latter only before 11 digits).
_PHONE_PREFIX_RE = re.compile(r"^(\+86|0086|86(?=\d{11}$))")
_PHONE_SEPARATORS_RE = re.compile(r"[\s\-()]")

_FULLWIDTH_OFFSET = 0xFEE0
_HALFWIDTH_TABLE = {code: code - _FULLWIDTH_OFFSET for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH_TABLE[0x3000] = 0x20  # ideographic space


class IdentifierError(ValueError):
    """An identifier failed validation; ``code`` is the batch error code, ``message`` a lazy text."""

    def __init__(self, code: str, message: Promise | str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else MESSAGES[code]
        super().__init__(self.message)


def to_halfwidth(value: str) -> str:
    """Map full-width ASCII (U+FF01..U+FF5E) and the ideographic space to their half-width forms."""
    return value.translate(_HALFWIDTH_TABLE)


def _is_spreadsheet_number(value: object) -> bool:
    # Why: bool is an int subclass but never a number cell holding an ID.
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def id_number_check_char(first17: str) -> str:
    """Check character for the first 17 digits of a resident ID number (GB 11643)."""
    if len(first17) != ID_NUMBER_LENGTH - 1 or not first17.isascii() or not first17.isdigit():
        raise IdentifierError(ID_NUMBER_INVALID)
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_NUMBER_WEIGHTS, strict=True))
    return ID_NUMBER_CHECK_CHARS[total % 11]


def id15_to_id18(id15: str) -> str:
    """Convert a legacy 15-digit ID number: insert "19" before the 2-digit year, add the check char."""
    if not _ID15_RE.match(id15):
        raise IdentifierError(ID_NUMBER_INVALID)
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + id_number_check_char(first17)


def id_number_birth_date(id18: str) -> datetime.date:
    """Birth date encoded in digits 7-14 of an 18-character ID number."""
    try:
        # Why: stdnum raises InvalidComponent for impossible dates such as 19900230.
        return ric.get_birth_date(id18)
    except (StdnumValidationError, ValueError) as exc:
        raise IdentifierError(ID_NUMBER_INVALID) from exc


def id_number_region(id18: str) -> str:
    """Administrative region code: the first 6 digits."""
    return id18[:6]


def _clean_id_text(value: str) -> str:
    text = to_halfwidth(value).strip().upper()
    return re.sub(r"\s+", "", text)


def _check_birth_date(id18: str, today: datetime.date) -> None:
    birth = id_number_birth_date(id18)
    if birth.year < ID_NUMBER_MIN_BIRTH_YEAR or birth > today:
        raise IdentifierError(ID_NUMBER_INVALID)


def _check_checksum(id18: str) -> None:
    # Why: stdnum.cn.ric.validate also rejects unknown region codes, which we must accept, so only
    # its checksum outcome is used here.
    if ric.calc_check_digit(id18) != id18[-1]:
        raise IdentifierError(ID_NUMBER_CHECKSUM)


def normalize_id_number(value: object, *, today: datetime.date | None = None) -> str:
    """Return the canonical 18-character resident ID number or raise IdentifierError.

    Numbers that arrived as spreadsheet numbers (int/float/Decimal or scientific notation text)
    raise ``id_number_numeric``: their trailing digits cannot be trusted.
    """
    if _is_spreadsheet_number(value):
        raise IdentifierError(ID_NUMBER_NUMERIC)
    if not isinstance(value, str):
        raise IdentifierError(ID_NUMBER_INVALID)
    text = _clean_id_text(value)
    if _NUMERIC_TEXT_RE.match(text) and not text.isdigit():
        raise IdentifierError(ID_NUMBER_NUMERIC)
    if _ID15_RE.match(text):
        text = id15_to_id18(text)
    if not _ID18_RE.match(text):
        raise IdentifierError(ID_NUMBER_INVALID)
    _check_birth_date(text, today or datetime.date.today())
    _check_checksum(text)
    return text


def _mask_middle(value: str) -> str:
    # Why: short or odd values keep at most 2 characters each side so most of the value stays hidden.
    keep = min(2, len(value) // 4)
    if keep == 0:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def mask_id_number(id18: str) -> str:
    """Mask an ID number for display (PIPL 28: sensitive data): "3505**********123X"."""
    if len(id18) == ID_NUMBER_LENGTH:
        return id18[:4] + "*" * 10 + id18[-4:]
    return _mask_middle(id18)


def _is_integral(value: float | Decimal) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite() and value == value.to_integral_value()
    return value.is_integer()


def _phone_text(value: object) -> str:
    if isinstance(value, bool):
        raise IdentifierError(PHONE_INVALID)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        # Why: an 11-digit phone survives a float exactly, unlike an 18-digit ID number.
        if not _is_integral(value):
            raise IdentifierError(PHONE_INVALID)
        return str(int(value))
    if isinstance(value, str):
        return value
    raise IdentifierError(PHONE_INVALID)


def normalize_phone(value: object) -> str:
    """Return an 11-digit mainland mobile number or raise IdentifierError("phone_invalid")."""
    text = _PHONE_SEPARATORS_RE.sub("", to_halfwidth(_phone_text(value)).strip())
    text = _PHONE_PREFIX_RE.sub("", text, count=1)
    if not _MOBILE_RE.match(text):
        raise IdentifierError(PHONE_INVALID)
    return text


def mask_phone(phone: str) -> str:
    """Mask a mobile number for display: "139****1111"."""
    if len(phone) == MOBILE_LENGTH:
        return phone[:3] + "****" + phone[-4:]
    return _mask_middle(phone)


def normalize_uscc(value: object) -> str:
    """Return the canonical unified social credit code (GB 32100-2015) or raise IdentifierError."""
    if not isinstance(value, str):
        raise IdentifierError(USCC_INVALID)
    try:
        # Why: stdnum.cn.uscc implements the GB 32100 alphabet and mod-31 check character.
        return uscc.validate(to_halfwidth(value).strip())
    except StdnumValidationError as exc:
        raise IdentifierError(USCC_INVALID) from exc


def normalize_email(value: object) -> str:
    """Return the e-mail address trimmed, with a lower-case domain, or raise IdentifierError."""
    if not isinstance(value, str):
        raise IdentifierError(EMAIL_INVALID)
    text = to_halfwidth(value).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        raise IdentifierError(EMAIL_INVALID)
    text = f"{local}@{domain.lower()}"
    try:
        validate_email(text)
    except ValidationError as exc:
        raise IdentifierError(EMAIL_INVALID) from exc
    return text
