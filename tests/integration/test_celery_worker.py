"""A real Celery worker on Redis runs the task a service scheduled on commit."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from cases import services
from cases.models import CaseNotification
from config.celery import app as celery_app
from tests.factories import World

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def database_url_of_test_db() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


@pytest.fixture
def celery_worker_process(settings):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
    }
    log = open(ROOT / "test-output" / f"celery-{queue}.log", "w")  # noqa: SIM115
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
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    old = (celery_app.conf.task_always_eager, celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    celery_app.conf.update(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    # An earlier eager .delay() left the app's producer pool on the in-memory broker: start afresh.
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)
    yield worker
    celery_app.conf.update(task_always_eager=old[0], broker_url=old[1], task_default_queue=old[2])
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_task_scheduled_on_commit_runs_in_a_real_worker(celery_worker_process):
    world = World()
    case = world.case()
    event = services.case_transition(case=case, transition="triage", actor=world.admin)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        notified = set(CaseNotification.objects.filter(event=event).values_list("user__username", flat=True))
        if notified:
            break
        assert celery_worker_process.poll() is None, "the worker died; see test-output/celery-*.log"
        time.sleep(0.3)
    assert notified == {"creditor1", "mediator1"}
