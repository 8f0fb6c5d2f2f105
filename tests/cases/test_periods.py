"""One due-date function for every period (CPL 85), used by the conditions and the deadline rows alike.

Dates come from the 2026 official schedule (chinese_calendar 1.11.0): 2026-10-01 to 10-07 off, Sat 10-10
worked. The clock is frozen in every test.
"""

from datetime import date

import pytest
from django.utils import timezone

from cases import rules, services
from cases.conditions import confirmation_window_open
from cases.deadlines import PERIODS, due_date, earliest_start_still_due
from cases.models import Case, Deadline, Stage
from cases.rules import Period
from core.workdays import WorkingCalendar

K = Deadline.Kind


def freeze(monkeypatch, day: date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: day)


def settled(world, effective_on: date) -> Case:
    case = world.case()
    Case.objects.filter(pk=case.pk).update(stage=Stage.SETTLED, settlement_effective_on=effective_on)
    case.refresh_from_db()
    return case


def window_open(case: Case) -> tuple[bool, bool]:
    """The predicate and the set-based form, which must agree."""
    in_q = Case.objects.filter(confirmation_window_open.q(), pk=case.pk).exists()
    return confirmation_window_open(case), in_q


def test_confirmation_window_is_30_days_from_the_day_after_the_agreement(world, monkeypatch):
    # CPL 205 (201), CPL 85: effective Mon 11-02, the 30th day is Wed 12-02, a working day.
    assert rules.CONFIRMATION_APPLICATION_DAYS == 30
    case = settled(world, date(2026, 11, 2))
    freeze(monkeypatch, date(2026, 12, 2))
    assert window_open(case) == (True, True)  # 29 days would have closed it on 12-01
    freeze(monkeypatch, date(2026, 12, 3))
    assert window_open(case) == (False, False)  # 31 days would still keep it open


def test_confirmation_window_ending_on_a_holiday_ends_on_the_next_working_day(world, monkeypatch):
    # Effective 09-01: the 30th day is 10-01 (National Day); the window ends on Thu 10-08, the first working
    # day. The displayed deadline and the transition agree on it (it used to refuse from 10-02).
    case = world.case()
    services.case_transition(case=case, transition="triage", actor=None)
    services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    freeze(monkeypatch, date(2026, 9, 1))
    services.case_transition(case=case, transition="settle", actor=world.mediator1)
    case.refresh_from_db()
    row = case.deadlines.get(kind=K.CONFIRMATION_APPLICATION)
    assert (row.starts_on, row.due_on) == (date(2026, 9, 1), date(2026, 10, 8))
    for today, expected in ((date(2026, 10, 2), True), (date(2026, 10, 8), True), (date(2026, 10, 9), False)):
        freeze(monkeypatch, today)
        assert window_open(case) == (expected, expected), today
    # Without the row (a case imported settled), the same date is computed.
    Deadline.objects.filter(case=case).delete()
    for today, expected in ((date(2026, 10, 8), True), (date(2026, 10, 9), False)):
        freeze(monkeypatch, today)
        assert window_open(case) == (expected, expected), today


def test_the_row_extended_by_a_hold_decides_the_window(world, monkeypatch):
    case = settled(world, date(2026, 11, 2))
    Deadline.objects.create(
        case=case, kind=K.CONFIRMATION_APPLICATION, starts_on=date(2026, 11, 2), due_on=date(2026, 12, 9)
    )
    freeze(monkeypatch, date(2026, 12, 9))
    assert window_open(case) == (True, True)
    freeze(monkeypatch, date(2026, 12, 10))
    assert window_open(case) == (False, False)


def test_due_date_does_not_count_the_day_of_the_event(world):
    cal = WorkingCalendar.for_centre(world.qz)
    one_day = Period(1, "days", "CPL 85")
    # Event on Mon 11-02: the one day is Tue 11-03.
    assert due_date(period=one_day, start=date(2026, 11, 2), work_calendar=cal).due_on == date(2026, 11, 3)


def test_due_date_for_months_and_years_rolls_forward_too(world):
    cal = WorkingCalendar.for_centre(world.qz)
    # 6 months from 2026-04-03 is 10-03 (National Day holiday): Thu 10-08.
    due = due_date(kind=K.ENFORCEMENT_COMPLETION, start=date(2026, 4, 3), work_calendar=cal)
    assert due.due_on == date(2026, 10, 8) and not due.calendar_warning
    # CPL 250: 2 years from Mon 2026-03-02 is Thu 2028-03-02 (1 year: 2027, 3 years: 2029); 2028 has no
    # official schedule yet, so the date carries a warning.
    assert PERIODS[K.ENFORCEMENT_APPLICATION] == Period(2, "years", "CPL 250 (246)")
    due = due_date(kind=K.ENFORCEMENT_APPLICATION, start=date(2026, 3, 2), work_calendar=cal)
    assert due.due_on == date(2028, 3, 2) and due.calendar_warning
    # 2 years from 2026-02-06 is Sun 2028-02-06: the next working day is Mon 02-07.
    assert due_date(kind=K.ENFORCEMENT_APPLICATION, start=date(2026, 2, 6), work_calendar=cal).due_on == date(
        2028, 2, 7
    )


def test_earliest_start_still_due_matches_due_date(world):
    cal = WorkingCalendar.for_centre(world.qz)
    today = date(2026, 10, 8)
    earliest = earliest_start_still_due(kind=K.CONFIRMATION_APPLICATION, today=today, work_calendar=cal)
    # Starts from 09-01 (due 10-01, rolled to 10-08) are in time; 08-31 ended on Wed 09-30.
    assert earliest == date(2026, 9, 1)
    assert due_date(kind=K.CONFIRMATION_APPLICATION, start=earliest, work_calendar=cal).due_on >= today


@pytest.mark.parametrize("unit", ["fortnights"])
def test_due_date_refuses_an_unknown_unit(world, unit):
    cal = WorkingCalendar.for_centre(world.qz)
    with pytest.raises(ValueError, match=unit):
        due_date(period=Period(1, unit, "-"), start=date(2026, 11, 2), work_calendar=cal)


# --- unconfirmed years: no automatic consequence ------------------------------------------------------


def in_mediation(world) -> Case:
    case = world.case()
    services.case_transition(case=case, transition="triage", actor=None)
    services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    case.refresh_from_db()
    return case


def test_no_automatic_consequence_on_a_deadline_in_an_unconfirmed_year(world, monkeypatch):
    freeze(monkeypatch, date(2026, 12, 1))
    warned, plain = in_mediation(world), in_mediation(world)
    freeze(monkeypatch, date(2027, 1, 5))
    Deadline.objects.filter(case=plain).update(due_on=date(2027, 1, 4), calendar_warning=False)
    Deadline.objects.filter(case=warned).update(due_on=date(2027, 1, 4), calendar_warning=True)

    counts = services.deadlines_act_on_due(today=date(2027, 1, 5))

    assert counts["needs_person"] == 1 and counts["expired"] == 1
    warned.refresh_from_db()
    plain.refresh_from_db()
    assert plain.stage == Stage.COURT_MEDIATION  # the confirmed one escalated as before
    assert warned.stage == Stage.IN_MEDIATION  # the unconfirmed one waits
    row = warned.deadlines.get(kind=K.MEDIATION_WINDOW)
    assert row.status == Deadline.Status.OPEN and row.needs_review
    assert row.review_reason == Deadline.ReviewReason.CALENDAR_UNCONFIRMED
    assert "尚未确认" in row.get_review_reason_display()  # Chinese is the default language

    # The next run leaves it waiting (and does not count it again).
    assert services.deadlines_act_on_due(today=date(2027, 1, 6))["needs_person"] == 0
    warned.refresh_from_db()
    assert warned.stage == Stage.IN_MEDIATION

    # A person confirms the day: the consequence follows on the next run, and the case records who.
    from cases.deadlines import deadline_confirm_by_person

    deadline_confirm_by_person(deadline=row, actor=world.admin)
    services.deadlines_act_on_due(today=date(2027, 1, 6))
    warned.refresh_from_db()
    assert warned.stage == Stage.COURT_MEDIATION
    assert warned.events.filter(action="deadline_confirmed").count() == 1
