"""Instalment schedules: equal parts to the fen, the remainder on the last instalment."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

FREQUENCIES = ("monthly", "biweekly", "weekly")


@dataclass(frozen=True)
class PlannedInstalment:
    seq: int
    due_on: date
    amount: Decimal


def _add_months(start: date, months: int) -> date:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def instalment_due_dates(first: date, frequency: str, count: int) -> list[date]:
    if frequency == "monthly":
        return [_add_months(first, i) for i in range(count)]
    step = {"biweekly": 14, "weekly": 7}[frequency]
    return [first + timedelta(days=step * i) for i in range(count)]


def instalment_schedule(
    *, total: Decimal, first_due: date, frequency: str, count: int
) -> list[PlannedInstalment]:
    """Split `total` into `count` instalments whose sum is exactly `total` (to the fen)."""
    if count < 1:
        raise ValueError("at least one instalment")
    if frequency not in FREQUENCIES:
        raise ValueError(f"frequency must be one of {FREQUENCIES}")
    total = Decimal(total).quantize(Decimal("0.01"))
    if total <= 0:
        raise ValueError("the total must be positive")
    part = (total / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    if part == 0:
        raise ValueError("too many instalments for this amount")
    amounts = [part] * (count - 1) + [total - part * (count - 1)]
    dates = instalment_due_dates(first_due, frequency, count)
    return [PlannedInstalment(i + 1, d, a) for i, (d, a) in enumerate(zip(dates, amounts, strict=True))]
