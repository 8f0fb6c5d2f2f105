"""Issue #17 acceptance, in Chinese chromium: after the demo's seeding every role's dashboard shows
non-zero figures that match its case list (screenshots saved), and the rules builder's preview count is
what the re-triage then changes."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from cases import services as case_services
from core.models import Centre
from dashboards.selectors import COURT_STAGES
from dashboards.services import facts_refresh
from demo.scenarios import demo_seed

from .conftest import login, screenshot

pytestmark = pytest.mark.browser

# username, screenshot name, the key figure compared with the case list
ROLES = [
    ("centreadmin", "acceptance-dashboard-centre-admin", "受理案件"),
    ("creditor1", "acceptance-dashboard-creditor1", "受理案件"),
    ("creditor3", "acceptance-dashboard-creditor3", "受理案件"),
    ("judge1", "acceptance-dashboard-judge1", "法院各阶段在办案件"),
    ("mediator1", "acceptance-dashboard-mediator1", "分配给我的案件"),
]


TIME_CHARTS = ["funnel", "closure", "durations", "resolution", "recovery", "settlements", "contacts"]


@pytest.fixture
def seeded(transactional_db, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    demo_seed()
    for centre in Centre.objects.all():
        facts_refresh(centre_id=centre.pk)


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def _kpi(page: Page, label: str) -> int:
    tile = page.get_by_test_id("kpi").filter(has_text=label).first
    return _number(tile.locator(".dash-kpi__value").inner_text())


def _case_list_total(page: Page, live_server, stages: list[str] | None = None) -> int:
    page.goto(f"{live_server.url}/cases/")
    if stages is None:
        return _number(re.search(r"共\s*([\d,]+)\s*件案件", page.locator(".page-head").inner_text()).group(1))
    total = 0
    for stage in stages:
        chip = page.locator(f'.stage-chips a.chip[href*="stage={stage}&"]')
        if chip.count():
            total += _number(chip.locator("strong").inner_text())
    return total


def test_every_roles_dashboard_shows_figures_matching_its_case_list(page, live_server, seeded, capsys):
    seen = {}
    for username, shot, label in ROLES:
        login(page, live_server, username)
        page.goto(f"{live_server.url}/dashboards/")
        page.wait_for_load_state("networkidle")
        charts = page.locator("[data-chart]")
        expect(charts.first).to_have_attribute("data-drawn", "true")
        assert charts.count() == page.locator("[data-chart][data-drawn=true]").count()
        for key in TIME_CHARTS:  # the funnel and the time charts have data (objections may have none)
            figure_box = page.get_by_test_id(f"figure-{key}")
            if figure_box.count():
                assert not figure_box.get_by_text("当前筛选条件下暂无数据").count(), (username, key)
        figure = _kpi(page, label)
        screenshot(page, shot)
        listed = _case_list_total(page, live_server, COURT_STAGES if username == "judge1" else None)
        seen[username] = (figure, listed)
        assert figure > 0 and figure == listed, (username, figure, listed)
        page.get_by_role("button", name="退出").click()
    with capsys.disabled():
        print("\ndashboard figure vs case list per role:", seen)


def test_the_rules_builder_preview_count_is_what_the_retriage_changes(page, live_server, browser_world):
    w = browser_world
    for principal in ("2000.00", "150000.00", "150000.00", "8000.00"):
        case = w.case(principal=Decimal(principal))
        case_services.case_transition(
            case=case, transition="triage", actor=None, colour="green", track="fast"
        )
    login(page, live_server, "centreadmin")
    page.goto(f"{live_server.url}/mediation/rules/")
    rule = page.get_by_test_id("rule-form").filter(has=page.locator('input[value="大额债权"]'))
    rule.locator('input[name$="-cond_0_value"]').fill("5000")
    rule.locator('select[name$="-colour"]').select_option("red")
    page.get_by_test_id("preview").click()
    preview = page.get_by_test_id("preview-changes")
    expect(preview).to_be_visible()
    changes = int(preview.get_attribute("data-changes"))
    assert changes == 3  # the two large claims and the 8,000 one turn red
    rule = page.get_by_test_id("rule-form").filter(has=page.locator('input[value="大额债权"]'))
    expect(rule.get_by_test_id("rule-matches")).to_have_attribute("data-matches", "3")
    screenshot(page, "rules-builder-preview")
    page.get_by_test_id("publish").click()
    expect(page.locator(".message--success")).to_contain_text("规则")
    page.get_by_test_id("retriage").click()
    message = page.locator(".message--success").inner_text()
    assert f"{changes} 件发生变化" in message, message
    screenshot(page, "rules-builder-retriaged")
