"""The creditor's case export reads from a usable replica, and from the primary right after the creditor
changed cases (a withdrawal), so that the export shows their own change."""

import csv
import io

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import PASSWORD
from tests.replica import replica_faked

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica(monkeypatch, settings):
    yield from replica_faked(monkeypatch, settings)


def exported(client) -> tuple[list[list[str]], list[str]]:
    """The CSV's rows and the SQL the replica connection ran for it (read while it streams)."""
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get(reverse("batches:cases_export", args=["csv"]))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text))), [q["sql"] for q in on_replica.captured_queries]


def test_the_case_export_reads_the_replica_until_the_creditor_changes_cases(world, client, replica):
    replica.lag = 2
    case, other = world.case(), world.case()
    world.case(creditor=world.cf)  # another creditor's: never exported, wherever it is read
    assert client.login(username="creditor1", password=PASSWORD)

    rows, sql = exported(client)
    assert sorted(r[0] for r in rows[1:]) == sorted([case.code, other.code])
    assert any("cases_case" in q for q in sql)

    withdrawal = {"cases": [case.pk], "reason": "已在他处结清", "confirmed": "1"}
    response = client.post(reverse("batches:cases_withdraw"), withdrawal, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows, sql = exported(client)
    assert sql == []
    stages = {r[0]: r[11] for r in rows[1:]}
    assert stages[case.code] != stages[other.code]  # the withdrawal shows at once
