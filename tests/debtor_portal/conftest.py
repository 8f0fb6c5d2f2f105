"""Debtor pages tests: SMS in memory, private files in a temporary folder, a clean attempt counter."""

import re
import struct
import zlib
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from notices.channels import sms


@pytest.fixture(autouse=True)
def debtor_settings(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    cache.clear()
    sms.outbox.clear()
    yield settings
    sms.outbox.clear()
    cache.clear()


@pytest.fixture
def english(client):
    """Pages in English, so that assertions do not depend on the catalogue's progress."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", sms.outbox[-1]["text"]).group(1)


def identify(client, case: Case, *, ip: str = "127.0.0.1"):
    """Case code + ID number, then the code from the SMS: the browser is bound to the debtor."""
    response = client.post(
        reverse("debtor:start"),
        {"case_code": case.code, "id_number": case.debtor.id_number},
        REMOTE_ADDR=ip,
    )
    assert response.status_code == 302 and response["Location"] == reverse("debtor:code")
    response = client.post(reverse("debtor:code"), {"step": "code", "code": last_code()}, REMOTE_ADDR=ip)
    assert response.status_code == 302 and response["Location"].startswith(reverse("debtor:cases"))
    return response


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG (what a phone photo starts with)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def photo(name: str = "receipt.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf_file(name: str = "statement.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def fake_image(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A file that calls itself a JPEG but is a script."""
    return SimpleUploadedFile(name, b"<script>alert(1)</script>", content_type="image/jpeg")


def in_stage(case: Case, stage: str, **fields) -> Case:
    """Put a test case in a stage directly (the stage is protected; tests set it through the queryset)."""
    Case.objects.filter(pk=case.pk).update(stage=stage, **fields)
    case.refresh_from_db()
    return case


def mediation_case(world, **fields) -> Case:
    """A case in people's mediation, with its 30-day window open, held by mediator1."""
    from cases import services

    case = world.case(**fields)
    services.case_transition(case=case, transition="triage", actor=world.admin)
    services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    case.refresh_from_db()
    return case


def served_payment_order(world, *, days_ago: int = 0, **fields):
    """A payment order served `days_ago` days ago, its 15-day objection window open from then."""
    from decimal import Decimal

    from cases.models import Deadline, Stage
    from courts import services
    from courts.models import PaymentOrder

    case = world.case(annual_rate=Decimal("18"), address="泉州市鲤城区", **fields)
    case = in_stage(case, Stage.COURT_MEDIATION)
    order = services.payment_order_apply(case=case, actor=world.creditor1)
    order = services.payment_order_accept(order=order, actor=world.clerk1)
    order = services.payment_order_issue(order=order, actor=world.judge1)
    served = timezone.localdate() - timedelta(days=days_ago)
    Deadline.objects.filter(case=case, kind="payment_order_service").update(starts_on=served)
    PaymentOrder.objects.filter(pk=order.pk).update(issued_on=served)
    order.refresh_from_db()
    return services.payment_order_record_service(order=order, actor=world.clerk1, served_on=served)
