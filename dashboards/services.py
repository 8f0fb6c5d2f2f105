"""Writes of the dashboards app: rebuilding the pre-aggregated figures."""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from cases.models import CaseEvent
from core.models import Centre

from . import facts
from .models import RefreshState

# --- pre-aggregated figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshResult:
    centre_id: int
    seconds: float
    rows: int


def facts_refresh(
    *, centre_id: int, creditor_ids: list[int] | None = None, skip_if_busy: bool = False
) -> RefreshResult | None:
    """Replace a centre's figures (or some creditors' part of them) in one transaction, set-based.

    Readers keep seeing the previous figures until the commit; refreshes of one centre queue on its
    RefreshState row so that two never interleave their DELETE and INSERT (or, with skip_if_busy, the
    later one gives way and returns None: the running one or the next one catches up).
    """
    started = time.perf_counter()
    RefreshState.objects.get_or_create(centre_id=centre_id, defaults={"refreshed_at": timezone.now()})
    rows = 0
    with transaction.atomic():
        state = (
            RefreshState.objects.select_for_update(skip_locked=skip_if_busy)
            .filter(centre_id=centre_id)
            .first()
        )
        if state is None:
            return None
        watermark = CaseEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        now = timezone.now()
        params = facts.statement_params(centre_id, now, timezone.localdate(now))
        prepare = facts.session_statements() + facts.cleanup_statements()
        prepare += facts.prepare_statements(facts.scope_sql(creditor_ids))
        with connection.cursor() as cursor:
            for sql in prepare:
                cursor.execute(sql, facts.used_params(sql, params))
            for model, statements in facts.FACTS:
                stale = model.objects.filter(centre_id=centre_id)  # type: ignore[attr-defined]
                if creditor_ids is not None:
                    stale = stale.filter(creditor_id__in=creditor_ids)
                stale.delete()
                for sql in statements():
                    cursor.execute(sql, facts.used_params(sql, params))
                    rows += max(cursor.rowcount, 0)
            for sql in facts.cleanup_statements():
                cursor.execute(sql)
        if creditor_ids is None or state.event_watermark == 0:
            state.event_watermark = watermark
        state.refreshed_at, state.seconds = now, time.perf_counter() - started
        state.save()
    return RefreshResult(centre_id, time.perf_counter() - started, rows)


def facts_refresh_all() -> list[RefreshResult]:
    centres = Centre.objects.order_by("pk").values_list("pk", flat=True)
    return [r for pk in centres if (r := facts_refresh(centre_id=pk)) is not None]


def facts_refresh_changed() -> list[RefreshResult]:
    """Refresh the creditors whose cases moved since their centre's last refresh (the every-minute task).

    New case events are found by id above the lowest watermark (a range of the primary key, not a scan);
    a centre never refreshed is refreshed whole. A centre being refreshed already is skipped this minute.
    Changes that write no case event (payments, notices) and an event committed out of id order wait
    for the quarter-hourly full refresh.
    """
    states = dict(RefreshState.objects.values_list("centre_id", "event_watermark"))
    new = Centre.objects.exclude(pk__in=states).values_list("pk", flat=True)
    results = [r for pk in new if (r := facts_refresh(centre_id=pk, skip_if_busy=True)) is not None]
    if not states:
        return results
    changed = (
        CaseEvent.objects.filter(pk__gt=min(states.values()))
        .values("case__centre_id", "case__creditor_id")
        .annotate(last=Max("pk"))
    )
    by_centre: dict[int, list[int]] = {}
    newest: dict[int, int] = {}
    for row in changed:
        centre_id = row["case__centre_id"]
        if centre_id in states and row["last"] > states[centre_id]:
            by_centre.setdefault(centre_id, []).append(row["case__creditor_id"])
            newest[centre_id] = max(newest.get(centre_id, 0), row["last"])
    for centre_id, creditor_ids in by_centre.items():
        result = facts_refresh(centre_id=centre_id, creditor_ids=sorted(creditor_ids), skip_if_busy=True)
        if result is None:
            continue
        results.append(result)
        RefreshState.objects.filter(centre_id=centre_id, event_watermark__lt=newest[centre_id]).update(
            event_watermark=newest[centre_id]
        )
    return results


# --- figures kept live without a button ---------------------------------------------------------------
# The every-minute task refreshes what moved; a dashboard that finds its centre's figures behind the case
# events refreshes them itself when tasks run in-process (a small installation, `make run`), or asks a
# worker at once (at most one request a minute per centre) and says the figures are being updated.
REFRESH_ASK_EVERY_SECONDS = 60


def facts_are_stale(*, centre_id: int) -> bool:
    """Whether a case of this centre has an event the figures have not counted (a primary-key range probe)."""
    watermark = (
        RefreshState.objects.filter(centre_id=centre_id).values_list("event_watermark", flat=True).first()
    )
    if watermark is None:
        return True
    return CaseEvent.objects.filter(pk__gt=watermark, case__centre_id=centre_id).exists()


def facts_refresh_when_stale(*, centre_id: int) -> str:
    """Bring the centre's figures up to its case events: returns fresh, refreshed (in this request) or
    queued (a worker is on it)."""
    if not facts_are_stale(centre_id=centre_id):
        return "fresh"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        facts_refresh_changed()
        return "refreshed"
    if cache.add(f"dashboards-refresh-asked:{centre_id}", 1, timeout=REFRESH_ASK_EVERY_SECONDS):
        from .tasks import dashboards_refresh_changed

        transaction.on_commit(dashboards_refresh_changed.delay)
    return "queued"
