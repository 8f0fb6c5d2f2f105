"""Court work: case numbers, judicial confirmation, payment orders, suits and enforcement.

Stage changes go through cases.services; this module adds the court's records, numbers and time limits.

Lock order (one for every service here): the Case row first, then the rows that belong to it (payment
order, suit, enforcement) in primary-key order, then the court's number sequence. See `lock_case_then`.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.deadlines import add_months, due_date_for_centre
from cases.errors import MESSAGES, ActionForbidden, CaseActionError
from cases.models import Case, Deadline, EventAction, Stage
from cases.permissions import actor_reaches_case
from cases.services import (
    CHUNK,
    TRANSITION_HANDLERS,
    BulkResult,
    case_event_record,
    case_transition,
    cases_bulk_transition,
    cases_lock,
    deadline_hook,
    deadline_open,
)
from core.actors import SYSTEM, actor_role
from core.models import Centre, Organisation, Role

from .enforcement_figures import (
    enforceable_title_of,
    enforcement_application_deadlines_sync,
    enforcement_application_warning,
    late_performance_interest,
)
from .errors import CourtError
from .models import (
    CaseNumberSequence,
    ConfirmationDecision,
    Enforcement,
    EnforcementMeasure,
    Filing,
    FilingType,
    PaymentOrder,
    PaymentOrderObjection,
    RefusalGround,
    Suit,
)

logger = logging.getLogger(__name__)
UNSET: Any = object()  # a keyword not passed (None clears)
K = Deadline.Kind
Row = TypeVar("Row", bound=Any)


# --- lock order -----------------------------------------------------------------------------------


def lock_case_then(row: Row) -> Row:
    """Lock the row's Case, then the row itself (a payment order, suit, enforcement), and return it fresh.

    The one lock order of court work: Case first, then the rows that belong to it, then the court's number
    sequence. A debtor's objection (mediation.debtor_services.objection_file) holds the Case when it reaches
    the payment order; a console step on the same order must not hold the order while it waits for the
    Case, or the two deadlock. Call inside a transaction.
    """
    case_lock(case_id=row.case_id)
    return type(row).objects.select_for_update(of=("self",)).select_related("case").get(pk=row.pk)


def case_lock(*, case_id: int) -> None:
    """Take the Case row lock before anything that belongs to the case, or a court number, is locked."""
    cases_lock(case_ids=[case_id])


def cases_locked(*, case_ids: Iterable[int], visible: QuerySet[Case] | None = None) -> dict[int, Case]:
    """Lock many cases in primary-key order (cases.services.cases_lock: the first step of a bulk court
    service) and read them; those out of reach (not in `visible`) are left out. Call inside a transaction."""
    locked = [row.pk for row in cases_lock(case_ids=case_ids, base=visible)]
    return Case.objects.in_bulk(locked)


# --- case numbers ---------------------------------------------------------------------------------


def case_number_format(*, prefix: str, year: int, filing_type: str, seq: int) -> str:
    """The court's own format: (2026)闽0502民督123号."""
    return f"({year}){prefix}{filing_type}{seq}号"


def court_case_numbers_reserve(*, court: Organisation, filing_type: str, year: int, count: int = 1) -> range:
    """Reserve `count` consecutive numbers in one locked UPDATE; two transactions never get the same."""
    try:
        with transaction.atomic():
            CaseNumberSequence.objects.get_or_create(court=court, year=year, filing_type=filing_type)
    except IntegrityError:  # created by a concurrent transaction between our read and write
        pass
    with transaction.atomic():
        sequence = CaseNumberSequence.objects.select_for_update().get(
            court=court, year=year, filing_type=filing_type
        )
        first = sequence.last + 1
        CaseNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + count)
    return range(first, first + count)


def filing_create(*, case: Case, filing_type: str, filed_on: date | None = None) -> Filing:
    court = case.court
    if court is None:
        raise CourtError(_("The case has no court."), code="no_court")
    filed_on = filed_on or timezone.localdate()
    (seq,) = court_case_numbers_reserve(court=court, filing_type=filing_type, year=filed_on.year)
    number = case_number_format(
        prefix=court.court_number_prefix, year=filed_on.year, filing_type=filing_type, seq=seq
    )
    return Filing.objects.create(
        case=case,
        court=court,
        filing_type=filing_type,
        year=filed_on.year,
        seq=seq,
        number=number,
        filed_on=filed_on,
    )


def filings_create_bulk(
    *, case_ids: list[int], filing_type: str, filed_on: date | None = None
) -> list[Filing]:
    """Numbers for many cases of one or more courts: one reservation per court, one INSERT."""
    filed_on = filed_on or timezone.localdate()
    by_court: dict[int, list[int]] = {}
    for pk, court_id in Case.objects.filter(pk__in=case_ids, court__isnull=False).values_list(
        "pk", "court_id"
    ):
        by_court.setdefault(court_id, []).append(pk)
    rows: list[Any] = []
    for court in Organisation.objects.filter(pk__in=by_court):
        pks = by_court[court.pk]
        numbers = court_case_numbers_reserve(
            court=court, filing_type=filing_type, year=filed_on.year, count=len(pks)
        )
        rows.extend(
            Filing(
                case_id=pk,
                court=court,
                filing_type=filing_type,
                year=filed_on.year,
                seq=seq,
                filed_on=filed_on,
                number=case_number_format(
                    prefix=court.court_number_prefix, year=filed_on.year, filing_type=filing_type, seq=seq
                ),
            )
            for pk, seq in zip(pks, numbers, strict=True)
        )
    return Filing.objects.bulk_create(rows)


def latest_filing(case: Case, filing_type: str) -> Filing | None:
    return case.filings.filter(filing_type=filing_type).order_by("-pk").first()


COURT_ROLES = frozenset({"judge", "clerk", "system"})


def _court_step(actor: Any, case: Case) -> None:
    """A court's own step: a judge or clerk of this case's court (or the platform), and no hold on it."""
    if actor_role(actor) not in COURT_ROLES or not actor_reaches_case(actor, case):
        raise ActionForbidden(MESSAGES["forbidden"])
    if case.on_hold:
        raise CourtError(MESSAGES["on_hold"], code="on_hold")


def _close(case: Case, *kinds: str) -> None:
    Deadline.objects.filter(case=case, kind__in=kinds, status=Deadline.Status.OPEN).update(
        status=Deadline.Status.MET, closed_at=timezone.now()
    )


# --- judicial confirmation ------------------------------------------------------------------------


@transaction.atomic
def confirmation_apply(*, case: Case, actor: Any) -> Filing:
    """Joint application within 30 days of the agreement (CPL 205): a 民特 number and the decision limit."""
    case_transition(case=case, transition="request_confirmation", actor=actor)
    case.refresh_from_db()
    filing = filing_create(case=case, filing_type=FilingType.CONFIRMATION)
    case_event_record(case=case, action=EventAction.FILED, actor=actor, data={"number": filing.number})
    return filing


@transaction.atomic
def confirmation_decide(
    *,
    case: Case,
    actor: Any,
    confirmed: bool,
    ground: str = "",
    reasons: str = "",
    next_step: str = "mediation",
) -> ConfirmationDecision:
    """Confirm (an enforceable ruling, CPL 206) or refuse on an Interp. 358 ground (to mediation or suit)."""
    if not confirmed and ground not in RefusalGround.values:
        raise CourtError(_("Choose the ground for refusing confirmation."), code="ground_required")
    case_lock(case_id=case.pk)
    filing = latest_filing(case, FilingType.CONFIRMATION) or filing_create(
        case=case, filing_type=FilingType.CONFIRMATION
    )
    if confirmed:
        case_transition(
            case=case, transition="confirm", actor=actor, reason=reasons, data={"number": filing.number}
        )
    else:
        label = str(RefusalGround(ground).label)
        case_transition(
            case=case,
            transition="reject_confirmation",
            actor=actor,
            reason=f"{label}: {reasons}".strip(": "),
            data={"number": filing.number, "ground": ground},
        )
    _filing_signed_by(filing, actor)
    decision = ConfirmationDecision.objects.create(
        case=case,
        filing=filing,
        confirmed=confirmed,
        ground=ground if not confirmed else "",
        reasons=reasons,
        next_step="" if confirmed else next_step,
        decided_by=actor,
        decided_on=timezone.localdate(),
    )
    if not confirmed and next_step == "suit":
        suit_file(case=case, actor=actor)
    _render_later("confirmation_ruling", decision.pk)
    return decision


def confirmations_bulk(
    *, case_ids: Iterable[int], actor: Any, visible: QuerySet[Case], reasons: str = ""
) -> BulkResult:
    """Confirm many settlements at once: the eligible ones in set-based steps; the rest reported with why."""
    ids = list(case_ids)
    result = cases_bulk_transition(
        case_ids=ids, transition="confirm", actor=actor, visible=visible, reason=reasons
    )
    if result.done:
        filings = {
            f.case_id: f
            for f in Filing.objects.filter(case_id__in=result.done, filing_type=FilingType.CONFIRMATION)
        }
        missing = [pk for pk in result.done if pk not in filings]
        filings.update(
            {f.case_id: f for f in filings_create_bulk(case_ids=missing, filing_type=FilingType.CONFIRMATION)}
        )
        decisions = ConfirmationDecision.objects.bulk_create(
            ConfirmationDecision(
                case_id=pk,
                filing=filings[pk],
                confirmed=True,
                reasons=reasons,
                decided_by=actor,
                decided_on=timezone.localdate(),
            )
            for pk in result.done
        )
        for decision in decisions:
            _render_later("confirmation_ruling", decision.pk)
    return result


def confirmations_reject_bulk(
    *,
    case_ids: Iterable[int],
    actor: Any,
    visible: QuerySet[Case],
    ground: str,
    reasons: str = "",
    next_step: str = "mediation",
) -> BulkResult:
    """Refuse confirmation of many settlements on one ground: the cases locked first in pk order, then one
    decision (number, ruling, perhaps a suit) per case; each one refused is reported with the reason."""
    if ground not in RefusalGround.values:
        raise CourtError(_("Choose the ground for refusing confirmation."), code="ground_required")

    def decide(case: Case) -> None:
        confirmation_decide(
            case=case, actor=actor, confirmed=False, ground=ground, reasons=reasons, next_step=next_step
        )

    return _cases_each(case_ids=case_ids, visible=visible, step=decide)


def _cases_each(
    *,
    case_ids: Iterable[int],
    visible: QuerySet[Case],
    step: Any,
    review: Any = None,
) -> BulkResult:
    """One court step on each of many cases, for steps that make per-case records (numbers, documents).

    Per chunk, one transaction locks the cases in pk order (Case first); `review(case)` may lock the
    case's own rows and returns (reason to skip, argument for the step); each step runs in its own
    savepoint, so one refused case leaves the others done.
    """
    ids = list(dict.fromkeys(case_ids))
    result = BulkResult()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            cases = cases_locked(case_ids=chunk, visible=visible)
            reviewed = review(cases) if review is not None else {pk: ("", case) for pk, case in cases.items()}
            for pk in chunk:
                if pk not in cases:
                    result.skipped[pk] = gettext("not found")
                    continue
                why, arg = reviewed[pk]
                if why:
                    result.skipped[pk] = why
                    continue
                try:
                    step(arg)
                except CaseActionError as exc:
                    result.skipped[pk] = str(exc.message)
                else:
                    result.done.append(pk)
    return result


# --- payment orders -------------------------------------------------------------------------------

ELIGIBILITY_MESSAGES = {
    "not_due": _("The claim is not yet due."),
    "unagreed_interest": _(
        "Interest or fees claimed without an agreed rate in the documents: "
        "the court will reject them (Interp. 428)."
    ),
    "cannot_be_served": _(
        "No postal address and no consent to electronic service: the debtor cannot be served."
    ),
    "not_money": _("Not a fixed money claim."),
}


def payment_order_eligibility(case: Case) -> list[str]:
    """CPL 225 conditions and Interp. 428, as flags to resolve before applying (an empty list is eligible)."""
    flags = []
    if case.overdue_since > timezone.localdate():
        flags.append("not_due")
    if (case.interest > 0 or case.fees > 0) and case.annual_rate is None:
        flags.append("unagreed_interest")
    if debtor_cannot_be_served(case):
        flags.append("cannot_be_served")
    if case.principal <= 0:
        flags.append("not_money")
    return flags


@transaction.atomic
def payment_order_apply(*, case: Case, actor: Any, accept_flags: bool = False) -> PaymentOrder:
    flags = payment_order_eligibility(case)
    blocking = [f for f in flags if f != "unagreed_interest" or not accept_flags]
    if blocking:
        raise CourtError("; ".join(str(ELIGIBILITY_MESSAGES[f]) for f in blocking), code="not_eligible")
    case_transition(case=case, transition="apply_payment_order", actor=actor, data={"flags": flags})
    amount = case.principal if "unagreed_interest" in flags else case.claimed_total
    return PaymentOrder.objects.create(case=case, flags=flags, amount=amount, applied_on=timezone.localdate())


def _order_in(order: PaymentOrder, *statuses: str) -> PaymentOrder:
    order = lock_case_then(order)
    if order.status not in statuses:
        raise CourtError(_("The payment order is not at a step that allows this."), code="order_state")
    return order


@transaction.atomic
def payment_order_accept(*, order: PaymentOrder, actor: Any) -> PaymentOrder:
    """Accepted within 5 days (CPL 226): a 民督 number; the order must issue within 15 days (CPL 227)."""
    order = _order_in(order, PaymentOrder.Status.APPLIED)
    _court_step(actor, order.case)
    order.filing = filing_create(case=order.case, filing_type=FilingType.PAYMENT_ORDER)
    order.status, order.accepted_on = PaymentOrder.Status.ACCEPTED, timezone.localdate()
    order.save()
    _filing_signed_by(order.filing, actor)
    _close(order.case, K.PAYMENT_ORDER_ACCEPTANCE)
    deadline_open(case=order.case, kind=K.PAYMENT_ORDER_ISSUANCE, start=order.accepted_on)
    case_event_record(
        case=order.case,
        action=EventAction.PAYMENT_ORDER_ACCEPTED,
        actor=actor,
        data={"number": order.filing.number},
    )
    return order


@transaction.atomic
def payment_order_reject(*, order: PaymentOrder, actor: Any, reason: str) -> PaymentOrder:
    order = _order_in(order, PaymentOrder.Status.APPLIED, PaymentOrder.Status.ACCEPTED)
    order.status, order.ended_on = PaymentOrder.Status.REJECTED, timezone.localdate()
    order.save()
    case_transition(case=order.case, transition="order_lapse", actor=actor, reason=reason or "rejected")
    return order


@transaction.atomic
def payment_order_issue(*, order: PaymentOrder, actor: Any) -> PaymentOrder:
    """Issued (支付令): it lapses unless served within 30 days (Interp. 430)."""
    order = _order_in(order, PaymentOrder.Status.ACCEPTED)
    _court_step(actor, order.case)
    order.status, order.issued_on = PaymentOrder.Status.ISSUED, timezone.localdate()
    order.save()
    _filing_signed_by(order.filing, actor)
    _close(order.case, K.PAYMENT_ORDER_ISSUANCE)
    deadline_open(case=order.case, kind=K.PAYMENT_ORDER_SERVICE, start=order.issued_on)
    case_event_record(
        case=order.case, action=EventAction.PAYMENT_ORDER_ISSUED, actor=actor, data={"order": order.pk}
    )
    _render_later("payment_order", order.pk)
    return order


@transaction.atomic
def payment_order_record_service(*, order: PaymentOrder, actor: Any, served_on: date) -> PaymentOrder:
    """Served: the debtor has 15 days from service to object in writing (CPL 227)."""
    order = _order_in(order, PaymentOrder.Status.ISSUED)
    _court_step(actor, order.case)
    return _payment_order_served(order, actor=actor, served_on=served_on)


def payment_order_served_by_delivery(*, decision: PaymentOrder, served_on: date) -> PaymentOrder | None:
    """CPL 90¶2; Interp. 135: an order delivered electronically with consent is served on the date the
    notice channel records delivery; the objection window opens from it. notices calls this (registry);
    an order no longer awaiting service is left as it is. Service is a fact: a hold does not refuse it
    (the window opens paused)."""
    try:
        with transaction.atomic():
            order = lock_case_then(decision)
            if order.status != PaymentOrder.Status.ISSUED:
                return None
            return _payment_order_served(order, actor=SYSTEM, served_on=served_on)
    except CourtError as exc:
        logger.warning(
            "payment order %s: delivery on %s not recorded as service: %s", decision.pk, served_on, exc
        )
        return None


def _payment_order_served(order: PaymentOrder, *, actor: Any, served_on: date) -> PaymentOrder:
    if served_on > timezone.localdate() or (order.issued_on and served_on < order.issued_on):
        raise CourtError(_("The service date must lie between issuance and today."), code="service_date")
    order.status, order.served_on = PaymentOrder.Status.SERVED, served_on
    order.save()
    _close(order.case, K.PAYMENT_ORDER_SERVICE)
    deadline_open(case=order.case, kind=K.PAYMENT_ORDER_OBJECTION, start=served_on)
    case_event_record(
        case=order.case,
        action=EventAction.PAYMENT_ORDER_SERVED,
        actor=actor,
        data={"served_on": str(served_on)},
    )
    return order


def payment_order_review(case: Case, order: PaymentOrder | None, status: str) -> str | None:
    """Why a payment order cannot take its next step now (None when it can): the bulk steps' skip reasons."""
    if case.on_hold:
        return str(MESSAGES["on_hold"])
    if order is None:
        return gettext("No payment order has been applied for.")
    if order.status != status:
        return gettext("The payment order is %(status)s.") % {"status": order.get_status_display()}
    if status == PaymentOrder.Status.APPLIED:
        new_flags = [f for f in payment_order_eligibility(case) if f not in order.flags]
        if new_flags:
            return " ".join(str(ELIGIBILITY_MESSAGES[f]) for f in new_flags)
    return None


# An order still before the court: the bulk steps look at the case's newest one of these.
ORDERS_IN_COURT = (
    PaymentOrder.Status.APPLIED,
    PaymentOrder.Status.ACCEPTED,
    PaymentOrder.Status.ISSUED,
    PaymentOrder.Status.SERVED,
)


def _payment_orders_step(
    *, case_ids: Iterable[int], actor: Any, visible: QuerySet[Case], status: str, step: Any
) -> BulkResult:
    def review(cases: dict[int, Case]) -> dict[int, tuple[str, PaymentOrder | None]]:
        # Case rows are locked; now their orders, in pk order (the one lock order).
        orders = PaymentOrder.objects.select_for_update().filter(
            case_id__in=list(cases), status__in=ORDERS_IN_COURT
        )
        newest: dict[int, PaymentOrder] = {}
        for order in orders.order_by("pk"):
            newest[order.case_id] = order
        reviewed: dict[int, tuple[str, PaymentOrder | None]] = {}
        for pk, case in cases.items():
            found = newest.get(pk)
            if found is not None:
                found.case = case
            reviewed[pk] = (payment_order_review(case, found, status) or "", found)
        return reviewed

    return _cases_each(
        case_ids=case_ids, visible=visible, review=review, step=lambda order: step(order=order, actor=actor)
    )


def payment_orders_accept_bulk(*, case_ids: Iterable[int], actor: Any, visible: QuerySet[Case]) -> BulkResult:
    """Accept many applications: each reviewed (hold, status, new eligibility flags) and given its 民督
    number in one call; each one refused is reported with the reason."""
    return _payment_orders_step(
        case_ids=case_ids,
        actor=actor,
        visible=visible,
        status=PaymentOrder.Status.APPLIED,
        step=payment_order_accept,
    )


def payment_orders_issue_bulk(*, case_ids: Iterable[int], actor: Any, visible: QuerySet[Case]) -> BulkResult:
    """Issue many accepted payment orders, each rendered as its own PDF; the refused reported with why."""
    return _payment_orders_step(
        case_ids=case_ids,
        actor=actor,
        visible=visible,
        status=PaymentOrder.Status.ACCEPTED,
        step=payment_order_issue,
    )


def objection_window(order: PaymentOrder) -> Deadline | None:
    return (
        Deadline.objects.filter(case_id=order.case_id, kind=K.PAYMENT_ORDER_OBJECTION).order_by("-pk").first()
    )


def objection_posted_in_time(*, window: Deadline, posted_on: date) -> bool:
    """CPL 85¶4: time in the post does not count: an objection posted by the window's last day (``due_date``,
    CPL 85¶2-3) is in time, however late it arrives."""
    return posted_on <= window.due_on


@transaction.atomic
def payment_order_object(
    *,
    order: PaymentOrder,
    form: str,
    filed_on: date,
    statement: str,
    only_ability_to_pay: bool = False,
    posted_on: date | None = None,
    actor: Any = None,
) -> PaymentOrderObjection:
    """An objection counts only written, posted (or filed) inside the 15-day window and not merely about
    ability to pay (CPL 85¶4; Interp. 431, 436); a valid one ends the order, and the creditor then has 7
    days from receiving the termination ruling to decline the suit (CPL 228; Interp. 438-439).

    An objection posted in time that arrives after the window closed and the order took effect undoes that
    effect: the case returns to the objection's outcome (CPL 85¶4)."""
    order = lock_case_then(order)
    window = objection_window(order)
    sent_on = posted_on or filed_on
    took_effect = (
        order.status == PaymentOrder.Status.EFFECTIVE
        and window is not None
        and window.status == Deadline.Status.EXPIRED
    )
    why = ""
    if window is None or (order.status != PaymentOrder.Status.SERVED and not took_effect):
        why = str(_("the order is not in its objection window"))
    elif form != PaymentOrderObjection.Form.WRITTEN:
        why = str(_("oral objections do not count; it must be in writing"))
    elif not objection_posted_in_time(window=window, posted_on=sent_on):
        why = str(_("filed after the 15-day window closed on %(date)s") % {"date": window.due_on})
    elif only_ability_to_pay:
        why = str(_("an objection only about the ability to pay does not count"))
    objection = PaymentOrderObjection.objects.create(
        order=order,
        form=form,
        filed_on=filed_on,
        posted_on=posted_on,
        statement=statement,
        only_ability_to_pay=only_ability_to_pay,
        valid=not why,
        invalid_reason=why,
        recorded_by=actor if actor is not SYSTEM else None,
    )
    case_event_record(
        case=order.case,
        action=EventAction.PAYMENT_ORDER_OBJECTION,
        actor=actor or SYSTEM,
        reason=statement[:300],
        data={"valid": not why, "why": why, **({"posted_on": str(posted_on)} if posted_on else {})},
    )
    if not why:
        order.status, order.ended_on = PaymentOrder.Status.OBJECTED, filed_on
        order.save()
        _close(order.case, K.PAYMENT_ORDER_OBJECTION)
        if took_effect:
            _order_effect_undo(order.case, actor or SYSTEM)
    return objection


def _order_effect_undo(case: Case, actor: Any) -> None:
    """CPL 85¶4: the window's close made the order effective, but an objection posted in time arrived: the
    case goes back to the payment-order stage (where a valid objection leaves it) and the limits the
    effect opened are cancelled. Enforcement already begun is the court's to terminate by ruling."""
    case.refresh_from_db()
    if case.stage != Stage.ENFORCEABLE:
        return
    now = timezone.now()
    cancelled = {"status": Deadline.Status.CANCELLED, "closed_at": now, "updated_at": now}
    Deadline.objects.filter(case=case, kind=K.ENFORCEMENT_APPLICATION, status=Deadline.Status.OPEN).update(
        **cancelled
    )
    case_transition(
        case=case,
        transition="order_effect_undone",
        actor=actor,
        reason="objection posted within the 15-day window (CPL 85¶4)",
    )
    Deadline.objects.filter(case=case, kind=K.PAYMENT_ORDER_ACCEPTANCE, status=Deadline.Status.OPEN).update(
        **cancelled
    )


@transaction.atomic
def payment_order_termination_ruling_received(
    *, order: PaymentOrder, actor: Any, received_on: date
) -> PaymentOrder:
    """The creditor received the ruling ending the procedure after a valid objection: its 7 days to decline
    the suit run from that date, not from the objection (CPL 228; Interp. 438-439)."""
    order = _order_in(order, PaymentOrder.Status.OBJECTED)
    _court_step(actor, order.case)
    if received_on > timezone.localdate() or (order.ended_on and received_on < order.ended_on):
        raise CourtError(
            _("The ruling cannot be received before the objection or after today."), code="ruling_date"
        )
    if order.termination_ruling_received_on is not None:
        raise CourtError(_("The ruling's receipt is already recorded."), code="ruling_recorded")
    order.termination_ruling_received_on = received_on
    order.save(update_fields=["termination_ruling_received_on", "updated_at"])
    deadline_open(case=order.case, kind=K.SUIT_DECLINE, start=received_on)
    return order


def payment_order_objection_from_debtor(
    *, case: Case, statement: str, only_ability_to_pay: bool
) -> PaymentOrderObjection | None:
    """A debtor's objection on the platform is also the written objection to the case's served payment
    order (CPL 227); one that admits the debt and pleads only inability to pay is recorded for the judge
    but does not end the order (Interp. 436). None when no order is served. CourtsConfig.ready registers
    it with mediation."""
    order = PaymentOrder.objects.filter(case=case, status=PaymentOrder.Status.SERVED).order_by("-pk").first()
    if order is None:
        return None
    return payment_order_object(
        order=order,
        form="written",
        filed_on=timezone.localdate(),
        statement=statement,
        only_ability_to_pay=only_ability_to_pay,
        actor=SYSTEM,
    )


@transaction.atomic
def payment_order_decline_suit(*, case: Case, actor: Any, reason: str) -> None:
    """The creditor declines the suit after an objection, within 7 days: the case is withdrawn."""
    window = Deadline.objects.filter(case=case, kind=K.SUIT_DECLINE, status=Deadline.Status.OPEN).first()
    if window is None:
        raise CourtError(_("There is no open 7-day window to decline the suit."), code="no_decline_window")
    _close(case, K.SUIT_DECLINE)
    case_transition(
        case=case, transition="withdraw", actor=actor, reason=reason or "declined suit after objection"
    )


@deadline_hook(K.PAYMENT_ORDER_OBJECTION)
def payment_orders_take_effect(case_ids: list[int]) -> int:
    """No valid objection in 15 days: the orders are effective (the case moved to enforceable)."""
    count = PaymentOrder.objects.filter(
        case_id__in=case_ids, status=PaymentOrder.Status.SERVED, case__stage=Stage.ENFORCEABLE
    ).update(status=PaymentOrder.Status.EFFECTIVE, ended_on=timezone.localdate())
    enforcement_application_deadlines_sync(case_ids)
    return count


@deadline_hook(K.PAYMENT_ORDER_SERVICE)
def payment_orders_lapse(case_ids: list[int]) -> int:
    return PaymentOrder.objects.filter(case_id__in=case_ids, status=PaymentOrder.Status.ISSUED).update(
        status=PaymentOrder.Status.LAPSED, ended_on=timezone.localdate()
    )


@deadline_hook(K.SUIT_DECLINE)
def suits_open_after_objection(case_ids: list[int]) -> int:
    """Cases turned into suits by the lapse of the creditor's 7 days: numbers and suit records, set-based."""
    ids = list(
        Case.objects.filter(pk__in=case_ids, stage=Stage.IN_LITIGATION)
        .exclude(suits__isnull=False)
        .values_list("pk", flat=True)
    )
    filings = filings_create_bulk(case_ids=ids, filing_type=FilingType.SUIT)
    cases = Case.objects.in_bulk([f.case_id for f in filings])
    today = timezone.localdate()
    Suit.objects.bulk_create(
        Suit(
            case_id=f.case_id,
            filing=f,
            procedure=(p := suit_procedure_for(cases[f.case_id])),
            filed_on=today,
            decide_by=suit_decide_by(p, today, cases[f.case_id].centre_id),
        )
        for f in filings
    )
    return len(filings)


# --- suits ----------------------------------------------------------------------------------------

# CPL 168, 164, 152: small claims 2 months, summary 3 months, ordinary 6 months from filing.
TRIAL_MONTHS = {
    Suit.Procedure.SMALL_CLAIMS: rules.SMALL_CLAIMS_TRIAL_MONTHS,
    Suit.Procedure.SUMMARY: rules.SUMMARY_TRIAL_MONTHS,
    Suit.Procedure.ORDINARY: rules.ORDINARY_TRIAL_MONTHS,
}
TRIAL_LIMIT_SOURCES = {
    Suit.Procedure.SMALL_CLAIMS: "CPL 168",
    Suit.Procedure.SUMMARY: "CPL 164",
    Suit.Procedure.ORDINARY: "CPL 152",
}


# CPL 165: small claims up to 50% of the province's prior-year average wage of employed persons, the latest
# published figure (Interp. 272), entered by the centre with its year and source; above that, up to 2 x the
# wage only if both parties agree.
SMALL_CLAIMS_WAGE_SHARE = Decimal("0.5")
SMALL_CLAIMS_AGREED_WAGE_MULTIPLE = Decimal("2")


def small_claims_wage(centre: Centre) -> Decimal | None:
    """The centre's average-wage figure, or None when it lacks its year or its published source: an
    unsourced figure decides nothing."""
    if centre.average_wage and centre.average_wage_year and centre.average_wage_source.strip():
        return Decimal(centre.average_wage)
    return None


def small_claims_ceiling(case: Case, *, parties_agree: bool = False) -> Decimal | None:
    """The largest claim small claims may take (CPL 165): half the wage, or with both parties' agreement
    twice the wage; None while the centre has no sourced figure."""
    wage = small_claims_wage(case.centre)
    if wage is None:
        return None
    multiple = SMALL_CLAIMS_AGREED_WAGE_MULTIPLE if parties_agree else SMALL_CLAIMS_WAGE_SHARE
    return (wage * multiple).quantize(Decimal("0.01"))


def debtor_cannot_be_served(case: Case) -> bool:
    """No postal address and no consent to electronic service: the debtor's whereabouts are unknown to the
    platform and only service by publication remains (CPL 225: payment orders; CPL 166: small claims)."""
    return not case.address and not case.e_service_consent


def small_claims_refusal(case: Case, *, parties_agree: bool = False) -> str:
    """Why small claims may not take this case ("" when it may): CPL 165 ceiling; CPL 166 never when a
    party's whereabouts are unknown or service would be by publication."""
    if debtor_cannot_be_served(case):
        return gettext(
            "Small claims is not used when the debtor can only be served by publication (CPL 166)."
        )
    ceiling = small_claims_ceiling(case, parties_agree=parties_agree)
    if ceiling is None:
        return gettext(
            "The centre has not entered the province's average wage with its year and published source, so "
            "the small-claims limit is unknown (CPL 165; Interp. 272): the case goes to summary procedure."
        )
    if case.claimed_total > ceiling:
        return gettext("The claim is above the small-claims limit of %(ceiling)s yuan (CPL 165).") % {
            "ceiling": ceiling
        }
    return ""


def suit_procedure_for(case: Case, *, parties_agree_small_claims: bool = False) -> str:
    """Small claims where CPL 165-166 allow it, summary procedure otherwise (CPL 169: unsuitable cases go
    on to summary or ordinary procedure)."""
    if small_claims_refusal(case, parties_agree=parties_agree_small_claims):
        return Suit.Procedure.SUMMARY
    return Suit.Procedure.SMALL_CLAIMS


def suit_decide_by(procedure: str, filed_on: date, centre_id: int) -> date:
    """The trial limit's last day, by the one due-date function (CPL 85)."""
    procedure = Suit.Procedure(procedure)
    period = rules.Period(TRIAL_MONTHS[procedure], "months", TRIAL_LIMIT_SOURCES[procedure])
    return due_date_for_centre(centre_id=centre_id, start=filed_on, period=period).due_on


@transaction.atomic
def suit_file(
    *, case: Case, actor: Any, procedure: str | None = None, parties_agree_small_claims: bool = False
) -> Suit:
    """File the suit under the procedure chosen (or the one CPL 165-166 give); small claims is refused where
    CPL 165-166 forbid it. ``parties_agree_small_claims``: both parties agreed (CPL 165), recorded."""
    case_lock(case_id=case.pk)
    if procedure == Suit.Procedure.SMALL_CLAIMS:
        why = small_claims_refusal(case, parties_agree=parties_agree_small_claims)
        if why:
            raise CourtError(why, code="small_claims")
    if case.stage != Stage.IN_LITIGATION:
        case_transition(case=case, transition="file_suit", actor=actor)
        case.refresh_from_db()
    procedure = procedure or suit_procedure_for(case, parties_agree_small_claims=parties_agree_small_claims)
    filing = filing_create(case=case, filing_type=FilingType.SUIT)
    today = timezone.localdate()
    suit = Suit.objects.create(
        case=case,
        filing=filing,
        procedure=procedure,
        parties_agreed_small_claims=parties_agree_small_claims,
        filed_on=today,
        decide_by=suit_decide_by(procedure, today, case.centre_id),
    )
    case_event_record(
        case=case,
        action=EventAction.FILED,
        actor=actor,
        data={
            "number": filing.number,
            "procedure": procedure,
            **({"parties_agreed_small_claims": True} if parties_agree_small_claims else {}),
        },
    )
    return suit


@transaction.atomic
def suit_schedule_hearing(*, suit: Suit, actor: Any, hearing_at: Any) -> Suit:
    suit = lock_case_then(suit)
    _court_step(actor, suit.case)
    suit.hearing_at = hearing_at
    suit.save(update_fields=["hearing_at", "updated_at"])
    _filing_signed_by(suit.filing, actor)
    case_event_record(
        case=suit.case, action=EventAction.HEARING_SCHEDULED, actor=actor, data={"at": hearing_at.isoformat()}
    )
    return suit


@transaction.atomic
def suit_record_judgment(
    *, suit: Suit, actor: Any, amount: Decimal, performance_days: int = 10, judgment_on: date | None = None
) -> Suit:
    """The judgment takes effect: amount awarded and performance period; the case becomes enforceable.

    A judgment is not dated before its hearing. The performance period ends by the one due-date function
    (CPL 85) and is the title's last day of performance, from which the application period runs."""
    suit = lock_case_then(suit)
    judgment_on = judgment_on or timezone.localdate()
    if suit.hearing_at is not None and judgment_on < timezone.localtime(suit.hearing_at).date():
        raise CourtError(
            _("The judgment cannot be dated %(judgment)s, before the hearing on %(hearing)s.")
            % {
                "judgment": judgment_on.isoformat(),
                "hearing": timezone.localtime(suit.hearing_at).date().isoformat(),
            },
            code="judgment_before_hearing",
        )
    performance = due_date_for_centre(
        centre_id=suit.case.centre_id,
        start=judgment_on,
        period=rules.Period(performance_days, "days", "judgment's performance period"),
    )
    suit.judgment_on, suit.judgment_amount = judgment_on, amount
    suit.performance_due_on = performance.due_on
    suit.save()
    _filing_signed_by(suit.filing, actor)
    case_transition(
        case=suit.case,
        transition="judgment_effective",
        actor=actor,
        performance_due_on=suit.performance_due_on,
        data={"amount": str(amount)},
    )
    enforcement_application_deadlines_sync([suit.case_id])
    _render_later("judgment", suit.pk)
    return suit


# --- enforcement ----------------------------------------------------------------------------------


@transaction.atomic
def enforcement_apply(*, case: Case, actor: Any, amount: Decimal | None = None) -> Enforcement:
    """Enforce the title's amount less what has been paid on it (CPL 206, 227¶3; SPC 2014 interp. 1), never
    the claim; a request for more is refused. An application after the 2 years is accepted with a warning
    (CPL 250; Interp. 481). The returned enforcement carries ``make_up`` and ``application_warning``."""
    title = enforceable_title_of(case)
    if title is None:
        raise CourtError(
            _(
                "No record of the enforceable title's amount "
                "(confirmation ruling, payment order or judgment)."
            ),
            code="no_title_record",
        )
    outstanding = title.outstanding
    if outstanding <= 0:
        raise CourtError(_("The enforceable title has been paid in full: nothing to enforce."), code="paid")
    if amount is not None and amount > outstanding:
        raise CourtError(
            _(
                "%(amount)s is more than the title leaves to pay: %(title_amount)s in the title, "
                "%(paid)s paid, %(outstanding)s outstanding."
            )
            % {
                "amount": amount,
                "title_amount": title.amount,
                "paid": title.paid,
                "outstanding": outstanding,
            },
            code="more_than_title",
        )
    today = timezone.localdate()
    warning = enforcement_application_warning(title=title, centre_id=case.centre_id, today=today)
    case_transition(case=case, transition="apply_enforcement", actor=actor)
    case.refresh_from_db()
    filing = filing_create(case=case, filing_type=FilingType.ENFORCEMENT)
    enforcement = Enforcement.objects.create(
        case=case,
        filing=filing,
        applied_on=today,
        amount=amount or outstanding,
        performance_due_on=title.last_performance_day,
    )
    make_up = {**title.make_up(), "enforced": str(enforcement.amount)}
    case_event_record(
        case=case,
        action=EventAction.FILED,
        actor=actor,
        reason=warning,
        data={"number": filing.number, **make_up, "late_application": bool(warning)},
    )
    enforcement.make_up = make_up  # type: ignore[attr-defined]
    enforcement.application_warning = warning  # type: ignore[attr-defined]
    return enforcement


def enforcement_received(enforcement: Enforcement) -> Decimal:
    return sum((m.amount_received for m in enforcement.measures.all()), Decimal("0.00"))


@dataclass(frozen=True)
class EnforcementFigures:
    amount: Decimal
    received: Decimal
    unpaid: Decimal
    days_late: int
    late_interest: Decimal


def enforcement_figures(enforcement: Enforcement, today: date | None = None) -> EnforcementFigures:
    """What is enforced, received and unpaid, and the late-performance interest on the title's dues (CPL 264):
    the title's instalments or its one due on the enforcement's last day of performance, less the payments
    on the title and what enforcement has collected, each from its date."""
    today = today or timezone.localdate()
    received = enforcement_received(enforcement)
    unpaid = max(enforcement.amount - received, Decimal("0.00"))
    due = enforcement.performance_due_on or enforcement.applied_on
    days_late = max((today - due).days, 0)
    title = enforceable_title_of(enforcement.case)
    collected = [(m.taken_on, m.amount_received) for m in enforcement.measures.all() if m.amount_received]
    if title is not None and len(title.dues) > 1:
        dues, payments = list(title.dues), [*title.payments, *collected]
    elif title is not None:
        dues, payments = [(due, title.amount)], [*title.payments, *collected]
    else:
        dues, payments = [(due, enforcement.amount)], collected
    interest = late_performance_interest(dues=dues, payments=payments, on=today)
    return EnforcementFigures(enforcement.amount, received, unpaid, days_late, interest)


@transaction.atomic
def enforcement_measure_log(
    *,
    enforcement: Enforcement,
    actor: Any,
    kind: str,
    note: str = "",
    amount_received: Decimal = Decimal("0"),
    taken_on: date | None = None,
) -> EnforcementMeasure:
    enforcement = lock_case_then(enforcement)
    _court_step(actor, enforcement.case)
    measure = EnforcementMeasure.objects.create(
        enforcement=enforcement,
        kind=kind,
        note=note,
        amount_received=amount_received,
        taken_on=taken_on or timezone.localdate(),
        taken_by=actor,
    )
    if kind == EnforcementMeasure.Kind.CONSUMPTION_BAN:
        Enforcement.objects.filter(pk=enforcement.pk).update(consumption_restricted=True)
    case_event_record(
        case=enforcement.case,
        action=EventAction.ENFORCEMENT_MEASURE,
        actor=actor,
        reason=note[:200],
        data={"kind": kind, "received": str(amount_received)},
    )
    return measure


@transaction.atomic
def enforcement_list_dishonest(*, enforcement: Enforcement, actor: Any, grounds: str) -> Enforcement:
    """Put the debtor on the dishonest judgment-debtor list, with its date and grounds."""
    enforcement = lock_case_then(enforcement)
    _court_step(actor, enforcement.case)
    if not grounds.strip():
        raise CourtError(_("Give the grounds for listing."), code="grounds_required")
    enforcement.dishonest_listed_on, enforcement.dishonest_grounds = timezone.localdate(), grounds
    enforcement.save(update_fields=["dishonest_listed_on", "dishonest_grounds", "updated_at"])
    case_event_record(case=enforcement.case, action=EventAction.DISHONEST_LISTED, actor=actor, reason=grounds)
    return enforcement


SUSPENSION_MIN_MONTHS = rules.ENFORCEMENT_SUSPENSION_MIN_MONTHS  # SPC 2016 终本 rules


@transaction.atomic
def enforcement_suspend(*, enforcement: Enforcement, actor: Any, reason: str) -> Enforcement:
    enforcement = lock_case_then(enforcement)
    today = timezone.localdate()
    if not enforcement.measures.filter(kind=EnforcementMeasure.Kind.ASSET_SEARCH).exists():
        raise CourtError(
            _("Search for assets before terminating the current round (Interp. 517)."), code="no_search"
        )
    if today <= add_months(enforcement.applied_on, SUSPENSION_MIN_MONTHS):
        raise CourtError(
            _("The current round can end only more than 3 months after filing (SPC 2016 rules on 终本)."),
            code="too_early",
        )
    case_transition(case=enforcement.case, transition="suspend_enforcement", actor=actor, reason=reason)
    enforcement.suspended_on = today
    enforcement.save(update_fields=["suspended_on", "updated_at"])
    return enforcement


@transaction.atomic
def enforcement_resume(*, enforcement: Enforcement, actor: Any, reason: str = "") -> Enforcement:
    enforcement = lock_case_then(enforcement)
    case_transition(case=enforcement.case, transition="resume_enforcement", actor=actor, reason=reason)
    enforcement.suspended_on = None
    enforcement.save(update_fields=["suspended_on", "updated_at"])
    return enforcement


@deadline_hook(K.ENFORCEMENT_RECHECK)
def suspended_enforcements_recheck(case_ids: list[int]) -> int:
    """The court re-checks a suspended enforcement every 6 months: open the next re-check (set-based)."""
    from cases.deadlines import due_date
    from core.workdays import WorkingCalendar

    today = timezone.localdate()
    rows = []
    for pk, centre_id in Case.objects.filter(pk__in=case_ids, stage=Stage.ENFORCEMENT_SUSPENDED).values_list(
        "pk", "centre_id"
    ):
        due = due_date(
            kind=K.ENFORCEMENT_RECHECK, start=today, work_calendar=WorkingCalendar.for_centre(centre_id)
        )
        rows.append(
            Deadline(
                case_id=pk,
                kind=K.ENFORCEMENT_RECHECK,
                starts_on=today,
                due_on=due.due_on,
                calendar_warning=due.calendar_warning,
            )
        )
    Deadline.objects.bulk_create(rows)
    return len(rows)


# --- documents ------------------------------------------------------------------------------------


def _filing_signed_by(filing: Filing | None, actor: Any) -> None:
    """The court's people who act on a number sign its document, unless others were named before: the
    judge who decides, the clerk who accepts, schedules or records."""
    role = actor_role(actor)
    if filing is None or role not in ("judge", "clerk"):
        return
    if getattr(filing, f"{role}_id") is None:
        Filing.objects.filter(pk=filing.pk, **{f"{role}__isnull": True}).update(**{role: actor})
        setattr(filing, role, actor)


@transaction.atomic
def filing_document_elements_set(
    *,
    filing: Filing,
    actor: Any,
    judge: Any = UNSET,
    clerk: Any = UNSET,
    reasons_extra: str | None = None,
) -> Filing:
    """The elements of the court's document on this number that the judge fills: who signs it (a judge and
    a clerk of this court) and the judge's own reasons. Only what is passed changes; None clears a signer."""
    _court_step(actor, filing.case)
    case_lock(case_id=filing.case_id)  # the one lock order: the Case, then its rows
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    changed: list[str] = []
    for field, user, role in (("judge", judge, "judge"), ("clerk", clerk, "clerk")):
        if user is UNSET:
            continue
        if user is not None and not _is_court_member(user, filing.court_id, role):
            raise CourtError(
                _("%(name)s is not a %(role)s of this court.")
                % {"name": str(user), "role": Role(role).label},
                code="signer_not_of_court",
            )
        setattr(filing, field, user)
        changed.append(field)
    if reasons_extra is not None:
        filing.reasons_extra = reasons_extra.strip()
        changed.append("reasons_extra")
    if changed:
        filing.save(update_fields=[*changed, "updated_at"])
    return filing


def _is_court_member(user: Any, court_id: int, role: str) -> bool:
    membership = getattr(user, "membership", None)
    return membership is not None and membership.organisation_id == court_id and membership.role == role


def _render_later(kind: str, object_id: int) -> None:
    """Rulings and orders are rendered as PDFs after commit by the notices machinery."""
    transaction.on_commit(lambda: _render(kind, object_id))


def _render(kind: str, object_id: int) -> None:
    from .tasks import court_document_render

    court_document_render.delay(kind, object_id)


# --- generic buttons and API calls go through these services (cases.services.case_transition_generic) ---


def _latest_enforcement(case: Case) -> Enforcement:
    enforcement = case.enforcements.order_by("-pk").first()
    if enforcement is None:
        raise CourtError(_("This case has no enforcement record."), code="no_enforcement")
    return enforcement


TRANSITION_HANDLERS.update(
    {
        "request_confirmation": lambda case, actor, reason: confirmation_apply(case=case, actor=actor),
        "confirm": lambda case, actor, reason: confirmation_decide(
            case=case, actor=actor, confirmed=True, reasons=reason
        ),
        "apply_payment_order": lambda case, actor, reason: payment_order_apply(case=case, actor=actor),
        "file_suit": lambda case, actor, reason: suit_file(case=case, actor=actor),
        "apply_enforcement": lambda case, actor, reason: enforcement_apply(case=case, actor=actor),
        "suspend_enforcement": lambda case, actor, reason: enforcement_suspend(
            enforcement=_latest_enforcement(case), actor=actor, reason=reason
        ),
        "resume_enforcement": lambda case, actor, reason: enforcement_resume(
            enforcement=_latest_enforcement(case), actor=actor, reason=reason
        ),
    }
)
