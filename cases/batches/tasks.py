"""Thin Celery task: a batch id in, the import service runs; safe to run twice (a done batch stays)."""

from celery import shared_task

from cases.models import Batch
from cases.signals import batch_imported


@shared_task(acks_late=True, reject_on_worker_lost=True)
def batch_import_task(batch_id: int) -> str:
    from .importer import batch_import

    batch = batch_import(batch=Batch.objects.get(pk=batch_id))
    if batch.status == Batch.Status.DONE:
        batch_imported.send(sender=Batch, batch=batch)
    return batch.status
