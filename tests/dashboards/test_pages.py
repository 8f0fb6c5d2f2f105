"""The dashboard pages per role: scoping (a creditor never counts another's cases), tables, .xlsx exports."""

import io

import openpyxl
import pytest
from django.utils import translation

from dashboards import selectors
from dashboards.selectors import Context, Filters
from tests.factories import PASSWORD


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def received(user, **filters):
    tiles = selectors.dashboard_kpis(Context(user=user, filters=Filters(**filters)))
    return tiles[0]["value"]


def test_a_creditor_never_counts_another_creditors_cases(funnel):
    funnel.refresh()
    w = funnel.world
    assert received(w.creditor1) == 5
    assert received(w.creditor2) == 1
    assert received(w.admin) == 6  # the centre: both creditors, never the other centre's case
    assert received(w.creditor1, creditor_id=w.cf.pk) == 0  # a filter cannot widen the scope


def test_a_court_sees_its_own_cases_and_another_centre_sees_none(funnel):
    funnel.refresh()
    w = funnel.world
    assert selectors.dashboard_kpis(Context(w.judge1, Filters()))[0]["value"] == 1  # B2 in payment order
    assert selectors.dashboard_kpis(Context(w.judge2, Filters()))[0]["value"] == 0  # longyan's court


def test_creditor_page_ignores_a_creditor_filter_and_shows_its_batches(client, funnel):
    funnel.refresh()
    w = funnel.world
    login(client, "creditor1")
    response = client.get("/dashboards/", {"creditor": w.cf.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert response.status_code == 200
    assert "我方案件统计" in page and "各批次 30、60、90 日结案率" in page
    assert "x.xlsx" in page and "示范消费金融" not in page
    assert 'name="creditor"' not in page


def test_centre_admin_page_lists_creditors_and_group_risk(client, funnel):
    funnel.refresh()
    login(client, "centreadmin")
    page = client.get("/dashboards/").content.decode()
    assert "中心数据看板" in page and "示范消费金融" in page and "阶段流转" in page
    assert 'name="creditor"' in page


@pytest.mark.parametrize("username", ["centreadmin", "creditor1", "judge1", "clerk1", "mediator1"])
def test_every_role_has_a_dashboard(client, funnel, username):
    funnel.refresh()
    login(client, username)
    response = client.get("/dashboards/")
    assert response.status_code == 200
    assert response.content.decode().count('data-chart="chart-data-') >= 2


def test_xlsx_export_has_the_tables_numbers_and_keeps_the_scope(client, funnel):
    funnel.refresh()
    login(client, "creditor1")
    response = client.get("/dashboards/export/resolution.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="resolution-')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0] == ("Month received", "Cases", "Resolved before filing", "Rate (%)",
                       "Filed (payment order or suit)")  # fmt: skip
    assert [r[1:] for r in rows[1:]] == [(5, 2, 40, 1)]
    assert client.get("/dashboards/export/no-such-figure.xlsx").status_code == 404


def test_a_mediator_cannot_export_a_centre_figure(client, funnel):
    funnel.refresh()
    login(client, "mediator1")
    assert client.get("/dashboards/export/resolution.xlsx").status_code == 404
    assert client.get("/dashboards/export/stages.xlsx").status_code == 200


def test_bad_month_filter_is_reported_and_ignored(client, funnel):
    funnel.refresh()
    login(client, "creditor1")
    with translation.override("en"):
        response = client.get("/dashboards/", {"since": "2026-13"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Give a month as YYYY-MM." in response.content.decode()


def test_only_the_centre_admin_refreshes_and_sees_group_risk(client, funnel):
    login(client, "creditor1")
    assert client.post("/dashboards/refresh/").status_code == 403
    assert client.get("/dashboards/risks/").status_code == 403
    client.logout()
    login(client, "centreadmin")
    response = client.post("/dashboards/refresh/", follow=True)
    assert "数据已更新" in response.content.decode()
    assert received(funnel.world.admin) == 6


def test_anonymous_users_go_to_the_login_page(client):
    response = client.get("/dashboards/")
    assert response.status_code == 302 and "/login/" in response["Location"]
