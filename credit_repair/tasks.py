"""Thin periodic tasks: call a service, set-based, safe to run twice."""

from celery import shared_task

from . import services


@shared_task
def performance_breaches_detect() -> dict[str, int]:
    """Daily: re-apply payments whose plan changed, then record breaches after the grace period."""
    rebuilt = services.ledgers_rebuild_stale()
    return {"rebuilt": rebuilt, **services.breaches_detect()}


@shared_task
def credit_repairs_advance() -> dict[str, int]:
    """Open repair records for cases performed elsewhere, issue due certificates, close finished cases."""
    return services.repairs_advance_pending()
