"""The mediator's queue: their cases with what to do next, filtered and sorted in the database."""

from datetime import timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from cases.models import Case, Colour, Deadline, Stage
from cases.selectors import cases_visible_to
from core.models import Role

from .models import ContactAttempt, MediationExtension, MediationRefusal, Settlement, TriageResult

# A case's effective settlement is its latest to take effect (the later agreement replaces the earlier).
EFFECTIVE_ORDER = ("-effective_on", "-pk")


def effective_settlements(**filters: Any) -> QuerySet[Settlement]:
    """Settlements in effect (signed by every party), filtered as given, the case's current one first."""
    return Settlement.objects.filter(status=Settlement.Status.EFFECTIVE, **filters).order_by(*EFFECTIVE_ORDER)


def effective_settlement(case: Case) -> Settlement | None:
    """The case's effective settlement, with its schedule (None when no agreement is in effect)."""
    return effective_settlements(case=case).prefetch_related("instalments").first()


def effective_settlement_pk(case_ref: Any = None) -> QuerySet[Settlement, Any]:
    """The pk of the effective settlement of the outer query's case, as a subquery (case_ref: OuterRef)."""
    case_id = case_ref if case_ref is not None else OuterRef("pk")
    return effective_settlements(case_id=case_id).values("pk")[:1]


QUEUE_STAGES = [Stage.TRIAGED, Stage.IN_MEDIATION, Stage.COURT_MEDIATION, Stage.SETTLED]
SORTS = {
    "window": ("window_due", "pk"),
    "-window": ("-window_due", "-pk"),
    "contact": ("next_contact__due_on", "pk"),
    "amount": ("claimed_total", "pk"),
    "-amount": ("-claimed_total", "-pk"),
    "updated": ("-updated_at", "-pk"),
}


def committee_mediators_key(centre_id: int) -> str:
    """Where the queue's reassign list of a centre is kept (mediation.views.committee_mediators)."""
    return f"mediation:committee-mediators:{centre_id}"


def queue_base(user: Any, *, pool: bool = False) -> QuerySet[Case]:
    """My cases (or my committee's unassigned pool) in the mediation stages."""
    qs = cases_visible_to(user).filter(stage__in=QUEUE_STAGES)
    if getattr(getattr(user, "membership", None), "role", None) == Role.MEDIATOR:
        qs = qs.filter(mediator__isnull=True) if pool else qs.filter(mediator=user)
    return qs


QUEUE_ROW_COLUMNS = ("pk", "code", "stage", "on_hold", "colour", "track", "window_due")
QUEUE_ROW_RENAMED = {
    "amount": F("claimed_total"),
    "debtor_name": F("debtor__name"),
    "debtor_id_masked": F("debtor__id_number_masked"),
    "creditor_name": F("creditor__name"),
    "contact_due": F("next_contact__due_on"),
    "window_starts": F("open_window__starts_on"),
}


def mediator_queue(*, user: Any, filters: dict[str, Any], pool: bool = False) -> QuerySet[Case, Any]:
    """The queue's cases, filtered and in order; ``queue_page_values`` turns a page of ids into rows."""
    qs = with_open_window(queue_base(user, pool=pool)).annotate(window_due=F("open_window__due_on"))
    today = timezone.localdate()
    if filters.get("stage"):
        qs = qs.filter(stage=filters["stage"])
    if filters.get("colour"):
        qs = qs.filter(colour=filters["colour"])
    if filters.get("track"):
        qs = qs.filter(track=filters["track"])
    if filters.get("min_amount") not in (None, ""):
        qs = qs.filter(claimed_total__gte=filters["min_amount"])
    if filters.get("max_amount") not in (None, ""):
        qs = qs.filter(claimed_total__lte=filters["max_amount"])
    if filters.get("days_left") not in (None, ""):
        qs = qs.filter(window_due__lte=today + timedelta(days=int(filters["days_left"])))
    if filters.get("contact") == "due":
        qs = qs.filter(next_contact__due_on__lte=today)
    if filters.get("q"):
        term = str(filters["q"]).strip()
        qs = qs.filter(Q(code__iexact=term) | Q(debtor__name=term))
    order = SORTS.get(filters.get("sort") or "window", SORTS["window"])
    first = order[0]
    nulls_last = (
        F(first.lstrip("-")).desc(nulls_last=True) if first.startswith("-") else F(first).asc(nulls_last=True)
    )
    return qs.order_by(nulls_last, *order[1:])


def queue_values(cases: QuerySet[Case, Any]) -> QuerySet[Case, dict[str, Any]]:
    """The columns the queue prints, as plain values (masked identifiers only): no model objects per row."""
    return cases.values(*QUEUE_ROW_COLUMNS, **QUEUE_ROW_RENAMED)


def queue_page_values(pks: list[int]) -> list[dict[str, Any]]:
    """The rows of one page of the queue (``pks`` in the page's order, as paged from ``mediator_queue``).

    The page is chosen on the cases alone, and only its cases join debtor, creditor and next contact:
    sorting the whole queue with those joins made the database fetch every case's debtor for 50 rows."""
    cases = with_open_window(Case.objects.filter(pk__in=pks)).annotate(window_due=F("open_window__due_on"))
    by_pk = {row["pk"]: row for row in queue_values(cases)}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def with_open_window(cases: QuerySet[Case, Any]) -> QuerySet[Case, Any]:
    """Join each case's open mediation window (``open_window``): a case has at most one, since entering a
    mediation stage opens it and leaving closes it. A join lets a centre-wide queue (tens of thousands of
    cases) sort and count by it without a subquery per case."""
    return cases.annotate(
        open_window=FilteredRelation(
            "deadlines",
            condition=Q(
                deadlines__kind=Deadline.Kind.MEDIATION_WINDOW, deadlines__status=Deadline.Status.OPEN
            ),
        )
    )


def queue_counts(*, user: Any) -> dict[str, Any]:
    """Counts at the top of the queue, in one query: per stage and colour, contacts due today,
    windows closing in 5 days, and the committee's unassigned pool.

    Grouped by (stage, colour, assigned) with three counts per group, summed here: a dozen filtered
    counts cost the page more to build in the ORM than the database takes to run them."""
    visible = with_open_window(cases_visible_to(user).filter(stage__in=QUEUE_STAGES))
    is_mediator = getattr(getattr(user, "membership", None), "role", None) == Role.MEDIATOR
    today = timezone.localdate()
    groups = (
        visible.order_by()
        .values("stage", "colour", unassigned=ExpressionWrapper(Q(mediator__isnull=True), BooleanField()))
        .annotate(
            n=Count("pk"),
            closing_soon=Count("pk", filter=Q(open_window__due_on__lte=today + timedelta(days=5))),
            contact_due=Count("pk", filter=Q(next_contact__due_on__lte=today)),
        )
    )
    counts: dict[str, Any] = {"total": 0, "closing_soon": 0, "contact_due": 0, "pool": 0}
    by_stage: dict[str, int] = {}
    by_colour: dict[str, int] = {}
    for row in groups:
        if row["unassigned"]:
            counts["pool"] += row["n"]
        # A mediator sees their own cases and the unassigned pool: theirs are the assigned ones.
        if is_mediator and row["unassigned"]:
            continue
        counts["total"] += row["n"]
        counts["closing_soon"] += row["closing_soon"]
        counts["contact_due"] += row["contact_due"]
        by_stage[row["stage"]] = by_stage.get(row["stage"], 0) + row["n"]
        by_colour[row["colour"]] = by_colour.get(row["colour"], 0) + row["n"]
    return {
        **counts,
        "by_stage": {s: by_stage[s] for s in QUEUE_STAGES if by_stage.get(s)},
        "by_colour": {c: by_colour[c] for c in Colour.values if by_colour.get(c)},
    }


def case_mediation_panel(*, case: Case) -> dict[str, Any]:
    return {
        "triage": TriageResult.objects.filter(case=case).order_by("-created_at", "-pk").first(),
        "contacts": ContactAttempt.objects.filter(case=case).select_related("mediator")[:50],
        "sessions": case.mediation_sessions.order_by("-scheduled_at"),
        "settlement": Settlement.objects.filter(case=case)
        .exclude(status=Settlement.Status.VOID)
        .prefetch_related("instalments")
        .order_by("-created_at")
        .first(),
        "assignments": case.assignments.select_related("mediator", "previous_mediator", "assigned_by")[:20],
        "refusal": MediationRefusal.objects.filter(case=case).first(),
        "extensions": MediationExtension.objects.filter(case=case),
    }
