"""The mediator's queue: their cases with what to do next, filtered and sorted in the database."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from cases.models import Case, Deadline, Stage
from cases.selectors import cases_visible_to
from core.models import Role

from .models import ContactAttempt, Settlement, TriageResult

QUEUE_STAGES = [Stage.TRIAGED, Stage.IN_MEDIATION, Stage.COURT_MEDIATION, Stage.SETTLED]
SORTS = {
    "window": ("window_due", "pk"),
    "-window": ("-window_due", "-pk"),
    "contact": ("next_contact__due_on", "pk"),
    "amount": ("claimed_total", "pk"),
    "-amount": ("-claimed_total", "-pk"),
    "updated": ("-updated_at", "-pk"),
}


def queue_base(user: Any, *, pool: bool = False) -> QuerySet[Case]:
    """My cases (or my committee's unassigned pool) in the mediation stages."""
    qs = cases_visible_to(user).filter(stage__in=QUEUE_STAGES)
    if getattr(getattr(user, "membership", None), "role", None) == Role.MEDIATOR:
        qs = qs.filter(mediator__isnull=True) if pool else qs.filter(mediator=user)
    return qs


def mediator_queue(*, user: Any, filters: dict[str, Any], pool: bool = False) -> QuerySet[Case]:
    window = Deadline.objects.filter(
        case_id=OuterRef("pk"), kind=Deadline.Kind.MEDIATION_WINDOW, status=Deadline.Status.OPEN
    ).order_by("due_on")
    qs = (
        queue_base(user, pool=pool)
        .select_related("debtor", "creditor", "next_contact")
        .defer("phone", "debtor__id_number", "debtor__phone")  # masked columns suffice: no decryption per row
        .annotate(window_due=Subquery(window.values("due_on")[:1]))
    )
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
        qs = qs.filter(code__iexact=term) | qs.filter(debtor__name=term)
    order = SORTS.get(filters.get("sort") or "window", SORTS["window"])
    first = order[0]
    nulls_last = (
        F(first.lstrip("-")).desc(nulls_last=True) if first.startswith("-") else F(first).asc(nulls_last=True)
    )
    return qs.order_by(nulls_last, *order[1:])


def queue_counts(*, user: Any) -> dict[str, Any]:
    """Counts at the top of the queue: per stage and colour, contacts due today, windows closing in 5 days."""
    base = queue_base(user)
    today = timezone.localdate()
    by_stage = dict(base.order_by().values_list("stage").annotate(n=Count("pk")))
    by_colour = dict(base.order_by().values_list("colour").annotate(n=Count("pk")))
    closing = Deadline.objects.filter(
        case__in=base,
        kind=Deadline.Kind.MEDIATION_WINDOW,
        status=Deadline.Status.OPEN,
        due_on__lte=today + timedelta(days=5),
    ).count()
    contact_due = base.filter(next_contact__due_on__lte=today).count()
    return {
        "total": sum(by_stage.values()),
        "by_stage": by_stage,
        "by_colour": by_colour,
        "closing_soon": closing,
        "contact_due": contact_due,
        "pool": queue_base(user, pool=True).count(),
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
    }
