"""The mediator's panel in a browser: a double-submitted session is scheduled once and sends one SMS; the
panel fits a 360 px phone with a long agreement hash, notes without spaces and the come-forward note."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from cases.services import case_transition
from core.identifiers import mask_phone
from mediation import debtor_services, services
from mediation.models import MediationSession
from notices.channels import sms

from .conftest import login, screenshot

pytestmark = pytest.mark.browser
WIDTH = 360


@pytest.fixture
def sms_outbox(settings):
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    sms.outbox.clear()
    cache.clear()
    yield sms.outbox
    sms.outbox.clear()
    cache.clear()


def _mediating(world, **fields):
    case = world.case(**fields)
    case_transition(case=case, transition="triage", actor=world.admin, colour="green", track="fast")
    case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    return case


def test_double_submitting_a_session_sends_one_sms(page, live_server, browser_world, sms_outbox):
    world = browser_world
    case = _mediating(world, debtor_name="陈思远")
    login(page, live_server, "mediator1")
    page.goto(f"{live_server.url}/mediation/case/{case.pk}/")

    when = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT15:00")
    form = page.locator('form[action$="/session/"]')
    form.locator('select[name="kind"]').select_option("phone")
    form.locator('input[name="scheduled_at"]').fill(when)
    fields = {
        "csrfmiddlewaretoken": form.locator('input[name="csrfmiddlewaretoken"]').input_value(),
        "form_key": form.locator('input[name="form_key"]').input_value(),
        "kind": "phone",
        "scheduled_at": when,
    }
    form.locator('button[type="submit"]').dblclick()
    expect(page.locator(".message--success")).to_be_visible()
    # The same POST sent again, as a browser resends it: refused, back to the panel with a message.
    again = page.request.post(
        f"{live_server.url}/mediation/case/{case.pk}/session/",
        form=fields,
        headers={"Referer": f"{live_server.url}/mediation/case/{case.pk}/"},
    )
    assert again.ok and again.url.endswith(f"/mediation/case/{case.pk}/")
    assert "此表单已提交过，未重复处理" in again.text()
    screenshot(page, "mediation-session-once")

    assert MediationSession.objects.filter(case=case).count() == 1
    to_debtor = [m for m in sms_outbox if m["to"] == mask_phone(case.phone)]
    assert len(to_debtor) == 1, to_debtor


def test_the_panel_fits_a_360_px_phone(phone_page, live_server, browser_world, sms_outbox):
    world = browser_world
    case = _mediating(world, debtor_name="欧阳晓明")
    long_word = "https://meeting.example.org/" + "a1b2c3d4" * 12
    services.contact_log(
        case=case,
        actor=world.mediator1,
        channel="phone",
        at=timezone.localtime().replace(hour=10, minute=0) - timedelta(days=1),
        outcome="reached",
        notes=long_word,
    )
    settlement = services.settlement_draft(
        case=case, actor=world.mediator1, kind="lump_sum", total=Decimal("9000.00"), terms=long_word
    )
    services.settlement_offer(settlement=settlement, actor=world.mediator1)
    debtor_services.come_forward_submit(
        centre=case.centre,
        name=case.debtor.name,
        id_number=case.debtor.id_number,
        phone=case.phone,
        note="我想一次性还清" + "还" * 80 + long_word,
        ip=None,
    )

    login(phone_page, live_server, "mediator1")
    phone_page.goto(f"{live_server.url}/mediation/case/{case.pk}/")
    expect(phone_page.locator("body")).to_contain_text(re.compile("SHA-256"))
    expect(phone_page.locator("[data-came-forward]")).to_contain_text("我想一次性还清")
    screenshot(phone_page, "mediation-panel-360")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    wide = phone_page.evaluate(
        """() => [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > 361).slice(0, 12)
          .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    assert width <= WIDTH, f"the panel is {width}px wide: {wide}"
