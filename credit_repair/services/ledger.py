"""Payments, performance and credit repair: the only place that changes them.

Each change locks the case row first (in id order when there are several), writes its CaseEvent in the same
transaction, and moves the case through cases.services. Bulk work is set-based.
"""

import hashlib
import logging
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.deadlines import due_date
from cases.errors import MESSAGES as CASE_MESSAGES
from cases.errors import ActionForbidden
from cases.models import FINAL_STAGES, OPEN_STAGES, Case, Deadline, EventAction, Stage
from cases.permissions import actor_reaches_case
from cases.selectors import cases_visible_to
from cases.services import (
    case_event_record,
    case_transition,
    cases_bulk_transition,
    cases_change_bulk,
    cases_lock,
    deadline_open,
)
from core.actors import SYSTEM, SystemActor, actor_role
from core.models import Centre, Role
from core.money import AmountError, format_yuan, parse_yuan
from core.uploads import UploadRefused, upload_check
from core.workdays import WorkingCalendar
from courts.models import Enforcement
from mediation.models import Instalment
from mediation.selectors import effective_settlement_pk
from notices.storage import private_storage

from . import rules, selectors
from .allocation import Due, Paid, allocate
from .errors import EvidenceRefused, PaymentConflict, RepairError
from .models import (
    Allocation,
    Breach,
    CreditObjection,
    ObjectionEvidence,
    Payment,
    RepairRecord,
    RepairStep,
)

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")
CHUNK = 5000
K = RepairStep.Kind

# Whose action each repair step is, and the roles that may record it.
STEP_PARTY: dict[str, str] = {
    K.LIST_REMOVAL: RepairStep.Party.COURT,
    K.RESTRICTION_LIFT: RepairStep.Party.COURT,
    K.CREDIT_REPORT_CORRECTION: RepairStep.Party.CREDITOR,
    K.CERTIFICATE: RepairStep.Party.CENTRE,
}
PARTY_ROLES: dict[str, frozenset[str]] = {
    RepairStep.Party.COURT: frozenset({Role.JUDGE, Role.CLERK}),
    RepairStep.Party.CREDITOR: frozenset({Role.CREDITOR_STAFF}),
    RepairStep.Party.CENTRE: frozenset({Role.CENTRE_ADMIN}),
}
STEP_EVENTS: dict[str, EventAction] = {
    K.LIST_REMOVAL: EventAction.DISHONEST_LIST_REMOVED,
    K.RESTRICTION_LIFT: EventAction.CONSUMPTION_RESTRICTION_LIFTED,
    K.CREDIT_REPORT_CORRECTION: EventAction.CREDIT_REPORT_CORRECTED,
}
# The notice that reminds a debtor of a missed instalment (a dedicated kind can replace it later).
REMINDER_KIND = "debt_collection"
CERTIFICATE_KIND = "credit_repair_certificate"


def _forbidden() -> ActionForbidden:
    return ActionForbidden(CASE_MESSAGES["forbidden"])  # type: ignore[arg-type]  # lazy: shown in the reader's language


def _actor_id(actor: Any) -> int | None:
    return None if actor is None or isinstance(actor, SystemActor) else actor.pk


def _is_system(actor: Any) -> bool:
    return actor is None or isinstance(actor, SystemActor)


def _check_creditor(actor: Any, case: Case) -> None:
    """Payments are the creditor's word: its own staff (or the platform itself) record them."""
    if _is_system(actor):
        return
    if actor_role(actor) != Role.CREDITOR_STAFF or not actor_reaches_case(actor, case):
        raise _forbidden()


# --- the ledger ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerTotals:
    paid: Decimal
    balance: Decimal  # negative when over-paid
    paid_in_full_on: date | None  # the date of the payment that completed the obligation


def ledgers_rebuild(case_ids: Sequence[int]) -> dict[int, LedgerTotals]:
    """Re-apply every payment of these cases to their current plan (credit_repair.allocation), set-based:
    the allocations are replaced, breaches whose instalment is now paid are marked paid late, and each
    case's totals are returned. The caller holds the case locks."""
    ids = list(case_ids)
    owed = selectors.obligations(ids)
    plans: dict[int, list[Due]] = {}
    settlement_ids = [o.settlement_id for o in owed.values() if o.settlement_id]
    for pk, settlement_id, seq, due_on, amount in Instalment.objects.filter(
        settlement_id__in=settlement_ids
    ).values_list("pk", "settlement_id", "seq", "due_on", "amount"):
        plans.setdefault(settlement_id, []).append(Due(pk, seq, due_on, amount))
    paid: dict[int, list[Paid]] = {}
    for pk, case_id, paid_on, amount in Payment.objects.filter(case_id__in=ids).values_list(
        "pk", "case_id", "paid_on", "amount"
    ):
        paid.setdefault(case_id, []).append(Paid(pk, paid_on, amount))
    rows: list[Allocation] = []
    cured: dict[date, list[int]] = {}
    totals: dict[int, LedgerTotals] = {}
    for case_id, obligation in owed.items():
        payments = paid.get(case_id, [])
        result = allocate(plans.get(obligation.settlement_id or 0, []), payments)
        rows.extend(
            Allocation(
                case_id=case_id, payment_id=s.payment_id, instalment_id=s.instalment_id, amount=s.amount
            )
            for s in result.shares
        )
        for instalment_id, on in result.paid_on.items():
            cured.setdefault(on, []).append(instalment_id)
        total_paid, full_on = ZERO, None
        for p in sorted(payments, key=lambda p: (p.paid_on, p.id)):
            total_paid += p.amount
            if full_on is None and total_paid >= obligation.total:
                full_on = p.paid_on
        totals[case_id] = LedgerTotals(total_paid, obligation.total - total_paid, full_on)
    Allocation.objects.filter(case_id__in=ids).delete()
    Allocation.objects.bulk_create(rows, batch_size=CHUNK)
    for on, instalment_ids in cured.items():
        Breach.objects.filter(instalment_id__in=instalment_ids, status=Breach.Status.OPEN).update(
            status=Breach.Status.CURED, cured_on=on, updated_at=timezone.now()
        )
    paid_off: dict[date | None, list[int]] = {}
    for case_id, t in totals.items():
        if t.balance <= 0:
            paid_off.setdefault(t.paid_in_full_on, []).append(case_id)
    for settled_on, case_ids_paid in paid_off.items():  # an order's breach ends when the whole debt is paid
        Breach.objects.filter(
            case_id__in=case_ids_paid, instalment__isnull=True, status=Breach.Status.OPEN
        ).update(status=Breach.Status.CURED, cured_on=settled_on, updated_at=timezone.now())
    return totals


def ledgers_rebuild_stale() -> int:
    """Cases whose stored allocations no longer follow their current plan: a plan that took effect after
    payments were recorded, or a new plan that replaced the old one. Rebuild those only; returns how many."""
    current_plan = effective_settlement_pk(OuterRef("pk"))
    on_other_plan = Allocation.objects.filter(case_id=OuterRef("pk")).exclude(
        instalment__settlement_id=OuterRef("plan_id")
    )
    plan_not_applied = (
        Exists(Payment.objects.filter(case_id=OuterRef("pk")))
        & ~Exists(Allocation.objects.filter(case_id=OuterRef("pk")))
        & Exists(Instalment.objects.filter(settlement_id=OuterRef("plan_id")))
    )
    stale = list(
        Case.objects.annotate(plan_id=Subquery(current_plan))
        .filter(Exists(on_other_plan) | plan_not_applied)
        .values_list("pk", flat=True)
    )
    for start in range(0, len(stale), CHUNK):
        with transaction.atomic():
            cases_lock(case_ids=stale[start : start + CHUNK])
            ledgers_rebuild(stale[start : start + CHUNK])
    return len(stale)


# --- payments --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    created: bool
    performed: bool = False


def payment_clean(*, paid_on: date, amount: Any, reference: str) -> tuple[date, Decimal, str]:
    """The checks every payment passes, whichever way it arrives; RepairError says what is wrong."""
    try:
        value = parse_yuan(amount, allow_zero=False, max_value=rules.MAX_PAYMENT)
    except AmountError as exc:
        raise RepairError(str(exc.message), code="amount_invalid") from exc
    if paid_on > timezone.localdate():
        raise RepairError(_("The payment date is in the future."), code="date_future")
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise RepairError(
            _("Give the payment's reference (at most 64 characters)."), code="reference_invalid"
        )
    return paid_on, value, reference


def _same_or_conflict(existing: Payment, case: Case, paid_on: date, amount: Decimal) -> PaymentResult:
    if (existing.case_id, existing.paid_on, existing.amount) == (case.pk, paid_on, amount):
        return PaymentResult(existing, created=False)
    raise PaymentConflict(
        _(
            "The reference %(reference)s was already used for %(amount)s paid on %(date)s on case %(case)s. "
            "A different payment needs its own reference."
        )
        % {
            "reference": existing.reference,
            "amount": format_yuan(existing.amount),
            "date": existing.paid_on.isoformat(),
            "case": existing.case.code,
        }
    )


@transaction.atomic
def payment_record(
    *,
    case: Case,
    paid_on: date,
    amount: Any,
    reference: str,
    actor: Any,
    source: str = Payment.Source.PORTAL,
) -> PaymentResult:
    """Record one payment, idempotent by (creditor, reference): the same payment again returns the one
    recorded; another amount, date or case under the same reference is refused. The payment is applied to
    the plan and, once the case is paid in full, the case is performed and its credit repair begins."""
    _check_creditor(actor, case)
    paid_on, amount, reference = payment_clean(paid_on=paid_on, amount=amount, reference=reference)
    case = Case.objects.select_for_update().get(pk=case.pk)
    existing = Payment.objects.filter(creditor_id=case.creditor_id, reference=reference).first()
    if existing is not None:
        return _same_or_conflict(existing, case, paid_on, amount)
    if case.stage in FINAL_STAGES:
        raise RepairError(
            _("The case is closed or withdrawn: no payment can be recorded."), code="case_closed"
        )
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                case=case,
                creditor_id=case.creditor_id,
                paid_on=paid_on,
                amount=amount,
                reference=reference,
                source=source,
                recorded_by_id=_actor_id(actor),
            )
    except IntegrityError:  # the same reference recorded at this moment by another request
        existing = Payment.objects.get(creditor_id=case.creditor_id, reference=reference)
        return _same_or_conflict(existing, case, paid_on, amount)
    totals = ledgers_rebuild([case.pk])
    case_event_record(
        case=case,
        action=EventAction.PAYMENT_RECORDED,
        actor=actor,
        data={
            "payment": payment.pk,
            "reference": reference,
            "amount": str(amount),
            "paid_on": str(paid_on),
            "source": source,
            "balance": str(max(totals[case.pk].balance, ZERO)),
        },
    )
    performed = _perform_paid_in_full(totals, actor)
    return PaymentResult(payment, created=True, performed=case.pk in performed)


def _perform_paid_in_full(totals: dict[int, LedgerTotals], actor: Any) -> list[int]:
    """Cases now paid in full go to `performed` (full payment, at any open stage) and repair begins."""
    open_ids = set(
        Case.objects.filter(
            pk__in=[pk for pk, t in totals.items() if t.balance <= 0], stage__in=OPEN_STAGES
        ).values_list("pk", flat=True)
    )
    by_date: dict[date | None, list[int]] = {}
    for pk in open_ids:
        by_date.setdefault(totals[pk].paid_in_full_on, []).append(pk)
    done: list[int] = []
    visible = None if _is_system(actor) else cases_visible_to(actor)
    for on, pks in by_date.items():
        result = cases_bulk_transition(
            case_ids=sorted(pks),
            transition="record_full_performance",
            actor=actor or SYSTEM,
            reason="paid in full",
            params={"performed_on": on} if on else {},
            visible=visible,
        )
        done.extend(result.done)
    if done:
        repairs_open(case_ids=done)
    return done


# --- payment files ---------------------------------------------------------------------------------


def payments_import(*, user: Any, uploaded: UploadedFile) -> Any:
    """A creditor's payment file, recorded set-based: rows checked, cases found and locked in one go, new
    payments inserted in one statement, each case's event and allocation in bulk, cases paid in full
    performed in bulk. Every row that is not a new payment is reported with why."""
    from .importer import import_payment_file

    if actor_role(user) != Role.CREDITOR_STAFF:
        raise _forbidden()
    return import_payment_file(user=user, uploaded=uploaded)


def payments_insert(
    *, creditor_id: int, user: Any, rows: list[tuple[int, int, date, Decimal, str]], payment_import: Any
) -> tuple[set[int], dict[int, Payment], list[int]]:
    """Insert checked payment rows (row number, case, date, amount, reference) under the case locks.

    Returns the rows inserted, the rows whose reference exists already (with that payment) and the cases
    performed. The caller runs this inside one transaction.
    """
    case_ids = sorted({case_id for _r, case_id, *_ in rows})
    locked = cases_lock(case_ids=case_ids)
    existing = {
        p.reference: p
        for p in Payment.objects.filter(
            creditor_id=creditor_id, reference__in=[r[4] for r in rows]
        ).select_related("case")
    }
    new = [r for r in rows if r[4] not in existing]
    Payment.objects.bulk_create(
        [
            Payment(
                case_id=case_id,
                creditor_id=creditor_id,
                paid_on=paid_on,
                amount=amount,
                reference=reference,
                source=Payment.Source.FILE,
                payment_import=payment_import,
                recorded_by_id=_actor_id(user),
            )
            for _row, case_id, paid_on, amount, reference in new
        ],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    mine = set(
        Payment.objects.filter(payment_import=payment_import).values_list("reference", flat=True)
    )  # what this import inserted; a reference taken meanwhile by another request is not among them
    raced = [r for r in new if r[4] not in mine]
    if raced:
        existing.update(
            {
                p.reference: p
                for p in Payment.objects.filter(creditor_id=creditor_id, reference__in=[r[4] for r in raced])
            }
        )
    inserted = {row for row, _c, _d, _a, ref in new if ref in mine}
    per_case: dict[int, dict[str, Any]] = {}
    for _row, case_id, _d, amount, ref in new:
        if ref in mine:
            entry = per_case.setdefault(case_id, {"payments": 0, "amount": ZERO, "import": payment_import.pk})
            entry["payments"] += 1
            entry["amount"] += amount
    touched = [row for row in locked if row[0] in per_case]
    totals = ledgers_rebuild([pk for pk, *_ in touched])
    data = {
        pk: {**v, "amount": str(v["amount"]), "balance": str(max(totals[pk].balance, ZERO))}
        for pk, v in per_case.items()
    }
    cases_change_bulk(
        case_ids=[r.pk for r in touched], action=EventAction.PAYMENTS_RECORDED, actor=user, data_per_case=data
    )
    performed = _perform_paid_in_full(totals, user)
    return inserted, {row: existing[ref] for row, _c, _d, _a, ref in rows if ref in existing}, performed


# --- breaches ----------------------------------------------------------------------------------------


def breaches_detect(*, today: date | None = None) -> dict[str, int]:
    """Find, set-based per centre, instalments (and effective orders) unpaid after the centre's grace period
    in working days; record each breach once and remind each debtor. Returns counts."""
    today = today or timezone.localdate()
    counts = {"breaches": 0, "cases": 0, "reminded": 0}
    for centre_id, grace in Centre.objects.values_list("pk", "performance_grace_days"):
        work_calendar = WorkingCalendar.for_centre(centre_id)
        cutoff = rules.breach_cutoff(today=today, grace_working_days=grace, work_calendar=work_calendar)

        def grace_end(due_on: date, g: int = grace, c: WorkingCalendar = work_calendar) -> date:
            return rules.grace_ends_on(due_on=due_on, grace_working_days=g, work_calendar=c)

        rows = [
            Breach(
                case_id=case_id,
                instalment_id=pk,
                due_on=due_on,
                grace_ends_on=grace_end(due_on),
                detected_on=today,
                unpaid=unpaid,
            )
            for pk, case_id, due_on, unpaid in selectors.instalments_in_breach(
                centre_id=centre_id, cutoff=cutoff
            )
        ] + [
            Breach(
                case_id=case_id,
                due_on=due_on,
                grace_ends_on=grace_end(due_on),
                detected_on=today,
                unpaid=unpaid,
            )
            for case_id, due_on, unpaid in selectors.orders_in_breach(centre_id=centre_id, cutoff=cutoff)
        ]
        if not rows:
            continue
        case_ids = sorted({b.case_id for b in rows})
        with transaction.atomic():
            cases_lock(case_ids=case_ids)  # the cases first, then their breaches
            Breach.objects.bulk_create(rows, batch_size=CHUNK, ignore_conflicts=True)
            data: dict[int, dict[str, Any]] = {}
            for b in rows:
                entry = data.setdefault(b.case_id, {"due_on": [], "unpaid": ZERO})
                entry["due_on"].append(str(b.due_on))
                entry["unpaid"] += b.unpaid
            data = {pk: {"due_on": v["due_on"], "unpaid": str(v["unpaid"])} for pk, v in data.items()}
            cases_change_bulk(
                case_ids=case_ids, action=EventAction.PERFORMANCE_BREACH, actor=SYSTEM, data_per_case=data
            )
        counts["breaches"] += len(rows)
        counts["cases"] += len(case_ids)
        counts["reminded"] += breaches_remind(case_ids=case_ids)
    return counts


def breaches_remind(*, case_ids: Sequence[int]) -> int:
    """Remind each debtor once per breach (a notice); only the newly breached cases, never all cases."""
    try:
        from notices.services import NoticeError, notice_send
    except ImportError:  # the notices app is optional for this step
        return 0
    reminded = 0
    pending = Breach.objects.filter(
        case_id__in=list(case_ids), status=Breach.Status.OPEN, reminded_at__isnull=True
    )
    # One reminder per breach: a second breach on the same case is a new letter, keyed by its first breach.
    first_breach = dict(
        pending.order_by().values("case_id").annotate(first=Min("pk")).values_list("case_id", "first")
    )
    for case in Case.objects.filter(pk__in=list(first_breach)).order_by("pk"):
        try:
            subject = f"breach:{first_breach[case.pk]}"
            notice = notice_send(case=case, kind=REMINDER_KIND, actor=SYSTEM, subject=subject)
        except (NoticeError, LookupError) as exc:
            logger.warning("breach reminder for case %s not sent: %s", case.pk, exc)
            continue
        reminded += pending.filter(case_id=case.pk).update(reminder=notice, reminded_at=timezone.now())
    return reminded


@transaction.atomic
def breach_request_enforcement(*, case: Case, actor: Any) -> Any:
    """The creditor asks the court to enforce a breached confirmed settlement or effective order: the
    unpaid balance is the amount to enforce (courts.services.enforcement_apply)."""
    from courts.services import enforcement_apply

    if actor_role(actor) != Role.CREDITOR_STAFF or not actor_reaches_case(actor, case):
        raise _forbidden()
    case = Case.objects.select_for_update().get(pk=case.pk)
    breaches = Breach.objects.filter(case=case, status=Breach.Status.OPEN)
    if not breaches.exists():
        raise RepairError(_("This case has no unpaid breach."), code="no_breach")
    if not case.enforceable_title:
        raise RepairError(
            _(
                "The settlement was not confirmed by a court, so it cannot be enforced: apply for a payment "
                "order or file a suit."
            ),
            code="no_title",
        )
    balance = selectors.case_ledger(case=case).balance
    enforcement = enforcement_apply(case=case, actor=actor, amount=balance)
    breaches.update(
        status=Breach.Status.ENFORCEMENT,
        enforcement_requested_at=timezone.now(),
        enforcement_requested_by=actor,
        updated_at=timezone.now(),
    )
    return enforcement


# --- credit repair ------------------------------------------------------------------------------------


def verification_code_new() -> str:
    """12 characters of an alphabet without 0/O, 1/I: 60 bits, not guessable, easy to type from paper."""
    return "".join(secrets.choice(selectors.CODE_ALPHABET) for _ in range(12))


def _step(record: RepairRecord, kind: str, *, needed: bool = True, **fields: Any) -> RepairStep:
    status = RepairStep.Status.PENDING if needed else RepairStep.Status.NOT_NEEDED
    return RepairStep(
        record=record, case_id=record.case_id, kind=kind, party=STEP_PARTY[kind], status=status, **fields
    )


def _steps_for(
    record: RepairRecord,
    *,
    today: date,
    work_calendar: WorkingCalendar,
    listed: bool,
    restricted: bool,
    removal: tuple[int | None, date, bool],
) -> list[RepairStep]:
    """The four steps and their due dates (DOMAIN.md: removal in 3 working days; see credit_repair.rules)."""
    deadline_id, removal_due, warning = removal
    lift = work_calendar.add_working_days(today, rules.RESTRICTION_LIFT_WORKING_DAYS)
    correction = work_calendar.add_calendar_days(today, rules.CREDIT_REPORT_CORRECTION_DAYS)
    return [
        _step(
            record,
            K.LIST_REMOVAL,
            needed=listed,
            due_on=removal_due,
            calendar_warning=warning,
            deadline_id=deadline_id,
        ),
        _step(
            record,
            K.RESTRICTION_LIFT,
            needed=restricted,
            due_on=lift.due,
            calendar_warning=lift.calendar_warning,
        ),
        _step(
            record,
            K.CREDIT_REPORT_CORRECTION,
            due_on=correction.due,
            calendar_warning=correction.calendar_warning,
        ),
        _step(record, K.CERTIFICATE),
    ]


@transaction.atomic
def repairs_open(*, case_ids: Sequence[int] | None = None, today: date | None = None) -> list[int]:
    """Open the repair record and its steps for performed cases that have none (the given ones, or all),
    set-based, and move them on to `credit_repair`. Returns the cases opened."""
    today = today or timezone.localdate()
    qs = Case.objects.filter(stage__in=[Stage.PERFORMED, Stage.CREDIT_REPAIR], repair__isnull=True)
    if case_ids is not None:
        qs = qs.filter(pk__in=list(case_ids))
    cases_lock(case_ids=qs.values_list("pk", flat=True))
    cases = list(qs.order_by("pk").values_list("pk", "centre_id", "performed_on"))
    if not cases:
        return []
    ids = [pk for pk, *_ in cases]
    removal_deadlines = {
        case_id: (pk, due_on, warning)
        for pk, case_id, due_on, warning in Deadline.objects.filter(
            case_id__in=ids, kind=Deadline.Kind.RECORD_REMOVAL
        )
        .order_by("pk")
        .values_list("pk", "case_id", "due_on", "calendar_warning")
    }
    court_state = selectors.enforcements_of(ids)
    calendars: dict[int, WorkingCalendar] = {}
    records = RepairRecord.objects.bulk_create(
        [
            RepairRecord(
                case_id=pk,
                performed_on=performed_on or today,
                opened_on=today,
                verification_code=verification_code_new(),
            )
            for pk, _c, performed_on in cases
        ]
    )
    steps: list[RepairStep] = []
    for record, (pk, centre_id, _p) in zip(records, cases, strict=True):
        work_calendar = calendars.setdefault(centre_id, WorkingCalendar.for_centre(centre_id))
        listed, restricted = court_state.get(pk, (False, False))
        removal: tuple[int | None, date, bool] | None = removal_deadlines.get(pk)
        if removal is None:
            due = due_date(kind=Deadline.Kind.RECORD_REMOVAL, start=today, work_calendar=work_calendar)
            removal = (None, due.due_on, due.calendar_warning)
        steps += _steps_for(
            record,
            today=today,
            work_calendar=work_calendar,
            listed=listed,
            restricted=restricted,
            removal=removal,
        )
    RepairStep.objects.bulk_create(steps, batch_size=CHUNK)
    # Nobody to remove from the list: the removal limit is met as it stands.
    not_listed = [pk for pk in ids if not court_state.get(pk, (False, False))[0]]
    now = timezone.now()
    Deadline.objects.filter(
        case_id__in=not_listed, kind=Deadline.Kind.RECORD_REMOVAL, status=Deadline.Status.OPEN
    ).update(status=Deadline.Status.MET, closed_at=now, updated_at=now)
    cases_bulk_transition(
        case_ids=ids,
        transition="start_credit_repair",
        actor=SYSTEM,
        reason="paid in full: credit repair begins",
    )
    return ids


@transaction.atomic
def repair_step_complete(
    *, case: Case, kind: str, actor: Any, done_on: date | None = None, reference: str = "", note: str = ""
) -> RepairStep:
    """Record that a repair step was done, by the party whose step it is (the court removes the listing and
    lifts the restriction; the creditor corrects the credit report, with the correction's reference)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    try:
        step = RepairStep.objects.select_for_update().select_related("record").get(case=case, kind=kind)
    except RepairStep.DoesNotExist as exc:
        raise RepairError(_("This case has no such repair step."), code="no_step") from exc
    if kind == K.CERTIFICATE:
        raise RepairError(
            _("The platform issues the certificate once the other steps are done."), code="auto"
        )
    if not _is_system(actor) and (
        actor_role(actor) not in PARTY_ROLES[step.party] or not actor_reaches_case(actor, case)
    ):
        raise _forbidden()
    if step.status != RepairStep.Status.PENDING:
        raise RepairError(_("This step is already recorded."), code="step_done")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate() or done_on < step.record.performed_on:
        raise RepairError(_("The date must lie between the performance and today."), code="step_date")
    reference, note = reference.strip(), note.strip()
    if kind == K.CREDIT_REPORT_CORRECTION and not reference:
        raise RepairError(
            _("Give the reference of the correction you sent to the credit reporting system."),
            code="reference",
        )
    step.status, step.done_on, step.done_by_id = RepairStep.Status.DONE, done_on, _actor_id(actor)
    step.reference, step.note = reference[:100], note[:300]
    step.save()
    now = timezone.now()
    if kind == K.LIST_REMOVAL:
        Enforcement.objects.filter(
            case=case, dishonest_listed_on__isnull=False, dishonest_removed_on__isnull=True
        ).update(dishonest_removed_on=done_on, updated_at=now)
        Deadline.objects.filter(
            case=case, kind=Deadline.Kind.RECORD_REMOVAL, status=Deadline.Status.OPEN
        ).update(status=Deadline.Status.MET, closed_at=now, updated_at=now)
    elif kind == K.RESTRICTION_LIFT:
        Enforcement.objects.filter(case=case, consumption_restricted=True).update(
            consumption_restricted=False, updated_at=now
        )
    case_event_record(
        case=case,
        action=STEP_EVENTS[kind],
        actor=actor,
        reason=note[:300],
        data={"done_on": str(done_on), "reference": reference[:100]},
    )
    repair_advance(case=case)
    return step


def repair_advance(*, case: Case) -> RepairRecord | None:
    """Once every step but the certificate is done and no objection waits for its answer: issue the
    certificate (a notice) and close the case. A case on hold waits (the periodic task comes back)."""
    Case.objects.select_for_update().only("pk").get(pk=case.pk)  # Case first, then its record
    record = RepairRecord.objects.select_for_update().filter(case=case).first()
    if record is None:
        return None
    if record.status == RepairRecord.Status.OPEN:
        pending = record.steps.filter(status=RepairStep.Status.PENDING).exclude(kind=K.CERTIFICATE)
        objections = CreditObjection.objects.filter(case=case, status=CreditObjection.Status.OPEN)
        if pending.exists() or objections.exists():
            return record
        notice = _certificate_send(case)
        if notice is None:
            return record
        today = timezone.localdate()
        record.certificate, record.certificate_issued_on = notice, today
        record.status, record.completed_at = RepairRecord.Status.DONE, timezone.now()
        record.save()
        record.steps.filter(kind=K.CERTIFICATE).update(status=RepairStep.Status.DONE, done_on=today)
        case_event_record(
            case=case,
            action=EventAction.CREDIT_REPAIR_CERTIFICATE_ISSUED,
            actor=SYSTEM,
            data={"notice": notice.pk, "verification_code": record.verification_code},
        )
    case = Case.objects.get(pk=case.pk)
    if case.on_hold:
        return record
    if case.stage == Stage.PERFORMED:
        case_transition(case=case, transition="start_credit_repair", actor=SYSTEM)
        case.refresh_from_db()
    if case.stage == Stage.CREDIT_REPAIR:
        case_transition(case=case, transition="close", actor=SYSTEM, reason="credit repair completed")
    return record


def _certificate_send(case: Case) -> Any:
    try:
        from notices.services import NoticeError, notice_send
    except ImportError:
        return None
    try:
        return notice_send(case=case, kind=CERTIFICATE_KIND, actor=SYSTEM)
    except (NoticeError, LookupError) as exc:
        logger.warning("credit-repair certificate for case %s not issued: %s", case.pk, exc)
        return None


def repairs_advance_pending() -> dict[str, int]:
    """The periodic sweep: open records for cases performed elsewhere (court console, bulk), start repair
    where a hold delayed it, issue the certificates that are due, close finished cases; set-based."""
    opened = repairs_open()
    started = cases_bulk_transition(
        case_ids=list(
            Case.objects.filter(stage=Stage.PERFORMED, repair__isnull=False).values_list("pk", flat=True)
        ),
        transition="start_credit_repair",
        actor=SYSTEM,
    ).done
    step_pending = RepairStep.objects.filter(
        record_id=OuterRef("pk"), status=RepairStep.Status.PENDING
    ).exclude(kind=K.CERTIFICATE)
    objection_open = CreditObjection.objects.filter(
        case_id=OuterRef("case_id"), status=CreditObjection.Status.OPEN
    )
    ready = list(
        RepairRecord.objects.filter(status=RepairRecord.Status.OPEN)
        .exclude(Exists(step_pending))
        .exclude(Exists(objection_open))
        .values_list("case_id", flat=True)
    )
    issued = 0
    for case in Case.objects.filter(pk__in=ready).order_by("pk"):  # only records whose steps are all done
        with transaction.atomic():
            record = repair_advance(case=case)
            issued += bool(record and record.status == RepairRecord.Status.DONE)
    closed = cases_bulk_transition(
        case_ids=list(
            RepairRecord.objects.filter(
                status=RepairRecord.Status.DONE, case__stage=Stage.CREDIT_REPAIR
            ).values_list("case_id", flat=True)
        ),
        transition="close",
        actor=SYSTEM,
        reason="credit repair completed",
    ).done
    return {"opened": len(opened), "started": len(started), "certificates": issued, "closed": len(closed)}


# --- credit-record objections ---------------------------------------------------------------------


def _evidence_kind(uploaded: UploadedFile) -> tuple[str, str]:
    """The verified type and extension of an evidence file (core.uploads: by its bytes, no active PDFs)."""
    try:
        checked = upload_check(uploaded, max_bytes=rules.EVIDENCE_MAX_BYTES)
    except UploadRefused as exc:
        code = {"file_too_large": "evidence_too_large", "file_empty": "evidence_empty"}.get(
            exc.code, "evidence_type"
        )
        raise EvidenceRefused(exc.message, code=code) from exc
    return checked.content_type, f".{checked.extension}"


def credit_objection_file(*, case: Case, statement: str, evidence: list) -> CreditObjection:
    """A debtor's objection to a credit record (Credit Reporting Regulation 25): the statement, evidence
    files kept privately (JPEG, PNG or PDF by their first bytes, 10 MB each), and the creditor's 20-day
    limit to answer in writing. Raises EvidenceRefused or RepairError with a message for the debtor."""
    statement = (statement or "").strip()
    if not statement:
        raise RepairError(_("Say which record you believe is wrong and why."), code="statement_required")
    if len(statement) > rules.OBJECTION_STATEMENT_MAX_CHARS:
        raise RepairError(_("The statement is longer than 2000 characters."), code="statement_too_long")
    files = list(evidence or [])
    if len(files) > rules.EVIDENCE_MAX_FILES:
        raise EvidenceRefused(_("Attach at most 10 files."), code="evidence_too_many")
    kinds = [_evidence_kind(f) for f in files]
    storage = private_storage()
    saved: list[str] = []
    try:
        with transaction.atomic():
            locked = Case.objects.select_for_update().select_related("centre").get(pk=case.pk)
            deadline = deadline_open(case=locked, kind=Deadline.Kind.CREDIT_OBJECTION_ANSWER)
            objection = CreditObjection.objects.create(
                case=locked,
                statement=statement,
                filed_on=deadline.starts_on,
                answer_due_on=deadline.due_on,
                calendar_warning=deadline.calendar_warning,
                deadline=deadline,
            )
            for uploaded, (content_type, ext) in zip(files, kinds, strict=True):
                digest = hashlib.sha256()
                for chunk in uploaded.chunks():
                    digest.update(chunk)
                uploaded.seek(0)
                name = storage.save(
                    f"credit_objections/{locked.centre.code}/{locked.code}/{uuid.uuid4().hex}{ext}", uploaded
                )
                saved.append(name)
                ObjectionEvidence.objects.create(
                    objection=objection,
                    file=name,
                    original_name=(uploaded.name or "")[-200:],
                    content_type=content_type,
                    size=uploaded.size or 0,
                    sha256=digest.hexdigest(),
                )
            case_event_record(
                case=locked,
                action=EventAction.CREDIT_OBJECTION_FILED,
                actor=SYSTEM,
                reason=statement[:300],
                data={
                    "objection": objection.pk,
                    "evidence": len(files),
                    "answer_due_on": str(deadline.due_on),
                },
            )
    except BaseException:
        for name in saved:
            storage.delete(name)
        raise
    return objection


@transaction.atomic
def credit_objection_answer(
    *, objection: CreditObjection, actor: Any, answer: str, record_corrected: bool = False
) -> CreditObjection:
    """The creditor's written answer (Credit Reporting Regulation 25: within 20 days; a late answer is
    still recorded, and shown as late)."""
    case = Case.objects.select_for_update().get(pk=objection.case_id)
    if actor_role(actor) != Role.CREDITOR_STAFF or not actor_reaches_case(actor, case):
        raise _forbidden()
    objection = CreditObjection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != CreditObjection.Status.OPEN:
        raise RepairError(_("This objection was already answered."), code="answered")
    answer = (answer or "").strip()
    if not answer:
        raise RepairError(_("Write the answer to the debtor."), code="answer_required")
    now = timezone.now()
    objection.status, objection.answer, objection.record_corrected = (
        CreditObjection.Status.ANSWERED,
        answer[:5000],
        record_corrected,
    )
    objection.answered_at, objection.answered_by = now, actor
    objection.save()
    if objection.deadline_id:
        Deadline.objects.filter(
            pk=objection.deadline_id, status__in=[Deadline.Status.OPEN, Deadline.Status.EXPIRED]
        ).update(status=Deadline.Status.MET, closed_at=now, updated_at=now)
    late = timezone.localdate(now) > objection.answer_due_on
    case_event_record(
        case=case,
        action=EventAction.CREDIT_OBJECTION_ANSWERED,
        actor=actor,
        data={"objection": objection.pk, "record_corrected": record_corrected, "late": late},
    )
    repair_advance(case=case)
    return objection
