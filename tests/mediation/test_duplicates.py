"""A form sent twice does one thing: the form key (core.idempotency) and the services' duplicate checks."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from cases import services as case_services
from mediation import services
from mediation.errors import MediationError
from mediation.models import ContactAttempt, MediationSession
from mediation.services import DUPLICATE_WINDOW

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 14, 0, tzinfo=SHANGHAI)  # a Wednesday afternoon
CALL = datetime(2026, 12, 2, 10, 30, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    """A fixed clock that a test may move on: ``clock(seconds)``."""
    state = {"now": NOW}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def move(seconds: float) -> None:
        state["now"] = NOW + timedelta(seconds=seconds)

    return move


@pytest.fixture
def case(world, client):
    case = world.case()
    case_services.case_transition(case=case, transition="triage", actor=None)
    case_services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    cache.clear()
    client.force_login(world.mediator1)
    return case


def _log(world, case, **changes):
    fields = {"channel": "phone", "at": CALL, "outcome": "reached", "notes": "同意分期"} | changes
    return services.contact_log(case=case, actor=world.mediator1, **fields)


# --- the services refuse an exact duplicate -----------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds_later", "refused"), [(0, True), (DUPLICATE_WINDOW.total_seconds() - 1, True), (301, False)]
)
def test_the_same_contact_entry_twice_within_five_minutes_is_logged_once(
    world, case, clock, seconds_later, refused
):
    _log(world, case)
    clock(seconds_later)
    if refused:
        with pytest.raises(MediationError) as excinfo:
            _log(world, case)
        assert excinfo.value.code == "duplicate_contact"
    else:
        _log(world, case)
    assert ContactAttempt.objects.filter(case=case).count() == (1 if refused else 2)


def test_a_redial_a_minute_later_is_a_new_attempt(world, case, clock):
    _log(world, case, outcome="no_answer", notes="")
    _log(world, case, outcome="no_answer", notes="", at=CALL + timedelta(minutes=1))
    _log(world, case, outcome="reached", notes="")  # the same minute, another outcome: another entry
    assert ContactAttempt.objects.filter(case=case).count() == 3


@pytest.mark.parametrize(("minutes_apart", "refused"), [(0, True), (4, True), (5, True), (6, False)])
def test_a_second_session_of_the_same_kind_at_the_same_time_is_refused(
    world, case, clock, minutes_apart, refused
):
    at = NOW + timedelta(days=2)
    services.session_schedule(case=case, actor=world.mediator1, kind="phone", scheduled_at=at)
    later = at + timedelta(minutes=minutes_apart)
    if refused:
        with pytest.raises(MediationError) as excinfo:
            services.session_schedule(case=case, actor=world.mediator1, kind="phone", scheduled_at=later)
        assert excinfo.value.code == "duplicate_session"
    else:
        services.session_schedule(case=case, actor=world.mediator1, kind="phone", scheduled_at=later)
    assert MediationSession.objects.filter(case=case).count() == (1 if refused else 2)


def test_a_cancelled_session_does_not_block_a_new_one_at_its_time(world, case, clock):
    at = NOW + timedelta(days=2)
    first = services.session_schedule(case=case, actor=world.mediator1, kind="phone", scheduled_at=at)
    MediationSession.objects.filter(pk=first.pk).update(status=MediationSession.Status.CANCELLED)
    services.session_schedule(case=case, actor=world.mediator1, kind="phone", scheduled_at=at)
    assert MediationSession.objects.filter(case=case, status="scheduled").count() == 1


# --- the form key ------------------------------------------------------------------------------------


def _key(html: str, action: str) -> str:
    form = html[html.index(f'action="{action}"') :].split("</form>", 1)[0]
    return re.search(r'name="form_key" value="([^"]+)"', form).group(1)


def _session_post(case, key, when="2026-12-05T15:00"):
    return {"kind": "phone", "scheduled_at": when, "form_key": key}


def test_a_replayed_session_form_schedules_one_session_and_says_so(world, client, case, clock):
    panel = f"/mediation/case/{case.pk}/"
    action = f"{panel}session/"
    key = _key(client.get(panel).content.decode(), action)

    first = client.post(action, _session_post(case, key))
    again = client.post(action, _session_post(case, key), follow=True)

    assert first.status_code == 302 and first["Location"] == panel
    assert MediationSession.objects.filter(case=case).count() == 1
    assert again.redirect_chain[-1][0] == panel
    assert "此表单已提交过，未重复处理" in again.content.decode()


def test_every_render_gives_a_new_key(world, client, case):
    panel = f"/mediation/case/{case.pk}/"
    keys = {_key(client.get(panel).content.decode(), f"{panel}session/") for _ in range(3)}
    assert len(keys) == 3


def test_a_form_shown_again_with_its_errors_can_be_sent_with_the_same_key(world, client, case, clock):
    panel = f"/mediation/case/{case.pk}/"
    action = f"{panel}session/"
    key = _key(client.get(panel).content.decode(), action)
    assert client.post(action, _session_post(case, key, when="not a date")).status_code == 400
    assert client.post(action, _session_post(case, key)).status_code == 302
    assert MediationSession.objects.filter(case=case).count() == 1


def test_a_key_is_the_users_own(world, client, case, clock):
    """Another user's POST with the same key is theirs, not a replay (the key is scoped to the user)."""
    panel = f"/mediation/case/{case.pk}/"
    action = f"{panel}contact/"
    key = _key(client.get(panel).content.decode(), action)
    post = {"channel": "phone", "at": "2026-12-02T10:30", "outcome": "reached", "form_key": key}
    client.post(action, post | {"notes": "一"})
    client.force_login(world.admin)
    client.post(action, post | {"notes": "二"})
    assert sorted(ContactAttempt.objects.filter(case=case).values_list("notes", flat=True)) == ["一", "二"]


def test_an_exact_duplicate_without_a_key_is_refused_by_the_service(world, client, case, clock):
    action = f"/mediation/case/{case.pk}/contact/"
    post = {"channel": "phone", "at": "2026-12-02T10:30", "outcome": "reached", "notes": "同意分期"}
    client.post(action, post)
    page = client.post(action, post, follow=True).content.decode()
    assert ContactAttempt.objects.filter(case=case).count() == 1
    assert "未重复记录" in page
