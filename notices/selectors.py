"""Scoped reads of notices: a notice is visible exactly when its case is (cases.selectors)."""

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from cases.models import Case
from cases.selectors import cases_visible_to
from core.actors import actor_role
from core.models import Role

from .models import Channel, DeliveryAttempt, Notice, NoticeBatch, PostBatch

REPORT_FAILURES_SHOWN = 200


def notices_visible_to(user: Any) -> QuerySet[Notice]:
    return Notice.objects.filter(case__in=cases_visible_to(user))


def notice_get(*, user: Any, pk: Any) -> Notice:
    """One notice whose case this user may see, or 404."""
    try:
        return (
            notices_visible_to(user)
            .select_related("case__debtor", "case__creditor", "case__centre")
            .get(pk=pk)
        )
    except (Notice.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def notices_of_case(*, case: Case) -> QuerySet[Notice]:
    return case.notices.select_related("issuer").prefetch_related("attempts").order_by("-queued_at", "-id")


def notice_batch_get(*, user: Any, pk: Any) -> NoticeBatch:
    """A bulk send: its sender's, or any in the centre for the centre's admin; otherwise 404."""
    membership = getattr(user, "membership", None)
    qs = NoticeBatch.objects.none()
    if membership is not None:
        qs = NoticeBatch.objects.filter(centre_id=membership.organisation.centre_id)
        if actor_role(user) != Role.CENTRE_ADMIN:
            qs = qs.filter(created_by=user)
    try:
        return qs.get(pk=pk)
    except (NoticeBatch.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def delivery_report(*, user: Any) -> dict[str, Any]:
    """Counts per status and channel, and the failures with their reasons, over the notices this user sees."""
    qs = notices_visible_to(user)
    cells = {
        (r["status"], r["channel"]): r["n"]
        for r in qs.order_by().values("status", "channel").annotate(n=Count("id"))
    }
    statuses = list(Notice.Status)
    channels = list(Channel)
    rows = [
        {
            "status": s,
            "cells": [cells.get((s, c), 0) for c in channels],
            "total": sum(cells.get((s, c), 0) for c in channels),
        }
        for s in statuses
    ]
    totals = [sum(cells.get((s, c), 0) for s in statuses) for c in channels]
    failures = (
        qs.filter(status=Notice.Status.FAILED)
        .select_related("case__debtor")
        .order_by("-failed_at", "-id")[:REPORT_FAILURES_SHOWN]
    )
    failed_attempts = (
        DeliveryAttempt.objects.filter(notice__in=qs, status=DeliveryAttempt.Status.FAILED)
        .order_by()
        .values("channel")
        .annotate(n=Count("id"))
    )
    return {
        "channels": channels,
        "rows": rows,
        "totals": totals,
        "total": sum(cells.values()),
        "failures": failures,
        "failed_attempts": {r["channel"]: r["n"] for r in failed_attempts},
        "post_waiting": qs.filter(
            channel=Channel.POST, status=Notice.Status.RENDERED, post_batch__isnull=True
        ).count(),
    }


def post_batches_visible_to(user: Any) -> QuerySet[PostBatch]:
    """A centre admin's centre's print batches (all of them for a superuser)."""
    if getattr(user, "is_superuser", False):
        return PostBatch.objects.all()
    membership = getattr(user, "membership", None)
    if membership is None or actor_role(user) != Role.CENTRE_ADMIN:
        return PostBatch.objects.none()
    return PostBatch.objects.filter(centre_id=membership.organisation.centre_id)
