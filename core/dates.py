"""Parse the calendar dates that creditors type or export (ISO, slashes, dots, 年月日, compact)."""

from __future__ import annotations

import datetime
import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.identifiers import to_halfwidth

DATE_INVALID = "date_invalid"
DATE_FUTURE = "date_future"

# The accepted written forms, per the batch file format: 2024-03-05, 2024/3/5, 2024.03.05,
# 2024年3月5日 and 20240305. The separator must be the same on both sides.
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"^(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)


class DateParseError(ValueError):
    """A date failed validation; ``code`` is the batch error code, ``message`` a lazy text."""

    def __init__(self, code: str, message: Promise | str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else _default_message(code)
        super().__init__(self.message)


def _default_message(code: str) -> Promise:
    if code == DATE_FUTURE:
        return _("The date is in the future.")
    return _("Not a date: use a form such as 2024-03-05, 2024/3/5 or 2024年3月5日.")


def _date_from_text(value: str) -> datetime.date:
    text = re.sub(r"\s+", "", to_halfwidth(value))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError as exc:  # impossible dates such as 2024-02-30
                raise DateParseError(DATE_INVALID) from exc
    raise DateParseError(DATE_INVALID)


def _to_date(value: object) -> datetime.date:
    # Why: datetime is a subclass of date, so it must be checked first to drop the time part.
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        return _date_from_text(value)
    raise DateParseError(DATE_INVALID)


def parse_date(value: object, *, not_after: datetime.date | None = None) -> datetime.date:
    """Return the date in ``value`` or raise DateParseError ("date_invalid" or "date_future").

    ``not_after`` (usually today) is the latest acceptable date.
    """
    result = _to_date(value)
    if not_after is not None and result > not_after:
        raise DateParseError(DATE_FUTURE)
    return result
