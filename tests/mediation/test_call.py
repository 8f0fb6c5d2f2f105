"""Reveal-and-call on the mediation panel: a purpose from a short list, logged; the collection hours and the
6 unanswered calls a day (DOMAIN.md: collection guideline) pinned on both sides with a fixed clock."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases import services as case_services
from core.models import PiiAccessLog
from mediation import services
from mediation.models import ContactAttempt

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 12, 2, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    state = {"now": DAY.replace(hour=10)}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def set_time(hour: int, minute: int = 0) -> None:
        state["now"] = DAY.replace(hour=hour, minute=minute)

    return set_time


@pytest.fixture
def case(world, client, clock):
    case = world.case()
    case_services.case_transition(case=case, transition="triage", actor=None)
    case_services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    client.force_login(world.mediator1)
    return case


def _call(client, case, purpose="negotiate"):
    return client.post(f"/mediation/case/{case.pk}/call/", {"purpose": purpose}, follow=True)


def test_the_panel_offers_a_call_with_purposes_from_a_short_list(world, client, case):
    html = client.get(f"/mediation/case/{case.pk}/").content.decode()
    assert "致电债务人" in html
    for label in ("协商还款", "核实身份", "送达确认", "回访"):
        assert label in html
    assert case.phone not in html and case.phone_masked in html


def test_a_call_shows_the_number_as_a_tel_link_and_logs_who_why_and_when(world, client, case, clock):
    page = _call(client, case, "verify_identity").content.decode()
    assert f'href="tel:{case.phone}"' in page
    log = PiiAccessLog.objects.get(subject=f"case:{case.pk}", field="phone")
    assert log.user == world.mediator1 and log.purpose == "联系债务人：核实身份"
    # shown once: the next view of the panel is masked again
    assert case.phone not in client.get(f"/mediation/case/{case.pk}/").content.decode()


@pytest.mark.parametrize("purpose", ["", "x", "check", "other"])
def test_a_purpose_outside_the_list_shows_no_number(world, client, case, purpose):
    page = _call(client, case, purpose).content.decode()
    assert case.phone not in page and "请从列表中选择致电目的" in page
    assert not PiiAccessLog.objects.exists()


def test_another_mediators_case_gives_no_number(world, client, case):
    from core.models import Role
    from core.services import staff_user_create
    from tests.factories import PASSWORD

    other = staff_user_create(
        username="mediator9", password=PASSWORD, organisation=world.committee, role=Role.MEDIATOR
    )
    client.force_login(other)
    response = _call(client, case)
    assert case.phone not in response.content.decode()
    assert not PiiAccessLog.objects.exists()


@pytest.mark.parametrize(
    ("hour", "minute", "shown"),
    [(7, 59, False), (8, 0, True), (21, 59, True), (22, 0, False), (23, 30, False), (2, 0, False)],
)
def test_no_number_in_the_quiet_hours_without_consent(world, client, case, clock, hour, minute, shown):
    clock(hour, minute)
    page = _call(client, case).content.decode()
    assert (f'href="tel:{case.phone}"' in page) is shown
    if not shown:
        assert "08:00" in page and not PiiAccessLog.objects.exists()


def test_with_the_debtors_consent_the_quiet_hours_allow_a_call(world, client, case, clock):
    services.late_contact_consent_record(
        case=case, actor=world.mediator1, note="债务人白天上班，同意晚间联系"
    )
    clock(22, 30)
    assert f'href="tel:{case.phone}"' in _call(client, case).content.decode()


@pytest.mark.parametrize(("unanswered", "warned"), [(5, False), (6, True)])
def test_six_unanswered_calls_today_warn_but_do_not_block(world, client, case, clock, unanswered, warned):
    for minute in range(unanswered):
        services.contact_log(
            case=case,
            actor=world.mediator1,
            channel="phone",
            at=DAY.replace(hour=9, minute=minute),
            outcome="no_answer",
        )
    yesterday = DAY.replace(hour=9) - timedelta(days=1)
    ContactAttempt.objects.create(
        case=case, mediator=world.mediator1, channel="phone", at=yesterday, outcome="no_answer",
        phone_hash=ContactAttempt.objects.first().phone_hash,
    )  # fmt: skip
    page = _call(client, case).content.decode()
    assert f'href="tel:{case.phone}"' in page
    assert ("今天不宜再拨打" in page) is warned
    assert f"该号码今天未接通次数：{unanswered}" in client.get(f"/mediation/case/{case.pk}/").content.decode()
