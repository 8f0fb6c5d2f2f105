"""A real Celery worker killed in the middle of a 100,000-row import leaves no case; a retry imports all."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import OperationalError

from cases.batches import importer
from cases.batches.importer import batch_import
from cases.batches.services import batch_create, batch_retry, batch_start
from cases.events import verify_chains
from cases.models import Batch, BatchError, Case, CaseEvent
from config.celery import app as celery_app
from tests.batches.conftest import forget_broker_connections
from tests.batches.files import distinct_id_number, good_row, write_csv
from tests.factories import World
from tests.integration.test_celery_worker import REDIS_URL, ROOT, database_url_of_test_db

ROWS = 100_000


def start_worker(queue: str) -> tuple[subprocess.Popen, object]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
    }
    log = open(ROOT / "test-output" / f"celery-{queue}.log", "a")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "info",
            "-P",
            "solo",
            "-Q",
            queue,
            "-I",
            "cases.batches.tasks",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return worker, log


def wait_for(predicate, worker, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except OperationalError:  # SQLite: the worker holds the write lock while it commits; ask again
            value = None
        if value:
            return value
        assert worker.poll() is None, (
            f"the worker died while waiting for {what}; see test-output/celery-*.log"
        )
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def broker_queue():
    queue = f"test-kill-{uuid.uuid4().hex[:8]}"
    old = (celery_app.conf.task_always_eager, celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    celery_app.conf.update(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    forget_broker_connections()
    yield queue
    celery_app.conf.update(task_always_eager=old[0], broker_url=old[1], task_default_queue=old[2])
    forget_broker_connections()


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
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        log.close()
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
