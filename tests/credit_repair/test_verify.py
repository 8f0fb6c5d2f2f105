"""The public certificate check: valid, altered (tampered) and unknown; no personal data but a masked name."""

import hashlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from credit_repair import services
from credit_repair.models import RepairRecord, RepairStep
from credit_repair.selectors import verification_code_display

from .conftest import pdf_text, performing


@pytest.fixture
def certificate(world, django_capture_on_commit_callbacks):
    """A repaired case of 张三 whose certificate PDF was rendered: (record, pdf bytes)."""
    case = performing(world, total="3000.00", count=1, debtor_name="张三")
    services.payment_record(
        case=case, paid_on=date(2026, 9, 1), amount="3000.00", reference="R1", actor=world.creditor1
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.repair_step_complete(
            case=case,
            kind=RepairStep.Kind.CREDIT_REPORT_CORRECTION,
            actor=world.creditor1,
            reference="ZX-2026-7",
        )
    record = RepairRecord.objects.select_related("certificate", "case__debtor").get(case=case)
    with record.certificate.pdf.open("rb") as f:
        return record, f.read()


@pytest.fixture
def public():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def status_of(response) -> str:
    html = response.content.decode()
    marker = 'data-status="'
    return html[html.index(marker) + len(marker) :].split('"', 1)[0] if marker in html else ""


def test_a_link_with_the_code_shows_a_valid_certificate_with_a_masked_name_only(certificate, public):
    record, _pdf = certificate
    response = public.get(f"/repair/verify/{record.verification_code}/")
    assert response.status_code == 200 and status_of(response) == "valid"
    html = response.content.decode()
    assert "张*" in html and "张三" not in html and record.case.code in html
    assert record.case.debtor.id_number_masked not in html and record.case.phone_masked not in html
    assert record.case.external_ref not in html and "3,000.00" not in html  # no contract, no amounts
    assert "Credit report corrected by the creditor" in html and "2026-09-01" in html
    assert "does not erase your credit report" in html and "2031-09-01" in html  # 5 years (Reg. 16)


def test_the_code_as_printed_with_hyphens_and_in_lower_case_is_accepted(certificate, public):
    record, _pdf = certificate
    typed = verification_code_display(record.verification_code).lower()
    assert status_of(public.get("/repair/verify/", {"code": typed})) == "valid"


def test_the_untouched_pdf_is_valid_and_an_altered_one_is_reported(certificate, public):
    record, pdf = certificate
    genuine = SimpleUploadedFile("cert.pdf", pdf, content_type="application/pdf")
    response = public.post("/repair/verify/", {"code": record.verification_code, "pdf": genuine})
    assert status_of(response) == "valid"
    altered = pdf.replace(b"/Producer", b"/Producex", 1) if b"/Producer" in pdf else pdf + b"%"
    response = public.post(
        "/repair/verify/", {"code": record.verification_code, "pdf": SimpleUploadedFile("cert.pdf", altered)}
    )
    assert status_of(response) == "tampered" and "Altered" in response.content.decode()


def test_the_pdfs_sha256_alone_finds_the_certificate(certificate, public):
    record, pdf = certificate
    digest = hashlib.sha256(pdf).hexdigest()
    assert digest == record.certificate.sha256
    assert status_of(public.post("/repair/verify/", {"sha256": digest.upper()})) == "valid"
    assert status_of(public.post("/repair/verify/", {"sha256": "0" * 64})) == "unknown"
    wrong = public.post("/repair/verify/", {"code": record.verification_code, "sha256": "0" * 64})
    assert status_of(wrong) == "tampered"


def test_an_unknown_code_shows_nothing_but_unknown(certificate, public):
    response = public.get("/repair/verify/ABCDEFGHJKLM/")
    assert response.status_code == 200 and status_of(response) == "unknown"
    assert "张" not in response.content.decode()


def test_a_code_is_not_shown_before_the_certificate_is_issued(world, public):
    case = performing(world, total="3000.00", count=1)
    services.payment_record(
        case=case, paid_on=date(2026, 9, 1), amount="3000.00", reference="R1", actor=world.creditor1
    )
    record = RepairRecord.objects.get(case=case)
    assert status_of(public.get(f"/repair/verify/{record.verification_code}/")) == "unknown"


def test_the_page_without_a_code_is_a_form(public):
    response = public.get("/repair/verify/")
    assert response.status_code == 200 and 'name="code"' in response.content.decode()
    assert 'data-testid="result"' not in response.content.decode()


def test_the_certificate_pdf_states_the_code_the_link_what_was_repaired_and_the_retention_rule(certificate):
    record, pdf = certificate
    text = pdf_text(pdf)
    code = record.verification_code
    assert "信用修复证明" in text and "张三" in text and record.case.code in text
    assert verification_code_display(code) in text
    assert f"https://platform.example/repair/verify/{code}/" in text
    assert "ZX-2026-7" in text and "已结清" in text  # the creditor's correction and its reference
    assert "失信被执行人名单中删除" not in text  # never listed: nothing claimed that did not happen
    assert "征信业管理条例》第十六条" in text and "2031年9月1日" in text  # kept 5 years from performance
    assert record.case.debtor.id_number not in text
