"""Dashboards read off the primary: the router, the lag threshold, the fall-back and the freshness shown.

In tests the replica alias is a mirror of the test database (config.settings.test); where a test needs it
to count as a replica, it says so (replica_configured) and states the lag the probe would report.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from core import db
from dashboards import selectors
from dashboards.models import RefreshState
from dashboards.selectors import Context, Filters
from tests.factories import PASSWORD
from tests.replica import MAX_LAG, replica_faked

BOTH = ["default", "replica"]


@pytest.fixture
def replica(monkeypatch, settings):
    yield from replica_faked(monkeypatch, settings)


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


# --- the router ---------------------------------------------------------------------------------------


def test_reads_go_to_the_replica_only_inside_a_reading_from_block_and_writes_never():
    router = db.ReplicaRouter()
    assert router.db_for_read(RefreshState) is None  # the primary
    with db.reading_from(db.REPLICA):
        assert router.db_for_read(RefreshState) == "replica"
        read_there = RefreshState(refreshed_at=datetime(2026, 3, 2, tzinfo=UTC))
        read_there._state.db = "replica"
        assert router.db_for_write(RefreshState, instance=read_there) == "default"
    assert router.db_for_read(RefreshState) is None
    assert router.allow_migrate("replica", "dashboards") is False
    assert router.allow_migrate("default", "dashboards") is None


def test_the_test_mirror_is_the_primary_itself_so_nothing_reads_from_it():
    assert "replica" in connections.settings
    assert db.replica_configured() is False
    assert db.read_db() == "default"


# --- the lag threshold and the fall-back ----------------------------------------------------------------


@pytest.mark.parametrize(("lag", "alias"), [(0, "replica"), (MAX_LAG, "replica"), (MAX_LAG + 0.5, "default")])
def test_a_replica_is_read_while_at_most_the_threshold_behind(replica, lag, alias):
    replica.lag = lag
    assert db.read_db() == alias


def test_an_unreachable_replica_falls_back_to_the_primary(replica):
    replica.lag = None
    assert db.read_db() == "default"


def test_the_replica_is_probed_at_most_once_per_probe_period(replica):
    replica.lag = 1
    for _ in range(3):
        assert db.read_db() == "replica"
    assert replica.probes == 1
    replica.lag = MAX_LAG + 1  # it falls behind: noticed on the first probe after the period
    replica.clock[0] += db.REPLICA_PROBE_SECONDS
    assert db.read_db() == "replica"
    replica.clock[0] += 0.1
    assert db.read_db() == "default"
    assert replica.probes == 2


def test_a_user_who_just_wrote_reads_the_primary_until_the_pin_expires(replica, monkeypatch, settings):
    now = [1_800_000_000.0]
    monkeypatch.setattr(db, "wall_clock", lambda: now[0])
    request = type("Request", (), {"session": {}})()
    db.primary_pin(request)
    assert db.read_db(request) == "default"
    now[0] += MAX_LAG - 1
    assert db.read_db(request) == "default"
    now[0] += 1
    assert db.read_db(request) == "replica"


# Transactional: a TestCase would open a transaction on the mirror too, which SQLite's one writer refuses.
@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_probe_reports_a_primary_as_not_behind_and_a_closed_port_as_unreachable():
    assert db.replica_lag_seconds("default") == 0
    status = db.replica_probe()  # the mirror: the test database, a primary
    assert status.reachable and status.lag_seconds == 0
    replica_settings = connections["replica"].settings_dict
    if replica_settings["ENGINE"] != "django.db.backends.postgresql":
        return  # SQLite has no server to be unreachable; the PostgreSQL run covers it
    port = replica_settings["PORT"]
    connections["replica"].close()
    replica_settings["PORT"] = 1
    try:
        status = db.replica_probe()
    finally:
        replica_settings["PORT"] = port
        connections["replica"].close()
    assert not status.reachable and status.lag_seconds is None and not status.usable


# --- the dashboards on the replica -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_dashboard_reads_its_figures_from_a_usable_replica_and_says_how_far_behind(
    client, funnel, replica
):
    funnel.refresh()
    replica.lag = 3
    login(client, "centreadmin")
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get("/dashboards/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "read from a replica 3 seconds behind the live data" in page
    assert "Numbers as of" in page
    facts_on = [q["sql"] for q in on_replica.captured_queries if "dashboards_stagefact" in q["sql"]]
    assert facts_on
    assert not [q for q in on_primary.captured_queries if "dashboards_stagefact" in q["sql"]]

    page_zh = client.get("/dashboards/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "读自只读副本，比实时数据晚 3 秒" in page_zh and "数据截至" in page_zh

    with CaptureQueriesContext(connections["replica"]) as on_replica:
        export = client.get("/dashboards/export/funnel.xlsx")
    assert export.status_code == 200
    assert any("dashboards_stagefact" in q["sql"] for q in on_replica.captured_queries)


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_replica_too_far_behind_leaves_the_dashboard_on_the_primary(client, funnel, replica):
    funnel.refresh()
    replica.lag = MAX_LAG + 1
    login(client, "centreadmin")
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        response = client.get("/dashboards/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "read from a replica" not in response.content.decode()
    assert on_replica.captured_queries == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_after_refreshing_the_figures_the_centre_admin_reads_them_from_the_primary(client, funnel, replica):
    funnel.refresh()
    replica.lag = 3
    login(client, "centreadmin")
    assert client.post("/dashboards/refresh/").status_code == 302
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        page = client.get("/dashboards/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert on_replica.captured_queries == []
    assert "read from a replica" not in page


# --- freshness of each figure ------------------------------------------------------------------------------


def test_facts_figures_are_as_of_their_refresh_and_live_ones_as_of_the_data_read(funnel, monkeypatch):
    funnel.refresh()
    w = funnel.world
    refreshed = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    RefreshState.objects.update(refreshed_at=refreshed)
    read = {"default": refreshed + timedelta(minutes=5), "replica": refreshed - timedelta(seconds=40)}
    monkeypatch.setattr(selectors, "data_as_of", lambda alias: read[alias])

    on_primary = selectors.dashboard_figures(Context(w.admin, Filters()))
    assert {f.as_of for f in on_primary} == {refreshed}
    # A replica that has not yet replayed the refresh still holds older facts; never later than it read.
    behind = selectors.dashboard_figures(Context(w.admin, Filters(), read_alias="replica"))
    assert {f.as_of for f in behind} == {read["replica"]}
    mediator = selectors.dashboard_figures(Context(w.mediator1, Filters(), read_alias="replica"))
    assert mediator and {f.as_of for f in mediator} == {read["replica"]}
