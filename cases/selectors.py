"""Scoped reads: every page and API reaches cases only through these."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import F, Q, QuerySet, Value, When
from django.http import Http404

from core.actors import actor_role
from core.models import Role

from .models import Case, CaseEvent, Deadline, Hold, Stage

NOTHING = Q(pk__in=[])


def case_visibility_q(user: Any) -> Q:
    """What this user may see: a creditor its cases, a mediator its own and its pool, a court its cases."""
    role = actor_role(user)
    membership = getattr(user, "membership", None)
    if role is None or role == "system" or membership is None:
        return NOTHING
    org = membership.organisation
    in_centre = Q(centre_id=org.centre_id)
    if role == Role.CREDITOR_STAFF:
        return in_centre & Q(creditor_id=org.pk)
    if role == Role.MEDIATOR:
        return in_centre & (Q(mediator_id=user.pk) | Q(mediator__isnull=True, committee_id=org.pk))
    if role in (Role.JUDGE, Role.CLERK):
        return in_centre & Q(court_id=org.pk)
    if role == Role.CENTRE_ADMIN:
        return in_centre
    return NOTHING


def cases_visible_to(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(case_visibility_q(user))


def case_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Case]:
    """The cases a user may list, with the common filters of pages and the API."""
    qs = cases_visible_to(user).select_related("creditor", "debtor")
    f = filters or {}
    if f.get("stage"):
        qs = qs.filter(stage=f["stage"])
    if f.get("colour"):
        qs = qs.filter(colour=f["colour"])
    if f.get("track"):
        qs = qs.filter(track=f["track"])
    if f.get("batch"):
        qs = qs.filter(batch_id=f["batch"])
    if f.get("creditor"):
        qs = qs.filter(creditor__code=f["creditor"])
    if f.get("min_amount") not in (None, ""):
        qs = qs.filter(claimed_total__gte=f["min_amount"])
    if f.get("max_amount") not in (None, ""):
        qs = qs.filter(claimed_total__lte=f["max_amount"])
    if f.get("q"):
        term = f["q"].strip()
        qs = qs.filter(Q(code__iexact=term) | Q(external_ref__iexact=term) | Q(debtor__name=term))
    return qs


# The columns a case list sorts by (?sort=key or ?sort=-key): a whitelist, each with its expression.
# Every order ends on the id, so that pages never repeat or skip a case whose sort values tie.
CASE_SORTS: dict[str, Any] = {
    "code": F("code"),
    "external_ref": F("external_ref"),
    "debtor": F("debtor__name"),
    "creditor": F("creditor__name"),
    "claimed_total": F("claimed_total"),
    "stage": DbCase(*[When(stage=s, then=Value(i)) for i, s in enumerate(Stage)], default=Value(99)),
    "colour": F("colour"),
    "track": F("track"),
    "updated": F("updated_at"),
    "received": F("created_at"),
}


def case_sort_key(value: str | None, allowed: Iterable[str] = CASE_SORTS) -> str:
    """The requested sort if it is on the whitelist (with its "-"), else ""."""
    value = (value or "").strip()
    return value if value.removeprefix("-") in set(allowed) else ""


def cases_sorted(qs: QuerySet[Case], sort: str, extra: dict[str, Any] | None = None) -> QuerySet[Case]:
    """The cases ordered by one whitelisted column, then by id in the same direction."""
    sorts = {**CASE_SORTS, **(extra or {})}
    key = sort.removeprefix("-")
    if key not in sorts:
        return qs
    descending = sort.startswith("-")
    expression = sorts[key]
    ordered = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
    return qs.order_by(ordered, "-id" if descending else "id")


def case_get(*, user: Any, pk: Any) -> Case:
    """One case this user may see, or 404 (never 403: a case out of reach does not exist for them)."""
    try:
        return (
            cases_visible_to(user)
            .select_related("creditor", "debtor", "court", "committee", "mediator")
            .get(pk=pk)
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def case_events(*, case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("actor").order_by("seq")


def case_open_deadlines(*, case: Case) -> QuerySet[Deadline]:
    return case.deadlines.filter(status=Deadline.Status.OPEN).order_by("due_on")


def case_active_holds(*, case: Case) -> QuerySet[Hold]:
    return case.holds.filter(lifted_at__isnull=True)
