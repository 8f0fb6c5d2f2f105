"""Credit-repair tests: cases driven through the real services to a confirmed settlement with a plan."""

import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from courts import services as court_services
from notices.channels import sms
from tests.factories import PASSWORD
from tests.mediation.factories import SettlementFactory


@pytest.fixture(autouse=True)
def repair_settings(settings, tmp_path):
    """Private files in a temporary folder, SMS in memory, links to a fixed host."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    settings.PUBLIC_BASE_URL = "https://platform.example"
    sms.outbox.clear()
    yield settings
    sms.outbox.clear()


def freeze_today(monkeypatch, day: date) -> None:
    """The platform's "today" (timezone.localdate) is this day for the rest of the test."""
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: day)


def in_mediation(world, **fields) -> Case:
    case = world.case(**fields)
    case_services.case_transition(case=case, transition="triage", actor=None)
    case_services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    case.refresh_from_db()
    return case


def settled(world, *, total="9000.00", count=3, first_due=None, frequency="monthly", **fields) -> Case:
    """A case whose instalment settlement was offered, accepted and signed (stage: settled)."""
    case = in_mediation(world, **fields)
    SettlementFactory(
        case=case,
        actor=world.mediator1,
        kind="instalments",
        total=Decimal(total),
        waived_interest=Decimal("500.00"),
        waived_fees=Decimal("100.00"),
        first_due=first_due or timezone.localdate() + timedelta(days=30),
        frequency=frequency,
        count=count,
        signed=True,
    )
    case.refresh_from_db()
    return case


def performing(world, **kwargs) -> Case:
    """A settled case confirmed by the court (an enforceable title) and performing."""
    case = settled(world, **kwargs)
    court_services.confirmation_apply(case=case, actor=world.clerk1)
    court_services.confirmation_decide(case=case, actor=world.judge1, confirmed=True)
    case_services.case_transition(case=case, transition="begin_performance", actor=world.creditor1)
    case.refresh_from_db()
    return case


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pdftotext extracts it, without the line breaks and spaces layout adds."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return "".join(out.stdout.decode("utf-8").split())


def actions(case: Case) -> list[str]:
    return list(case.events.order_by("seq").values_list("action", flat=True))


@pytest.fixture
def login(client):
    def _login(username: str):
        assert client.login(username=username, password=PASSWORD)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _login
