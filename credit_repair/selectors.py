"""Scoped reads for payments, performance and credit repair: pages, the API and other apps use these."""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Stage
from cases.selectors import cases_visible_to
from core.actors import actor_role
from core.identifiers import to_halfwidth
from core.models import Role
from courts.models import Enforcement, PaymentOrder, Suit
from mediation.models import Instalment, Settlement
from mediation.selectors import effective_settlement_pk, effective_settlements

from . import rules
from .allocation import Allocated, Due, Paid, allocate
from .models import Breach, CreditObjection, Payment, RepairRecord, RepairStep

ZERO = Decimal("0.00")
# A settlement's plan is in force from the agreement until performance (or enforcement) begins.
PLAN_STAGES = [Stage.SETTLED, Stage.CONFIRMATION_REQUESTED, Stage.CONFIRMED, Stage.PERFORMING]
# Amounts are whole fen; SQLite sums them as floats, so "more than" means more by at least half a fen.
HALF_FEN = Decimal("0.005")
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _decimal_zero() -> Value:
    from django.db.models import DecimalField

    return Value(ZERO, output_field=DecimalField(max_digits=15, decimal_places=2))


# --- what is owed -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obligation:
    """What the debtor must pay under the latest title: a settlement, a judgment, an order, or the claim."""

    case_id: int
    total: Decimal
    basis: str  # "settlement", "judgment", "payment_order" or "claim"
    settlement_id: int | None = None
    waived_interest: Decimal = ZERO
    waived_fees: Decimal = ZERO


def obligations(case_ids: list[int]) -> dict[int, Obligation]:
    """Each case's obligation, in four queries whatever the number of cases (the latest title wins)."""
    result: dict[int, tuple[date, Obligation]] = {}
    for pk, total in Case.objects.filter(pk__in=case_ids).values_list("pk", "claimed_total"):
        result[pk] = (date.min, Obligation(pk, total or ZERO, "claim"))

    def offer(case_id: int, on: date | None, obligation: Obligation) -> None:
        on = on or date.min
        if case_id in result and on >= result[case_id][0]:
            result[case_id] = (on, obligation)

    for pk, case_id, total, on, wi, wf in (
        effective_settlements(case_id__in=case_ids)
        .reverse()  # oldest first: the latest to take effect is offered last and wins
        .values_list("pk", "case_id", "total", "effective_on", "waived_interest", "waived_fees")
    ):
        offer(case_id, on, Obligation(case_id, total, "settlement", pk, wi, wf))
    for case_id, amount, on in (
        Suit.objects.filter(case_id__in=case_ids, judgment_amount__isnull=False)
        .order_by("judgment_on", "pk")
        .values_list("case_id", "judgment_amount", "judgment_on")
    ):
        offer(case_id, on, Obligation(case_id, amount or ZERO, "judgment"))
    for case_id, amount, on in (
        PaymentOrder.objects.filter(case_id__in=case_ids, status=PaymentOrder.Status.EFFECTIVE)
        .order_by("ended_on", "pk")
        .values_list("case_id", "amount", "ended_on")
    ):
        offer(case_id, on, Obligation(case_id, amount, "payment_order"))
    return {pk: obligation for pk, (_on, obligation) in result.items()}


def plan_of(obligation: Obligation) -> list[Due]:
    if obligation.settlement_id is None:
        return []
    rows = Instalment.objects.filter(settlement_id=obligation.settlement_id).values_list(
        "pk", "seq", "due_on", "amount"
    )
    return [Due(pk, seq, due_on, amount) for pk, seq, due_on, amount in rows]


def paid_of(case_id: int) -> list[Paid]:
    rows = Payment.objects.filter(case_id=case_id).values_list("pk", "paid_on", "amount")
    return [Paid(pk, paid_on, amount) for pk, paid_on, amount in rows]


# --- the ledger -------------------------------------------------------------------------------------


@dataclass
class InstalmentLine:
    id: int
    seq: int
    due_on: date
    amount: Decimal
    paid: Decimal
    outstanding: Decimal
    paid_on: date | None
    status: str  # "paid", "due", "overdue", "breached"
    breach: Breach | None = None


@dataclass
class PaymentLine:
    payment: Payment
    shares: list[tuple[int, Decimal]]  # (instalment number, amount)
    credit: Decimal  # the part that paid no instalment


@dataclass
class Ledger:
    case: Case
    obligation: Obligation
    instalments: list[InstalmentLine]
    payments: list[PaymentLine]
    paid: Decimal
    balance: Decimal  # still owed, never below zero
    overpaid: Decimal
    breaches: list[Breach] = field(default_factory=list)

    @property
    def claimed(self) -> Decimal:
        return self.case.principal + self.case.interest + self.case.fees

    @property
    def paid_in_full(self) -> bool:
        return self.balance == 0


def case_ledger(*, case: Case, today: date | None = None) -> Ledger:
    """The claim, the waivers, the plan, the payments and how they paid the plan, and the balance."""
    today = today or timezone.localdate()
    obligation = obligations([case.pk])[case.pk]
    dues = plan_of(obligation)
    payments = list(Payment.objects.filter(case=case).order_by("paid_on", "pk"))
    allocated: Allocated = allocate(dues, [Paid(p.pk, p.paid_on, p.amount) for p in payments])
    seq_of = {d.id: d.seq for d in dues}
    paid_by_instalment: dict[int, Decimal] = {}
    shares_by_payment: dict[int, list[tuple[int, Decimal]]] = {}
    for share in allocated.shares:
        paid_by_instalment[share.instalment_id] = (
            paid_by_instalment.get(share.instalment_id, ZERO) + share.amount
        )
        shares_by_payment.setdefault(share.payment_id, []).append((seq_of[share.instalment_id], share.amount))
    breaches = list(Breach.objects.filter(case=case).order_by("due_on", "pk"))
    open_breach = {b.instalment_id: b for b in breaches if b.status == Breach.Status.OPEN and b.instalment_id}
    lines = []
    for d in sorted(dues, key=lambda d: (d.due_on, d.seq)):
        paid = paid_by_instalment.get(d.id, ZERO)
        outstanding = d.amount - paid
        if outstanding <= 0:
            status = "paid"
        elif d.id in open_breach:
            status = "breached"
        elif d.due_on < today:
            status = "overdue"
        else:
            status = "due"
        lines.append(
            InstalmentLine(
                d.id,
                d.seq,
                d.due_on,
                d.amount,
                paid,
                outstanding,
                allocated.paid_on.get(d.id),
                status,
                open_breach.get(d.id),
            )
        )
    payment_lines = []
    for p in payments:
        shares = shares_by_payment.get(p.pk, [])
        payment_lines.append(PaymentLine(p, shares, p.amount - sum((a for _s, a in shares), ZERO)))
    paid_total = sum((p.amount for p in payments), ZERO)
    return Ledger(
        case=case,
        obligation=obligation,
        instalments=lines,
        payments=payment_lines,
        paid=paid_total,
        balance=max(obligation.total - paid_total, ZERO),
        overpaid=max(paid_total - obligation.total, ZERO),
        breaches=breaches,
    )


# --- breaches (set-based candidates for the periodic task) --------------------------------------------


def instalments_in_breach(*, centre_id: int, cutoff: date) -> list[tuple[int, int, date, Decimal]]:
    """(instalment, case, due date, unpaid) for instalments due on or before ``cutoff`` and not paid, in the
    current plan of cases of this centre that are not on hold, with no breach recorded yet. One query.

    Payments pay instalments in due order, so an instalment is unpaid when the payments so far do not
    reach the plan's total up to and including it.
    """
    up_to_this = Instalment.objects.filter(settlement_id=OuterRef("settlement_id")).filter(
        Q(due_on__lt=OuterRef("due_on")) | Q(due_on=OuterRef("due_on"), seq__lte=OuterRef("seq"))
    )
    due_so_far = up_to_this.order_by().values("settlement_id").annotate(s=Sum("amount")).values("s")[:1]
    paid = (
        Payment.objects.filter(case_id=OuterRef("settlement__case_id"))
        .order_by()
        .values("case_id")
        .annotate(s=Sum("amount"))
        .values("s")[:1]
    )
    current_plan = effective_settlement_pk(OuterRef("settlement__case_id"))
    rows = (
        Instalment.objects.filter(
            settlement__status=Settlement.Status.EFFECTIVE,
            settlement__case__centre_id=centre_id,
            settlement__case__stage__in=PLAN_STAGES,
            settlement__case__on_hold=False,
            due_on__lte=cutoff,
        )
        .filter(settlement_id=Subquery(current_plan))  # a later plan replaced this one's schedule
        .exclude(Exists(Breach.objects.filter(instalment_id=OuterRef("pk"))))
        .annotate(due_so_far=Subquery(due_so_far), paid=Coalesce(Subquery(paid), _decimal_zero()))
        .filter(due_so_far__gt=F("paid") + HALF_FEN)
        .values_list("pk", "settlement__case_id", "due_on", "amount", "due_so_far", "paid")
    )
    return [
        (pk, case_id, due_on, min(amount, due_so_far - paid))
        for pk, case_id, due_on, amount, due_so_far, paid in rows
        if due_so_far > paid
    ]


def orders_in_breach(*, centre_id: int, cutoff: date) -> list[tuple[int, date, Decimal]]:
    """(case, performance due date, unpaid) for effective judgments and orders unpaid after their period."""
    recorded = Breach.objects.filter(
        case_id=OuterRef("pk"), instalment__isnull=True, due_on=OuterRef("performance_due_on")
    )
    rows = (
        Case.objects.filter(
            centre_id=centre_id, stage=Stage.ENFORCEABLE, on_hold=False, performance_due_on__lte=cutoff
        )
        .exclude(Exists(recorded))
        .values_list("pk", "performance_due_on")
    )
    candidates = {pk: due_on for pk, due_on in rows if due_on is not None}
    if not candidates:
        return []
    owed = obligations(list(candidates))
    paid = dict(
        Payment.objects.filter(case_id__in=list(candidates))
        .order_by()
        .values("case_id")
        .annotate(s=Sum("amount"))
        .values_list("case_id", "s")
    )
    unpaid = {pk: owed[pk].total - (paid.get(pk) or ZERO) for pk in candidates}
    return [(pk, due_on, unpaid[pk]) for pk, due_on in candidates.items() if unpaid[pk] > 0]


# --- scoped lists for pages and the API -----------------------------------------------------------


def _visible_ids(user: Any) -> Any:
    return cases_visible_to(user).values("pk")


def case_for_repair(*, user: Any, code: str) -> Case:
    """One case by its code if this user may see it; otherwise 404 (never 403)."""
    visible = cases_visible_to(user).select_related("creditor", "debtor", "centre", "court")
    return get_object_or_404(visible, code=code.strip().upper())


def repair_steps_visible_to(user: Any) -> QuerySet[RepairStep]:
    return RepairStep.objects.filter(case_id__in=Subquery(_visible_ids(user))).select_related(
        "case", "case__debtor", "case__creditor", "record"
    )


def repairs_overdue(user: Any, today: date | None = None) -> QuerySet[RepairStep]:
    """Repair steps past their due date and not done, on cases this user may see (flag them red)."""
    today = today or timezone.localdate()
    return (
        repair_steps_visible_to(user)
        .filter(status=RepairStep.Status.PENDING, due_on__lt=today)
        .order_by("due_on", "pk")
    )


ROLE_PARTY: dict[str, str] = {
    Role.CREDITOR_STAFF: RepairStep.Party.CREDITOR,
    Role.JUDGE: RepairStep.Party.COURT,
    Role.CLERK: RepairStep.Party.COURT,
}


def repairs_pending_for(user: Any) -> QuerySet[RepairStep]:
    """Steps waiting for this user's side: a creditor's corrections, a court's removals (admin: all)."""
    steps = repair_steps_visible_to(user).filter(status=RepairStep.Status.PENDING)
    party = ROLE_PARTY.get(actor_role(user) or "")
    if party is not None:
        steps = steps.filter(party=party)
    else:
        steps = steps.exclude(kind=RepairStep.Kind.CERTIFICATE)
    return steps.order_by(F("due_on").asc(nulls_last=True), "pk")


def repairs_visible_to(user: Any) -> QuerySet[RepairRecord]:
    """The repair records of performed cases this user may see, newest first."""
    return (
        RepairRecord.objects.filter(case_id__in=Subquery(_visible_ids(user)))
        .select_related("case", "case__debtor", "case__creditor")
        .order_by("-opened_on", "-pk")
    )


def objections_visible_to(user: Any) -> QuerySet[CreditObjection]:
    return CreditObjection.objects.filter(case_id__in=Subquery(_visible_ids(user))).select_related(
        "case", "case__debtor"
    )


def objections_to_answer(user: Any) -> QuerySet[CreditObjection]:
    return (
        objections_visible_to(user).filter(status=CreditObjection.Status.OPEN).order_by("answer_due_on", "pk")
    )


def objections_overdue(user: Any, today: date | None = None) -> QuerySet[CreditObjection]:
    today = today or timezone.localdate()
    return objections_to_answer(user).filter(answer_due_on__lt=today)


def objection_get(*, user: Any, pk: Any) -> CreditObjection:
    try:
        return objections_visible_to(user).get(pk=pk)
    except (CreditObjection.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def credit_objections_of_case(*, case: Case) -> QuerySet[CreditObjection]:
    """A case's objections and answers, for the debtor pages (the caller has identified the debtor)."""
    return CreditObjection.objects.filter(case=case).prefetch_related("evidence").order_by("-filed_on", "-pk")


def breaches_open(user: Any) -> QuerySet[Breach]:
    return (
        Breach.objects.filter(case_id__in=Subquery(_visible_ids(user)), status=Breach.Status.OPEN)
        .select_related("case", "case__debtor", "instalment")
        .order_by("due_on", "pk")
    )


# --- the 5-year retention rule, said honestly ------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    default_ended_on: date
    retained_until: date

    @property
    def text(self) -> str:
        return _(
            "Leaving the dishonest judgment-debtor list does not erase your credit report. Under article 16 "
            "of the Credit Reporting Regulation, the record of the overdue debt stays in the credit report "
            "for 5 years from the day the default ended (%(ended)s), that is until %(until)s, and is deleted "
            "then. What changes now is that the creditor corrects the record to show the debt as settled."
        ) % {"ended": self.default_ended_on.isoformat(), "until": self.retained_until.isoformat()}


def credit_report_retention(*, case: Case) -> Retention | None:
    """What the debtor pages and the certificate say about the 5-year rule; None while the debt is unpaid."""
    performed_on = case.performed_on
    if performed_on is None:
        return None
    return Retention(performed_on, rules.retention_ends_on(performed_on))


# --- the certificate and its public check ---------------------------------------------------------


def verification_code_normalise(value: str) -> str:
    """Upper case, half-width, without the spaces and hyphens people type between the groups."""
    return re.sub(r"[\s\-]", "", to_halfwidth(value or "")).upper()


def verification_code_display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳明华 -> 欧***: the family name's first character only."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


@dataclass(frozen=True)
class RepairedItem:
    label: str
    done_on: date | None


@dataclass(frozen=True)
class CertificateCheck:
    status: str  # "valid", "tampered", "unknown", "pending"
    masked_name: str = ""
    case_code: str = ""
    performed_on: date | None = None
    issued_on: date | None = None
    centre_name: str = ""
    repaired: tuple[RepairedItem, ...] = ()
    retention: Retention | None = None
    code: str = ""


SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


def certificate_check(*, code: str = "", sha256: str = "") -> CertificateCheck | None:
    """Check a certificate by its verification code and/or the SHA-256 of its PDF; None when nothing asked.

    Valid: the code is ours (and the file, if given, is the one issued). Tampered: the code is ours but the
    file differs. Unknown: no certificate has this code (or, without a code, this hash).
    """
    code, sha256 = verification_code_normalise(code), (sha256 or "").strip().lower()
    if not code and not sha256:
        return None
    issued = RepairRecord.objects.filter(certificate__isnull=False).select_related(
        "certificate", "case", "case__debtor", "case__centre"
    )
    record = issued.filter(verification_code=code).first() if code else None
    if record is None and not code and SHA256_RE.match(sha256):
        record = issued.filter(certificate__sha256=sha256).first()
    if record is None:
        return CertificateCheck("unknown", code=code)
    stored = record.certificate.sha256 if record.certificate else ""
    if not stored:
        status = "pending"
    elif sha256 and sha256 != stored:
        status = "tampered"
    else:
        status = "valid"
    case = record.case
    steps = record.steps.filter(status=RepairStep.Status.DONE).exclude(kind=RepairStep.Kind.CERTIFICATE)
    return CertificateCheck(
        status=status,
        masked_name=mask_name(case.debtor.name),
        case_code=case.code,
        performed_on=record.performed_on,
        issued_on=record.certificate_issued_on,
        centre_name=case.centre.name,
        repaired=tuple(RepairedItem(str(s.get_kind_display()), s.done_on) for s in steps.order_by("pk")),
        retention=Retention(record.performed_on, rules.retention_ends_on(record.performed_on)),
        code=record.verification_code,
    )


def enforcements_of(case_ids: list[int]) -> dict[int, tuple[bool, bool]]:
    """Per case: (on the dishonest list now, consumption restricted now), from its enforcements."""
    result: dict[int, tuple[bool, bool]] = {}
    for case_id, listed_on, removed_on, restricted in Enforcement.objects.filter(
        case_id__in=case_ids
    ).values_list("case_id", "dishonest_listed_on", "dishonest_removed_on", "consumption_restricted"):
        listed, was_restricted = result.get(case_id, (False, False))
        result[case_id] = (
            listed or (listed_on is not None and removed_on is None),
            was_restricted or restricted,
        )
    return result


def payments_on_title(case_id: int, since: date) -> list[tuple[date, Decimal]]:
    """The debtor's payments on a case from ``since`` (the court's enforcement figures read them)."""
    return list(
        Payment.objects.filter(case_id=case_id, paid_on__gte=since)
        .order_by("paid_on", "pk")
        .values_list("paid_on", "amount")
    )
