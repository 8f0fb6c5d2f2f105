"""Writes of the batch upload: store the file, create the batch, start and retry its import."""

import os
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cases.models import Batch, BatchError
from core.models import Organisation

from .reader import FileRefused, check_size

UPLOAD_SUFFIXES = (".xlsx", ".csv", ".tsv", ".txt")


def batch_storage_dir() -> Path:
    """Uploaded batch files live in private storage (they hold ID numbers): never served as static media."""
    path = Path(settings.PRIVATE_STORAGE_ROOT) / "batches"
    path.mkdir(parents=True, exist_ok=True)
    return path


def batch_store_upload(*, uploaded: Any) -> Path:
    """Copy an uploaded file into private storage under a random name; refuse it first if it is too large."""
    check_size(uploaded.size)
    suffix = Path(uploaded.name or "").suffix.lower()
    target = batch_storage_dir() / f"{uuid.uuid4().hex}{suffix if suffix in UPLOAD_SUFFIXES else ''}"
    with target.open("wb") as out:
        for piece in uploaded.chunks():
            out.write(piece)
    os.chmod(target, 0o600)
    return target


@transaction.atomic
def batch_create(*, creditor: Organisation, filename: str, path: str | Path, created_by: Any = None) -> Batch:
    """A queued batch of this creditor for a stored file."""
    if creditor.kind != Organisation.Kind.CREDITOR:
        raise ValueError("batches belong to creditors")
    size = Path(path).stat().st_size if Path(path).exists() else 0
    return Batch.objects.create(
        centre_id=creditor.centre_id,
        creditor=creditor,
        created_by=created_by,
        filename=filename[:255],
        stored_file=str(path),
        size_bytes=size,
    )


def batch_start(*, batch: Batch) -> None:
    """Run the import as a Celery task once the batch row is committed (in-process when no broker)."""
    from .tasks import batch_import_task

    batch_id = batch.pk
    transaction.on_commit(lambda: batch_import_task.delay(batch_id))


def batch_upload(*, user: Any, uploaded: Any) -> Batch:
    """Web and API upload: store, create, start. A file over the size limit raises FileRefused at once."""
    path = batch_store_upload(uploaded=uploaded)
    with transaction.atomic():
        batch = batch_create(
            creditor=user.membership.organisation,
            filename=uploaded.name or path.name,
            path=path,
            created_by=user,
        )
        batch_start(batch=batch)
    return batch


@transaction.atomic
def batch_retry(*, batch: Batch, start: bool = True) -> Batch:
    """Run a failed or interrupted batch again from its file; a new attempt supersedes the old one.

    A batch whose worker died mid-import stays 'running' with nothing committed, so it may be retried too.
    """
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    if locked.status not in (Batch.Status.FAILED, Batch.Status.RUNNING, Batch.Status.QUEUED):
        raise FileRefused(_not_retryable())
    BatchError.objects.filter(batch=locked).delete()
    Batch.objects.filter(pk=locked.pk).update(
        status=Batch.Status.QUEUED,
        attempt=F("attempt") + 1,
        rows_read=0,
        accepted=0,
        rejected=0,
        error_count=0,
        progress_percent=0,
        message="",
        started_at=None,
        finished_at=None,
        updated_at=timezone.now(),
    )
    locked.refresh_from_db()
    if start:
        batch_start(batch=locked)
    return locked


def _not_retryable() -> Any:
    from django.utils.translation import gettext_lazy as _

    return _("Only a batch that failed or was interrupted can be retried.")
