from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.core.api.conftest import client_for
from tests.factories import PASSWORD


def test_token_obtained_with_the_right_password_opens_the_api(world):
    response = APIClient().post(
        "/api/auth/token/", {"username": "creditor1", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=world.creditor1).key
    me = APIClient().get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["username"] == "creditor1"


def test_wrong_password_gets_400_and_no_token(world):
    response = APIClient().post(
        "/api/auth/token/", {"username": "creditor1", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.filter(user=world.creditor1).exists()


def test_password_guessing_is_throttled(world):
    client = APIClient()
    codes = [
        client.post(
            "/api/auth/token/", {"username": "judge1", "password": f"guess{i}"}, format="json"
        ).status_code
        for i in range(11)
    ]
    assert codes == [400] * 10 + [429]
    # Another username from the same address is not blocked by judge1's guesses.
    ok = client.post("/api/auth/token/", {"username": "clerk1", "password": PASSWORD}, format="json")
    assert ok.status_code == 200


def test_me_shows_role_organisation_and_centre(world):
    body = client_for(world.judge2).get("/api/me/").json()
    assert body == {
        "username": "judge2", "role": "judge", "role_display": "Judge", "organisation_code": "ly-court",
        "organisation_name": "龙岩市新罗区人民法院", "centre_code": "longyan",
    }  # fmt: skip


def test_me_for_a_user_without_membership_has_no_role(db, django_user_model):
    user = django_user_model.objects.create_user(username="loner", password=PASSWORD)
    body = client_for(user).get("/api/me/").json()
    assert body["username"] == "loner"
    assert body["role"] is None
    assert body["centre_code"] is None


def test_unauthenticated_requests_get_401(world):
    case = world.case()
    client = client_for(None)
    for url in [
        "/api/me/",
        "/api/cases/",
        f"/api/cases/{case.code}/",
        f"/api/cases/{case.code}/transitions/",
    ]:
        assert client.get(url).status_code == 401, url
    assert client.post(f"/api/cases/{case.code}/transitions/", {"transition": "triage"}).status_code == 401


def test_a_bad_token_gets_401(world):
    response = APIClient().get("/api/cases/", HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert response.status_code == 401
