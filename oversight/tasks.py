"""Thin periodic tasks: draft judicial suggestions, look for group risks."""

from celery import shared_task

from core.models import Centre

from . import services


@shared_task
def suggestions_generate_all() -> int:
    return sum(len(services.suggestions_generate(centre=c)) for c in Centre.objects.order_by("pk"))


@shared_task
def group_risks_detect_all() -> int:
    return sum(len(services.group_risks_detect(centre=c)) for c in Centre.objects.order_by("pk"))
