"""Figures are live: no button, for every role that reads the pre-aggregated figures."""

import re

import pytest

from cases import services
from dashboards import services as dashboard_services
from dashboards.models import RefreshState


def first_kpi(html: str) -> str:
    return re.search(r'class="dash-kpi__value">([^<]*)<', html).group(1).strip()


@pytest.mark.parametrize("username", ["creditor1", "centreadmin", "judge1"])
def test_a_dashboard_counts_cases_nobody_refreshed_for(world, client, username):
    world.case(), world.case()
    assert not RefreshState.objects.exists()  # nothing was ever aggregated
    client.force_login(getattr(world, {"centreadmin": "admin"}.get(username, username)))
    html = client.get("/dashboards/").content.decode()
    assert RefreshState.objects.filter(centre=world.qz).exists()
    if username != "judge1":  # a court's first tile counts what reached the court
        assert first_kpi(html) == "2"


def test_a_new_case_and_a_transition_show_on_the_next_page_view(world, client):
    world.case()
    client.force_login(world.creditor1)
    assert first_kpi(client.get("/dashboards/").content.decode()) == "1"
    case = world.case()
    services.case_transition(case=case, transition="withdraw", actor=world.creditor1, reason="paid")
    assert first_kpi(client.get("/dashboards/").content.decode()) == "2"


def test_fresh_figures_are_not_rebuilt_on_every_page_view(world, client, django_assert_max_num_queries):
    world.case()
    client.force_login(world.creditor1)
    client.get("/dashboards/")
    assert not dashboard_services.facts_are_stale(centre_id=world.qz.pk)
    assert dashboard_services.facts_refresh_when_stale(centre_id=world.qz.pk) == "fresh"


def test_with_a_worker_the_page_asks_it_once_a_minute_and_says_so(world, client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    asked = []
    monkeypatch.setattr("dashboards.tasks.dashboards_refresh_changed.delay", lambda: asked.append(1))
    world.case()
    client.force_login(world.creditor1)
    html = client.get("/dashboards/").content.decode()
    assert 'data-testid="updating"' in html
    client.get("/dashboards/")
    assert len(asked) <= 1
