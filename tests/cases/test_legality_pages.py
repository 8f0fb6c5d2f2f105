"""The legality screen on the pages: the creditor's batch page, answers with evidence, the judge's case page;
nobody reaches another creditor's findings."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cases.legality import batch_legality_screen, legality_screen
from cases.models import Batch, Case, Finding

PDF = b"%PDF-1.7\n" + b"0" * 64 + b"\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"


def expired_batch(world, creditor):
    batch = Batch.objects.create(
        centre=world.qz, creditor=creditor, filename="b.csv", status=Batch.Status.DONE, accepted=2
    )
    cases = [world.case(creditor, overdue_since=date(2020, 1, 1), batch=batch) for _ in range(2)]
    batch_legality_screen(batch=batch, on=date(2026, 1, 1))
    return batch, cases


def test_the_creditor_sees_its_batch_findings_per_rule_and_answers_with_evidence(world, login):
    batch, cases = expired_batch(world, world.bank)
    client = login("creditor1")
    with translation.override("en"):
        page = client.get(
            reverse("batches:detail", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert 'data-testid="legality-batch"' in page
    assert 'data-rule="limitation"' in page and "Civil Code 188, 195" in page
    assert cases[0].code in page and cases[1].code in page
    finding = Finding.objects.get(case=cases[0])
    response = client.post(
        reverse("cases:finding_answer", args=[finding.pk]),
        {
            "answer": "2023年5月寄送催收函，见附件",
            "evidence": SimpleUploadedFile("letter.pdf", PDF, "application/pdf"),
            "next": reverse("batches:detail", args=[batch.pk]),
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("batches:detail", args=[batch.pk])
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ANSWERED and finding.evidence_name == "letter.pdf"
    evidence = client.get(reverse("cases:finding_evidence", args=[finding.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content).startswith(b"%PDF")


def test_another_creditor_reaches_no_finding_of_mine(world, login):
    batch, cases = expired_batch(world, world.bank)
    finding = Finding.objects.get(case=cases[0])
    client = login("creditor2")
    assert client.get(reverse("batches:detail", args=[batch.pk])).status_code == 404
    answer = client.post(reverse("cases:finding_answer", args=[finding.pk]), {"answer": "试图答复"})
    assert answer.status_code == 404
    assert client.get(reverse("cases:finding_evidence", args=[finding.pk])).status_code == 404
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.OPEN


def test_the_judge_sees_the_findings_on_the_court_case_page_and_decides(world, login):
    case = world.case(overdue_since=date(2020, 1, 1))
    legality_screen(cases=Case.objects.filter(pk=case.pk), on=date(2026, 1, 1))
    finding = Finding.objects.get(case=case)
    client = login("judge1")
    page = client.get(reverse("court:cases_case_change", args=[case.pk])).content.decode()
    assert 'id="legality-findings"' in page and 'data-blocking="1"' in page
    assert reverse("cases:finding_decide", args=[finding.pk]) in page
    client.post(
        reverse("cases:finding_decide", args=[finding.pk]), {"upheld": "1", "note": "时效已过，债权人无证据"}
    )
    finding.refresh_from_db()
    assert finding.status == Finding.Status.UPHELD and finding.decided_by == world.judge1
    page = client.get(reverse("court:cases_case_change", args=[case.pk])).content.decode()
    assert 'data-blocking="0"' in page and "时效已过，债权人无证据" in page


def test_a_creditor_cannot_decide_its_own_finding(world, login):
    case = world.case(overdue_since=date(2020, 1, 1))
    legality_screen(cases=Case.objects.filter(pk=case.pk), on=date(2026, 1, 1))
    finding = Finding.objects.get(case=case)
    client = login("creditor1")
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:finding_answer", args=[finding.pk]) in page
    assert reverse("cases:finding_decide", args=[finding.pk]) not in page
    client.post(reverse("cases:finding_decide", args=[finding.pk]), {"upheld": "0", "note": "我们说不成立"})
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.OPEN


def test_the_centre_screens_a_batch_again_and_a_creditor_may_not(world, login):
    batch, cases = expired_batch(world, world.bank)
    Finding.objects.all().delete()
    assert login("creditor1").post(reverse("cases:batch_screen", args=[batch.pk])).status_code == 403
    assert Finding.objects.count() == 0
    client = login("centreadmin")
    page = client.get(reverse("batches:detail", args=[batch.pk])).content.decode()
    assert reverse("cases:batch_screen", args=[batch.pk]) in page
    client.post(reverse("cases:batch_screen", args=[batch.pk]))
    assert set(Finding.objects.values_list("case_id", flat=True)) == {c.pk for c in cases}
