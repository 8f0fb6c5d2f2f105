"""Coming forward before being contacted: the case found goes straight to a mediator; otherwise the centre
keeps the request. The person is told the same either way."""

from django.test import Client
from django.urls import reverse

from cases.models import Stage
from core.models import PiiAccessLog, Role
from core.services import centre_staff_organisation, staff_user_create
from mediation.models import ComeForwardRequest
from tests.factories import PASSWORD, valid_id_number, valid_phone

URL = reverse("debtor:come_forward")
DONE = reverse("debtor:come_forward_done")


def come_forward(client, centre, id_number, **fields):
    data = {
        "centre": centre.pk,
        "name": "王五",
        "id_number": id_number,
        "phone": "+86 139 0000 1234",
        "note": "想一次性还清",
    }
    data.update(fields)
    return client.post(URL, data)


def test_a_person_with_a_case_goes_straight_to_a_mediator(world, client):
    case = world.case()
    assert case.stage == Stage.RECEIVED
    response = come_forward(client, world.qz, case.debtor.id_number)
    assert response.status_code == 302 and response["Location"] == DONE
    case.refresh_from_db()
    assert case.stage == Stage.IN_MEDIATION and case.mediator_id == world.mediator1.pk
    event = case.events.get(action="debtor_came_forward")
    assert "想一次性还清" in event.reason
    request = ComeForwardRequest.objects.get()
    assert request.status == ComeForwardRequest.Status.MATCHED and request.matched_case == case
    assert request.phone_masked == "139****1234" and request.id_number_masked.startswith("3505")


def test_without_a_case_the_centre_keeps_the_request_and_the_answer_is_the_same(world, client):
    with_case = world.case()
    first = come_forward(client, world.qz, with_case.debtor.id_number)
    second = come_forward(client, world.qz, valid_id_number(777))
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    request = ComeForwardRequest.objects.get(status=ComeForwardRequest.Status.RECORDED)
    assert request.matched_case is None and request.centre == world.qz

    admin = Client()
    admin.login(username="centreadmin", password=PASSWORD)
    page = admin.get(reverse("mediation_debtor:come_forward")).content.decode()
    assert "王五" in page and "139****1234" in page and "13900001234" not in page
    revealed = admin.post(
        reverse("mediation_debtor:come_forward_action", args=[request.pk, "reveal"]), {"purpose": "回电"}
    )
    assert "13900001234" in revealed.content.decode()
    assert PiiAccessLog.objects.filter(subject=f"come_forward:{request.pk}").count() == 1
    admin.post(
        reverse("mediation_debtor:come_forward_action", args=[request.pk, "handled"]), {"note": "已回电"}
    )
    request.refresh_from_db()
    assert request.status == ComeForwardRequest.Status.HANDLED and request.handled_by == world.admin


def test_another_centre_does_not_see_the_request_and_a_case_elsewhere_is_not_matched(world, client):
    case = world.case()
    come_forward(client, world.ly, case.debtor.id_number)
    request = ComeForwardRequest.objects.get()
    assert request.status == ComeForwardRequest.Status.RECORDED  # the case is at Quanzhou, not Longyan
    staff_user_create(
        username="lyadmin",
        password=PASSWORD,
        organisation=centre_staff_organisation(world.ly),
        role=Role.CENTRE_ADMIN,
    )
    qz_admin, ly_admin = Client(), Client()
    qz_admin.login(username="centreadmin", password=PASSWORD)
    ly_admin.login(username="lyadmin", password=PASSWORD)
    assert "王五" not in qz_admin.get(reverse("mediation_debtor:come_forward")).content.decode()
    assert "王五" in ly_admin.get(reverse("mediation_debtor:come_forward")).content.decode()
    assert (
        qz_admin.post(
            reverse("mediation_debtor:come_forward_action", args=[request.pk, "handled"]), {"note": "x"}
        ).status_code
        == 404
    )


def test_a_wrong_id_number_or_phone_is_explained(world, client):
    client.cookies["django_language"] = "en"
    page = come_forward(client, world.qz, "123", phone="12345")
    assert page.status_code == 200 and not ComeForwardRequest.objects.exists()
    assert page.content.decode().count('role="alert"') >= 2


def test_requests_from_one_address_are_limited(world, client, settings):
    settings.DEBTOR_MAX_COME_FORWARD_PER_IP = 2
    for i in range(2):
        assert (
            come_forward(client, world.qz, valid_id_number(800 + i), phone=valid_phone(800 + i)).status_code
            == 302
        )
    assert come_forward(client, world.qz, valid_id_number(810)).status_code == 429
    assert ComeForwardRequest.objects.count() == 2
