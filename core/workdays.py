"""Working days per centre: Chinese public holidays, adjusted working weekends (调休) and deadline arithmetic.

Each centre keeps its own calendar table.  ``CalendarDay`` rows are the exceptions to the weekday rule
(a public holiday on a weekday, a working Saturday or Sunday); ``CalendarYear`` says which years have data
and where it came from.  The table is seeded from the ``chinese_calendar`` package for the years it knows
(2004-2026 in 1.11.0) and completed by the centre (CSV import or admin) once the State Council publishes
the next year's arrangement.  A year without official data (not confirmed) still knows its statutory
holidays (``statutory_holidays``); only its make-up days and adjusted working weekends are unknown.  The
arithmetic reports such years so that the caller can flag the deadline (``calendar_warning``) and no
automatic consequence fires on it.  Only the package seed or the import of a complete official schedule
confirms a year; editing single days never does.
"""

from __future__ import annotations

from calendar import SATURDAY
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import CalendarDay, CalendarYear, Centre

# First year of the package's data; the last one is found by probing (NotImplementedError).
PACKAGE_FIRST_YEAR = 2004
PACKAGE_LAST_KNOWN_YEAR = 2026

WORKDAY_NAME = "调休上班"

# chinese_calendar.Holiday member name -> Chinese name.
HOLIDAY_NAMES_ZH = {
    "new_years_day": "元旦",
    "spring_festival": "春节",
    "tomb_sweeping_day": "清明节",
    "labour_day": "劳动节",
    "dragon_boat_festival": "端午节",
    "national_day": "国庆节",
    "mid_autumn_festival": "中秋节",
    "anti_fascist_70th_day": "抗战胜利70周年纪念日",
}
# The same keyed by the enum's English value ("National Day"), for packages that only give the value.
HOLIDAY_NAMES_ZH_BY_VALUE = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

# Accepted spellings of a row's kind (CSV import, admin tools).
KIND_ALIASES = {
    "holiday": CalendarDay.Kind.HOLIDAY,
    "假日": CalendarDay.Kind.HOLIDAY,
    "休": CalendarDay.Kind.HOLIDAY,
    "workday": CalendarDay.Kind.WORKDAY,
    "调休": CalendarDay.Kind.WORKDAY,
    "班": CalendarDay.Kind.WORKDAY,
}

_NAME_MAX_LENGTH: int = CalendarDay._meta.get_field("name").max_length or 60


# 全国年节及纪念日放假办法 (2024 rev.) arts. 2, 6, 7: the holidays every year has, whatever the State
# Council's yearly notice adds (make-up days, adjusted working weekends).  Lunar dates: (month, day).
STATUTORY_SOLAR_HOLIDAYS = (
    ((1, 1), "元旦"),
    ((5, 1), "劳动节"),
    ((5, 2), "劳动节"),
    ((10, 1), "国庆节"),
    ((10, 2), "国庆节"),
    ((10, 3), "国庆节"),
)
STATUTORY_LUNAR_HOLIDAYS = (
    ((1, 1), "春节"),
    ((1, 2), "春节"),
    ((1, 3), "春节"),
    ((5, 5), "端午节"),
    ((8, 15), "中秋节"),
)
STATUTORY_SPRING_FESTIVAL_EVE = "春节"  # 除夕, the day before lunar 1/1 (since the 2024 revision)
STATUTORY_SOLAR_TERM_HOLIDAY = ("清明", "清明节")


def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory public holidays of ``year`` (date -> Chinese name), weekends included.

    全国年节及纪念日放假办法 (2024 rev.) arts. 2, 6, 7: 1 Jan; 除夕-初三; 清明; 1-2 May; 端午; 中秋; 1-3 Oct.
    """
    from lunardate import LunarDate

    days = {date(year, m, d): name for (m, d), name in STATUTORY_SOLAR_HOLIDAYS}
    for (m, d), name in STATUTORY_LUNAR_HOLIDAYS:
        days[LunarDate(year, m, d).to_solar_date()] = name
    days[LunarDate(year, 1, 1).to_solar_date() - timedelta(days=1)] = STATUTORY_SPRING_FESTIVAL_EVE
    days[_qingming(year)] = STATUTORY_SOLAR_TERM_HOLIDAY[1]
    return {d: name for d, name in sorted(days.items())}


def _qingming(year: int) -> date:
    """The day of the 清明 solar term (4 or 5 April)."""
    import chinese_calendar

    try:
        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    except (NotImplementedError, KeyError, IndexError, ValueError):
        terms = []
    for day, name in terms:
        if name == STATUTORY_SOLAR_TERM_HOLIDAY[0]:
            return day
    raise ValueError(f"no 清明 solar term known for {year}")


def _centre_id(centre: Centre | int) -> int:
    return centre.pk if isinstance(centre, Centre) else int(centre)


def _is_weekend(d: date) -> bool:
    return d.weekday() >= SATURDAY


def _holiday_name_zh(holiday: object) -> str:
    if holiday is None:
        return ""
    name = getattr(holiday, "name", None)
    if name in HOLIDAY_NAMES_ZH:
        return HOLIDAY_NAMES_ZH[name]
    value = getattr(holiday, "value", holiday)
    return HOLIDAY_NAMES_ZH_BY_VALUE.get(str(value), str(value))[:_NAME_MAX_LENGTH]


def package_has_data(year: int) -> bool:
    """Whether the installed chinese_calendar package knows ``year``."""
    import chinese_calendar

    try:
        chinese_calendar.is_holiday(date(year, 1, 1))
        chinese_calendar.is_holiday(date(year, 12, 31))
    except NotImplementedError:
        return False
    return True


def package_exception_days(year: int) -> list[tuple[date, str, str]]:
    """The package's exceptions to the weekday rule for ``year``: (date, kind, Chinese name).

    Raises NotImplementedError when the package has no data for the year.
    """
    import chinese_calendar

    rows: list[tuple[date, str, str]] = []
    d = date(year, 1, 1)
    end = date(year, 12, 31)
    while d <= end:
        is_holiday, holiday = chinese_calendar.get_holiday_detail(d)
        if is_holiday and not _is_weekend(d):
            rows.append((d, CalendarDay.Kind.HOLIDAY, _holiday_name_zh(holiday)))
        elif not is_holiday and _is_weekend(d):
            rows.append((d, CalendarDay.Kind.WORKDAY, WORKDAY_NAME))
        d += timedelta(days=1)
    return rows


def _default_seed_years() -> range:
    # Probe a little past the last year known today, so a newer package is picked up without a code change.
    last = max(PACKAGE_LAST_KNOWN_YEAR, timezone.localdate().year + 2)
    return range(PACKAGE_FIRST_YEAR, last + 1)


def calendar_seed_from_package(*, centre: Centre | int, years: Iterable[int] | None = None) -> list[int]:
    """Seed a centre's calendar from the chinese_calendar package; idempotent.

    For every requested year the package knows (default: 2004 to the last year it knows), create the
    exception rows (existing rows are left as they are) and mark the year ``PACKAGE``.  A year the centre
    has imported or edited (``IMPORTED``) is skipped altogether: its data is the centre's.  Returns the
    years seeded, ascending.
    """
    centre_id = _centre_id(centre)
    candidates = sorted(set(_default_seed_years() if years is None else years))
    imported = set(
        CalendarYear.objects.filter(
            centre_id=centre_id, year__in=candidates, source=CalendarYear.Source.IMPORTED
        ).values_list("year", flat=True)
    )
    seeded: list[int] = []
    day_rows: list[CalendarDay] = []
    for year in candidates:
        if year in imported:
            continue
        try:
            exceptions = package_exception_days(year)
        except NotImplementedError:
            continue
        seeded.append(year)
        day_rows.extend(
            CalendarDay(centre_id=centre_id, day=d, kind=kind, name=name) for d, kind, name in exceptions
        )
    if not seeded:
        return []
    with transaction.atomic():
        CalendarDay.objects.bulk_create(day_rows, ignore_conflicts=True, batch_size=500)
        CalendarYear.objects.bulk_create(
            [CalendarYear(centre_id=centre_id, year=y, source=CalendarYear.Source.PACKAGE) for y in seeded],
            ignore_conflicts=True,
        )
    return seeded


def normalise_kind(value: object) -> str:
    """``holiday``/``workday`` (also 假日, 休 / 调休, 班) -> CalendarDay.Kind; ValueError otherwise."""
    key = str(value).strip()
    kind = KIND_ALIASES.get(key.lower())
    if kind is None:
        raise ValueError(
            _("Unknown calendar day kind %(kind)r: use holiday (假日, 休) or workday (调休, 班).")
            % {"kind": key}
        )
    return kind


def calendar_import_rows(
    *, centre: Centre | int, rows: Iterable[tuple[date, str, str]], complete: bool = False
) -> int:
    """Upsert a centre's calendar rows (date, kind, name); ``complete`` confirms their years.

    ``complete`` says the rows are the State Council's complete schedule for every year they touch: those
    years are marked ``IMPORTED`` (confirmed), after checking that every statutory holiday on a weekday is
    listed as a holiday.  Without it the rows are written but no year becomes confirmed (an already
    confirmed year becomes the centre's own, so a package seed leaves the edit alone).
    Rows are checked first; nothing is written when one is invalid (ValueError naming the row).  A row
    for a date already in the table replaces its kind and name.  Returns the number of rows written.
    """
    centre_id = _centre_id(centre)
    parsed: dict[date, tuple[str, str]] = {}
    for index, row in enumerate(rows, start=1):
        try:
            day, kind, name = row
        except (TypeError, ValueError):
            raise ValueError(
                _("Calendar row %(row)s: expected (date, kind, name), got %(value)r.")
                % {"row": index, "value": row}
            ) from None
        if isinstance(day, datetime) or not isinstance(day, date):
            raise ValueError(
                _("Calendar row %(row)s: %(value)r is not a date.") % {"row": index, "value": day}
            )
        try:
            kind = normalise_kind(kind)
        except ValueError as exc:
            raise ValueError(_("Calendar row %(row)s: %(error)s") % {"row": index, "error": exc}) from None
        name = (name or "").strip()
        if len(name) > _NAME_MAX_LENGTH:
            raise ValueError(
                _("Calendar row %(row)s: name %(name)r is longer than %(max)s characters.")
                % {"row": index, "name": name, "max": _NAME_MAX_LENGTH}
            )
        if day in parsed and parsed[day][0] != kind:
            raise ValueError(
                _("Calendar row %(row)s: %(date)s is listed both as holiday and as workday.")
                % {"row": index, "date": day.isoformat()}
            )
        parsed[day] = (kind, name)
    if not parsed:
        return 0
    years = sorted({d.year for d in parsed})
    if complete:
        _check_schedule_complete(parsed)
    with transaction.atomic():
        CalendarDay.objects.bulk_create(
            [CalendarDay(centre_id=centre_id, day=d, kind=k, name=n) for d, (k, n) in parsed.items()],
            update_conflicts=True,
            unique_fields=["centre", "day"],
            update_fields=["kind", "name"],
            batch_size=500,
        )
        if complete:
            mark_years_imported(centre_id, years)
        else:
            mark_years_edited(centre_id, years)
    return len(parsed)


def _check_schedule_complete(parsed: dict[date, tuple[str, str]]) -> None:
    """A complete official schedule lists every statutory holiday that falls on a weekday as a holiday."""
    for year in sorted({d.year for d in parsed}):
        missing = [
            d
            for d in statutory_holidays(year)
            if not _is_weekend(d) and parsed.get(d, ("", ""))[0] != CalendarDay.Kind.HOLIDAY
        ]
        if missing:
            raise ValueError(
                _(
                    "The %(year)s schedule is not complete: the statutory holidays %(dates)s are missing, "
                    "so the year cannot be confirmed."
                )
                % {"year": year, "dates": ", ".join(d.isoformat() for d in missing)}
            )


def mark_years_imported(centre: Centre | int, years: Iterable[int]) -> None:
    """Confirm years: the centre imported their complete official schedule (a package seed leaves them)."""
    centre_id = _centre_id(centre)
    for year in sorted(set(years)):
        CalendarYear.objects.update_or_create(
            centre_id=centre_id, year=year, defaults={"source": CalendarYear.Source.IMPORTED}
        )


def mark_years_edited(centre: Centre | int, years: Iterable[int]) -> None:
    """The centre edited single days: a confirmed year becomes its own data (a package seed leaves it
    alone); a year not confirmed stays unconfirmed, since single rows never confirm a year."""
    CalendarYear.objects.filter(centre_id=_centre_id(centre), year__in=set(years)).update(
        source=CalendarYear.Source.IMPORTED
    )


def years_without_data(centre: Centre | int, years: Iterable[int]) -> list[int]:
    """The given years the centre's calendar has not confirmed (no official schedule), ascending."""
    wanted = set(years)
    if not wanted:
        return []
    known = set(
        CalendarYear.objects.filter(centre_id=_centre_id(centre), year__in=wanted).values_list(
            "year", flat=True
        )
    )
    return sorted(wanted - known)


@dataclass(frozen=True, slots=True)
class WorkdayResult:
    due: date
    years_without_data: tuple[int, ...] = ()

    @property
    def calendar_warning(self) -> bool:
        """True when the due date rests on a year counted by weekends only."""
        return bool(self.years_without_data)


class WorkingCalendar:
    """A centre's working days.  Cheap to build; the table is read once, on first use, and kept."""

    def __init__(self, centre_id: int):
        self.centre_id = centre_id
        self._exceptions: dict[date, bool] | None = None  # day -> is working
        self._data_years: frozenset[int] | None = None
        self._statutory: dict[int, dict[date, str]] = {}

    @classmethod
    def for_centre(cls, centre: Centre | int) -> WorkingCalendar:
        return cls(_centre_id(centre))

    def _load(self) -> tuple[dict[date, bool], frozenset[int]]:
        self._exceptions = {
            day: kind == CalendarDay.Kind.WORKDAY
            for day, kind in CalendarDay.objects.filter(centre_id=self.centre_id).values_list("day", "kind")
        }
        self._data_years = frozenset(
            CalendarYear.objects.filter(centre_id=self.centre_id).values_list("year", flat=True)
        )
        return self._exceptions, self._data_years

    @property
    def exceptions(self) -> dict[date, bool]:
        if self._exceptions is None:
            return self._load()[0]
        return self._exceptions

    @property
    def data_years(self) -> frozenset[int]:
        if self._data_years is None:
            return self._load()[1]
        return self._data_years

    def has_data(self, year: int) -> bool:
        return year in self.data_years

    def is_confirmed(self, year: int) -> bool:
        """Whether the year's official schedule is known (package seed or complete import)."""
        return self.has_data(year)

    def is_working_day(self, d: date) -> bool:
        working = self.exceptions.get(d)
        if working is not None:
            return working
        if _is_weekend(d):
            return False
        # A year without its official schedule still has its statutory holidays; only 调休 is unknown.
        return self.has_data(d.year) or d not in self._statutory_holidays(d.year)

    def _statutory_holidays(self, year: int) -> dict[date, str]:
        if year not in self._statutory:
            try:
                self._statutory[year] = statutory_holidays(year)
            except ValueError:  # beyond the lunar tables (2100 on): weekends only
                self._statutory[year] = {}
        return self._statutory[year]

    def next_working_day(self, d: date) -> date:
        """``d`` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def _missing(self, years: Iterable[int]) -> tuple[int, ...]:
        return tuple(sorted(y for y in set(years) if not self.has_data(y)))

    def add_working_days(self, start: date, n: int) -> WorkdayResult:
        """The ``n``-th working day after ``start`` (the day of the event itself does not count).

        ``years_without_data`` lists every year the count ran through that has no holiday data.
        """
        if n < 0:
            raise ValueError(_("The number of working days must not be negative."))
        d = start
        years: set[int] = set()
        remaining = n
        while remaining:
            d += timedelta(days=1)
            years.add(d.year)
            if self.is_working_day(d):
                remaining -= 1
        return WorkdayResult(due=d, years_without_data=self._missing(years))

    def add_calendar_days(self, start: date, n: int) -> WorkdayResult:
        """``start`` + ``n`` days; a due date on a non-working day moves to the next working day (CPL 85).

        ``years_without_data`` lists the years without data among the days whose status decided the due
        date (the plain due date and any days it moved over): only they depend on the calendar.
        """
        if n < 0:
            raise ValueError(_("The number of days must not be negative."))
        d = start + timedelta(days=n)
        years = {d.year}
        while not self.is_working_day(d):
            d += timedelta(days=1)
            years.add(d.year)
        return WorkdayResult(due=d, years_without_data=self._missing(years))

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

        The inverse of add_working_days: ``working_days_between(s, add_working_days(s, n).due) == n``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        d = a
        while d < b:
            d += timedelta(days=1)
            if self.is_working_day(d):
                count += 1
        return count
