"""The case list's filter form (enhanced by htmx) and its stage counts, in the browser."""

import re

import pytest
from playwright.sync_api import expect

from cases import services

from .conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_filtering_by_stage_and_search_updates_the_list_and_the_address(page, live_server, browser_world):
    received = browser_world.case()
    triaged = browser_world.case()
    services.case_transition(case=triaged, transition="triage", actor=None, colour="green", track="fast")
    login(page, live_server, "centreadmin")
    page.goto(f"{live_server.url}/cases/")
    expect(page.get_by_role("link", name=received.code)).to_be_visible()
    page.get_by_text("筛选", exact=True).click()
    page.get_by_label("阶段", exact=True).select_option("triaged")
    screenshot(page, "centreadmin-cases-filter")
    page.get_by_role("button", name="应用").click()
    expect(page).to_have_url(re.compile(r"stage=triaged"))
    expect(page.get_by_role("link", name=triaged.code)).to_be_visible()
    expect(page.get_by_role("link", name=received.code)).to_have_count(0)
    page.get_by_role("link", name=re.compile("全部阶段")).click()
    page.get_by_label("搜索", exact=True).fill(received.external_ref)
    page.get_by_label("搜索", exact=True).press("Enter")
    expect(page).to_have_url(re.compile(rf"q={received.external_ref}"))
    expect(page.get_by_role("link", name=received.code)).to_be_visible()
    expect(page.get_by_role("link", name=triaged.code)).to_have_count(0)
