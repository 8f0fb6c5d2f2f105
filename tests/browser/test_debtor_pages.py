"""A debtor on a 360 px phone: identify with the code from the SMS, read the cases, object with a photo,
propose a plan. Every page fits the screen: no horizontal scrolling."""

import re
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect

from cases.services import case_transition
from mediation import debtor_services
from mediation.models import EvidenceFile, Objection, Proposal
from notices.channels import sms
from tests.debtor_portal.conftest import png_bytes

from .conftest import screenshot

pytestmark = pytest.mark.browser
WIDTH = 360


@pytest.fixture
def phone(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(
        locale="zh-CN", viewport={"width": WIDTH, "height": 740}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


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


def test_identify_read_object_with_a_photo_and_propose_a_plan(
    phone, live_server, browser_world, debtor_settings, tmp_path
):
    world = browser_world
    case = world.case(debtor_name="欧阳明华")
    case_transition(case=case, transition="triage", actor=world.admin)
    case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    # The same person at another creditor with the same phone on file: the same code proves both.
    other = world.case(
        creditor=world.cf, id_number=case.debtor.id_number, debtor_name="欧阳明华", phone=case.phone
    )

    phone.goto(f"{live_server.url}/debtor/")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-hans")
    fits(phone)
    screenshot(phone, "debtor-360-identify")
    phone.get_by_role("textbox", name=re.compile("案件|Case code")).fill(case.code)
    phone.get_by_role("textbox", name=re.compile("身份证|ID number")).fill(case.debtor.id_number)
    phone.get_by_role("button", name=re.compile("继续|Continue")).click()
    expect(phone.locator("body")).to_contain_text(case.phone_masked)
    fits(phone)
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1]["text"]).group(1)
    phone.get_by_role("textbox", name=re.compile("验证码|短信|SMS")).fill(code)
    screenshot(phone, "debtor-360-code")
    phone.get_by_role("button", name=re.compile("查看|Show my cases")).click()

    card = phone.locator(f'article[data-case="{case.code}"]')
    expect(card).to_contain_text("¥10,600.00")
    expect(card).to_contain_text("示范银行")
    expect(phone.locator(f'article[data-case="{other.code}"]')).to_contain_text("示范消费金融")
    expect(card.locator('[data-deadline="mediation_window"]')).to_be_visible()
    fits(phone)
    screenshot(phone, "debtor-360-cases")

    # The claim itself, not the credit record (both are objections: 异议).
    card.get_by_role("link", name=re.compile("^(?!.*信用).*异议|Object to this claim")).click()
    phone.get_by_role("radio", name=re.compile("金额|amount is wrong")).check()
    explain = phone.get_by_role("textbox", name=re.compile("说明|陈述|Explain"))
    explain.fill("罚息和违约金计算有误，附还款凭证。")
    photo = tmp_path / "receipt.png"
    photo.write_bytes(png_bytes(40, 30))
    phone.locator('input[type="file"]').set_input_files(str(photo))
    fits(phone)
    screenshot(phone, "debtor-360-objection")
    phone.get_by_role("button", name=re.compile("提交|异议|File my objection")).click()
    expect(card.locator('[data-objection="under_review"]')).to_be_visible()
    fits(phone)
    objection = Objection.objects.get(case=case)
    assert objection.hold.is_active
    assert EvidenceFile.objects.get(objection=objection).content_type == "image/png"

    card.get_by_role("link", name=re.compile("还款|Propose a repayment plan")).click()
    phone.get_by_role("textbox", name=re.compile("现在|Amount you can pay now")).fill("1000")
    phone.get_by_role("spinbutton", name=re.compile("期数|分期|Number of instalments")).fill("12")
    phone.get_by_role("textbox", name=re.compile("月收入|monthly income")).fill("4200")
    phone.get_by_role("spinbutton", name=re.compile("供养|抚养|depend")).fill("2")
    fits(phone)
    screenshot(phone, "debtor-360-proposal")
    phone.get_by_role("button", name=re.compile("提交|发送|Send my proposal")).click()
    expect(phone.locator(".message--success")).to_be_visible()
    fits(phone)
    screenshot(phone, "debtor-360-after")
    proposal = Proposal.objects.get(case=case)
    assert (proposal.amount_now, proposal.instalment_count, proposal.dependants) == (1000, 12, 2)
    expect(card.locator("[data-proposal-waiting]")).to_be_visible()

    # The objection is decided first (signing waits for it); then the mediator accepts the plan and the
    # debtor reads the agreement and signs it with a fresh code.
    debtor_services.objection_review(
        objection=objection, actor=world.mediator1, upheld=False, reasons="金额与合同一致。"
    )
    settlement = debtor_services.proposal_accept_by_mediator(
        proposal=proposal, actor=world.mediator1
    ).settlement
    phone.reload()
    card.get_by_role("link", name=re.compile("签|协议|sign the agreement")).click()
    expect(phone.locator("[data-sha256]")).to_have_text(settlement.document_sha256)
    expect(phone.locator("[data-instalments]")).to_have_attribute("data-instalments", "13")
    fits(phone)
    phone.get_by_role("button", name=re.compile("验证码|Send me a code")).click()
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1]["text"]).group(1)
    phone.get_by_role("textbox", name=re.compile("验证码|短信|SMS")).fill(code)
    phone.get_by_role("checkbox", name=re.compile("接受|同意|accept it")).check()
    fits(phone)
    screenshot(phone, "debtor-360-agreement")
    phone.get_by_role("button", name=re.compile("签署|Sign the agreement")).click()
    expect(phone.locator(".message--success")).to_be_visible()
    settlement.refresh_from_db()
    assert settlement.status == "awaiting_mediator" and settlement.debtor_accept_ip == "127.0.0.1"


def test_coming_forward_fits_the_phone_and_english_is_one_tap_away(
    phone, live_server, browser_world, debtor_settings
):
    phone.goto(f"{live_server.url}/debtor/come-forward/")
    fits(phone)
    phone.get_by_role("button", name="English").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("h1")).to_have_text("Ask to settle a debt")
    fits(phone)
    phone.get_by_label("Dispute centre").select_option(label="泉州信用修复中心")
    phone.get_by_label("Your name").fill("王五")
    phone.get_by_label("ID number").fill("350502199001010011")
    phone.get_by_label("Mobile number").fill("13900001234")
    screenshot(phone, "debtor-360-come-forward")
    phone.get_by_role("button", name="Send my request").click()
    expect(phone.locator("body")).to_contain_text(re.compile("has been received|ID number"))
    fits(phone)
