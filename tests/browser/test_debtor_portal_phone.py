"""The debtor's way through the portal on a 360 px phone: identify, see only the joined case, add another
creditor's case with its own code, counter-propose while an offer waits, object and read what happens next
instead of the signing prompt. Every page fits the screen; screenshots in test-output/screenshots/."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.services import case_transition
from core.models import Organisation
from core.workdays import WorkingCalendar
from mediation import debtor_services
from mediation.debtor_services import Plan
from mediation.models import Proposal, Settlement
from notices.channels import sms

from .conftest import screenshot

pytestmark = pytest.mark.browser
WIDTH = 360


@pytest.fixture
def debtor_settings(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    sms.outbox.clear()
    cache.clear()
    yield settings
    sms.outbox.clear()
    cache.clear()


def fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width}px wide"


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", sms.outbox[-1]["text"]).group(1)


def identify(phone: Page, case) -> None:
    """Case code and ID number, then the code sent to that case's phone."""
    phone.get_by_role("textbox", name=re.compile("案件|Case code")).fill(case.code)
    phone.get_by_role("textbox", name=re.compile("身份证|ID number")).fill(case.debtor.id_number)
    phone.get_by_role("button", name=re.compile("继续|Continue")).click()
    expect(phone.locator("body")).to_contain_text(case.phone_masked)
    fits(phone)
    phone.get_by_role("textbox", name=re.compile("验证码|短信|SMS")).fill(last_code())
    phone.get_by_role("button", name=re.compile("查看|Show my cases")).click()
    expect(phone.locator(f'article[data-case="{case.code}"]')).to_be_visible()


def in_mediation(world, case):
    case_transition(case=case, transition="triage", actor=world.admin)
    case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    case.refresh_from_db()
    return case


def offer(world, case) -> Settlement:
    """A plan the mediator accepted: the agreement waits for the debtor's signature."""
    proposal = debtor_services.proposal_submit(
        case=case, plan=Plan(total=case.claimed_total, amount_now=Decimal("0"), instalment_count=10)
    )
    return debtor_services.proposal_accept_by_mediator(proposal=proposal, actor=world.mediator1).settlement


def test_the_debtors_way_through_the_portal_on_a_phone(
    phone_page, live_server, browser_world, debtor_settings
):
    world, phone = browser_world, phone_page
    get_user_model().objects.filter(pk=world.mediator1.pk).update(first_name="黄秀琴")
    Organisation.objects.filter(pk=world.committee.pk).update(
        phone="0595-22581234", hours="周一至周五 8:30-12:00, 14:30-17:30"
    )
    bank = in_mediation(world, world.case(debtor_name="欧阳明华"))
    # Another creditor's case of the same person, with another phone on file: it needs its own code.
    finance = in_mediation(
        world, world.case(creditor=world.cf, id_number=bank.debtor.id_number, debtor_name="欧阳明华")
    )
    assert finance.phone != bank.phone
    bank_offer = offer(world, bank)

    # 1. Identify with the bank's case: only that case is shown.
    phone.goto(f"{live_server.url}/debtor/")
    fits(phone)
    screenshot(phone, "portal-360-1-identify")
    identify(phone, bank)
    expect(phone.locator("article.dcase")).to_have_count(1)
    expect(phone.locator(f'article[data-case="{finance.code}"]')).to_have_count(0)
    bank_card = phone.locator(f'article[data-case="{bank.code}"]')
    contact = bank_card.locator("[data-contact]").first
    expect(contact).to_contain_text("黄秀琴")
    expect(contact).to_contain_text("0595-22581234")
    expect(contact).to_contain_text("8:30-12:00")
    # The offer is unsigned: its instalments are not shown as due dates.
    expect(bank_card).not_to_contain_text(re.compile("第 1 期|Instalment 1"))
    fits(phone)
    screenshot(phone, "portal-360-2-one-case")

    # 2. Add the other creditor's case with its own case code and the code sent to its own phone.
    phone.get_by_role("link", name=re.compile("用案件编号添加案件|Add a case with its case code")).click()
    identify(phone, finance)
    expect(phone.locator("article.dcase")).to_have_count(2)
    expect(phone.locator(f'article[data-case="{bank.code}"]')).to_be_visible()
    # "Leave" comes after everything else on the page.
    buttons = phone.locator(".debtor .btn")
    expect(buttons.last).to_have_text(re.compile("离开|Leave"))
    expect(buttons.first).not_to_have_text(re.compile("离开|Leave"))
    fits(phone)
    screenshot(phone, "portal-360-3-two-cases")

    # 3. The bank's offer waits: the debtor answers it with a plan of their own.
    bank_card = phone.locator(f'article[data-case="{bank.code}"]')
    expect(bank_card.locator("[data-agreement-waiting]")).to_be_visible()
    screenshot(phone, "portal-360-4-offer-waiting")
    bank_card.locator("[data-counter-propose]").click()
    expect(phone.locator("[data-counter-note]")).to_be_visible()
    expect(phone.locator("body")).not_to_contain_text(re.compile("不能提出|cannot be proposed"))
    phone.get_by_role("textbox", name=re.compile("现在|Amount you can pay now")).fill("600")
    phone.get_by_role("spinbutton", name=re.compile("期数|分期|Number of instalments")).fill("18")
    fits(phone)
    screenshot(phone, "portal-360-5-counter-proposal")
    phone.get_by_role("button", name=re.compile("提交|发送|Send my proposal")).click()
    expect(phone.locator(".message--success")).to_be_visible()
    bank_offer.refresh_from_db()
    assert bank_offer.status == Settlement.Status.VOID
    counter = Proposal.objects.filter(case=bank).latest("pk")
    assert (counter.party, counter.status, counter.instalment_count) == ("debtor", "open", 18)
    bank_card = phone.locator(f'article[data-case="{bank.code}"]')
    expect(bank_card.locator("[data-proposal-waiting]")).to_be_visible()
    expect(bank_card.locator("[data-agreement-waiting]")).to_have_count(0)
    fits(phone)
    screenshot(phone, "portal-360-6-counter-sent")

    # 4. An offer on the other case; the debtor objects: the hold is explained instead of the signing prompt.
    finance_offer = offer(world, finance)
    phone.reload()
    finance_card = phone.locator(f'article[data-case="{finance.code}"]')
    expect(finance_card.locator("[data-agreement-waiting]")).to_be_visible()
    finance_card.get_by_role("link", name=re.compile("^(?!.*信用).*异议|Object to this claim")).click()
    phone.get_by_role("radio", name=re.compile("金额|amount is wrong")).check()
    phone.get_by_role("textbox", name=re.compile("说明|陈述|Explain")).fill("违约金计算有误。")
    fits(phone)
    phone.get_by_role("button", name=re.compile("提交|异议|File my objection")).click()
    expect(phone.locator(".message--success")).to_be_visible()
    finance_card = phone.locator(f'article[data-case="{finance.code}"]')
    hold = finance_card.locator("[data-objection-hold]")
    expect(hold).to_be_visible()
    # An objection on the merits is decided within 5 working days, told in calendar days and a date.
    today = timezone.localdate()
    by = WorkingCalendar.for_centre(finance.centre_id).add_working_days(today, 5).due
    expect(hold).to_contain_text(re.compile(rf"{(by - today).days} 日内|within {(by - today).days} days"))
    expect(hold).to_contain_text(f"{by:%Y-%m-%d}")
    expect(hold).to_contain_text("0595-22581234")
    expect(finance_card.locator("[data-agreement-waiting]")).to_have_count(0)
    expect(finance_card.get_by_role("link", name=re.compile("签署协议|sign the agreement"))).to_have_count(0)
    hold.scroll_into_view_if_needed()
    fits(phone)
    screenshot(phone, "portal-360-7-objection-hold")

    # The agreement page itself says what happens next; the fingerprint is behind "verify this document".
    phone.goto(f"{live_server.url}/debtor/cases/{finance.pk}/agreement/")
    expect(phone.locator("[data-objection-hold]")).to_be_visible()
    expect(phone.get_by_role("button", name=re.compile("验证码|Send me a code"))).to_have_count(0)
    expect(phone.locator("[data-sha256]")).to_be_hidden()
    phone.get_by_text(re.compile("核验本文件|Verify this document")).click()
    expect(phone.locator("[data-sha256]")).to_have_text(finance_offer.document_sha256)
    fits(phone)
    screenshot(phone, "portal-360-8-agreement-on-hold")
    finance_offer.refresh_from_db()
    assert finance_offer.status == Settlement.Status.AWAITING_DEBTOR
