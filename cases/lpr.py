"""The one-year loan prime rate (LPR), dated: the official values since 2019-08-20, looked up by date.

DOMAIN.md (Rates): "monthly since 2019-08-20: a dated table of the official values, looked up by the relevant
date; no undated default" (SPC private lending rules 2020, art. 25). A date before the first fixing or after
the last known one has no LPR: the caller reports that the rate cannot be judged, it never guesses.

A centre may add or correct rows (oversight.LprRate, filled in through the registry below, since this app
sits below oversight): a centre row replaces the official row of the same date and extends the table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case as SqlCase
from django.db.models import DecimalField, Q, Value, When

# SPC private lending rules 2020, art. 25: the LPR is published monthly since the reform of 2019-08-20.
LPR_FIRST_FIXING = date(2019, 8, 20)

# The official one-year LPR (全国银行间同业拆借中心): the fixings that changed it; each holds to the next.
OFFICIAL_ONE_YEAR_LPR: tuple[tuple[date, Decimal], ...] = (
    (date(2019, 8, 20), Decimal("4.25")),
    (date(2019, 9, 20), Decimal("4.20")),
    (date(2019, 11, 20), Decimal("4.15")),
    (date(2020, 2, 20), Decimal("4.05")),
    (date(2020, 4, 20), Decimal("3.85")),
    (date(2021, 12, 20), Decimal("3.80")),
    (date(2022, 1, 20), Decimal("3.70")),
    (date(2022, 8, 22), Decimal("3.65")),
    (date(2023, 6, 20), Decimal("3.55")),
    (date(2023, 8, 21), Decimal("3.45")),
    (date(2024, 7, 22), Decimal("3.35")),
    (date(2024, 10, 21), Decimal("3.10")),
    (date(2025, 5, 20), Decimal("3.00")),
)
# The last monthly fixing this table knows (unchanged at 3.00%); later months need the centre's rows.
OFFICIAL_LAST_FIXING = date(2025, 10, 20)
# A fixing holds until the next month's: a value is known up to a month after the last fixing known.
FIXING_HOLDS_DAYS = 31

# name -> f(centre_id) -> [(effective_from, one-year rate %)]: a centre's own rows (oversight registers it).
CENTRE_LPR_SOURCES: dict[str, Callable[[int], list[tuple[date, Decimal]]]] = {}


@dataclass(frozen=True)
class LprTable:
    """(from, rate) rows in date order, and the last day a value is known for."""

    rows: tuple[tuple[date, Decimal], ...]
    known_until: date

    def rate_on(self, day: date) -> Decimal | None:
        """The one-year LPR in force on a day, or None when there is none known (never a guess)."""
        if day < LPR_FIRST_FIXING or day > self.known_until:
            return None
        found = None
        for since, rate in self.rows:
            if since > day:
                break
            found = rate
        return found

    def periods(self) -> list[tuple[date, date, Decimal]]:
        """(from, until exclusive, rate) for each row; the last one ends the day after known_until."""
        ends = [since for since, _r in self.rows[1:]] + [self.known_until + timedelta(days=1)]
        return [(since, until, rate) for (since, rate), until in zip(self.rows, ends, strict=True)]

    def rate_expression(self, field: str) -> SqlCase:
        """SQL: the LPR in force on the date in `field`, NULL when none is known (one CASE, no join)."""
        whens = [
            When(Q(**{f"{field}__gte": since, f"{field}__lt": until}), then=Value(rate))
            for since, until, rate in self.periods()
        ]
        return SqlCase(*whens, default=None, output_field=DecimalField(max_digits=6, decimal_places=3))


def lpr_table(centre_id: int | None = None) -> LprTable:
    """The official table with the centre's own rows laid over it (same date: the centre's row wins)."""
    rows = dict(OFFICIAL_ONE_YEAR_LPR)
    last_fixing = OFFICIAL_LAST_FIXING
    if centre_id is not None:
        for source in CENTRE_LPR_SOURCES.values():
            for since, rate in source(centre_id):
                if since < LPR_FIRST_FIXING:
                    continue  # no LPR existed before the reform; such a row cannot date a contract
                rows[since] = rate
                last_fixing = max(last_fixing, since)
    ordered = tuple(sorted(rows.items()))
    return LprTable(rows=ordered, known_until=last_fixing + timedelta(days=FIXING_HOLDS_DAYS - 1))


def one_year_lpr_on(day: date, *, centre_id: int | None = None) -> Decimal | None:
    return lpr_table(centre_id).rate_on(day)
