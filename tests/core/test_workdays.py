"""Working days per centre: package seed (2004-2026), imported years, unconfirmed years with a warning.

Expected dates come from chinese_calendar 1.11.0's 2026 data (State Council notice for 2026):
National Day and the holiday after it run Thu 2026-10-01 to Wed 2026-10-07; Sun 2026-09-20 and
Sat 2026-10-10 are adjusted working days; 2027 is unknown to the package.
"""

from datetime import date

import pytest
from django.contrib.admin import AdminSite
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import path

from core import admin_calendar
from core.models import CalendarDay, CalendarYear, Centre
from core.workdays import (
    WorkdayResult,
    WorkingCalendar,
    calendar_import_rows,
    calendar_seed_from_package,
    package_exception_days,
    package_has_data,
    statutory_holidays,
    years_without_data,
)

pytestmark = pytest.mark.usefixtures("english")

# A private admin site with only the calendar admin, mounted by the admin tests (pytest.mark.urls).
test_site = AdminSite(name="calendar_test_admin")
admin_calendar.register(test_site)
urlpatterns = [path("admin/", test_site.urls)]

HOLIDAY = CalendarDay.Kind.HOLIDAY
WORKDAY = CalendarDay.Kind.WORKDAY


def official_schedule(year):
    """A complete schedule for a year: its statutory holidays on weekdays (no make-up days, no 调休)."""
    return [(d, "holiday", name) for d, name in statutory_holidays(year).items() if d.weekday() < 5]


@pytest.fixture
def centre(db):
    return Centre.objects.create(code="qz", name="泉州")


@pytest.fixture
def seeded(centre):
    assert calendar_seed_from_package(centre=centre, years=[2025, 2026]) == [2025, 2026]
    return centre


# --- the package's own data, checked before anything is built on it ---------------------------------


def test_package_knows_2026_not_2027():
    assert package_has_data(2026)
    assert package_has_data(2004)
    assert not package_has_data(2027)
    assert not package_has_data(2003)
    with pytest.raises(NotImplementedError):
        package_exception_days(2027)


def test_package_exceptions_around_national_day_2026():
    rows = {d: (kind, name) for d, kind, name in package_exception_days(2026)}
    # Weekday holidays only (Sat 10-03 and Sun 10-04 are off anyway), named in Chinese.
    for day in (1, 2, 5, 6, 7):
        assert rows[date(2026, 10, day)] == (HOLIDAY, "国庆节")
    assert date(2026, 10, 3) not in rows
    assert date(2026, 10, 4) not in rows
    assert rows[date(2026, 9, 25)] == (HOLIDAY, "中秋节")
    assert rows[date(2026, 9, 20)] == (WORKDAY, "调休上班")
    assert rows[date(2026, 10, 10)] == (WORKDAY, "调休上班")
    assert rows[date(2026, 1, 1)] == (HOLIDAY, "元旦")
    assert rows[date(2026, 2, 16)] == (HOLIDAY, "春节")
    assert all((kind == HOLIDAY) == (d.weekday() < 5) for d, (kind, _name) in rows.items())


# --- seeding -------------------------------------------------------------------------------------------


def test_seed_default_covers_package_years_and_is_idempotent(centre):
    first = calendar_seed_from_package(centre=centre)
    assert first == list(range(2004, 2027))
    days = CalendarDay.objects.filter(centre=centre).count()
    assert days > 23 * 20
    assert set(CalendarYear.objects.filter(centre=centre).values_list("source", flat=True)) == {
        CalendarYear.Source.PACKAGE
    }

    second = calendar_seed_from_package(centre=centre)
    assert second == first
    assert CalendarDay.objects.filter(centre=centre).count() == days
    assert CalendarYear.objects.filter(centre=centre).count() == 23
    assert CalendarDay.objects.get(centre=centre, day=date(2026, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(centre=centre, day=date(2026, 10, 10)).kind == WORKDAY


def test_seed_skips_years_without_package_data(centre):
    assert calendar_seed_from_package(centre=centre, years=[2026, 2027]) == [2026]
    assert not CalendarYear.objects.filter(centre=centre, year=2027).exists()
    assert years_without_data(centre, [2026, 2027, 2028]) == [2027, 2028]
    assert years_without_data(centre.pk, []) == []


def test_seed_is_per_centre(centre):
    other = Centre.objects.create(code="ly", name="龙岩")
    calendar_seed_from_package(centre=centre, years=[2026])
    assert not CalendarDay.objects.filter(centre=other).exists()
    assert not WorkingCalendar.for_centre(other).has_data(2026)
    assert WorkingCalendar.for_centre(other).is_working_day(date(2026, 10, 8))
    # Without the centre's 2026 data the statutory holiday is still off; its 调休 day 10-10 is unknown.
    assert WorkingCalendar.for_centre(other).is_working_day(date(2026, 10, 1)) is False
    assert WorkingCalendar.for_centre(other).is_working_day(date(2026, 10, 10)) is False


def test_seed_does_not_overwrite_imported_year(centre):
    # The centre owns 2026: its complete schedule without the 调休 Saturdays, plus 10-08 as a local holiday.
    rows = [r for r in package_exception_days(2026) if r[1] == HOLIDAY] + [
        (date(2026, 10, 8), "holiday", "本地假日")
    ]
    calendar_import_rows(centre=centre, rows=rows, complete=True)
    assert calendar_seed_from_package(centre=centre, years=[2025, 2026]) == [2025]

    year = CalendarYear.objects.get(centre=centre, year=2026)
    assert year.source == CalendarYear.Source.IMPORTED
    assert CalendarDay.objects.get(centre=centre, day=date(2026, 10, 8)).name == "本地假日"
    assert not CalendarDay.objects.filter(centre=centre, day=date(2026, 10, 10)).exists()
    assert CalendarDay.objects.filter(centre=centre, day__year=2026).count() == len(rows)
    assert CalendarYear.objects.get(centre=centre, year=2025).source == CalendarYear.Source.PACKAGE


def test_seed_keeps_edited_rows_in_package_year(seeded):
    CalendarDay.objects.filter(centre=seeded, day=date(2026, 10, 1)).update(name="国庆")
    calendar_seed_from_package(centre=seeded, years=[2026])
    assert CalendarDay.objects.get(centre=seeded, day=date(2026, 10, 1)).name == "国庆"


# --- deadline arithmetic ---------------------------------------------------------------------------


def test_is_working_day_2026(seeded):
    cal = WorkingCalendar.for_centre(seeded)
    assert not cal.is_working_day(date(2026, 10, 1))  # Thu, National Day
    assert not cal.is_working_day(date(2026, 10, 3))  # Sat
    assert cal.is_working_day(date(2026, 10, 8))  # Thu after the holiday
    assert cal.is_working_day(date(2026, 10, 10))  # Sat, adjusted working day
    assert cal.is_working_day(date(2026, 9, 20))  # Sun, adjusted working day
    assert not cal.is_working_day(date(2026, 10, 11))  # ordinary Sunday
    assert cal.has_data(2026)
    assert not cal.has_data(2027)


def test_working_days_across_national_day_2026(seeded):
    cal = WorkingCalendar.for_centre(seeded.pk)
    # Event on Wed 09-30: the count starts on 10-01; 10-01..10-07 are off.
    assert cal.add_working_days(date(2026, 9, 30), 1) == WorkdayResult(date(2026, 10, 8), ())
    assert cal.add_working_days(date(2026, 9, 30), 2).due == date(2026, 10, 9)
    # The third working day is Saturday 10-10, an adjusted working day.
    result = cal.add_working_days(date(2026, 9, 30), 3)
    assert result.due == date(2026, 10, 10)
    assert result.years_without_data == ()
    assert not result.calendar_warning
    assert cal.add_working_days(date(2026, 9, 30), 4).due == date(2026, 10, 12)
    # Mid-Autumn (Fri 09-25) before it: from Tue 09-22, 3 working days are 09-23, 09-24, 09-28.
    assert cal.add_working_days(date(2026, 9, 22), 3).due == date(2026, 9, 28)


def test_working_days_event_day_does_not_count(seeded):
    cal = WorkingCalendar.for_centre(seeded)
    assert cal.add_working_days(date(2026, 10, 12), 1).due == date(2026, 10, 13)
    assert cal.add_working_days(date(2026, 10, 12), 0).due == date(2026, 10, 12)
    # An event on a holiday: counting starts the next day all the same.
    assert cal.add_working_days(date(2026, 10, 3), 1).due == date(2026, 10, 8)
    with pytest.raises(ValueError, match=r"negative|负数"):
        cal.add_working_days(date(2026, 10, 12), -1)


def test_working_days_into_2027_count_weekends_and_statutory_holidays_with_warning(seeded):
    cal = WorkingCalendar.for_centre(seeded)
    # From Sun 2026-12-20: Dec 21-25 (5), Dec 28-31 (4); Fri 2027-01-01 is New Year's Day even before any
    # notice (全国年节及纪念日放假办法 art. 2); Jan 4-8 (10-14), Mon Jan 11 is the 15th.
    result = cal.add_working_days(date(2026, 12, 20), 15)
    assert result.due == date(2027, 1, 11)
    assert result.years_without_data == (2027,)
    assert result.calendar_warning
    # A count staying inside 2026 carries no warning.
    assert cal.add_working_days(date(2026, 12, 20), 9) == WorkdayResult(date(2026, 12, 31), ())


def test_working_days_reports_every_year_without_data(seeded):
    result = WorkingCalendar.for_centre(seeded).add_working_days(date(2026, 12, 1), 300)
    assert result.due.year == 2028
    assert result.years_without_data == (2027, 2028)


def test_single_rows_never_confirm_a_year(seeded):
    assert years_without_data(seeded, [2027]) == [2027]
    calendar_import_rows(centre=seeded, rows=[(date(2027, 1, 4), "holiday", "元旦补假")])
    assert years_without_data(seeded, [2027]) == [2027]
    assert not CalendarYear.objects.filter(centre=seeded, year=2027).exists()
    cal = WorkingCalendar.for_centre(seeded)
    # The row counts (Jan 4 off: Jan 5-8 are 10-13, 11-12 are 14-15) but the year stays unconfirmed.
    assert cal.add_working_days(date(2026, 12, 20), 15) == WorkdayResult(date(2027, 1, 12), (2027,))


def test_import_of_complete_2027_schedule_confirms_it_and_clears_warning(seeded):
    rows = [*official_schedule(2027), (date(2027, 1, 4), "holiday", "元旦补假")]
    calendar_import_rows(centre=seeded, rows=rows, complete=True)
    assert years_without_data(seeded, [2027]) == []

    cal = WorkingCalendar.for_centre(seeded)  # a new calendar reads the new rows
    result = cal.add_working_days(date(2026, 12, 20), 15)
    # Jan 1 and the make-up day Jan 4 are off: Jan 5-8 are 10-13, Mon Jan 11 the 14th, Jan 12 the 15th.
    assert result == WorkdayResult(date(2027, 1, 12), ())
    assert CalendarYear.objects.get(centre=seeded, year=2027).source == CalendarYear.Source.IMPORTED


def test_complete_import_refuses_a_schedule_missing_a_statutory_holiday(seeded):
    rows = [r for r in official_schedule(2027) if r[0] != date(2027, 6, 9)]  # 端午 left out
    with pytest.raises(ValueError, match="2027-06-09"):
        calendar_import_rows(centre=seeded, rows=rows, complete=True)
    assert years_without_data(seeded, [2027]) == [2027]
    assert not CalendarDay.objects.filter(centre=seeded, day__year=2027).exists()


def test_statutory_holidays_of_2027_before_any_notice(seeded):
    # DOMAIN.md "year without official data": 1 Jan, 5-8 Feb (除夕-初三), 5 Apr, 1-2 May, 1-3 Oct; lunar
    # 端午 (06-09) and 中秋 (09-15) converted.
    off = {
        date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),
        date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15),
        date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3),
    }  # fmt: skip
    assert set(statutory_holidays(2027)) == off
    cal = WorkingCalendar.for_centre(seeded)
    assert not cal.has_data(2027)
    for d in off:
        assert not cal.is_working_day(d), d
    # The days either side of each holiday that fall on a weekday are working (no 调休 guessed).
    for d in (date(2026, 12, 31), date(2027, 2, 4), date(2027, 2, 9), date(2027, 4, 6), date(2027, 6, 8),
              date(2027, 6, 10), date(2027, 9, 14), date(2027, 9, 16), date(2027, 10, 4)):  # fmt: skip
        assert cal.is_working_day(d), d


def test_calendar_loads_once_per_instance(seeded, django_assert_num_queries):
    with django_assert_num_queries(0):
        cal = WorkingCalendar.for_centre(seeded)
    with django_assert_num_queries(2):
        cal.add_working_days(date(2026, 9, 30), 3)
        cal.add_working_days(date(2026, 12, 20), 15)
        cal.is_working_day(date(2026, 10, 10))
        cal.has_data(2027)


def test_add_calendar_days_moves_off_holiday(seeded):
    cal = WorkingCalendar.for_centre(seeded)
    # 2026-09-24 + 7 = Thu 10-01 (National Day): the period ends on the first working day, 10-08.
    assert cal.add_calendar_days(date(2026, 9, 24), 7) == WorkdayResult(date(2026, 10, 8), ())
    # Ending on the adjusted working Saturday 10-10: it stays there.
    assert cal.add_calendar_days(date(2026, 10, 3), 7).due == date(2026, 10, 10)
    # Ending on an ordinary Saturday: Monday.
    assert cal.add_calendar_days(date(2026, 10, 10), 7).due == date(2026, 10, 19)
    # Ending on a working day: unchanged.
    assert cal.add_calendar_days(date(2026, 10, 8), 15).due == date(2026, 10, 23)


def test_add_calendar_days_into_2027(seeded):
    cal = WorkingCalendar.for_centre(seeded)
    # Without 2027 data, Fri 2027-01-01 is still New Year's Day, then a weekend: Mon 01-04, with a warning.
    assert cal.add_calendar_days(date(2026, 12, 17), 15) == WorkdayResult(date(2027, 1, 4), (2027,))
    # Due in 2026: no warning.
    assert cal.add_calendar_days(date(2026, 12, 1), 15) == WorkdayResult(date(2026, 12, 16), ())

    calendar_import_rows(centre=seeded, rows=official_schedule(2027), complete=True)
    cal = WorkingCalendar.for_centre(seeded)
    # The confirmed schedule: the same day, no warning.
    assert cal.add_calendar_days(date(2026, 12, 17), 15) == WorkdayResult(date(2027, 1, 4), ())


def test_working_days_between(seeded):
    cal = WorkingCalendar.for_centre(seeded)
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert cal.working_days_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    assert cal.working_days_between(date(2026, 10, 8), date(2026, 10, 8)) == 0
    for n in (1, 5, 15, 40):
        due = cal.add_working_days(date(2026, 9, 18), n).due
        assert cal.working_days_between(date(2026, 9, 18), due) == n


# --- import -------------------------------------------------------------------------------------------


def test_import_upserts_rows(seeded):
    count = calendar_import_rows(
        centre=seeded,
        rows=[
            (date(2026, 10, 8), "假日", "本地假日"),  # was an ordinary Thursday
            (date(2026, 10, 10), "holiday", ""),  # was an adjusted working Saturday
            (date(2027, 2, 20), "班", "调休上班"),
        ],
    )
    assert count == 3
    assert CalendarDay.objects.get(centre=seeded, day=date(2026, 10, 10)).kind == HOLIDAY
    assert CalendarDay.objects.filter(centre=seeded, day=date(2026, 10, 10)).count() == 1
    cal = WorkingCalendar.for_centre(seeded)
    assert not cal.is_working_day(date(2026, 10, 8))
    assert cal.is_working_day(date(2027, 2, 20))
    # Edited rows make a confirmed year the centre's own, and never confirm an unknown one.
    assert dict(CalendarYear.objects.filter(centre=seeded).values_list("year", "source")) == {
        2025: CalendarYear.Source.PACKAGE,
        2026: CalendarYear.Source.IMPORTED,
    }


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ((date(2027, 1, 1), "banana", ""), "banana"),
        (("2027-01-01", "holiday", ""), "2027-01-01"),
        ((date(2027, 1, 1), "holiday", "x" * 61), "60 characters"),
        ((date(2027, 1, 1), "holiday"), "row 1"),
    ],
)
def test_import_rejects_invalid_rows_and_writes_nothing(centre, row, fragment):
    with pytest.raises(ValueError, match=fragment):
        calendar_import_rows(centre=centre, rows=[row])
    assert not CalendarDay.objects.exists()
    assert not CalendarYear.objects.exists()


def test_import_rejects_conflicting_duplicates(centre):
    rows = [(date(2027, 1, 1), "holiday", "元旦"), (date(2027, 1, 1), "workday", "")]
    with pytest.raises(ValueError, match="2027-01-01"):
        calendar_import_rows(centre=centre, rows=rows)
    assert not CalendarDay.objects.exists()


# --- management commands ----------------------------------------------------------------------------


def test_import_calendar_command(seeded, tmp_path, capsys):
    csv_file = tmp_path / "2027.csv"
    csv_file.write_text(
        "\ufeffdate,kind,name\n2027-01-01,假日,元旦\n2027/2/6,调休,调休上班\n2027-02-08,休,春节\n\n",
        encoding="utf-8",
    )
    call_command("import_calendar", str(csv_file), "--centre", "qz")
    assert "Imported 3" in capsys.readouterr().out
    assert CalendarDay.objects.get(centre=seeded, day=date(2027, 2, 6)).kind == WORKDAY
    assert CalendarDay.objects.get(centre=seeded, day=date(2027, 2, 8)).name == "春节"
    assert years_without_data(seeded, [2027]) == [2027]  # single rows: not confirmed

    official = tmp_path / "2027-official.csv"
    official.write_text(
        "date,kind,name\n"
        + "".join(f"{d.isoformat()},holiday,{n}\n" for d, _k, n in official_schedule(2027)),
        encoding="utf-8",
    )
    call_command("import_calendar", str(official), "--centre", "qz", "--official")
    assert "confirmed" in capsys.readouterr().out
    assert years_without_data(seeded, [2027]) == []


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("day,type\n2027-01-01,holiday\n", "header"),
        ("date,kind,name\n2027-13-01,holiday,x\n", "line 2"),
        ("date,kind,name\n2027-01-01,maybe,x\n", "maybe"),
        ("date,kind,name\n", "no calendar rows"),
    ],
)
def test_import_calendar_command_errors(centre, tmp_path, content, fragment):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=fragment):
        call_command("import_calendar", str(csv_file), "--centre", "qz")
    assert not CalendarDay.objects.exists()


def test_import_calendar_command_unknown_centre(db, tmp_path):
    csv_file = tmp_path / "ok.csv"
    csv_file.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nowhere"):
        call_command("import_calendar", str(csv_file), "--centre", "nowhere")


def test_seed_calendar_command(centre, capsys):
    other = Centre.objects.create(code="ly", name="龙岩")
    call_command("seed_calendar", "--year", "2026")
    call_command("seed_calendar", "--year", "2026")
    out = capsys.readouterr().out
    assert "Centre qz: seeded 2026" in out
    for c in (centre, other):
        assert CalendarYear.objects.filter(centre=c).count() == 1
        assert CalendarDay.objects.filter(centre=c, day=date(2026, 10, 1)).count() == 1
    call_command("seed_calendar", "--centre", "ly", "--year", "2025")
    assert CalendarYear.objects.filter(centre=other).count() == 2
    assert CalendarYear.objects.filter(centre=centre).count() == 1
    with pytest.raises(CommandError, match="nowhere"):
        call_command("seed_calendar", "--centre", "nowhere")


# --- admin --------------------------------------------------------------------------------------------


def _admin_request(path, **params):
    request = RequestFactory().get(path, params)
    user_model = get_user_model()
    request.user = user_model.objects.filter(username="root").first() or user_model.objects.create_superuser(
        "root", "root@example.com", "pw"
    )
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.urls(__name__)
def test_admin_changelist_warns_about_years_without_data(seeded):
    site = test_site
    other = Centre.objects.create(code="ly", name="龙岩")
    this_year = date.today().year
    upcoming = range(this_year, this_year + 3)
    calendar_seed_from_package(centre=other, years=upcoming)
    for y in upcoming:
        calendar_import_rows(centre=other, rows=official_schedule(y), complete=True)

    request = _admin_request("/admin/core/calendarday/")
    response = site._registry[CalendarDay].changelist_view(request)
    assert response.status_code == 200
    texts = [str(m) for m in get_messages(request)]
    missing = ", ".join(map(str, years_without_data(seeded, upcoming)))
    assert any(f"No official holiday data for {missing} (centre 泉州)" in t for t in texts)
    assert not any("龙岩" in t for t in texts)  # complete for the coming years

    # Filtered to the complete centre: no warning at all.
    request = _admin_request("/admin/core/calendaryear/", centre__id__exact=str(other.pk))
    response = site._registry[CalendarYear].changelist_view(request)
    assert response.status_code == 200
    assert list(get_messages(request)) == []


def test_admin_warning_text(seeded):
    texts = admin_calendar.calendar_warnings([seeded], today=date(2026, 5, 1))
    assert texts == [
        "No official holiday data for 2027, 2028 (centre 泉州): deadlines in those years count weekends "
        "and statutory holidays only, and wait for a person before any consequence. Import the complete "
        "schedule once the State Council publishes it."
    ]
    calendar_import_rows(
        centre=seeded, rows=[(date(2028, 1, 1), "holiday", "元旦")]
    )  # one row: still unknown
    assert admin_calendar.calendar_warnings([seeded], today=date(2026, 5, 1)) == texts
    calendar_import_rows(centre=seeded, rows=official_schedule(2028), complete=True)
    assert admin_calendar.calendar_warnings([seeded], today=date(2026, 5, 1)) == [
        "No official holiday data for 2027 (centre 泉州): deadlines in that year count weekends and "
        "statutory holidays only, and wait for a person before any consequence. Import the complete "
        "schedule once the State Council publishes it."
    ]


def test_admin_edit_marks_year_imported(seeded):
    model_admin = test_site._registry[CalendarDay]
    request = _admin_request("/admin/core/calendarday/")
    row = CalendarDay.objects.get(centre=seeded, day=date(2026, 10, 10))
    model_admin.delete_model(request, row)
    assert CalendarYear.objects.get(centre=seeded, year=2026).source == CalendarYear.Source.IMPORTED
    calendar_seed_from_package(centre=seeded, years=[2026])
    assert not CalendarDay.objects.filter(centre=seeded, day=date(2026, 10, 10)).exists()


@pytest.mark.urls(__name__)
def test_admin_changelist_renders_with_filters_and_warning(seeded, client):
    client.force_login(get_user_model().objects.create_superuser("admin", "admin@example.com", "pw"))
    response = client.get(
        "/admin/core/calendarday/",
        {"centre__id__exact": seeded.pk, "kind": "holiday", "year": "2026", "q": "国庆"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "国庆节" in html
    assert "(centre 泉州)" in html
    assert "调休上班" not in html  # workdays filtered out
    response = client.get("/admin/core/calendaryear/")
    assert response.status_code == 200
