"""Creditor API: payments idempotent by reference, balance, ledger, repair status; scoped (404 elsewhere)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from credit_repair import services
from credit_repair.models import Payment, RepairStep

from .conftest import performing


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def case(world):
    return performing(world, total="6000.00", count=2, first_due=timezone.localdate() - timedelta(days=10))


def post(client, case, amount="2000.00", reference="API-1", paid_on=None, key=None):
    body = {
        "case": key or case.code,
        "paid_on": (paid_on or timezone.localdate()).isoformat(),
        "amount": amount,
        "reference": reference,
    }
    return client.post("/api/repair/payments/", body, format="json")


def test_posting_a_payment_twice_records_it_once(world, case):
    client = api(world.creditor1)
    first = post(client, case)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] is True and body["balance"] == "4000.00" and body["stage"] == "performing"
    assert body["payment"]["allocations"] == [{"instalment": 1, "amount": "2000.00"}]
    again = post(client, case)
    assert again.status_code == 200 and again.json()["created"] is False
    assert Payment.objects.filter(case=case).count() == 1


def test_the_same_reference_for_another_amount_is_a_conflict(world, case):
    client = api(world.creditor1)
    post(client, case)
    conflict = post(client, case, amount="2000.01")
    assert conflict.status_code == 409 and conflict.json()["code"] == "reference_conflict"
    assert Payment.objects.get().amount == Decimal("2000.00")


def test_the_contract_number_finds_the_case_and_bad_input_is_400(world, case):
    client = api(world.creditor1)
    assert post(client, case, key=case.external_ref, reference="BY-REF").status_code == 201
    assert post(client, case, amount="0.00", reference="ZERO").status_code == 400
    assert post(client, case, amount="1.001", reference="FEN").status_code == 400
    future = post(client, case, reference="LATER", paid_on=timezone.localdate() + timedelta(days=1))
    assert future.status_code == 400 and future.json()["code"] == "date_future"


def test_paying_in_full_by_api_starts_repair_and_the_repair_status_shows_it(world, case):
    client = api(world.creditor1)
    response = post(client, case, amount="6000.00", reference="ALL", paid_on=date(2026, 9, 1))
    assert response.json()["stage"] == "credit_repair" and response.json()["balance"] == "0.00"
    repair = client.get(f"/api/repair/cases/{case.code}/repair/").json()
    assert repair["status"] == "open" and repair["performed_on"] == "2026-09-01"
    assert repair["credit_report_retained_until"] == "2031-09-01"
    kinds = {s["kind"]: s for s in repair["steps"]}
    assert (
        kinds["credit_report_correction"]["status"] == "pending"
        and kinds["credit_report_correction"]["due_on"]
    )
    assert repair["verification_code"] == ""  # not before the certificate is issued
    services.repair_step_complete(
        case=case, kind=RepairStep.Kind.CREDIT_REPORT_CORRECTION, actor=world.creditor1, reference="ZX-9"
    )
    repair = client.get(f"/api/repair/cases/{case.code}/repair/").json()
    assert repair["status"] == "done" and repair["stage"] == "closed"
    assert repair["verify_url"].endswith(f"/repair/verify/{repair['verification_code']}/")


def test_balance_and_ledger(world, case):
    client = api(world.creditor1)
    post(client, case, amount="2500.00", reference="L1")
    balance = client.get(f"/api/repair/cases/{case.code}/balance/").json()
    assert balance == {
        "case": case.code,
        "stage": "performing",
        "basis": "settlement",
        "total_due": "6000.00",
        "paid": "2500.00",
        "balance": "3500.00",
        "overpaid": "0.00",
        "paid_in_full": False,
    }
    ledger = client.get(f"/api/repair/cases/{case.code}/ledger/").json()
    assert ledger["claimed_total"] == "10600.00" and ledger["waived_interest"] == "500.00"
    assert [(i["seq"], i["paid"], i["outstanding"]) for i in ledger["instalments"]] == [
        (1, "2500.00", "500.00"),
        (2, "0.00", "3000.00"),
    ]
    assert ledger["payments"][0]["reference"] == "L1"
    repair = client.get(f"/api/repair/cases/{case.code}/repair/").json()
    assert repair["status"] == "not_started" and repair["steps"] == []


def test_another_creditor_gets_404_everywhere(world, case):
    other = api(world.creditor2)
    assert post(other, case).status_code == 404
    assert post(other, case, key=case.external_ref).status_code == 404
    for path in ("balance", "ledger", "repair"):
        assert other.get(f"/api/repair/cases/{case.code}/{path}/").status_code == 404
    assert not Payment.objects.exists()


def test_only_creditor_staff_post_payments_and_anonymous_callers_are_refused(world, case):
    assert post(api(world.judge1), case).status_code == 403
    assert api(world.judge1).get(f"/api/repair/cases/{case.code}/balance/").status_code == 200
    anonymous = APIClient()
    assert anonymous.get(f"/api/repair/cases/{case.code}/balance/").status_code == 401


def test_the_schema_documents_the_endpoints(db):
    import tempfile
    from pathlib import Path

    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "schema.yml"
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
        text = target.read_text()
    for path in (
        "/api/repair/payments/",
        "/api/repair/cases/{code}/balance/",
        "/api/repair/cases/{code}/ledger/",
        "/api/repair/cases/{code}/repair/",
    ):
        assert f"  {path}:" in text
