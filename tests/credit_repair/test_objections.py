"""Credit-record objections: evidence checked by type and size and kept privately, the 20-day answer rule,
overdue answers flagged, the creditor's written answer, and nobody else's."""

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import Deadline
from credit_repair import selectors, services
from credit_repair.errors import EvidenceRefused
from credit_repair.models import CreditObjection, ObjectionEvidence

from .conftest import actions, freeze_today

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64 + b"\n%%EOF\n"


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_an_objection_with_evidence_opens_the_20_day_limit_and_keeps_the_files_privately(
    world, settings, monkeypatch
):
    freeze_today(monkeypatch, date(2026, 9, 30))
    case = world.case()
    objection = services.credit_objection_file(
        case=case,
        statement="该笔逾期记录并非本人所欠。",
        evidence=[upload("id.png", PNG), upload("photo.jpg", JPEG), upload("receipt.pdf", PDF)],
    )
    # Credit Reporting Regulation 25: 20 days; Oct 20 2026 is a Tuesday, a working day.
    assert objection.filed_on == date(2026, 9, 30) and objection.answer_due_on == date(2026, 10, 20)
    limit = case.deadlines.get(kind=Deadline.Kind.CREDIT_OBJECTION_ANSWER)
    assert limit.due_on == date(2026, 10, 20) and objection.deadline == limit
    files = list(ObjectionEvidence.objects.filter(objection=objection).order_by("pk"))
    assert [f.content_type for f in files] == ["image/png", "image/jpeg", "application/pdf"]
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    for f in files:
        path = root / f.file.name
        assert path.is_file() and str(path).startswith(str(root)) and path.suffix in (".png", ".jpg", ".pdf")
    assert actions(case)[-1] == "credit_objection_filed"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 32, "evidence_type"),
        ("note.png", b"just text pretending", "evidence_type"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "evidence_too_large"),
        ("reply.html", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "evidence_type"),
        ("auto.pdf", b"%PDF-1.4\n<< /OpenAction 3 0 R >>\n%%EOF", "evidence_active_content"),
    ],
)
def test_evidence_that_is_not_jpeg_png_or_pdf_or_too_large_is_refused_and_nothing_is_kept(
    world, settings, name, data, code
):
    case = world.case()
    with pytest.raises(EvidenceRefused) as refused:
        services.credit_objection_file(
            case=case, statement="有误", evidence=[upload("ok.png", PNG), upload(name, data)]
        )
    assert refused.value.code == code
    assert not CreditObjection.objects.exists() and not ObjectionEvidence.objects.exists()
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_overdue_answers_are_flagged_and_the_creditor_answers_in_writing(world, login):
    case = world.case()
    objection = services.credit_objection_file(
        case=case, statement="金额有误", evidence=[upload("a.pdf", PDF)]
    )
    assert list(selectors.objections_overdue(world.creditor1)) == []
    later = objection.answer_due_on + timedelta(days=1)
    assert list(selectors.objections_overdue(world.creditor1, today=later)) == [objection]
    CreditObjection.objects.filter(pk=objection.pk).update(
        answer_due_on=timezone.localdate() - timedelta(days=1)
    )
    page = login("creditor1").get("/repair/")
    assert 'data-testid="objections"' in page.content.decode() and "Overdue" in page.content.decode()
    client = login("creditor1")
    detail = client.get(f"/repair/objections/{objection.pk}/")
    assert detail.status_code == 200 and "金额有误" in detail.content.decode()
    evidence = objection.evidence.get()
    download = client.get(f"/repair/objections/{objection.pk}/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert client.post(f"/repair/objections/{objection.pk}/", {"answer": ""}).status_code == 400
    response = client.post(
        f"/repair/objections/{objection.pk}/",
        {"answer": "经核实，记录有误，已更正。", "record_corrected": "on"},
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == "answered" and objection.record_corrected
    assert case.deadlines.get(kind=Deadline.Kind.CREDIT_OBJECTION_ANSWER).status == Deadline.Status.MET
    assert actions(case)[-1] == "credit_objection_answered"


def test_another_creditor_sees_neither_the_objection_nor_its_evidence(world, login):
    case = world.case()
    objection = services.credit_objection_file(case=case, statement="有误", evidence=[upload("a.png", PNG)])
    evidence = objection.evidence.get()
    client = login("creditor2")
    assert client.get(f"/repair/objections/{objection.pk}/").status_code == 404
    assert client.get(f"/repair/objections/{objection.pk}/evidence/{evidence.pk}/").status_code == 404
    assert client.post(f"/repair/objections/{objection.pk}/", {"answer": "x"}).status_code == 404
    assert list(selectors.objections_to_answer(world.creditor2)) == []


def test_a_judge_may_read_but_not_answer(world, login):
    case = world.case()
    objection = services.credit_objection_file(case=case, statement="有误", evidence=[])
    client = login("judge1")
    assert client.get(f"/repair/objections/{objection.pk}/").status_code == 200
    assert client.post(f"/repair/objections/{objection.pk}/", {"answer": "x"}).status_code == 403
    objection.refresh_from_db()
    assert objection.status == "open"


def test_a_statement_is_required(world):
    from credit_repair.errors import RepairError

    with pytest.raises(RepairError):
        services.credit_objection_file(case=world.case(), statement="  ", evidence=[io.BytesIO(PNG)])
