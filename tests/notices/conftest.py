"""Notices tests: private files in a temporary folder, SMS in memory, e-mail in Django's locmem outbox."""

import subprocess
from decimal import Decimal

import pytest

from notices.channels import sms

DEBTOR_NAME = "欧阳明华"
# The amounts of the tests' cases (12,345.67 + 1,000 + 54.33), in figures and in capitals.
AMOUNTS = {"principal": Decimal("12345.67"), "interest": Decimal("1000.00"), "fees": Decimal("54.33")}
TOTAL_FIGURES, TOTAL_CAPITALS = "¥13,400.00", "人民币壹万叁仟肆佰元整"
PRINCIPAL_FIGURES, PRINCIPAL_CAPITALS = "¥12,345.67", "人民币壹万贰仟叁佰肆拾伍元陆角柒分"


@pytest.fixture(autouse=True)
def notice_settings(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    settings.PUBLIC_BASE_URL = "https://notices.example"
    sms.outbox.clear()
    yield settings
    sms.outbox.clear()


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pdftotext extracts it, without the line breaks and spaces layout adds."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return "".join(out.stdout.decode("utf-8").split())


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout


@pytest.fixture
def make_case(world):
    """A case of creditor1's bank with the tests' debtor and amounts; consent, phone and e-mail as asked."""

    def _make(*, consent: bool = True, email: str = "", phone: str | None = None, creditor=None, **fields):
        values = {
            "debtor_name": DEBTOR_NAME,
            **AMOUNTS,
            "e_service_consent": consent,
            "email": email,
            "address": "福建省泉州市鲤城区中山路100号",
            **fields,
        }
        if phone is not None:
            values["phone"] = phone
        return world.case(creditor=creditor, **values)

    return _make


@pytest.fixture
def send(django_capture_on_commit_callbacks, world):
    """notice_send as a request does it: the task queued on commit runs (eagerly) once the block commits."""
    from notices import services

    def _send(case, kind="debt_collection", actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            notice = services.notice_send(case=case, kind=kind, actor=actor or world.creditor1)
        notice.refresh_from_db()
        return notice

    return _send
