"""The credit-repair certificate: what it states beyond the case (the check code and link, what was
repaired, the retention rule). Registered with notices from CreditRepairConfig.ready."""

from datetime import date
from typing import Any

from django.urls import reverse

from cases.models import Case
from core.links import public_base_url
from notices.documents import chinese_date
from notices.models import Kind
from notices.registry import register_document

from . import rules
from .models import RepairRecord, RepairStep
from .selectors import verification_code_display


def certificate_document_context(*, case: Case) -> dict[str, Any]:
    """What the certificate PDF states beyond the case: the check code and link, what was repaired, and the
    retention rule (plain values; the Chinese wording is in the certificate's template)."""
    record = RepairRecord.objects.filter(case=case).first()
    if record is None:
        return {}
    base = public_base_url()
    steps = {s.kind: s for s in record.steps.all()}

    def done(kind: str) -> str:
        step = steps.get(kind)
        return chinese_date(step.done_on) if step and step.status == RepairStep.Status.DONE else ""

    correction = steps.get(RepairStep.Kind.CREDIT_REPORT_CORRECTION)
    return {
        "verification_code": verification_code_display(record.verification_code),
        "verify_url": base + reverse("credit_repair:verify_code", args=[record.verification_code]),
        "performed_on": chinese_date(record.performed_on),
        "list_removed_on": done(RepairStep.Kind.LIST_REMOVAL),
        "restriction_lifted_on": done(RepairStep.Kind.RESTRICTION_LIFT),
        "credit_report_corrected_on": done(RepairStep.Kind.CREDIT_REPORT_CORRECTION),
        "credit_report_reference": correction.reference if correction else "",
        "retention_years": rules.RETENTION_YEARS,
        "retained_until": chinese_date(rules.retention_ends_on(record.performed_on)),
    }


def sample_certificate_document_context(today: date) -> dict[str, Any]:
    """Made-up values for previewing the certificate template."""
    return {
        "verification_code": "ABCD-EFGH-JKLM",
        "verify_url": "https://example.invalid/repair/verify/ABCDEFGHJKLM/",
        "performed_on": chinese_date(today),
        "list_removed_on": chinese_date(today),
        "restriction_lifted_on": chinese_date(today),
        "credit_report_corrected_on": chinese_date(today),
        "credit_report_reference": "ZX-2026-0001",
        "retention_years": rules.RETENTION_YEARS,
        "retained_until": chinese_date(rules.retention_ends_on(today)),
    }


def certificate_document(*, case: Case, subject: str = "") -> dict[str, Any]:
    return {"repair": certificate_document_context(case=case)}


def sample_certificate(*, today: date, doc: dict[str, Any]) -> dict[str, Any]:
    return {"repair": sample_certificate_document_context(today)}


def register() -> None:
    register_document(
        Kind.CREDIT_REPAIR_CERTIFICATE,
        title="信用修复证明",
        issuers=("centre",),
        context=certificate_document,
        sample=sample_certificate,
    )
