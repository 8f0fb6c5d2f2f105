"""Legality findings in the API: a creditor reads only its own, filtered per batch, and may answer them with
evidence; other creditors' cases are neither listed nor named."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.legality import legality_screen
from cases.models import Batch, Case, Finding
from tests.core.api.conftest import _fresh_throttle, client_for  # noqa: F401
from tests.factories import valid_id_number

PDF = b"%PDF-1.7\n" + b"0" * 64 + b"\n%%EOF\n"


def screened(world):
    batch = Batch.objects.create(centre=world.qz, creditor=world.bank, filename="b.csv", status="done")
    person = valid_id_number(901)
    own = world.case(world.bank, external_ref="SAME-1", id_number=person, batch=batch)
    other = world.case(world.cf, external_ref="SAME-1", id_number=person)
    legality_screen(cases=Case.objects.all(), on=date(2026, 1, 1), centre_id=world.qz.pk)
    return batch, own, other


def test_a_creditor_lists_only_its_own_findings_and_never_another_creditors_case_code(world):
    batch, own, other = screened(world)
    rows = client_for(world.creditor1).get(f"/api/findings/?batch={batch.pk}").json()["results"]
    assert [(r["case"], r["rule"]) for r in rows] == [(own.code, "duplicate_contract")]
    assert rows[0]["source"].startswith("CPL 127(5)") and rows[0]["blocking"] is True
    assert rows[0]["details"] == ["Also claimed by another creditor: 1."]
    assert other.code not in str(rows)
    theirs = Finding.objects.get(case=other)
    assert client_for(world.creditor1).get(f"/api/findings/{theirs.pk}/").status_code == 404
    assert client_for(world.judge2).get("/api/findings/").json()["results"] == []


def test_the_court_sees_the_other_case_named(world):
    _batch, own, other = screened(world)
    rows = client_for(world.judge1).get("/api/findings/?rule=duplicate_contract").json()["results"]
    assert {r["case"] for r in rows} == {own.code, other.code}
    mine = next(r for r in rows if r["case"] == own.code)
    assert mine["details"] == [f"Also claimed by another creditor: {other.code}."]


def test_a_creditor_answers_its_finding_with_evidence_but_not_anothers(world, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    _batch, own, other = screened(world)
    mine, theirs = Finding.objects.get(case=own), Finding.objects.get(case=other)
    client = client_for(world.creditor1)
    evidence = SimpleUploadedFile("assignment.pdf", PDF, "application/pdf")
    response = client.post(
        f"/api/findings/{mine.pk}/answer/", {"answer": "另一债权人的案件已撤回", "evidence": evidence}
    )
    assert response.status_code == 200 and response.json()["status"] == "answered"
    assert client.post(f"/api/findings/{theirs.pk}/answer/", {"answer": "x"}).status_code == 404
    assert Finding.objects.get(pk=theirs.pk).status == "open"


def test_the_case_shows_its_claim_history(world):
    from cases.models import ClaimHistory

    case = world.case()
    ClaimHistory.objects.create(case=case, last_demand_on=date(2025, 9, 10), original_creditor="原银行")
    body = client_for(world.creditor1).get(f"/api/cases/{case.code}/").json()
    assert body["claim_history"]["last_demand_on"] == "2025-09-10"
    assert body["claim_history"]["original_creditor"] == "原银行"
    assert client_for(world.creditor1).get(f"/api/cases/{world.case().code}/").json()["claim_history"] is None
