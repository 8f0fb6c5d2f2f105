"""Financial statements and affordability: filing a statement, the reference figures that apply, and what a
plan costs each month against what the person can afford across all their cases at the centre."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from cases.models import OPEN_STAGES, Case, EventAction
from cases.services import case_event_record
from core.actors import SYSTEM

from .affordability import (
    CATEGORY_KEYS,
    DEFAULT_REFERENCE_PER_PERSON,
    DEFAULT_REFERENCE_SOURCE,
    ZERO,
    affordability,
    monthly_equivalent,
    plan_exceeds,
)
from .models import FinancialStatement, Proposal, ReferenceFigure

# The proposals that still speak for a case: waiting for an answer, or accepted into an agreement.
LIVE_PROPOSALS = [Proposal.Status.OPEN, Proposal.Status.ACCEPTED]


def reference_per_person(
    *, centre_id: int, region_code: str, on: date | None = None
) -> tuple[dict[str, Decimal], str]:
    """The centre's figures for the debtor's region (longest prefix, latest date on or before ``on``),
    category by category; the dated national default for a category the centre has not configured."""
    on = on or timezone.localdate()
    prefixes = {region_code[:n] for n in range(len(region_code or "") + 1)}
    rows = (
        ReferenceFigure.objects.filter(centre_id=centre_id, region_prefix__in=prefixes, valid_from__lte=on)
        .order_by("category", "-valid_from")
        .values_list("category", "region_prefix", "per_person_monthly", "valid_from", "source")
    )
    best: dict[str, tuple[int, date, Decimal, str]] = {}
    for category, prefix, amount, valid_from, source in rows:
        key = (len(prefix), valid_from)
        if category not in best or key > best[category][:2]:
            best[category] = (len(prefix), valid_from, amount, source)
    figures = {k: best[k][2] if k in best else DEFAULT_REFERENCE_PER_PERSON[k] for k in CATEGORY_KEYS}
    sources = sorted(
        {best[k][3] for k in best} | ({DEFAULT_REFERENCE_SOURCE} if len(best) < len(CATEGORY_KEYS) else set())
    )
    return figures, "; ".join(sources)


def _amounts(lines: list[dict[str, Any]], key: str) -> list[Decimal]:
    return [Decimal(str(line.get(key) or "0")) for line in lines]


@transaction.atomic
def statement_file(
    *,
    case: Case,
    household_size: int,
    dependants: int,
    income: list[dict[str, Any]],
    spending: dict[str, Decimal],
    other_debts: list[dict[str, Any]],
    ip: str | None = None,
) -> FinancialStatement:
    """The debtor files a new version of their statement; it serves every case of theirs at the centre."""
    debtor = case.debtor
    figures, source = reference_per_person(centre_id=case.centre_id, region_code=debtor.region_code)
    result = affordability(
        income=_amounts(income, "amount"),
        spending=spending,
        other_debt_payments=_amounts(other_debts, "monthly"),
        household_size=household_size,
        reference_per_person=figures,
    )
    statement = FinancialStatement.objects.create(
        debtor=debtor,
        household_size=household_size,
        dependants=dependants,
        income=[{**line, "amount": str(line["amount"])} for line in income],
        spending={k: str(Decimal(spending.get(k) or ZERO)) for k in CATEGORY_KEYS},
        other_debts=[{**line, "monthly": str(line["monthly"])} for line in other_debts],
        affordable_monthly=result.affordable,
        flagged=list(result.flagged),
        reference_source=source[:200],
        ip=ip,
    )
    case_event_record(
        case=Case.objects.select_for_update().get(pk=case.pk),
        action=EventAction.STATEMENT_FILED,
        actor=SYSTEM,
        data={
            "party": "debtor",
            "debtor": debtor.pk,
            "ip": ip or "",
            "statement": statement.pk,
            "affordable": str(result.affordable),
        },
    )
    return statement


def statement_latest(*, debtor_id: int) -> FinancialStatement | None:
    return FinancialStatement.objects.filter(debtor_id=debtor_id).order_by("-created_at", "-pk").first()


def statement_affordability(statement: FinancialStatement, *, centre_id: int) -> Any:
    """The statement recomputed against today's reference figures, for display (flags and references)."""
    figures, _source = reference_per_person(centre_id=centre_id, region_code=statement.debtor.region_code)
    return affordability(
        income=_amounts(statement.income, "amount"),
        spending={k: Decimal(v) for k, v in statement.spending.items()},
        other_debt_payments=_amounts(statement.other_debts, "monthly"),
        household_size=statement.household_size,
        reference_per_person=figures,
    )


def proposal_monthly(proposal: Proposal) -> Decimal:
    return (
        monthly_equivalent(proposal.instalment_amount, proposal.frequency)
        if proposal.instalment_count
        else ZERO
    )


def proposed_monthly_elsewhere(*, debtor_id: int, exclude_case_id: int | None) -> Decimal:
    """What the person's live proposals on their OTHER open cases at the centre cost each month: the
    latest live proposal of each case (set-based over the person's cases)."""
    latest = Proposal.objects.filter(
        case__debtor_id=debtor_id, case__stage__in=OPEN_STAGES, status__in=LIVE_PROPOSALS
    ).order_by("case_id", "-pk")
    if exclude_case_id is not None:
        latest = latest.exclude(case_id=exclude_case_id)
    seen: set[int] = set()
    total = ZERO
    for proposal in latest.only("case_id", "total", "amount_now", "instalment_count", "frequency"):
        if proposal.case_id in seen:
            continue
        seen.add(proposal.case_id)
        total += proposal_monthly(proposal)
    return total


@dataclass(frozen=True)
class PlanAffordability:
    statement: FinancialStatement | None
    affordable: Decimal | None  # None: no statement yet
    this_monthly: Decimal
    elsewhere_monthly: Decimal
    monthly_total: Decimal
    exceeds: bool


def plan_affordability(*, case: Case, instalment: Decimal, frequency: str) -> PlanAffordability:
    """This plan's monthly cost plus the person's live proposals on their other cases, against the
    affordable amount of their latest statement."""
    statement = statement_latest(debtor_id=case.debtor_id)
    this_monthly = monthly_equivalent(instalment, frequency)
    elsewhere = proposed_monthly_elsewhere(debtor_id=case.debtor_id, exclude_case_id=case.pk)
    total = this_monthly + elsewhere
    affordable = statement.affordable_monthly if statement is not None else None
    exceeds = affordable is not None and plan_exceeds(monthly_total=total, affordable=affordable)
    return PlanAffordability(statement, affordable, this_monthly, elsewhere, total, exceeds)


@dataclass(frozen=True)
class PersonOverview:
    cases: int
    owed: Decimal
    proposed_monthly: Decimal
    affordable: Decimal | None


def person_overview(*, debtor_id: int) -> PersonOverview:
    """Across all of one person's open cases at the centre: how many, what is owed, what the live
    proposals cost each month, and what they can afford."""
    open_cases = Case.objects.filter(debtor_id=debtor_id, stage__in=OPEN_STAGES)
    agg = open_cases.aggregate(owed=Sum("claimed_total"), n=Count("pk"))
    statement = statement_latest(debtor_id=debtor_id)
    return PersonOverview(
        cases=agg["n"],
        owed=agg["owed"] or ZERO,
        proposed_monthly=proposed_monthly_elsewhere(debtor_id=debtor_id, exclude_case_id=None),
        affordable=statement.affordable_monthly if statement is not None else None,
    )
