"""Scoped reads of oversight: the judicial suggestions and group-risk flags a user may see."""

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases.models import Case
from cases.selectors import cases_visible_to
from core.actors import actor_role
from core.models import Role

from .models import GroupRiskFlag, JudicialSuggestion

# --- judicial suggestions and group-risk flags -----------------------------------------------------------


def suggestions_visible_to(user: Any) -> QuerySet[JudicialSuggestion]:
    """A judge or centre admin: their centre's suggestions; a creditor: those issued to it (never drafts)."""
    membership = getattr(user, "membership", None)
    role = actor_role(user)
    qs = JudicialSuggestion.objects.select_related("creditor", "issuer")
    if membership is None:
        return qs.none()
    org = membership.organisation
    if role in (Role.JUDGE, Role.CENTRE_ADMIN):
        return qs.filter(centre_id=org.centre_id)
    if role == Role.CREDITOR_STAFF:
        return qs.filter(centre_id=org.centre_id, creditor_id=org.pk).exclude(
            status=JudicialSuggestion.Status.DRAFT
        )
    return qs.none()


def suggestion_get(*, user: Any, pk: Any) -> JudicialSuggestion:
    try:
        return suggestions_visible_to(user).get(pk=pk)
    except (JudicialSuggestion.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def suggestions_overdue(user: Any, today: date | None = None) -> QuerySet[JudicialSuggestion]:
    return suggestions_visible_to(user).filter(
        status=JudicialSuggestion.Status.ISSUED, answer_due_on__lt=today or timezone.localdate()
    )


def suggestion_counts(user: Any, today: date | None = None) -> dict[str, int]:
    """Drafts, issued ones waiting for an answer, and those overdue, in one query."""
    status = JudicialSuggestion.Status
    return suggestions_visible_to(user).aggregate(
        draft=Count("pk", filter=Q(status=status.DRAFT)),
        issued=Count("pk", filter=Q(status=status.ISSUED)),
        overdue=Count("pk", filter=Q(status=status.ISSUED, answer_due_on__lt=today or timezone.localdate())),
    )


def flags_visible_to(user: Any) -> QuerySet[GroupRiskFlag]:
    """Group-risk flags are the centre admin's."""
    membership = getattr(user, "membership", None)
    if membership is None or actor_role(user) != Role.CENTRE_ADMIN:
        return GroupRiskFlag.objects.none()
    return GroupRiskFlag.objects.filter(centre_id=membership.organisation.centre_id).select_related(
        "creditor"
    )


def flag_get(*, user: Any, pk: Any) -> GroupRiskFlag:
    try:
        return flags_visible_to(user).get(pk=pk)
    except (GroupRiskFlag.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def flag_cases(*, flag: GroupRiskFlag, user: Any) -> QuerySet[Case]:
    return cases_visible_to(user).filter(group_risk_flags=flag).select_related("debtor").order_by("pk")
