"""The court console as judge1 and clerk1 use it in chromium: one platform with a language switch, a
settlement confirmed from the ruling's preview, twenty confirmed in bulk with one skipped and the reason
shown, and a clerk who is never offered the judge's decision. Screenshots in test-output/screenshots."""

import re

import pytest
from playwright.sync_api import Page, expect

from cases import services as case_services
from cases.models import Case, Stage
from courts.models import ConfirmationDecision
from tests.courts.test_console import confirmation_requested

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def private_files(settings, tmp_path):
    """Rendered PDFs in a temporary folder; SMS in memory (the live server runs in this process)."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    return settings


def switch_language(page: Page, label: str) -> None:
    page.locator(".topbar .lang-switch").get_by_role("button", name=label).click()
    page.wait_for_load_state("networkidle")


def test_judge_switches_language_and_confirms_from_the_preview(
    page, live_server, browser_world, private_files
):
    world = browser_world
    case = confirmation_requested(world, debtor_name="王丽华")
    number = case.filings.get().number

    login(page, live_server, "judge1")
    page.goto(f"{live_server.url}/court/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".topbar")).to_contain_text("法院工作台")
    switch_language(page, "English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".court-sitebar")).to_contain_text("Court console")
    expect(page.locator(".topbar nav")).to_contain_text("Dashboard")
    screenshot(page, "console-judge1-index-en")
    switch_language(page, "中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    screenshot(page, "console-judge1-index-zh")

    page.goto(f"{live_server.url}/court/cases/case/{case.pk}/change/")
    expect(page.locator("#transitions")).not_to_contain_text("全部履行")  # only the decision is offered
    form = page.locator("#action-confirm")
    form.locator("textarea").fill("调解协议系双方真实意思表示，内容合法")
    form.get_by_role("button", name="预览文书").click()
    ruling = page.frame_locator("#document-preview iframe").locator("body")
    expect(ruling).to_contain_text("民事裁定书")
    expect(ruling).to_contain_text(number)
    expect(ruling).to_contain_text("调解协议系双方真实意思表示")
    expect(page.locator("#what-happens")).to_contain_text("无法撤销")
    expect(page.locator("#file-links a[data-kind=settlement_agreement]")).to_be_visible()
    assert Case.objects.get(pk=case.pk).stage == Stage.CONFIRMATION_REQUESTED  # nothing signed yet
    screenshot(page, "console-judge1-ruling-preview")

    with page.expect_popup() as popup:
        page.locator("#file-links a[data-kind=settlement_agreement]").click()
    expect(popup.value.locator("body")).to_contain_text("调解协议书")  # the signed agreement, one click away
    popup.value.close()

    page.locator("#sign").click()
    expect(page.locator("#case-stage")).to_have_attribute("data-stage", Stage.CONFIRMED)
    expect(page.locator("ul.messagelist .success")).to_contain_text(number)
    screenshot(page, "console-judge1-confirmed")
    assert ConfirmationDecision.objects.get(case=case).decided_by == world.judge1


def test_judge_confirms_twenty_in_bulk_with_one_skipped_and_why(
    page, live_server, browser_world, private_files
):
    world = browser_world
    cases = [confirmation_requested(world) for _ in range(21)]
    held = cases[7]
    case_services.hold_place(case=held, kind="hardship", actor=world.judge1, reason="住院")

    login(page, live_server, "judge1")
    page.goto(f"{live_server.url}/court/queues/confirmation/")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("confirm_selected")
    page.locator("button[name=index]").click()

    expect(page.locator("#bulk-counts [data-ready]")).to_have_attribute("data-ready", "20")
    expect(page.locator("#bulk-counts [data-skip]")).to_have_attribute("data-skip", "1")
    expect(page.locator(f'#bulk-cases tr[data-case="{held.code}"] .why')).to_contain_text("暂停")
    expect(page.locator("#bulk-go")).to_contain_text("20")
    screenshot(page, "console-judge1-bulk-confirm-step1")
    page.locator("#bulk-go").click()

    expect(page.locator("#run-progress")).to_have_attribute("data-finished", "1")
    expect(page.locator("#run-summary [data-done]")).to_have_attribute("data-done", "20")
    expect(page.locator("#run-summary [data-skipped]")).to_have_attribute("data-skipped", "1")
    skipped = page.locator(f'#run-skipped tr[data-case="{held.code}"]')
    expect(skipped.locator(".why")).to_contain_text("暂停")
    screenshot(page, "console-judge1-bulk-confirm-report")

    stages = dict(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "stage"))
    assert stages.pop(held.pk) == Stage.CONFIRMATION_REQUESTED
    assert set(stages.values()) == {Stage.CONFIRMED} and len(stages) == 20


def test_clerk_is_not_offered_the_confirmation(page, live_server, browser_world):
    case = confirmation_requested(browser_world, debtor_name="陈建国")

    login(page, live_server, "clerk1")
    page.goto(f"{live_server.url}/court/queues/confirmation/")
    expect(page.locator("#result_list")).to_contain_text(case.code)
    options = page.locator("select[name=action] option")
    assert not [v for v in options.evaluate_all("os => os.map(o => o.value)") if v == "confirm_selected"]
    page.goto(f"{live_server.url}/court/cases/case/{case.pk}/change/")
    expect(page.locator("#action-confirm")).to_have_count(0)
    expect(page.locator("#action-reject")).to_have_count(0)
    screenshot(page, "console-clerk1-case-awaiting-confirmation")

    page.goto(f"{live_server.url}/court/cases/case/{case.pk}/preview/confirm/")
    expect(page.locator("ul.messagelist .error")).to_have_text(re.compile(".+"))
    assert Case.objects.get(pk=case.pk).stage == Stage.CONFIRMATION_REQUESTED
