"""The legality screen at intake (issue #20): what a court would question before a payment order or a suit.

Each rule is data (code, title, source, whether it blocks) with a set-based check: a queryset filter over all
the cases screened at once, so a batch of 100,000 rows takes a few statements per rule, never a loop of
queries. The screen runs after every import (the batch_imported signal) and again on demand, as of a date;
each hit is stored as a Finding that the creditor may answer with evidence and a judge decides. An open or
answered blocking finding stops a payment order and a suit (cases.conditions.legality_findings_decided).

Rules and their sources are DOMAIN.md's (Suit: limitation, interruption; Rates and conduct).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models import DateField as DateOutput
from django.db.models.functions import Cast, Coalesce, Greatest, JSONObject, Round
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import CreditorKind

from .lpr import LprTable, lpr_table
from .models import Batch, Case, EventAction, Finding

# Civil Code 188: the limitation period for claims is 3 years (restarted by Civil Code 195).
LIMITATION_YEARS = 3
# SPC private lending rules 2020 arts. 25, 28, 29: interest and all charges together at most 4 x one-year LPR.
PRIVATE_LENDING_LPR_MULTIPLE = Decimal(4)
# SPC private lending rules 2020 art. 31: contracts before this day are judged by the LPR at filing.
PRIVATE_LENDING_RULES_FROM = datetime.date(2020, 8, 20)
# PBOC/NFRA guideline on small-loan financing costs (Dec 2025): no new loan above 24% total annual cost.
SMALL_LOAN_COST_CEILING = Decimal(24)
# SPC bank-card rules 2 set no numeric cap; a total annual cost above the old 24% line is shown to the judge.
CARD_OUTLIER_ANNUAL_COST = Decimal(24)
DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class ScreenContext:
    """What every rule sees: the cases screened (already annotated), the day of the screen, the LPR table."""

    cases: Any  # QuerySet[Case] with the annotations of _annotated (restart_on, annual_cost, ...)
    on: datetime.date
    lpr: LprTable


@dataclass(frozen=True)
class LegalityRule:
    code: str
    title: Promise
    source: str
    blocking: bool
    # the cases the rule finds, as a queryset of the context's cases
    hits: Callable[[ScreenContext], QuerySet[Any]]
    # each hit's details: SQL expressions by key (written by one INSERT ... SELECT), or, for a rule that finds
    # few cases and compares them with others, a function computing them per case in Python
    details: Callable[..., Any]
    details_in_sql: bool = True


class DaysBetween(Func):
    """Whole days from the second date to the first (PostgreSQL: date - date; SQLite: julianday)."""

    output_field = IntegerField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "postgresql":
            sql = f"(CAST({later} AS date) - CAST({earlier} AS date))"
        else:
            sql = f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
        return sql, [*later_params, *earlier_params]


def limitation_cutoff(on: datetime.date) -> datetime.date:
    """The earliest restart day whose 3 years still run on `on`.

    Civil Code 188, 200-203 (and DOMAIN.md Periods): the day of the event is not counted and a period in
    years ends on the corresponding day of the last year (no such day, 29 February: the month's last day).
    So a claim restarted on R is still in time on R + 3 years and expired the day after."""
    year = on.year - LIMITATION_YEARS
    if on.month == 2 and on.day == 29:  # noqa: PLR2004 - 29 February
        return datetime.date(year, 3, 1)  # R = 28 Feb ends on 28 Feb of a leap year, before the 29th
    return datetime.date(year, on.month, on.day)


def limitation_last_day(restart: datetime.date) -> datetime.date:
    """The last day of the 3 years from a restart day (Civil Code 188, 202)."""
    try:
        return restart.replace(year=restart.year + LIMITATION_YEARS)
    except ValueError:  # 29 February to a common year: the month's last day
        return datetime.date(restart.year + LIMITATION_YEARS, 2, 28)


def _annotated(cases: QuerySet[Case], on: datetime.date, lpr: LprTable) -> QuerySet[Any]:
    """Each case's restart day, days since the contract, total annual cost and the LPR that judges it."""
    restart = Greatest(
        F("overdue_since"),
        Coalesce(F("history__last_demand_on"), F("overdue_since")),
        Coalesce(F("history__acknowledged_on"), F("overdue_since")),
        Coalesce(F("history__last_payment_on"), F("overdue_since")),
        output_field=DateOutput(),
    )
    days = DaysBetween(Value(on, output_field=DateOutput()), F("contract_date"))
    rate = DecimalField(max_digits=12, decimal_places=4)
    charges_rate = ExpressionWrapper(
        (F("interest") + F("fees"))
        * Value(Decimal(DAYS_PER_YEAR * 100))
        / (F("principal") * Greatest(F("days_since_contract"), Value(1))),
        output_field=rate,
    )
    annual_cost = Greatest(
        Coalesce(F("annual_rate"), Value(Decimal(0))), F("charges_rate"), output_field=rate
    )
    # SPC private lending rules 2020 art. 31: a contract before 2020-08-20 is judged by the LPR at filing
    # (the screen's day); a later one by the LPR at the contract date (art. 25).
    lpr_at_filing = lpr.rate_on(on)
    lpr_field = DecimalField(max_digits=6, decimal_places=3)
    judging_lpr = SqlCase(
        When(contract_date__lt=PRIVATE_LENDING_RULES_FROM, then=Value(lpr_at_filing, output_field=lpr_field)),
        default=lpr.rate_expression("contract_date"),
        output_field=lpr_field,
    )
    return cases.annotate(
        restart_on=restart,
        days_since_contract=days,
        charges_rate=charges_rate,
        annual_cost=annual_cost,
        judging_lpr=judging_lpr,
    )


# --- the rules ---


def limitation_hits(ctx: ScreenContext) -> QuerySet[Any]:
    return ctx.cases.filter(restart_on__lt=limitation_cutoff(ctx.on))


def _text(expression: Any) -> Cast:
    return Cast(expression, output_field=CharField())


def limitation_details(ctx: ScreenContext) -> dict[str, Any]:
    # the last day of the 3 years is derived when shown (limitation_last_day), from the restart day
    return {
        "overdue_since": _text(F("overdue_since")),
        "restarted_on": _text(F("restart_on")),
        "screened_on": Value(ctx.on.isoformat()),
    }


def _private(ctx: ScreenContext) -> QuerySet[Any]:
    return ctx.cases.filter(creditor__creditor_kind=CreditorKind.PRIVATE)


def rate_cap_hits(ctx: ScreenContext) -> QuerySet[Any]:
    return _private(ctx).filter(
        contract_date__isnull=False,
        judging_lpr__isnull=False,
        annual_cost__gt=F("judging_lpr") * PRIVATE_LENDING_LPR_MULTIPLE,
    )


def _rate_details(ctx: ScreenContext) -> dict[str, Any]:
    return {
        "annual_rate": _text(F("annual_rate")),
        "charges_rate": _text(Round(F("charges_rate"), 2)),
        "annual_cost": _text(Round(F("annual_cost"), 2)),
        "lpr": _text(Round(F("judging_lpr"), 2)),
        "cap": _text(Round(F("judging_lpr") * PRIVATE_LENDING_LPR_MULTIPLE, 2)),
        "contract_date": _text(F("contract_date")),
        "transition": SqlCase(
            When(contract_date__lt=PRIVATE_LENDING_RULES_FROM, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    }


def rate_unjudgeable_hits(ctx: ScreenContext) -> QuerySet[Any]:
    return _private(ctx).filter(Q(contract_date__isnull=True) | Q(judging_lpr__isnull=True))


def rate_unjudgeable_details(ctx: ScreenContext) -> dict[str, Any]:
    return {
        "contract_date": _text(F("contract_date")),
        "reason": SqlCase(
            When(contract_date__isnull=True, then=Value("no_contract_date")),
            default=Value("no_lpr_for_date"),
            output_field=CharField(),
        ),
        "lpr_known_until": Value(ctx.lpr.known_until.isoformat()),
        # the day whose LPR judges the rate: the contract date, or the screen's day (art. 31 transition)
        "lpr_date": SqlCase(
            When(contract_date__lt=PRIVATE_LENDING_RULES_FROM, then=Value(ctx.on.isoformat())),
            default=_text(F("contract_date")),
            output_field=CharField(),
        ),
    }


def small_loan_hits(ctx: ScreenContext) -> QuerySet[Any]:
    return ctx.cases.filter(
        creditor__creditor_kind=CreditorKind.SMALL_LOAN,
        contract_date__isnull=False,
        annual_cost__gt=SMALL_LOAN_COST_CEILING,
    )


def card_outlier_hits(ctx: ScreenContext) -> QuerySet[Any]:
    return ctx.cases.filter(
        creditor__creditor_kind=CreditorKind.LICENSED,
        contract_date__isnull=False,
        annual_cost__gt=CARD_OUTLIER_ANNUAL_COST,
    )


def _same_contract() -> QuerySet[Any]:
    return Case.objects.filter(debtor_id=OuterRef("debtor_id")).exclude(pk=OuterRef("pk"))


def duplicate_hits(ctx: ScreenContext) -> QuerySet[Any]:
    same_ref = _same_contract().filter(external_ref=OuterRef("external_ref"))
    same_terms = _same_contract().filter(
        principal=OuterRef("principal"), contract_date=OuterRef("contract_date")
    )
    return ctx.cases.filter(Q(Exists(same_ref)) | (Q(contract_date__isnull=False) & Q(Exists(same_terms))))


def duplicate_details(ctx: ScreenContext, hits: QuerySet[Any]) -> dict[int, dict[str, Any]]:
    mine = list(hits.values("pk", "debtor_id", "external_ref", "principal", "contract_date", "creditor_id"))
    by_debtor: dict[int, list[Any]] = defaultdict(list)
    for other in Case.objects.filter(debtor_id__in=hits.values("debtor_id")).values(
        "pk", "debtor_id", "external_ref", "principal", "contract_date", "creditor_id"
    ):
        by_debtor[other["debtor_id"]].append(other)
    out = {}
    for r in mine:
        twins = [
            o
            for o in by_debtor[r["debtor_id"]]
            if o["pk"] != r["pk"]
            and (
                o["external_ref"] == r["external_ref"]
                or (
                    r["contract_date"] is not None
                    and o["contract_date"] == r["contract_date"]
                    and o["principal"] == r["principal"]
                )
            )
        ]
        out[r["pk"]] = {
            "cases": sorted(o["pk"] for o in twins),
            "other_creditors": len({o["creditor_id"] for o in twins if o["creditor_id"] != r["creditor_id"]}),
            "same_ref": any(o["external_ref"] == r["external_ref"] for o in twins),
        }
    return out


def assignment_hits(ctx: ScreenContext) -> QuerySet[Any]:
    named_original = Q(history__original_creditor__gt="")
    chain_missing = Q(history__assigned_on__isnull=True) | Q(history__assignment_ref="")
    assignee_without_original = Q(creditor__creditor_kind=CreditorKind.ASSIGNEE) & (
        Q(history__isnull=True) | Q(history__original_creditor="")
    )
    return ctx.cases.filter((named_original & chain_missing) | assignee_without_original)


def assignment_details(ctx: ScreenContext) -> dict[str, Any]:
    return {
        "original_creditor": Coalesce(F("history__original_creditor"), Value("")),
        "assigned_on": _text(F("history__assigned_on")),
        "assignment_ref": Coalesce(F("history__assignment_ref"), Value("")),
    }


RULES: tuple[LegalityRule, ...] = (
    LegalityRule(
        "limitation",
        _("Limitation period over: more than 3 years since the due date or the last demand, "
          "acknowledgement or part payment"),
        "Civil Code 188, 195; SPC limitation rules 8 (raised by the debtor, Civil Code 193)",
        True,
        limitation_hits,
        limitation_details,
    ),
    LegalityRule(
        "private_rate_cap",
        _("Interest and charges above four times the one-year LPR (private lending)"),
        "SPC private lending rules 2020 arts. 25, 28, 29, 31",
        True,
        rate_cap_hits,
        _rate_details,
    ),
    LegalityRule(
        "rate_unjudgeable",
        _("The rate cannot be judged: no contract date or no LPR for that date"),
        "SPC private lending rules 2020 art. 25",
        True,
        rate_unjudgeable_hits,
        rate_unjudgeable_details,
    ),
    LegalityRule(
        "small_loan_cost",
        _("Total annual cost above 24% (small-loan company, supervisory flag)"),
        "PBOC/NFRA guideline on small-loan financing costs (2025-12)",
        False,
        small_loan_hits,
        _rate_details,
    ),
    LegalityRule(
        "card_outlier",
        _("Unusually high interest and fees for a bank or card claim: the court may reduce them"),
        "SPC bank-card rules 2",
        False,
        card_outlier_hits,
        _rate_details,
    ),
    LegalityRule(
        "duplicate_contract",
        _("The same contract is claimed twice (by this creditor or by another)"),
        "CPL 127(5); Interp. 247 (no second claim on the same matter)",
        True,
        duplicate_hits,
        duplicate_details,
        details_in_sql=False,
    ),
    LegalityRule(
        "assignment_chain",
        _("Debt assigned without a recorded chain of assignment"),
        "Civil Code 545, 546",
        True,
        assignment_hits,
        assignment_details,
    ),
)  # fmt: skip
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def rule_title(code: str) -> Any:
    rule = RULES_BY_CODE.get(code)
    return rule.title if rule else code


# --- running the screen ---


@transaction.atomic
def legality_screen(
    *, cases: QuerySet[Case], on: datetime.date | None = None, centre_id: int | None = None
) -> dict[str, int]:
    """Screen these cases as of `on` (default today): add a finding for each rule broken, drop the open
    findings that no longer hold (a demand recorded since, a contract corrected). Answered and decided
    findings stay as they are. Returns the number of cases each rule found. Safe to run twice."""
    on = on or timezone.localdate()
    ids_query = cases.values("pk")
    if centre_id is None:
        centre_id = cases.values_list("centre_id", flat=True).first()
    ctx = ScreenContext(
        cases=_annotated(Case.objects.filter(pk__in=ids_query), on, lpr_table(centre_id)),
        on=on,
        lpr=lpr_table(centre_id),
    )
    counts: dict[str, int] = {}
    for rule in RULES:
        hits = rule.hits(ctx)
        counts[rule.code] = hits.count()
        # subqueries, never lists of ids: a batch of 100,000 rows would exceed the parameters of a statement
        Finding.objects.filter(case_id__in=ids_query, rule=rule.code, status=Finding.Status.OPEN).exclude(
            case_id__in=hits.values("pk")
        ).delete()
        if not counts[rule.code]:
            continue
        if rule.details_in_sql:
            _findings_insert(hits.annotate(found=JSONObject(**rule.details(ctx))), rule=rule, on=on)
            continue
        details = rule.details(ctx, hits)
        batches = dict(hits.values_list("pk", "batch_id"))
        Finding.objects.bulk_create(
            [
                Finding(
                    case_id=case_id,
                    batch_id=batches.get(case_id),
                    rule=rule.code,
                    blocking=rule.blocking,
                    details=found,
                    found_on=on,
                )
                for case_id, found in details.items()
            ],
            ignore_conflicts=True,
            batch_size=5000,
        )
    return counts


def _findings_insert(hits: QuerySet[Any], *, rule: LegalityRule, on: datetime.date) -> None:
    """One INSERT ... SELECT of a finding per case found; a case that has this finding already keeps it."""
    select, params = hits.values_list("pk", "batch_id", "found").query.sql_with_params()
    table = Finding._meta.db_table
    columns = (
        "case_id, batch_id, details, rule, blocking, status, found_on, answer, evidence, evidence_name, "
    )
    sql = (
        f"INSERT INTO {table} ({columns}decision_note)"  # noqa: S608 (a table name and Django's own SQL)
        f" SELECT hit.*, %s, %s, %s, %s, '', '', '', '' FROM ({select}) hit"
        # WHERE true: SQLite would read a bare ON after the subquery's alias as a join's (its documented
        # parsing ambiguity of INSERT ... SELECT ... ON CONFLICT).
        " WHERE true ON CONFLICT (case_id, rule) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [rule.code, rule.blocking, Finding.Status.OPEN.value, on, *params])


def batch_legality_screen(*, batch: Batch, on: datetime.date | None = None) -> dict[str, int]:
    return legality_screen(cases=Case.objects.filter(batch=batch), on=on, centre_id=batch.centre_id)


def batch_finding_counts(batch: Batch) -> list[dict[str, Any]]:
    """Per rule: how many of the batch's cases it found, and how many of those are still open."""
    rows = {r["rule"]: r for r in _count_by_rule(Finding.objects.filter(batch=batch))}
    return [
        {
            "rule": rule,
            "found": rows.get(rule.code, {}).get("n", 0),
            "open": rows.get(rule.code, {}).get("o", 0),
        }
        for rule in RULES
    ]


def _count_by_rule(findings: QuerySet[Finding]) -> Iterable[Any]:
    return (
        findings.values("rule")
        .annotate(
            n=Count("pk"),
            o=Count("pk", filter=Q(status__in=[Finding.Status.OPEN, Finding.Status.ANSWERED])),
        )
        .order_by()
    )


# --- answering and deciding (the creditor answers with evidence, the judge decides) ---

EVIDENCE_MAX_FILES = 1


def findings_visible_to(user: Any) -> QuerySet[Finding]:
    """Findings of the cases this user may see (a creditor: its own; a court: its cases; a centre: its)."""
    from .selectors import case_visibility_q

    return Finding.objects.filter(case__in=Case.objects.filter(case_visibility_q(user)).values("pk"))


@transaction.atomic
def finding_answer(*, finding: Finding, actor: Any, answer: str, evidence: Any = None) -> Finding:
    """The creditor's answer to a finding of its own case, with an evidence file (PDF, JPEG or PNG)."""
    import hashlib

    from core.actors import actor_role
    from core.models import Role
    from core.uploads import upload_check

    from .errors import ActionForbidden, TransitionRefused
    from .permissions import actor_reaches_case
    from .services import case_event_record, cases_lock

    cases_lock(case_ids=[finding.case_id])  # the Case first, then its rows (the one lock order)
    locked = Finding.objects.select_for_update().select_related("case").get(pk=finding.pk)
    if actor_role(actor) != Role.CREDITOR_STAFF or not actor_reaches_case(actor, locked.case):
        raise ActionForbidden(_("Your role may not take this action on this case."))
    if locked.decided:
        raise TransitionRefused(_("The judge has decided on this finding already."), code="decided")
    if not answer.strip():
        raise TransitionRefused(_("Write your answer."), code="answer_required")
    if evidence is not None:
        checked = upload_check(evidence)
        digest = hashlib.sha256(evidence.read()).hexdigest()[:16]
        evidence.seek(0)
        locked.evidence.save(f"{locked.pk}-{digest}.{checked.type.extension}", evidence, save=False)
        locked.evidence_name = (evidence.name or "")[:200]
    locked.answer = answer.strip()
    locked.answered_by_id = actor.pk
    locked.answered_at = timezone.now()
    locked.status = Finding.Status.ANSWERED
    locked.save()
    case_event_record(
        case=locked.case,
        action=EventAction.LEGALITY_FINDING_ANSWERED,
        actor=actor,
        data={"legality_finding": locked.pk, "rule": locked.rule},
    )
    return locked


@transaction.atomic
def finding_decide(*, finding: Finding, actor: Any, upheld: bool, note: str) -> Finding:
    """A judge's decision on a finding of a case of their court: upheld (the claim must change or go) or
    dismissed. Either way the finding no longer stops a payment order or a suit; the event is recorded."""
    from core.actors import actor_role
    from core.models import Role

    from .errors import ActionForbidden, TransitionRefused
    from .permissions import actor_reaches_case
    from .services import case_event_record, cases_lock

    cases_lock(case_ids=[finding.case_id])  # the Case first, then its rows (the one lock order)
    locked = Finding.objects.select_for_update().select_related("case").get(pk=finding.pk)
    if actor_role(actor) != Role.JUDGE or not actor_reaches_case(actor, locked.case):
        raise ActionForbidden(_("Your role may not take this action on this case."))
    if not note.strip():
        raise TransitionRefused(_("Give a reason for this action."), code="reason_required")
    locked.status = Finding.Status.UPHELD if upheld else Finding.Status.DISMISSED
    locked.decision_note = note.strip()
    locked.decided_by_id = actor.pk
    locked.decided_at = timezone.now()
    locked.save()
    case_event_record(
        case=locked.case,
        action=EventAction.LEGALITY_FINDING_DECIDED,
        actor=actor,
        reason=note.strip(),
        data={"legality_finding": locked.pk, "rule": locked.rule, "status": locked.status},
    )
    return locked


# --- what a reader is shown of a finding (in the reader's language) ---


def _limitation_end(details: dict[str, Any]) -> str:
    restarted = details.get("restarted_on")
    return limitation_last_day(datetime.date.fromisoformat(restarted)).isoformat() if restarted else "—"


def finding_lines(finding: Finding, *, show_other_cases: bool) -> list[str]:
    """A finding's details as sentences. Other creditors' case codes only for a court or a centre."""
    d = finding.details or {}
    rule = finding.rule
    if rule == "limitation":
        return [
            gettext("Overdue since %(overdue)s; last restarted on %(restart)s; the 3 years ended on %(end)s.")
            % {
                "overdue": d.get("overdue_since"),
                "restart": d.get("restarted_on"),
                "end": _limitation_end(d),
            }
        ]
    if rule in ("private_rate_cap", "small_loan_cost", "card_outlier"):
        lines = [
            gettext(
                "Total annual cost %(cost)s%% (agreed rate %(rate)s; interest and fees %(charges)s%% a year)."
            )
            % {
                "cost": d.get("annual_cost"),
                "rate": f"{d['annual_rate']}%" if d.get("annual_rate") else "—",
                "charges": d.get("charges_rate"),
            }
        ]
        if rule == "private_rate_cap":
            lines.append(
                gettext("Cap: 4 × the one-year LPR of %(lpr)s%% = %(cap)s%%.")
                % {"lpr": d.get("lpr"), "cap": d.get("cap")}
            )
            if d.get("transition"):
                lines.append(
                    gettext(
                        "Contract before 2020-08-20: judged by the LPR at filing; interest up to 2020-08-19 "
                        "may follow the former rules if a party asks."
                    )
                )
        return lines
    if rule == "rate_unjudgeable":
        if d.get("reason") == "no_contract_date":
            return [gettext("No contract date was given.")]
        return [
            gettext("No one-year LPR is known for %(date)s (known up to %(until)s): the centre must add it.")
            % {"date": d.get("lpr_date") or d.get("contract_date"), "until": d.get("lpr_known_until")}
        ]
    if rule == "duplicate_contract":
        others = list(Case.objects.filter(pk__in=d.get("cases", [])).values_list("code", "creditor_id"))
        own = [code for code, creditor in others if creditor == finding.case.creditor_id]
        foreign = [code for code, creditor in others if creditor != finding.case.creditor_id]
        lines = []
        if own:
            lines.append(gettext("Also claimed in your case(s): %(codes)s.") % {"codes": ", ".join(own)})
        if foreign:
            shown = ", ".join(foreign) if show_other_cases else str(len(foreign))
            lines.append(gettext("Also claimed by another creditor: %(cases)s.") % {"cases": shown})
        return lines
    if rule == "assignment_chain":
        return [
            gettext("Original creditor: %(original)s; assignment date: %(date)s; agreement number: %(ref)s.")
            % {
                "original": d.get("original_creditor") or "—",
                "date": d.get("assigned_on") or "—",
                "ref": d.get("assignment_ref") or "—",
            }
        ]
    return []
