"""Credit repair in the browser: the creditor pays off a case and corrects the credit report on the portal;
anyone checks the certificate on a phone with the code printed on it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from credit_repair.models import RepairRecord
from credit_repair.selectors import verification_code_display
from tests.credit_repair.conftest import performing

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"


def test_creditor_pays_off_and_repairs_then_the_public_checks_the_certificate(
    page, phone_page, live_server, browser_world
):
    today = timezone.localdate()
    case = performing(browser_world, total="3000.00", count=1, first_due=today - timedelta(days=5))
    login(page, live_server, "creditor1")
    page.goto(f"{live_server.url}/repair/payments/new/")
    page.locator("#id_case").fill(case.external_ref)
    page.locator("#id_paid_on").fill(today.isoformat())
    page.locator("#id_amount").fill("3,000.00")
    page.locator("#id_reference").fill("BANK-TX-0001")
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/repair/cases/{case.code}/")
    expect(page.locator('[data-testid="still-owed"]')).to_contain_text("0.00")
    form = page.locator('[data-testid="step-form-credit_report_correction"]')
    form.locator("input[name$=reference]").fill("PBOC-2026-0001")
    form.locator("button[type=submit]").click()
    expect(page.locator('[data-testid="certificate"]')).to_be_visible()
    screenshot(page, "creditor1-credit-repair-done")

    record = RepairRecord.objects.get(case=case)
    phone_page.goto(f"{live_server.url}/repair/verify/")
    phone_page.locator("#id_code").fill(verification_code_display(record.verification_code).lower())
    phone_page.locator("form.card button[type=submit]").click()
    result = phone_page.locator('[data-testid="result"]')
    expect(result).to_have_attribute("data-status", "valid")
    expect(result).to_contain_text(case.code)
    expect(result).to_contain_text("张*")
    expect(phone_page.locator("body")).not_to_contain_text("张三")
    screenshot(phone_page, "public-verify-certificate")
