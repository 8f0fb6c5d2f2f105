"""Password guessing meets a limit on every login form and the token endpoint; tokens and sessions end."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.middleware import LAST_SEEN_KEY
from tests.factories import PASSWORD

LIMIT = 5
lockouts = override_settings(
    AXES_ENABLED=True, AXES_FAILURE_LIMIT=LIMIT, AXES_COOLOFF_TIME=timedelta(minutes=15)
)


def _post_login(client: Client, path: str, username: str, password: str) -> object:
    data = {"username": username, "password": password, "next": "/"}
    return client.post(path, data, REMOTE_ADDR="10.1.1.1")


@lockouts
@pytest.mark.parametrize("path", ["/login/", "/court/login/"])
def test_the_account_is_locked_at_the_limit_and_not_before(world, path):
    client = Client()
    codes = [_post_login(client, path, "judge1", f"guess{i}").status_code for i in range(LIMIT - 1)]
    assert codes == [200] * (LIMIT - 1)  # the form again, with its error
    locked = _post_login(client, path, "judge1", "guess-last")
    assert locked.status_code == 429
    assert "15" in locked.content.decode()
    assert locked["Retry-After"] == str(15 * 60)
    # Locked means locked: even the right password is refused while the cool-off runs.
    assert _post_login(client, path, "judge1", PASSWORD).status_code == 429


@lockouts
def test_the_lockout_message_is_in_the_readers_language(world):
    client = Client()
    for i in range(LIMIT):
        response = _post_login(client, "/login/", "clerk1", f"guess{i}")
    assert "15 分钟" in response.content.decode()
    client.cookies["django_language"] = "en"
    response = _post_login(client, "/login/", "clerk1", "again")
    assert "Try again in 15 minutes" in response.content.decode()


@lockouts
def test_guessing_from_one_address_locks_that_address_for_other_accounts(world):
    client = Client()
    for i in range(LIMIT):
        _post_login(client, "/login/", f"nobody{i}", "x")
    assert _post_login(client, "/login/", "creditor1", PASSWORD).status_code == 429
    # Another client can still sign in to that account.
    other = Client().post("/login/", {"username": "creditor1", "password": PASSWORD}, REMOTE_ADDR="10.2.2.2")
    assert other.status_code == 302


@lockouts
def test_the_token_endpoint_locks_out_too(world):
    client = APIClient()
    codes = [
        client.post(
            "/api/auth/token/",
            {"username": "creditor2", "password": f"g{i}"},
            format="json",
            REMOTE_ADDR="10.3.3.3",
        ).status_code
        for i in range(LIMIT + 1)
    ]
    assert codes[: LIMIT - 1] == [400] * (LIMIT - 1)
    assert codes[-1] == 429
    body = client.post(
        "/api/auth/token/",
        {"username": "creditor2", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.3.3.3",
    )
    assert body.status_code == 429
    assert body.json()["code"] == "locked_out"
    assert body.json()["retry_after_seconds"] == 15 * 60


def test_a_token_works_until_it_expires_and_is_then_replaced(world, settings):
    settings.API_TOKEN_TTL_HOURS = 24
    client = APIClient()
    token = client.post("/api/auth/token/", {"username": "creditor1", "password": PASSWORD}, format="json")
    key = token.json()["token"]
    assert token.json()["expires_at"]
    assert APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=23, minutes=59))
    assert APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=24, minutes=1))
    expired = APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert expired.status_code == 401
    fresh = client.post("/api/auth/token/", {"username": "creditor1", "password": PASSWORD}, format="json")
    assert fresh.json()["token"] != key


def test_the_owner_revokes_its_token(world):
    key = (
        APIClient()
        .post("/api/auth/token/", {"username": "creditor1", "password": PASSWORD}, format="json")
        .json()["token"]
    )
    revoke = APIClient().delete("/api/auth/token/", HTTP_AUTHORIZATION=f"Token {key}")
    assert revoke.status_code == 204
    assert APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert APIClient().delete("/api/auth/token/").status_code == 401


def test_a_staff_session_ends_after_the_idle_time_and_not_before(world, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    client = Client()
    client.force_login(world.mediator1)
    assert client.get("/mediation/queue/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(timezone.now().timestamp()) - 29 * 60
    session.save()
    assert client.get("/mediation/queue/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(timezone.now().timestamp()) - 31 * 60
    session.save()
    response = client.get("/mediation/queue/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/mediation/queue/")
    assert client.get("/mediation/queue/").status_code == 302  # signed out for good
