import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from cases.models import Batch
from config.celery import app as celery_app
from tests.factories import PASSWORD


def forget_broker_connections() -> None:
    """An eager task opens Celery's producer pool on the broker configured then, and a pool keeps its
    broker: drop the pools so that the next send connects to the broker configured now."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def _no_holiday_calendar(monkeypatch):
    """Imports open no deadline, so the test centres skip seeding 23 years of holidays (most of World())."""
    monkeypatch.setattr("core.services.calendar_seed_from_package", lambda **_kwargs: None)


@pytest.fixture(autouse=True)
def _fresh_broker_pools():
    """Leave no pool bound to the in-memory broker behind (a later real-worker test would publish into it)."""
    yield
    forget_broker_connections()


class CommandResult:
    def __init__(self, ok: bool, data: dict[str, Any], error: str = "") -> None:
        self.ok, self.data, self.error = ok, data, error

    @property
    def codes(self) -> set[tuple[int, str, str]]:
        return {(e["row"], e["column"], e["code"]) for e in self.data["errors"]}


@pytest.fixture
def run_import():
    """`manage.py import_batch --creditor CODE FILE --json`: (ok, the JSON object, the error message)."""

    def _run(path: Path, creditor: str = "demo-bank") -> CommandResult:
        out = StringIO()
        try:
            with translation.override("en"):
                call_command("import_batch", "--creditor", creditor, str(path), "--json", stdout=out)
        except CommandError as exc:
            return CommandResult(False, json.loads(out.getvalue() or "{}"), str(exc))
        return CommandResult(True, json.loads(out.getvalue()))

    return _run


@pytest.fixture
def web_upload(client, django_capture_on_commit_callbacks):
    """Log in and upload through the portal page; returns (the batch page response, the Batch)."""

    def _upload(path: Path, username: str = "creditor1") -> tuple[Any, Batch | None]:
        assert client.login(username=username, password=PASSWORD)
        with django_capture_on_commit_callbacks(execute=True), path.open("rb") as f:
            response = client.post(reverse("batches:list"), {"file": f})
        if response.status_code != 302:
            return response, None
        batch = Batch.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
        return client.get(response["Location"]), batch

    return _upload
