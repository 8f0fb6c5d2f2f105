"""The case page in the browser: a reason-required action, a hold, and revealing a full number."""

import pytest
from playwright.sync_api import expect

from cases import services
from cases.models import Hold
from core.models import PiiAccessLog

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_creditor_withdraws_a_case_with_a_reason(page, live_server, browser_world):
    case = browser_world.case()
    login(page, live_server, "creditor1")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    screenshot(page, "creditor1-case-detail")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_label("理由: 撤回").fill("债务人已结清")
    page.get_by_role("button", name="撤回").click()
    expect(page.locator(".badge--large")).to_have_text("已撤回")
    expect(page.locator("body")).to_contain_text("债务人已结清")


def test_held_case_shows_the_hold_and_offers_no_blocked_action(page, live_server, browser_world):
    case = browser_world.case()
    services.case_transition(case=case, transition="triage", actor=None, colour="yellow", track="slow")
    services.hold_place(case=case, kind=Hold.Kind.HARDSHIP, actor=browser_world.admin, reason="重病住院")
    login(page, live_server, "mediator1")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator(".card--hold")).to_contain_text("困难救助")
    expect(page.get_by_role("button", name="开始调解")).to_have_count(0)
    screenshot(page, "mediator1-held-case")


def test_mediator_reveals_the_full_id_number_for_a_purpose(page, live_server, browser_world):
    case = browser_world.case()
    login(page, live_server, "mediator1")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("body")).not_to_contain_text(case.debtor.id_number)
    page.get_by_text("查看完整号码").click()
    page.get_by_label("查看目的").select_option("identity_check")
    page.get_by_role("button", name="显示").click()
    expect(page.locator(".reveal__value")).to_have_text(case.debtor.id_number)
    log = PiiAccessLog.objects.get(user=browser_world.mediator1, field="id_number")
    assert log.purpose == "通话前核实身份"
    screenshot(page, "mediator1-reveal")
