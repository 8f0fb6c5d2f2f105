"""Scoped reads of batches: a creditor sees its own, a centre admin its centre's; anything else is 404."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cases.models import Batch, BatchError
from core.actors import actor_role
from core.models import Organisation, Role


def batches_visible_to(user: Any) -> QuerySet[Batch]:
    role = actor_role(user)
    membership = getattr(user, "membership", None)
    if membership is None or role in (None, "system"):
        return Batch.objects.none()
    org = membership.organisation
    if role == Role.CREDITOR_STAFF:
        return Batch.objects.filter(centre_id=org.centre_id, creditor_id=org.pk)
    if role == Role.CENTRE_ADMIN:
        return Batch.objects.filter(centre_id=org.centre_id)
    return Batch.objects.none()


def batch_list(*, user: Any) -> QuerySet[Batch]:
    return batches_visible_to(user).select_related("creditor", "created_by").order_by("-created_at", "-id")


def batch_get(*, user: Any, pk: Any) -> Batch:
    """One batch this user may see, or 404 (never 403)."""
    try:
        return batches_visible_to(user).select_related("creditor", "created_by").get(pk=pk)
    except (Batch.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def batch_errors(*, batch: Batch) -> QuerySet[BatchError]:
    return BatchError.objects.filter(batch=batch).order_by("row", "id")


def centre_default_routes(*, centre_id: int) -> dict[str, int | None]:
    """Where new cases of a centre go until assignment rules exist: its first committee and first court."""
    first = {}
    for kind in (Organisation.Kind.COMMITTEE, Organisation.Kind.COURT):
        first[str(kind)] = (
            Organisation.objects.filter(centre_id=centre_id, kind=kind)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
    return first


def batch_message_text(batch: Batch) -> str:
    """Why a batch was refused or failed, in the reader's language (stored as msgid and parameters)."""
    import json

    from django.utils.translation import gettext

    if not batch.message:
        return ""
    try:
        stored = json.loads(batch.message)
        return gettext(stored["msgid"]).format(**stored.get("params", {}))
    except (ValueError, KeyError, TypeError):
        return batch.message
