"""What mediation does when the cases app announces something (connected in MediationConfig.ready)."""

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from cases.signals import batch_imported


@receiver(batch_imported, dispatch_uid="mediation.batch_imported")
def route_imported_cases(sender: Any, batch: Any, **kwargs: Any) -> None:
    """A new batch's cases get the centre's triage rules and, if the centre wants it, their mediators."""
    from .tasks import batch_cases_route

    batch_id = batch.pk
    transaction.on_commit(lambda: batch_cases_route.delay(batch_id))
