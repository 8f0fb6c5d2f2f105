"""Money in Decimal yuan with 2 places (never float): parsing, formatting and Chinese capitals."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.identifiers import to_halfwidth

AMOUNT_INVALID = "amount_invalid"
RATE_INVALID = "rate_invalid"

FEN = Decimal("0.01")
HUNDRED = Decimal(100)

_CURRENCY_PREFIX_RE = re.compile(r"^(RMB|CNY|人民币|¥|￥)", re.IGNORECASE)
_CURRENCY_SUFFIX_RE = re.compile(r"(元整|元|RMB|CNY)$", re.IGNORECASE)
# Why: thousands separators are accepted only between digits, so ",5", "5," and "1,,0" stay invalid.
_AMOUNT_RE = re.compile(r"^(\d+(,\d+)*(\.\d*)?|\.\d+)$")
_PLAIN_NUMBER_RE = re.compile(r"^(\d+(\.\d*)?|\.\d+)$")

# Interbank convention for Chinese capital amounts (中国人民银行《支付结算办法》附件, 大写金额).
_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CAPITAL_PLACE_UNITS = ("仟", "佰", "拾", "")
_CAPITAL_GROUP_UNITS = ("", "万", "亿")
# Why: beyond 亿 groups (万亿) wording conventions diverge; such amounts never reach this platform.
CAPITALS_LIMIT = Decimal("1000000000000")


class AmountError(ValueError):
    """An amount or rate failed validation; ``code`` is the batch error code, ``message`` a lazy text."""

    def __init__(self, code: str, message: Promise | str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def _amount_error(message: Promise | str) -> AmountError:
    return AmountError(AMOUNT_INVALID, message)


def _rate_error() -> AmountError:
    return AmountError(RATE_INVALID, _("Not a percentage from 0 to 100."))


def quantize_fen(d: Decimal) -> Decimal:
    """Round to whole fen (0.01 yuan), half up as in banking practice."""
    return d.quantize(FEN, rounding=ROUND_HALF_UP)


def _clean_amount_text(value: str) -> str:
    text = re.sub(r"\s+", "", to_halfwidth(value))
    # Why: keep a leading minus visible so "-¥5" is reported as negative, not as garbage.
    sign = "-" if text.startswith("-") else ""
    text = _CURRENCY_PREFIX_RE.sub("", text.removeprefix("-"), count=1)
    return sign + _CURRENCY_SUFFIX_RE.sub("", text, count=1)


def _amount_decimal(value: object) -> Decimal:
    """Turn the raw input into a Decimal without any rounding."""
    if isinstance(value, bool) or value is None:
        raise _amount_error(_("Not a number."))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Why: repr of a float is its shortest round-trip text, so 0.1 becomes Decimal("0.1").
        return Decimal(repr(value))
    if not isinstance(value, str):
        raise _amount_error(_("Not a number."))
    text = _clean_amount_text(value)
    if text.startswith("-") and _AMOUNT_RE.match(text[1:]):
        raise _amount_error(_("The amount must not be negative."))
    if not _AMOUNT_RE.match(text):
        raise _amount_error(_("Not a number."))
    return Decimal(text.replace(",", ""))


def _checked_fen(d: Decimal) -> Decimal:
    if not d.is_finite():
        raise _amount_error(_("Not a number."))
    if d < 0:
        raise _amount_error(_("The amount must not be negative."))
    try:
        fen = d.quantize(FEN)
    except InvalidOperation as exc:
        raise _amount_error(_("The amount is too large.")) from exc
    if fen != d:
        raise _amount_error(_("The amount has more than 2 decimal places."))
    # Why: Decimal("-0") would otherwise come back as "-0.00".
    return abs(fen)


def parse_yuan(value: object, *, allow_zero: bool = True, max_value: Decimal | None = None) -> Decimal:
    """Parse an amount in yuan ("¥1,234.5", "１２３元", 12.5, Decimal) into a 2-place Decimal."""
    fen = _checked_fen(_amount_decimal(value))
    if not allow_zero and fen == 0:
        raise _amount_error(_("The amount must be greater than 0."))
    if max_value is not None and fen > max_value:
        raise _amount_error(
            format_lazy(_("The amount must not exceed {max_value}."), max_value=format_yuan(max_value))
        )
    return fen


def _rate_decimal(value: object, is_fraction: bool) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise _rate_error()
    if isinstance(value, str):
        text = re.sub(r"\s+", "", to_halfwidth(value))
        if text.endswith("%"):
            # Why: an explicit percent sign already states the unit, whatever the cell format says.
            text, is_fraction = text[:-1], False
        if not _PLAIN_NUMBER_RE.match(text):
            raise _rate_error()
        number = Decimal(text)
    elif isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        raise _rate_error()
    return number * HUNDRED if is_fraction else number


def parse_percentage(value: object, *, is_fraction: bool = False) -> Decimal:
    """Parse a percentage ("18", "18%", "18.25%", "１８％", 18.25) into a Decimal from 0 to 100.

    ``is_fraction`` marks a spreadsheet cell formatted as percent, whose value is 0.18 for 18%.
    """
    number = _rate_decimal(value, is_fraction)
    if not number.is_finite() or not 0 <= number <= HUNDRED:
        raise _rate_error()
    return abs(number)


def format_yuan(d: Decimal) -> str:
    """Format an amount for display: "¥12,345.67" ("-¥5.00" for negatives)."""
    fen = quantize_fen(Decimal(d))
    sign = "-" if fen < 0 else ""
    return f"{sign}¥{abs(fen):,.2f}"


def _group_capitals(group: str, state: dict[str, bool]) -> str:
    """Capitals for one 4-digit group; ``state`` carries the pending-zero flag across groups."""
    out = []
    for digit, unit in zip(group, _CAPITAL_PLACE_UNITS, strict=True):
        if digit == "0":
            # Why: a run of internal zeros is written as a single 零, leading zeros not at all.
            state["zero"] = state["started"]
            continue
        if state["zero"]:
            out.append("零")
        out.append(_CAPITAL_DIGITS[int(digit)] + unit)
        state["zero"], state["started"] = False, True
    return "".join(out)


def _integer_capitals(yuan: int) -> str:
    digits = f"{yuan:012d}"
    groups = [digits[i : i + 4] for i in range(0, 12, 4)]
    state = {"zero": False, "started": False}
    out = []
    for group, group_unit in zip(groups, reversed(_CAPITAL_GROUP_UNITS), strict=True):
        words = _group_capitals(group, state)
        if words:
            out.append(words + group_unit)
            # Why: zeros at the 万/亿 place are absorbed by the unit (壹拾万壹仟, not 壹拾万零壹仟).
            state["zero"] = False
    return "".join(out)


def _fraction_capitals(jiao: int, fen: int, has_yuan: bool) -> str:
    if jiao == 0 and fen == 0:
        return "整"
    jiao_text = _CAPITAL_DIGITS[jiao] + "角" if jiao else ("零" if has_yuan and fen else "")
    fen_text = _CAPITAL_DIGITS[fen] + "分" if fen else ""
    return jiao_text + fen_text


def yuan_in_chinese_capitals(d: Decimal) -> str:
    """Amount in Chinese capital numerals (大写金额) without the "人民币" prefix.

    Examples: 0 -> 零元整, 1001.01 -> 壹仟零壹元零壹分, 0.05 -> 伍分.
    """
    amount = quantize_fen(Decimal(d))
    if amount < 0 or amount >= CAPITALS_LIMIT:
        raise _amount_error(_("The amount cannot be written in Chinese capitals."))
    total_fen = int(amount * 100)
    yuan, jiao, fen = total_fen // 100, total_fen // 10 % 10, total_fen % 10
    if yuan == 0:
        return "零元整" if total_fen == 0 else _fraction_capitals(jiao, fen, has_yuan=False)
    return _integer_capitals(yuan) + "元" + _fraction_capitals(jiao, fen, has_yuan=True)
