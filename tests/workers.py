"""A real Celery worker for integration tests: started on a queue of its own, against the test database."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import OperationalError, connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def database_url_of_test_db() -> str:
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def use_broker(**conf: Any) -> None:
    """Point the app at another broker and queue. A conf change alone is not enough: the app caches its
    connection pool and, in ``app.amqp``, its queues, router and producer pool, made by earlier (eager)
    sends for memory:// and the default queue; a message would then go to the wrong broker or queue."""
    celery_app.conf.update(**conf)
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


def start_worker(queue: str, *, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, Any]:
    """A solo-pool worker reading only `queue`, its log in test-output/celery-<queue>.log."""
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url_of_test_db(),
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        **(env or {}),
    }
    (ROOT / "test-output").mkdir(exist_ok=True)
    log = open(ROOT / "test-output" / f"celery-{queue}.log", "a")  # noqa: SIM115
    command = [
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
    ]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    worker = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    return worker, log


def stop_worker(worker: subprocess.Popen, log: Any) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
    log.close()


def wait_for(predicate: Callable[[], Any], worker: subprocess.Popen, timeout: float, what: str) -> Any:
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
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
