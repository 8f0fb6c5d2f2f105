"""Each role's dashboard in Chinese chromium: charts drawn, numbers in a table, and a screenshot."""

import pytest
from playwright.sync_api import expect

from oversight.services import suggestions_generate
from tests.dashboards.demo_data import build_demo

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(browser_world):
    build_demo(browser_world)
    return browser_world


def open_dashboard(page, live_server, username: str) -> None:
    login(page, live_server, username)
    page.goto(f"{live_server.url}/dashboards/")
    page.wait_for_load_state("networkidle")
    charts = page.locator("[data-chart]")
    expect(charts.first).to_have_attribute("data-drawn", "true")
    assert charts.count() == page.locator("[data-chart][data-drawn=true]").count()


def test_centre_admin_dashboard(page, live_server, demo):
    open_dashboard(page, live_server, "centreadmin")
    expect(page.get_by_role("heading", level=1)).to_have_text("中心数据看板")
    expect(page.get_by_role("heading", name="办理漏斗：进入各阶段的案件")).to_be_visible()
    expect(page.get_by_role("heading", name="阶段流转")).to_be_visible()
    expect(page.get_by_test_id("risk-flags")).to_contain_text("同一区县债务人集中")
    kpis = page.get_by_test_id("kpi")
    expect(kpis.first).to_contain_text("受理案件")
    expect(kpis.first).to_contain_text("120")
    resolution = page.get_by_test_id("figure-resolution")
    resolution.get_by_text("查看数据表").click()
    expect(resolution.locator("table")).to_contain_text("示范消费金融")
    with page.expect_download() as download:
        resolution.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.startswith("resolution-")
    screenshot(page, "dashboard-centre-admin")


def test_creditor_dashboard_counts_only_its_cases(page, live_server, demo):
    open_dashboard(page, live_server, "creditor1")
    expect(page.get_by_role("heading", level=1)).to_have_text("我方案件统计")
    expect(page.get_by_test_id("kpi").first).to_contain_text("60")
    closure = page.get_by_test_id("figure-closure")
    closure.get_by_text("查看数据表").click()
    expect(closure.locator("tbody tr")).to_have_count(5)
    expect(page.locator("body")).not_to_contain_text("demo-consumer-finance-1.xlsx")
    screenshot(page, "dashboard-creditor")


def test_court_dashboard(page, live_server, demo):
    open_dashboard(page, live_server, "judge1")
    expect(page.get_by_role("heading", level=1)).to_have_text("法院工作看板")
    expect(page.get_by_role("heading", name="办理期限：将到期、已超期与逾期未办")).to_be_visible()
    expect(page.get_by_test_id("figure-court_stages")).to_contain_text("法院各阶段在办案件")
    screenshot(page, "dashboard-court")


def test_mediator_dashboard(page, live_server, demo):
    open_dashboard(page, live_server, "mediator1")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的调解成效")
    expect(page.get_by_test_id("kpi").first).to_contain_text("120")
    screenshot(page, "dashboard-mediator")


def test_creditor_answers_a_judicial_suggestion(page, live_server, demo):
    [draft, *_] = suggestions_generate(centre=demo.qz)
    login(page, live_server, "centreadmin")
    page.goto(f"{live_server.url}/dashboards/suggestions/{draft.pk}/")
    expect(page.get_by_role("heading", name="审查草稿")).to_be_visible()
    screenshot(page, "suggestion-draft")
    page.get_by_role("button", name="向债权人发出建议书").click()
    expect(page.locator(".message--success")).to_contain_text("司法建议已发给债权人")
    expect(page.get_by_test_id("letter-pdf")).to_be_visible()
    page.get_by_role("button", name="退出").click()
    login(page, live_server, draft.creditor.memberships.first().user.username)
    page.goto(f"{live_server.url}/dashboards/suggestions/")
    page.get_by_role("link", name=draft.title).click()
    page.get_by_label("回复内容").fill("我行已核实并更新债务人的送达地址。")
    page.get_by_role("button", name="提交回复").click()
    expect(page.locator(".message--success")).to_contain_text("回复已提交")
    expect(page.get_by_test_id("answer")).to_contain_text("已核实")
    screenshot(page, "suggestion-answered")
