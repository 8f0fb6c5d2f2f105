"""Thin periodic tasks: rebuild the figures."""

from celery import shared_task

from . import services


@shared_task
def dashboards_refresh_changed() -> int:
    """Every minute: the creditors whose cases moved since the last refresh."""
    return len(services.facts_refresh_changed())


@shared_task
def dashboards_refresh_all() -> int:
    """Every quarter of an hour: everything, for the changes that write no case event (payments, notices)."""
    return len(services.facts_refresh_all())
