"""A judge works the confirmation queue in Chinese chromium: confirms one settlement, refuses another on an
Interp. 358 ground; both rulings come out as PDFs that say so (text extracted with pdftotext)."""

import re
import subprocess

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case, Stage
from courts.models import ConfirmationDecision
from notices.models import Kind, Notice
from tests.courts.test_console import confirmation_requested

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def private_files(settings, tmp_path):
    """Rendered PDFs in a temporary folder; SMS in memory (the live server runs in this process)."""
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    return settings


def pdf_text(data: bytes) -> str:
    """The PDF's text without the spaces and line breaks the layout adds."""
    assert data.startswith(b"%PDF")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return "".join(out.stdout.decode("utf-8").split())


def ruling_pdf(page: Page, live_server, case: Case) -> str:
    """The ruling as the judge downloads it from the case page's documents (the notices' staff view)."""
    page.goto(f"{live_server.url}/court/cases/case/{case.pk}/change/")
    link = page.locator(f'#documents a.court-pdf[data-kind="{Kind.CONFIRMATION_RULING}"]')
    expect(link).to_have_count(1)
    response = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    return pdf_text(response.body())


def test_judge_confirms_one_settlement_and_refuses_another(page, live_server, browser_world, private_files):
    world = browser_world
    to_confirm = confirmation_requested(world, debtor_name="王丽华")
    to_refuse = confirmation_requested(world, debtor_name="陈建国")
    other_court = confirmation_requested(world, creditor=world.rural, debtor_name="赖秀英")
    numbers = {c.pk: c.filings.get().number for c in (to_confirm, to_refuse)}

    login(page, live_server, "judge1")
    expect(page.locator("#queue-confirmation .court-count")).to_have_text("2")
    screenshot(page, "judge1-court-index")
    page.locator("#queue-confirmation").click()
    expect(page.locator("#result_list")).to_contain_text(to_confirm.code)
    expect(page.locator("#result_list")).to_contain_text(to_refuse.code)
    expect(page.locator("body")).not_to_contain_text(other_court.code)
    screenshot(page, "judge1-confirmation-queue")

    page.get_by_role("link", name=to_confirm.code).click()
    expect(page.locator("#summary")).to_contain_text(numbers[to_confirm.pk])
    screenshot(page, "judge1-confirmation-case")
    form = page.locator("#action-confirm")
    form.locator("textarea").fill("调解协议系双方真实意思表示，内容合法")
    form.get_by_role("button").click()
    expect(page.frame_locator("#document-preview iframe").locator("body")).to_contain_text(
        numbers[to_confirm.pk]
    )  # the ruling, read before it is signed
    page.locator("#sign").click()
    expect(page.locator("#case-stage")).to_have_attribute("data-stage", Stage.CONFIRMED)
    expect(page.locator("ul.messagelist .success")).to_contain_text(numbers[to_confirm.pk])
    screenshot(page, "judge1-confirmed")

    page.goto(f"{live_server.url}/court/queues/confirmation/")
    page.get_by_role("link", name=to_refuse.code).click()
    form = page.locator("#action-reject")
    form.locator("select").select_option("not_voluntary")
    form.locator("textarea").fill("被申请人称系受胁迫签订协议")
    form.locator('input[value="mediation"]').check()
    form.get_by_role("button").click()
    expect(page.frame_locator("#document-preview iframe").locator("body")).to_contain_text("违反自愿原则")
    page.locator("#sign").click()
    expect(page.locator("#case-stage")).to_have_attribute("data-stage", Stage.COURT_MEDIATION)
    expect(page.locator("#decisions")).to_contain_text(numbers[to_refuse.pk])
    screenshot(page, "judge1-refused")

    page.goto(f"{live_server.url}/court/queues/confirmation/")
    expect(page.locator("#result_list")).to_have_count(0)  # nothing left to decide

    decisions = {d.case_id: d for d in ConfirmationDecision.objects.all()}
    assert decisions[to_confirm.pk].confirmed and not decisions[to_refuse.pk].confirmed
    assert Notice.objects.filter(kind=Kind.CONFIRMATION_RULING).count() == 2

    confirmed = ruling_pdf(page, live_server, to_confirm)
    assert world.court.name in confirmed
    assert numbers[to_confirm.pk] in confirmed
    assert "确认" in confirmed and "调解协议有效" in confirmed
    assert "驳回" not in confirmed
    assert "9,600.00" in confirmed  # the agreement's total, as agreed

    refused = ruling_pdf(page, live_server, to_refuse)
    assert world.court.name in refused
    assert numbers[to_refuse.pk] in refused
    assert "驳回" in refused and "违反自愿原则" in refused  # Interp. 358 (4)
    assert "调解协议有效" not in refused
    screenshot(page, "judge1-ruling-links")


def test_the_case_page_is_readable_on_a_laptop_screen(page, live_server, browser_world):
    """The queue and the case page keep their columns on 1280 px: no table squeezed into a sliver."""
    case = confirmation_requested(browser_world, debtor_name="欧阳明华")
    login(page, live_server, "judge1")
    page.goto(f"{live_server.url}/court/queues/confirmation/")
    name_cell = page.locator("td.field-debtor_name").first
    expect(name_cell).to_have_text("欧阳明华")
    box = name_cell.bounding_box()
    assert box is not None and box["height"] < 40  # the name stays on one line
    page.goto(f"{live_server.url}/court/cases/case/{case.pk}/change/")
    side = page.locator("#actions").bounding_box()
    main = page.locator(".court-main").bounding_box()
    assert side and main and side["x"] > main["x"] + main["width"] - 1  # actions beside the file
    assert re.search(r"\(\d{4}\)闽0502民特\d+号", page.locator("#summary").inner_text())
