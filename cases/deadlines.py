"""Due dates from DOMAIN.md's periods, on the centre's working-day calendar; which stage opens which limit."""

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from core.actors import Actor, actor_role
from core.workdays import WorkingCalendar

from . import rules
from .models import Deadline, EventAction, Stage
from .rules import Period

K = Deadline.Kind

PERIODS: dict[str, Period] = {
    K.MEDIATION_WINDOW: Period(
        rules.MEDIATION_WINDOW_DAYS, "days", "SPC Online Mediation Rules 2021 art. 24"
    ),
    K.CONFIRMATION_APPLICATION: Period(rules.CONFIRMATION_APPLICATION_DAYS, "days", "CPL 205 (201)"),
    K.CONFIRMATION_DECISION: Period(rules.CONFIRMATION_DECISION_DAYS, "days", "CPL 187"),
    K.PAYMENT_ORDER_ACCEPTANCE: Period(rules.PAYMENT_ORDER_ACCEPTANCE_DAYS, "days", "CPL 226 (222)"),
    K.PAYMENT_ORDER_ISSUANCE: Period(rules.PAYMENT_ORDER_ISSUANCE_DAYS, "days", "CPL 227 (223)"),
    K.PAYMENT_ORDER_SERVICE: Period(rules.PAYMENT_ORDER_SERVICE_DAYS, "days", "Interp. 430"),
    K.PAYMENT_ORDER_OBJECTION: Period(
        rules.PAYMENT_ORDER_OBJECTION_DAYS, "days", "CPL 227; Interp. 431, 436"
    ),
    K.SUIT_DECLINE: Period(rules.SUIT_DECLINE_DAYS, "days", "CPL 228 (224); Interp. 438-439"),
    K.ENFORCEMENT_APPLICATION: Period(rules.ENFORCEMENT_APPLICATION_YEARS, "years", "CPL 250 (246)"),
    K.ENFORCEMENT_COMPLETION: Period(rules.ENFORCEMENT_COMPLETION_MONTHS, "months", "SPC enforcement rules"),
    K.ENFORCEMENT_RECHECK: Period(rules.ENFORCEMENT_RECHECK_MONTHS, "months", "SPC 2016 终本 rules"),
    K.RECORD_REMOVAL: Period(rules.RECORD_REMOVAL_WORKING_DAYS, "working_days", "SPC 2017 rules art. 10"),
    K.CREDIT_OBJECTION_ANSWER: Period(rules.CREDIT_OBJECTION_ANSWER_DAYS, "days", "Credit Reporting Reg. 25"),
}

# Limits a stage opens when a case enters it, and closes (as met) when the case leaves it.
STAGE_DEADLINES: dict[str, list[str]] = {
    Stage.IN_MEDIATION: [K.MEDIATION_WINDOW],
    Stage.COURT_MEDIATION: [K.MEDIATION_WINDOW],
    Stage.SETTLED: [K.CONFIRMATION_APPLICATION],
    Stage.CONFIRMATION_REQUESTED: [K.CONFIRMATION_DECISION],
    Stage.PAYMENT_ORDER: [K.PAYMENT_ORDER_ACCEPTANCE],
    Stage.ENFORCEABLE: [K.ENFORCEMENT_APPLICATION],
    Stage.IN_ENFORCEMENT: [K.ENFORCEMENT_COMPLETION],
    Stage.ENFORCEMENT_SUSPENDED: [K.ENFORCEMENT_RECHECK],
    Stage.PERFORMED: [K.RECORD_REMOVAL],
}
# Limits that outlive their stage: the court must still remove the record after repair has begun.
SURVIVES_STAGE_EXIT = {K.RECORD_REMOVAL, K.CREDIT_OBJECTION_ANSWER}


@dataclass(frozen=True)
class DueDate:
    due_on: date
    calendar_warning: bool


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, _calendar.monthrange(year, month)[1]))


def due_date(
    *, kind: str | None = None, start: date, work_calendar: WorkingCalendar, period: Period | None = None
) -> DueDate:
    """The one due-date function: the last day of a period (a deadline kind's, or any ``period``).

    CPL 85¶2: the day of the event (``start``) does not count; months and years end on the same-numbered
    day (the month's last day when it has none).  CPL 85¶3: a last day off work rolls forward to the next
    working day.  ``calendar_warning``: the result rests on a year whose official schedule is not confirmed.
    """
    if period is None:
        if kind is None:
            raise TypeError("due_date needs a deadline kind or a period")
        period = PERIODS[kind]
    if period.unit == "working_days":
        result = work_calendar.add_working_days(start, period.amount)
    elif period.unit in ("months", "years"):
        months = period.amount * (12 if period.unit == "years" else 1)
        result = work_calendar.add_calendar_days(start, (add_months(start, months) - start).days)
    elif period.unit == "days":
        result = work_calendar.add_calendar_days(start, period.amount)
    else:
        raise ValueError(f"unknown period unit {period.unit!r}")
    return DueDate(result.due, bool(result.years_without_data))


def due_date_for_centre(
    *, centre_id: int, start: date, kind: str | None = None, period: Period | None = None
) -> DueDate:
    """``due_date`` on a centre's calendar (read once per call; pass a WorkingCalendar when looping)."""
    return due_date(
        kind=kind, start=start, period=period, work_calendar=WorkingCalendar.for_centre(centre_id)
    )


def earliest_start_still_due(*, kind: str, today: date, work_calendar: WorkingCalendar) -> date:
    """The earliest start whose period (``due_date``) has not ended by ``today``: a period that started on
    or after it is still running.  Lets a query select "still in time" without raw day arithmetic."""
    start = today
    while due_date(kind=kind, start=start - timedelta(days=1), work_calendar=work_calendar).due_on >= today:
        start -= timedelta(days=1)
    return start


@dataclass(frozen=True)
class DueForAction:
    auto: QuerySet[Deadline]  # the consequence may fire: every year it rests on is confirmed
    needs_person: QuerySet[Deadline]  # rests on an unconfirmed year: a person confirms first


def deadlines_due_for_action(*, today: date) -> DueForAction:
    """Limits whose last day has passed and that no hold pauses, split by whether a machine may act.

    DOMAIN.md "unconfirmed year": no automatic consequence (lapse, taking effect, escalation, filing) on a
    deadline computed on a year whose official schedule is not confirmed (``calendar_warning``); such a
    limit stays open and goes to a person's queue.
    """
    due = Deadline.objects.filter(status=Deadline.Status.OPEN, paused_since__isnull=True, due_on__lt=today)
    return DueForAction(
        auto=due.filter(calendar_warning=False), needs_person=due.filter(calendar_warning=True)
    )


def deadlines_hold_for_person(deadlines: QuerySet[Deadline]) -> int:
    """Mark limits that wait for a person (set-based, idempotent); returns how many were newly marked."""
    return deadlines.filter(needs_review=False).update(
        needs_review=True, review_reason=Deadline.ReviewReason.CALENDAR_UNCONFIRMED, updated_at=timezone.now()
    )


# Who checks a last day against the official schedule: the court's staff and the centre's administrators.
DEADLINE_CONFIRMERS = frozenset({"judge", "clerk", "centre_admin"})


def deadline_confirm_by_person(*, deadline: Deadline, actor: Actor, due_on: date | None = None) -> Deadline:
    """A person has checked the last day against the official schedule (and corrected it if need be): the
    limit no longer waits, and the periodic task acts on it like any other. Recorded on the case."""
    from .errors import MESSAGES, ActionForbidden
    from .permissions import actor_reaches_case
    from .services import case_event_record

    if actor_role(actor) not in DEADLINE_CONFIRMERS or not actor_reaches_case(actor, deadline.case):
        raise ActionForbidden(MESSAGES["forbidden"])
    data = {"deadline": deadline.pk, "kind": deadline.kind, "due_on": str(due_on or deadline.due_on)}
    case_event_record(case=deadline.case, action=EventAction.DEADLINE_CONFIRMED, actor=actor, data=data)
    fields: dict[str, Any] = {
        "calendar_warning": False,
        "needs_review": False,
        "review_reason": "",
        "updated_at": timezone.now(),
    }
    if due_on is not None:
        fields["due_on"] = due_on
    Deadline.objects.filter(pk=deadline.pk).update(**fields)
    deadline.refresh_from_db()
    return deadline
