"""Thin periodic tasks: rebuild the figures, draft judicial suggestions, look for group risks."""

from celery import shared_task

from core.models import Centre

from . import services


@shared_task
def dashboards_refresh_changed() -> int:
    """Every minute: the creditors whose cases moved since the last refresh."""
    return len(services.facts_refresh_changed())


@shared_task
def dashboards_refresh_all() -> int:
    """Every quarter of an hour: everything, for the changes that write no case event (payments, notices)."""
    return len(services.facts_refresh_all())


@shared_task
def suggestions_generate_all() -> int:
    return sum(len(services.suggestions_generate(centre=c)) for c in Centre.objects.order_by("pk"))


@shared_task
def group_risks_detect_all() -> int:
    return sum(len(services.group_risks_detect(centre=c)) for c in Centre.objects.order_by("pk"))
