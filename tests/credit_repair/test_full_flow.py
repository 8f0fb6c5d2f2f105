"""A case from a confirmed settlement through every instalment to a certificate checked on the public page."""

import hashlib
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cases.events import verify_chains
from cases.models import Deadline, Stage
from credit_repair import services
from credit_repair.models import Breach, RepairRecord, RepairStep
from credit_repair.selectors import case_ledger

from .conftest import actions, performing


def test_confirmed_settlement_to_verified_certificate(world, login, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    case = performing(
        world, total="9000.00", count=3, first_due=today - timedelta(days=40), frequency="biweekly"
    )
    assert case.stage == Stage.PERFORMING and case.enforceable_title == "confirmation"
    plan = case_ledger(case=case).instalments
    assert [i.amount for i in plan] == [3000] * 3

    creditor = login("creditor1")
    for line in plan:
        response = creditor.post(
            "/repair/payments/new/",
            {
                "case": case.external_ref,
                "paid_on": min(line.due_on, today).isoformat(),
                "amount": "3,000.00",
                "reference": f"INST-{line.seq}",
            },
        )
        assert response.status_code == 302
    assert services.breaches_detect(today=today)["breaches"] == 0
    assert not Breach.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.stage == Stage.CREDIT_REPAIR and case.performed_on == min(plan[-1].due_on, today)
    ledger = case_ledger(case=case)
    assert ledger.balance == 0 and all(i.status == "paid" for i in ledger.instalments)

    page = creditor.get("/repair/")
    assert case.code in page.content.decode() and 'data-testid="pending-count">1<' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = creditor.post(
            f"/repair/cases/{case.code}/steps/credit_report_correction/",
            {
                "credit_report_correction-done_on": today.isoformat(),
                "credit_report_correction-reference": "PBOC-CORR-0001",
            },
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.closed_reason == "repaired"
    assert not case.deadlines.filter(status=Deadline.Status.OPEN).exists()

    assert actions(case) == [
        "received",
        "triage",
        "start_mediation",
        "settlement_drafted",
        "settlement_offered",
        "settlement_accepted_by_debtor",
        # PML 29¶2 and CPL 205: each party signs and consents to the joint application, the creditor's
        # signature records its consent to the waiver, the mediator signs with the committee's seal.
        "confirmation_consent",
        "settlement_signed_by_creditor",
        "waiver_consented",
        "confirmation_consent",
        "settlement_signed_by_mediator",
        "settlement_sealed",
        "settle",
        "request_confirmation",
        "filed",
        "confirm",
        "begin_performance",
        "payment_recorded",
        "payment_recorded",
        "payment_recorded",
        "record_full_performance",
        "start_credit_repair",
        "credit_report_corrected",
        "notice_queued",
        "credit_repair_certificate_issued",
        "close",
    ]
    assert list(verify_chains([case.pk])) == []

    record = RepairRecord.objects.select_related("certificate").get(case=case)
    assert record.steps.get(kind=RepairStep.Kind.CERTIFICATE).status == "done"
    with record.certificate.pdf.open("rb") as f:
        pdf = f.read()
    assert hashlib.sha256(pdf).hexdigest() == record.certificate.sha256
    public = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = public.post(
        "/repair/verify/",
        {"code": record.verification_code, "pdf": SimpleUploadedFile("信用修复证明.pdf", pdf)},
    )
    html = response.content.decode()
    assert 'data-status="valid"' in html and case.code in html and "张*" in html
