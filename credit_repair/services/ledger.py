"""The ledger, payments and payment files: the only place that records payments.

Each change locks the case row first (in id order when there are several), writes its CaseEvent in the same
transaction, and moves the case through cases.services. Bulk work is set-based; a case paid in full is
performed and its credit repair opened (credit_repair.services.repair).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import FINAL_STAGES, OPEN_STAGES, Case, EventAction
from cases.permissions import actor_reaches_case
from cases.selectors import cases_visible_to
from cases.services import case_event_record, cases_bulk_transition, cases_change_bulk, cases_lock
from core.actors import SYSTEM, Actor, actor_role
from core.models import Role
from core.money import AmountError, format_yuan, parse_yuan
from mediation.models import Instalment
from mediation.selectors import effective_settlement_pk

from .. import rules, selectors
from ..allocation import Due, Paid, allocate
from ..errors import PaymentConflict, RepairError
from ..models import Allocation, Breach, Payment
from ._common import CHUNK, ZERO, _actor_id, _forbidden, _is_system
from .repair import repairs_open

PAYMENT_REFERENCE_MAX = 64  # the Payment.reference column


def _check_creditor(actor: Actor, case: Case) -> None:
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
    if not reference or len(reference) > PAYMENT_REFERENCE_MAX:
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
    actor: Actor,
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


def _perform_paid_in_full(totals: dict[int, LedgerTotals], actor: Actor) -> list[int]:
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
    from ..importer import import_payment_file

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
