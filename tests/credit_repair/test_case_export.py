"""The creditor's case export reconciles: agreed, paid, outstanding, next due, court numbers, stage dates."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.batches.export import case_export
from cases.models import Case
from courts.models import Filing
from credit_repair import services
from credit_repair.selectors import case_ledger
from tests.factories import PASSWORD

from .conftest import performing

D = Decimal


def export_rows(client, **params) -> list[dict[str, str]]:
    response = client.get(reverse("batches:cases_export", args=["csv"]), params, HTTP_ACCEPT_LANGUAGE="en")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_has_what_a_creditor_reconciles_with(world, client):
    today = timezone.localdate()
    case = performing(world, total="9000.00", count=3, first_due=today - timedelta(days=20))
    services.payment_record(
        case=case, paid_on=today, amount="4000.00", reference="TX-1", actor=world.creditor1
    )
    untouched = world.case()
    client.login(username="creditor1", password=PASSWORD)
    rows = {r["Case code"]: r for r in export_rows(client)}

    row = rows[case.code]
    assert row["Settled amount"] == "9000.00" and row["Paid"] == "4000.00"
    assert row["Outstanding"] == "5000.00" == str(case_ledger(case=case).balance)
    # the first instalment (3,000) is paid; 1,000 of the second, due 30 days after the first
    assert row["Next due date"] == f"{today + timedelta(days=10):%Y-%m-%d}"
    assert row["Next amount due"] == "2000.00"
    numbers = Filing.objects.filter(case=case).values_list("number", flat=True)
    assert numbers and row["Court case numbers"] == "; ".join(numbers)
    assert (
        row["Settled: date reached"].startswith(f"{today:%Y-%m-%d}") and row["Withdrawn: date reached"] == ""
    )
    assert row["Confirmed by the court: date reached"].startswith(f"{today:%Y-%m-%d}")

    other = rows[untouched.code]
    assert other["Settled amount"] == "" and other["Paid"] == "0.00"
    assert other["Outstanding"] == str(untouched.claimed_total) and other["Next due date"] == ""
    assert other["Court case numbers"] == ""


def test_the_export_is_one_query_for_the_cases(world):
    for _ in range(3):
        world.case()
    with CaptureQueriesContext(connection) as queries:
        _headers, rows = case_export(Case.objects.all())
        assert len(list(rows)) == 3
    assert len(queries) == 1
