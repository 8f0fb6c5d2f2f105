"""A debtor follows the SMS link on a phone, identifies, opens the notice; staff see it opened and when."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notices import services
from notices.channels import sms
from notices.models import Kind, Notice

from .conftest import login, screenshot

pytestmark = pytest.mark.browser
LINK = re.compile(r"https?://[^\s]+?/notices/open/[\w:-]+/")


@pytest.fixture
def notice_settings(settings, tmp_path, live_server):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    settings.PUBLIC_BASE_URL = live_server.url
    sms.outbox.clear()
    yield settings
    sms.outbox.clear()


def test_debtor_opens_the_notice_from_the_link_and_the_case_shows_it_opened(
    phone_page, page, live_server, browser_world, notice_settings
):
    world = browser_world
    case = world.case(debtor_name="欧阳明华", e_service_consent=True)
    notice = services.notice_send(case=case, kind=Kind.DEBT_COLLECTION, actor=world.creditor1)
    link = LINK.search(sms.outbox[-1]["text"]).group(0)

    phone_page.goto(link)
    phone_page.get_by_role("textbox", name=re.compile("身份证|ID number")).fill(case.debtor.id_number)
    phone_page.get_by_role("button", name=re.compile("继续|Continue")).click()
    expect(phone_page.locator("body")).to_contain_text(case.phone_masked)
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1]["text"]).group(1)
    phone_page.get_by_role("textbox", name=re.compile("验证码|短信|SMS|code", re.IGNORECASE)).fill(code)
    phone_page.get_by_role("button", name=re.compile("打开|查看|Open|Show", re.IGNORECASE)).click()
    expect(phone_page.locator(".notice-summary")).to_contain_text("¥10,600.00")
    expect(phone_page.locator(".notice-summary")).to_contain_text("人民币壹万零陆佰元整")
    screenshot(phone_page, "debtor-notice-opened")

    notice = Notice.objects.get(pk=notice.pk)
    assert notice.status == Notice.Status.OPENED and notice.opened_ip == "127.0.0.1"
    assert notice.opened_user_agent == phone_page.evaluate("navigator.userAgent")
    opened = timezone.localtime(notice.opened_at).strftime("%Y-%m-%d %H:%M:%S")

    login(page, live_server, "creditor1")
    page.goto(f"{live_server.url}/notices/case/{case.pk}/")
    row = page.locator(f'tr[data-notice="{notice.pk}"]')
    expect(row.locator(".notice-opened")).to_have_text(opened)
    expect(row).to_have_attribute("data-status", "opened")
    screenshot(page, "creditor1-case-notices-opened")
