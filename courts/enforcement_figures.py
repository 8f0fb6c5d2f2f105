"""Enforcement figures from the enforceable title (DOMAIN.md "Enforcement").

The title is the court's confirmation of a settlement, an effective payment order or a judgment. It records
its amount, its dues (the instalments, or one due on the last day of performance) and that last day, from
which the 2-year application period runs. What is enforced is the title's amount less what has been paid
on it, never the original claim; late-performance interest runs on each unpaid part of it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from cases import rules
from cases.deadlines import DueDate, due_date_for_centre
from cases.models import Case, Deadline

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# Payments a debtor made on a case, from the apps that record them (credit_repair fills this in its
# AppConfig.ready): f(case_id, since) -> [(paid_on, amount)] for payments on or after ``since``.
TITLE_PAYMENT_SOURCES: list[Callable[[int, date], Iterable[tuple[date, Decimal]]]] = []


@dataclass(frozen=True)
class EnforceableTitle:
    kind: str  # Case.enforceable_title: "confirmation", "payment_order", "judgment"
    amount: Decimal  # the money the title orders paid
    effective_on: date
    last_performance_day: date  # the application period runs from it (CPL 250 (246))
    dues: tuple[tuple[date, Decimal], ...]  # (due on, amount): instalments, or one due
    payments: tuple[tuple[date, Decimal], ...]  # paid on the title, oldest first

    @property
    def paid(self) -> Decimal:
        return sum((amount for _on, amount in self.payments), ZERO)

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.paid, ZERO)

    def make_up(self) -> dict[str, Any]:
        """The figure as the console and the API show it."""
        return {
            "title": self.kind,
            "amount": str(self.amount),
            "paid": str(self.paid),
            "outstanding": str(self.outstanding),
            "last_performance_day": self.last_performance_day.isoformat(),
        }


def _payments(case_id: int, since: date) -> tuple[tuple[date, Decimal], ...]:
    rows = [
        (on, Decimal(amount)) for source in TITLE_PAYMENT_SOURCES for on, amount in source(case_id, since)
    ]
    return tuple(sorted(rows))


def _title(*, kind: str, case: Case, amount: Decimal, effective_on: date, dues: list[tuple[date, Decimal]],
           paid_since: date) -> EnforceableTitle:  # fmt: skip
    dues = sorted(dues) or [(effective_on, amount)]
    return EnforceableTitle(
        kind=kind,
        amount=amount,
        effective_on=effective_on,
        last_performance_day=max(on for on, _a in dues),
        dues=tuple(dues),
        payments=_payments(case.pk, paid_since),
    )


def enforceable_title_of(case: Case) -> EnforceableTitle | None:
    """The one reading of a case's enforceable title from the court's and the mediators' records; None when
    the case has no title or its record is missing."""
    from mediation.selectors import effective_settlement

    from .models import ConfirmationDecision, PaymentOrder, Suit

    if case.enforceable_title == "judgment":
        suit = Suit.objects.filter(case=case, judgment_amount__isnull=False).order_by("-pk").first()
        if suit is None or suit.judgment_on is None or suit.judgment_amount is None:
            return None
        last_day = suit.performance_due_on or suit.judgment_on
        return _title(
            kind="judgment", case=case, amount=suit.judgment_amount, effective_on=suit.judgment_on,
            dues=[(last_day, suit.judgment_amount)], paid_since=suit.judgment_on,
        )  # fmt: skip
    if case.enforceable_title == "confirmation":
        decision = ConfirmationDecision.objects.filter(case=case, confirmed=True).order_by("-pk").first()
        settlement = effective_settlement(case)
        if decision is None or settlement is None:
            return None
        dues = list(settlement.instalments.values_list("due_on", "amount"))
        since = settlement.effective_on or decision.decided_on
        return _title(
            kind="confirmation", case=case, amount=settlement.total, effective_on=decision.decided_on,
            dues=dues, paid_since=since,
        )  # fmt: skip
    if case.enforceable_title == "payment_order":
        order = (
            PaymentOrder.objects.filter(
                case=case, status__in=[PaymentOrder.Status.EFFECTIVE, PaymentOrder.Status.SERVED]
            )
            .order_by("-pk")
            .first()
        )
        if order is None:
            return None
        # CPL 227¶2: pay within 15 days of service; the last day of that window is the last performance day.
        window = (
            Deadline.objects.filter(case=case, kind=Deadline.Kind.PAYMENT_ORDER_OBJECTION)
            .order_by("-pk")
            .values_list("due_on", flat=True)
            .first()
        )
        last_day = window or order.ended_on or order.served_on or order.applied_on
        effective_on = order.ended_on or last_day
        return _title(
            kind="payment_order", case=case, amount=order.amount, effective_on=effective_on,
            dues=[(last_day, order.amount)], paid_since=order.applied_on,
        )  # fmt: skip
    return None


def late_performance_interest(
    *, dues: Iterable[tuple[date, Decimal]], payments: Iterable[tuple[date, Decimal]], on: date
) -> Decimal:
    """CPL 264 (260); SPC 2014 interp. 1-4: Σ unpaid part × 0.0175% × days late.

    Each due (the last performance day, or an instalment's due date) runs from that day until the day its
    part is paid, or ``on``. Payments go to the title debt first, oldest due first, and lower the base from
    their date; a payment before a due date leaves no interest on what it paid.
    """
    due_dates: list[date] = []
    unpaid: list[Decimal] = []
    for due_on, amount in sorted(dues):
        due_dates.append(due_on)
        unpaid.append(Decimal(amount))
    part_days = Decimal(0)  # Σ amount × days late
    index = 0
    for paid_on, amount_paid in sorted(payments):
        if paid_on > on:
            break
        paid = Decimal(amount_paid)
        while paid > 0 and index < len(unpaid):
            share = min(paid, unpaid[index])
            part_days += share * max((paid_on - due_dates[index]).days, 0)
            unpaid[index] -= share
            paid -= share
            if unpaid[index] == 0:
                index += 1
    for due_on, rest in zip(due_dates[index:], unpaid[index:], strict=True):
        part_days += rest * max((on - due_on).days, 0)
    return (part_days * rules.LATE_PERFORMANCE_DAILY_RATE).quantize(CENT, rounding=ROUND_HALF_UP)


def enforcement_application_due(*, title: EnforceableTitle, centre_id: int) -> DueDate:
    """CPL 250 (246): 2 years from the title's last day of performance, by the one due-date function."""
    return due_date_for_centre(
        centre_id=centre_id, kind=Deadline.Kind.ENFORCEMENT_APPLICATION, start=title.last_performance_day
    )


def enforcement_application_warning(*, title: EnforceableTitle, centre_id: int, today: date) -> str:
    """Interp. 481: a late application is accepted; the court is warned (empty when in time)."""
    due = enforcement_application_due(title=title, centre_id=centre_id)
    if today <= due.due_on:
        return ""
    return _(
        "Applied after the 2-year period that ended on %(date)s (CPL 250): the court accepts the "
        "application; the debtor may object that it is late (Interp. 481)."
    ) % {"date": due.due_on.isoformat()}


def enforcement_application_deadlines_sync(case_ids: Iterable[int]) -> int:
    """Run each open enforcement-application limit from its title's last day of performance (CPL 250),
    not from the day the case became enforceable; returns the rows updated."""
    from cases.deadlines import due_date
    from core.workdays import WorkingCalendar

    calendars: dict[int, WorkingCalendar] = {}
    updated = 0
    for case in Case.objects.filter(pk__in=list(case_ids)):
        title = enforceable_title_of(case)
        if title is None:
            continue
        work_calendar = calendars.setdefault(case.centre_id, WorkingCalendar.for_centre(case.centre_id))
        due = due_date(
            kind=Deadline.Kind.ENFORCEMENT_APPLICATION,
            start=title.last_performance_day,
            work_calendar=work_calendar,
        )
        updated += Deadline.objects.filter(
            case=case, kind=Deadline.Kind.ENFORCEMENT_APPLICATION, status=Deadline.Status.OPEN
        ).update(
            starts_on=title.last_performance_day, due_on=due.due_on, calendar_warning=due.calendar_warning
        )
    return updated
