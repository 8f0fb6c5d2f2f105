"""Login, the role-based home redirect, the no-role page and the health check."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import PASSWORD

HOMES = {
    "creditor1": "/cases/",
    "creditor2": "/cases/",
    "mediator1": "/mediation/queue/",
    "judge1": "/court/",
    "clerk1": "/court/",
    "judge2": "/court/",
    "centreadmin": "/centre/",
}


@pytest.mark.parametrize(("username", "home"), HOMES.items())
def test_each_role_lands_on_its_own_home(world, login, username, home):
    response = login(username).get("/")
    assert response.status_code == 302
    assert response["Location"] == home


def test_anonymous_visitor_is_sent_to_the_login_page(db, client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_page_is_in_chinese_by_default(db, client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_login_form_logs_in_and_redirects_home(world, client):
    response = client.post("/login/", {"username": "creditor1", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/cases/"


def test_wrong_password_shows_an_error(world, client):
    response = client.post("/login/", {"username": "creditor1", "password": "wrong"})
    assert response.status_code == 200
    assert "message--error" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(world, login):
    client = login("creditor1")
    assert client.post("/logout/").status_code == 302
    assert client.get("/cases/").status_code == 302


def test_user_without_membership_sees_the_no_role_page(db, client):
    get_user_model().objects.create_user(username="nobody", password=PASSWORD)
    client.login(username="nobody", password=PASSWORD)
    for url in ("/", "/cases/", "/centre/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "尚未分配角色" in response.content.decode()


def test_centre_overview_is_for_centre_admins_only(world, login):
    assert login("creditor1").get("/centre/").status_code == 403


def test_healthz_answers_without_login(db, client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_top_bar_shows_user_role_and_organisation(world, login):
    page = login("mediator1").get("/cases/queue/").content.decode()
    assert "mediator1" in page
    assert "调解员" in page
    assert "泉州人民调解委员会" in page
    assert 'action="/i18n/setlang/"' in page
    assert 'action="/logout/"' in page
