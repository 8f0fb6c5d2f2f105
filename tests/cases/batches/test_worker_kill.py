"""A real Celery worker killed in the middle of a 100,000-row import leaves no case; a retry imports all."""

import os
import signal
import time
import uuid
from pathlib import Path

import pytest

from cases.batches import importer
from cases.batches.importer import batch_import
from cases.batches.services import batch_create, batch_retry, batch_start
from cases.events import verify_chains
from cases.models import Batch, BatchError, Case, CaseEvent
from config.celery import app as celery_app
from tests.cases.batches.files import distinct_id_number, good_row, write_csv
from tests.factories import World
from tests.workers import REDIS_URL, start_worker, stop_worker, use_broker, wait_for

ROWS = 100_000


@pytest.fixture
def broker_queue():
    queue = f"test-kill-{uuid.uuid4().hex[:8]}"
    old = (celery_app.conf.task_always_eager, celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    use_broker(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    yield queue
    use_broker(task_always_eager=old[0], broker_url=old[1], task_default_queue=old[2])


def big_file(path: Path) -> Path:
    rows = (good_row(n, external_ref=f"KILL{n:07d}", id_number=distinct_id_number(n)) for n in range(ROWS))
    return write_csv(path, rows)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_import_leaves_nothing_and_retry_imports_whole(tmp_path, broker_queue):
    world = World()
    batch = batch_create(creditor=world.bank, filename="big.csv", path=big_file(tmp_path / "big.csv"))
    worker, log = start_worker(broker_queue)
    try:
        batch_start(batch=batch)
        wait_for(lambda: Batch.objects.filter(pk=batch.pk, rows_read__gt=0).exists(), worker, 120, "progress")
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
        log.close()
    batch.refresh_from_db()
    assert batch.status == "running" and 0 < batch.rows_read < ROWS  # it was killed mid-import
    time.sleep(0.5)  # the database notices the lost connection and rolls its transaction back
    assert Case.objects.filter(batch=batch).count() == 0
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0

    worker, log = start_worker(broker_queue)
    try:
        batch_retry(batch=batch)
        wait_for(
            lambda: Batch.objects.filter(pk=batch.pk, status__in=["done", "failed"]).exists(),
            worker,
            300,
            "the retried import",
        )
    finally:
        stop_worker(worker, log)
    batch.refresh_from_db()
    assert (batch.status, batch.accepted, batch.rejected) == ("done", ROWS, 0)
    assert Case.objects.filter(batch=batch).count() == ROWS
    assert CaseEvent.objects.count() == 2 * ROWS
    assert list(verify_chains(Case.objects.filter(batch=batch).values_list("pk", flat=True)[:500])) == []


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_crash_leaves_nothing_and_retry_imports_whole(tmp_path, monkeypatch):
    """The committing path of the task and the command (on PostgreSQL: the writer thread's transaction)."""
    world = World()
    path = write_csv(tmp_path / "c.csv", [good_row(n) for n in range(2, 40)] + [good_row(40, phone="1")])
    batch = batch_create(creditor=world.bank, filename="c.csv", path=path)
    real, calls = importer.write_cases, []
    # SQLite moves all staged rows in one step at the end; PostgreSQL chunk by chunk as it reads.
    crash_at = 1 if importer.connection.vendor == "sqlite" else 3

    def crash_after_writing(ctx, n):
        calls.append(n)
        real(ctx, n)
        if len(calls) == crash_at:
            raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "write_cases", crash_after_writing)
    with pytest.raises(RuntimeError, match="disk full"):
        batch_import(batch=batch, chunk_size=7)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0
    monkeypatch.setattr(importer, "write_cases", real)
    batch = batch_import(batch=batch_retry(batch=batch, start=False), chunk_size=7)
    assert (batch.status, batch.accepted, batch.rejected) == ("done", 38, 1)
    assert (
        Case.objects.filter(batch=batch).count() == 38 and BatchError.objects.filter(batch=batch).count() == 1
    )
    assert list(verify_chains()) == []


def test_workers_load_the_import_task():
    """`celery -A config worker` registers tasks from each app's tasks module and from CELERY_IMPORTS."""
    import cases.tasks

    imports = tuple(celery_app.conf.imports or ())
    assert "cases.batches.tasks" in imports or hasattr(cases.tasks, "batch_import_task"), (
        "add CELERY_IMPORTS = ['cases.batches.tasks'] to the settings "
        "(or import batch_import_task in cases/tasks.py)"
    )
