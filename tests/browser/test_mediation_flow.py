"""mediator1 works the queue: opens a case, logs a call, schedules a video session, drafts an instalment
settlement; the debtor accepts it on their phone; the creditor signs;
the mediator signs with the committee's seal; the case is ready for confirmation."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, expect

from cases.models import Deadline, Stage
from cases.services import case_transition
from mediation.models import ContactAttempt, MediationSession, Settlement
from notices.channels import sms

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    sms.outbox.clear()
    cache.clear()
    yield sms.outbox
    sms.outbox.clear()
    cache.clear()


def test_mediator_settles_a_case_that_the_debtor_accepts(
    page, browser: Browser, live_server, browser_world, sms_outbox
):
    world = browser_world
    case = world.case(debtor_name="林晓燕")
    case_transition(case=case, transition="triage", actor=world.admin, colour="green", track="fast")
    case_transition(case=case, transition="start_mediation", actor=world.mediator1)

    login(page, live_server, "mediator1")
    assert page.url.endswith("/mediation/queue/")
    screenshot(page, "mediation-queue")
    page.get_by_role("link", name=case.code).click()
    expect(page.locator("h1")).to_contain_text(case.code)

    # A call yesterday at 10:00 (never in the quiet hours, never in the future).
    yesterday = timezone.localtime() - timedelta(days=1)
    contact = page.locator('form[action$="/contact/"]')
    contact.locator('select[name="channel"]').select_option("phone")
    contact.locator('input[name="at"]').fill(yesterday.strftime("%Y-%m-%dT10:00"))
    contact.locator('select[name="outcome"]').select_option("reached")
    contact.locator('textarea[name="notes"]').fill("债务人同意分三期还款")
    contact.locator('button[type="submit"]').click()
    expect(page.locator(".message--success")).to_be_visible()

    tomorrow = timezone.localtime() + timedelta(days=1)
    session = page.locator('form[action$="/session/"]')
    session.locator('select[name="kind"]').select_option("video")
    session.locator('input[name="scheduled_at"]').fill(tomorrow.strftime("%Y-%m-%dT15:00"))
    session.locator('input[name="meeting_link"]').fill("https://meeting.example.org/room/42")
    session.locator('button[type="submit"]').click()
    expect(page.locator(".message--success")).to_be_visible()

    first_due = (timezone.localdate() + timedelta(days=30)).isoformat()
    settlement_form = page.locator('form[action$="/settlement/"]')
    settlement_form.locator('select[name="kind"]').select_option("instalments")
    settlement_form.locator('input[name="total"]').fill("9000.00")
    settlement_form.locator('input[name="waived_interest"]').fill("500.00")
    settlement_form.locator('input[name="waived_fees"]').fill("100.00")
    settlement_form.locator('input[name="first_due"]').fill(first_due)
    settlement_form.locator('input[name="count"]').fill("3")
    settlement_form.locator('button[type="submit"]').click()
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("body")).to_contain_text("¥3,000.00")
    page.locator('form[action$="/offer/"] button').click()
    expect(page.locator(".message--success")).to_be_visible()
    screenshot(page, "mediation-settlement-offered")
    settlement = Settlement.objects.get(case=case)
    assert settlement.status == "awaiting_debtor"
    assert ContactAttempt.objects.filter(case=case, outcome="reached").count() == 1
    assert MediationSession.objects.get(case=case).meeting_link.endswith("/42")

    # The debtor, on a phone: identify with the case code, the ID number and a code by SMS; read; sign.
    phone_context = browser.new_context(
        locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True
    )
    phone = phone_context.new_page()
    phone.goto(f"{live_server.url}/debtor/")
    phone.get_by_role("textbox", name=re.compile("案件编号|Case code")).fill(case.code)
    phone.get_by_role("textbox", name=re.compile("身份证|ID number")).fill(case.debtor.id_number)
    phone.get_by_role("button", name=re.compile("继续|Continue")).click()
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)
    phone.get_by_role("textbox", name=re.compile("验证码|短信|SMS")).fill(code)
    phone.get_by_role("button", name=re.compile("查看|Show my cases")).click()
    card = phone.locator(f'article[data-case="{case.code}"]')
    card.get_by_role("link", name=re.compile("签|协议|sign the agreement")).click()
    expect(phone.locator("[data-sha256]")).to_have_text(settlement.document_sha256)
    phone.get_by_role("button", name=re.compile("验证码|Send me a code")).click()
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["text"]).group(1)
    phone.get_by_role("textbox", name=re.compile("验证码|短信|SMS")).fill(code)
    phone.get_by_role("checkbox", name=re.compile("接受|同意|accept it")).check()
    phone.get_by_role("button", name=re.compile("签署|Sign the agreement")).click()
    expect(phone.locator(".message--success")).to_be_visible()
    screenshot(phone, "mediation-debtor-signed")
    phone_context.close()

    # The creditor's staff signs in the creditor pages (consenting to the waiver and applying jointly for
    # confirmation); PML 29¶2: the agreement is not effective before the mediator's signature and the seal.
    creditor_context = browser.new_context(locale="zh-CN")
    creditor = creditor_context.new_page()
    login(creditor, live_server, "creditor1")
    creditor.goto(f"{live_server.url}/mediation/creditor/case/{case.pk}/")
    creditor.locator('#creditor-sign input[name="apply_for_confirmation"]').check()
    creditor.locator("#creditor-sign button").click()
    expect(creditor.locator(".message--success")).to_be_visible()
    screenshot(creditor, "mediation-creditor-signed")
    creditor_context.close()
    settlement.refresh_from_db()
    assert settlement.status == "awaiting_mediator" and settlement.waiver_consented_at is not None

    # The mediator signs last with the committee's seal: effective, and the confirmation window opens.
    page.reload()
    page.locator('form[action$="/sign/"] button').click()
    expect(page.locator(".message--success")).to_be_visible()
    screenshot(page, "mediation-settlement-effective")
    case.refresh_from_db()
    settlement.refresh_from_db()
    assert settlement.status == "effective" and case.stage == Stage.SETTLED
    window = case.deadlines.get(kind=Deadline.Kind.CONFIRMATION_APPLICATION, status="open")
    assert (window.due_on - settlement.effective_on).days >= 30
