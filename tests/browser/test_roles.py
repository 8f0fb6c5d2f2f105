"""Each role logs in through the form in Chinese chromium and lands on its own home page."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from cases import services

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def path_of(page) -> str:
    return urlparse(page.url).path


def test_creditor_lands_on_its_case_list(page, live_server, browser_world):
    case = browser_world.case()
    other = browser_world.case(creditor=browser_world.cf)
    login(page, live_server, "creditor1")
    assert path_of(page) == "/cases/"
    expect(page.get_by_role("heading", level=1)).to_have_text("本机构案件")
    expect(page.get_by_role("link", name=case.code)).to_be_visible()
    expect(page.get_by_text(other.code)).to_have_count(0)
    expect(page.locator("body")).to_contain_text(case.debtor.id_number_masked)
    expect(page.locator("body")).not_to_contain_text(case.debtor.id_number)
    screenshot(page, "creditor1-cases")


def test_second_creditor_sees_only_its_own_cases(page, live_server, browser_world):
    own = browser_world.case(creditor=browser_world.cf)
    bank_case = browser_world.case()
    login(page, live_server, "creditor2")
    assert path_of(page) == "/cases/"
    expect(page.get_by_role("link", name=own.code)).to_be_visible()
    expect(page.get_by_text(bank_case.code)).to_have_count(0)
    response = page.goto(f"{live_server.url}/cases/{bank_case.pk}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    screenshot(page, "creditor2-404")


def test_mediator_lands_on_its_queue_and_starts_mediation(page, live_server, browser_world):
    case = browser_world.case()
    services.case_transition(case=case, transition="triage", actor=None, colour="green", track="fast")
    login(page, live_server, "mediator1")
    assert path_of(page) == "/mediation/queue/"
    screenshot(page, "mediator1-mediation-queue")
    page.goto(f"{live_server.url}/cases/queue/")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的待办")
    screenshot(page, "mediator1-queue")
    page.get_by_role("link", name=case.code).click()
    expect(page.locator("h1")).to_contain_text("案件")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="开始调解").click()
    expect(page.locator(".message--success")).to_contain_text("已完成：开始调解")
    expect(page.locator(".badge--large")).to_have_text("人民调解中")
    screenshot(page, "mediator1-case-detail")


def test_judge_lands_on_the_court_console(page, live_server, browser_world):
    login(page, live_server, "judge1")
    assert path_of(page).startswith("/court/")
    expect(page.locator("body")).to_contain_text(re.compile("法院|案件|调解|站点管理|登录"))
    screenshot(page, "judge1-court")


def test_judge_of_another_centre_cannot_open_a_quanzhou_case(page, live_server, browser_world):
    case = browser_world.case()
    login(page, live_server, "judge2")
    assert path_of(page).startswith("/court/")
    response = page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert response.status == 404
    page.goto(f"{live_server.url}/cases/")
    expect(page.locator("body")).to_contain_text("没有符合条件的案件")
    screenshot(page, "judge2-cases")


def test_centre_admin_lands_on_the_overview(page, live_server, browser_world):
    for _ in range(3):
        case = browser_world.case()
    services.case_transition(case=case, transition="triage", actor=None, colour="red", track="slow")
    login(page, live_server, "centreadmin")
    assert path_of(page) == "/centre/"
    expect(page.get_by_role("heading", level=1)).to_have_text("中心概览")
    expect(page.locator("body")).to_contain_text("各阶段、各颜色分类案件数")
    screenshot(page, "centreadmin-overview")
    page.get_by_role("link", name="2", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/cases/\?stage=received"))
    screenshot(page, "centreadmin-filtered-list")


def test_language_switch_to_english_and_back(page, live_server, browser_world):
    browser_world.case()
    login(page, live_server, "creditor1")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Our cases")
    screenshot(page, "creditor1-cases-english")
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("本机构案件")


def test_pages_fit_a_360px_phone(phone_page, live_server, browser_world):
    case = browser_world.case()
    page = phone_page
    page.goto(f"{live_server.url}/login/")
    screenshot(page, "phone-login")
    login(page, live_server, "centreadmin")
    for path, name in (("/centre/", "phone-overview"), ("/cases/", "phone-cases"),
                       (f"/cases/{case.pk}/", "phone-case-detail")):  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        screenshot(page, name)
