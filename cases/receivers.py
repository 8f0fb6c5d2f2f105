"""What the cases app itself does on its own announcements (connected in CasesConfig.ready)."""

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from .signals import batch_imported


@receiver(batch_imported, dispatch_uid="cases.batch_imported.legality")
def screen_imported_batch(sender: Any, batch: Any, **kwargs: Any) -> None:
    """A new batch's cases go through the legality screen (issue #20) once they are committed."""
    from .tasks import batch_legality_screen_task

    batch_id = batch.pk
    transaction.on_commit(lambda: batch_legality_screen_task.delay(batch_id))
