"""On a 360 px phone: the debtor fills the financial statement, proposes a plan above what it leaves and is
shown why, then keeps it with a reason the mediator reads beside the affordability; and a debtor re-schedules
a missed instalment online, once, and the case stays in performance, out of enforcement."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Stage
from credit_repair.models import CureLimits, PlanCure
from mediation.models import Proposal
from notices.channels import sms
from tests.credit_repair.conftest import performing

from .conftest import login, screenshot
from .test_debtor_portal_phone import fits, identify, in_mediation

pytestmark = pytest.mark.browser


@pytest.fixture
def debtor_settings(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    settings.PUBLIC_BASE_URL = "https://platform.example"
    sms.outbox.clear()
    cache.clear()
    yield settings
    sms.outbox.clear()
    cache.clear()


def fill(phone: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        phone.locator(f"#id_{name}").fill(value)


def test_statement_unaffordable_plan_and_the_mediator_sees_why(
    phone_page, page, live_server, browser_world, debtor_settings
):
    world, phone = browser_world, phone_page
    case = in_mediation(world, world.case(debtor_name="欧阳明华"))
    phone.goto(f"{live_server.url}/debtor/")
    identify(phone, case)
    phone.goto(f"{live_server.url}{reverse('debtor:propose', args=[case.pk])}")
    phone.locator("[data-fill-statement]").click()
    fill(
        phone,
        {"household_size": "3", "dependants": "1", "wages": "6000", "spend_housing": "1500",
         "spend_food": "1200", "spend_transport": "300", "other_debts_monthly": "1000"},
    )  # fmt: skip
    fits(phone)
    screenshot(phone, "plans-360-1-statement")
    phone.locator("[data-statement-form] button[type=submit]").click()
    expect(phone.locator("[data-affordability]")).to_contain_text("2,000.00")  # 6,000 - 3,000 - 1,000
    # 10,000 in four monthly instalments: 2,500 a month, more than the 2,000 left.
    fill(phone, {"total": "10000", "amount_now": "0", "instalment_count": "4"})
    phone.get_by_role("button", name=re.compile("提交|发送|Send my proposal")).click()
    errors = phone.locator("[role=alert], .message--error, .errorlist").first
    expect(errors).to_contain_text("2500.00")
    expect(errors).to_contain_text("2000.00")
    expect(phone.locator("#id_above_affordable_reason")).to_be_visible()
    assert not Proposal.objects.filter(case=case).exists()
    fits(phone)
    screenshot(phone, "plans-360-2-above-affordable")
    phone.locator("#id_above_affordable_reason").fill("妻子每月帮我还一半")
    phone.get_by_role("button", name=re.compile("提交|发送|Send my proposal")).click()
    expect(phone.locator(".message--success")).to_be_visible()
    assert Proposal.objects.get(case=case).above_affordable_reason == "妻子每月帮我还一半"

    login(page, live_server, "mediator1")
    page.goto(f"{live_server.url}{reverse('mediation_debtor:case', args=[case.pk])}")
    card = page.locator("[data-affordability]").first
    expect(card.locator("[data-affordable]")).to_contain_text("2,000.00")
    expect(card.locator("[data-person-totals]")).to_contain_text("1")
    expect(
        page.locator(f'[data-proposal-affordability="{Proposal.objects.get(case=case).pk}"]')
    ).to_contain_text("妻子每月帮我还一半")
    screenshot(page, "plans-mediator-affordability")


def test_a_debtor_cures_a_missed_instalment_online_and_stays_out_of_enforcement(
    phone_page, live_server, browser_world, debtor_settings
):
    world, phone = browser_world, phone_page
    CureLimits.objects.create(creditor=world.bank, max_extra_instalments=2, min_instalment=Decimal("1000"))
    today = timezone.localdate()
    # The first instalment fell due two days ago, unpaid: inside the grace of 5 working days.
    case = performing(world, total="9000.00", count=3, first_due=today - timedelta(days=2))
    phone.goto(f"{live_server.url}/debtor/")
    identify(phone, case)
    card = phone.locator(f'article[data-case="{case.code}"]')
    expect(card.locator("[data-cure-offer]")).to_be_visible()
    fits(phone)
    screenshot(phone, "plans-360-3-missed-instalment")
    card.locator("[data-cure-offer] a").click()
    expect(phone.locator("[data-remaining]")).to_contain_text("9,000.00")
    first = today + timedelta(days=7)
    fill(phone, {"count": "5", "first_due": first.isoformat()})
    fits(phone)
    screenshot(phone, "plans-360-4-reschedule")
    phone.locator("[data-cure-form] button[type=submit]").click()
    expect(phone.locator(".message--success")).to_be_visible()
    card = phone.locator(f'article[data-case="{case.code}"]')
    expect(card.locator("[data-cure-offer]")).to_have_count(0)
    expect(card).to_contain_text(first.strftime("%Y-%m-%d"))
    case.refresh_from_db()
    assert case.stage == Stage.PERFORMING and PlanCure.objects.filter(case=case).count() == 1
    fits(phone)
    screenshot(phone, "plans-360-5-rescheduled")
