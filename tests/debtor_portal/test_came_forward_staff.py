"""The come-forward note reaches the staff: on the mediation panel, and in the debtors' requests list until
someone contacts the debtor. Scoped like cases: another centre's staff never see it."""

from datetime import timedelta

from django.utils import timezone

from mediation import debtor_services, services
from mediation.models import ComeForwardRequest

NOTE = "想一次性还清，请白天联系"


def _came_forward(world, case, note=NOTE):
    return debtor_services.come_forward_submit(
        centre=case.centre,
        name=case.debtor.name,
        id_number=case.debtor.id_number,
        phone=case.phone,
        note=note,
        ip=None,
    )


def test_the_note_shows_on_the_mediation_panel(world, client):
    case = world.case()
    request = _came_forward(world, case)
    case.refresh_from_db()
    assert case.mediator_id == world.mediator1.pk
    client.force_login(world.mediator1)
    html = client.get(f"/mediation/case/{case.pk}/").content.decode()
    block = html[html.index(f'data-came-forward="{request.pk}"') :].split("</div>", 1)[0]
    assert "主动申请和解" in block and NOTE in block
    assert timezone.localtime(request.created_at).strftime("%Y-%m-%d %H:%M") in block


def test_a_case_without_a_request_shows_none(world, client):
    case = world.case()
    services.mediation_request_from_debtor(case=case, note="x")
    client.force_login(world.mediator1)
    response = client.get(f"/mediation/case/{case.pk}/")
    assert response.status_code == 200 and "债务人的申请" in response.content.decode()
    assert "data-came-forward" not in response.content.decode()


def test_the_requests_list_shows_the_note_until_the_debtor_is_contacted(world, client):
    case = world.case()
    _came_forward(world, case)
    case.refresh_from_db()
    client.force_login(world.mediator1)

    html = client.get("/mediation/debtor/").content.decode()
    table = html[html.index('data-requests="came_forward"') :].split("</table>", 1)[0]
    assert case.code in table and NOTE in table
    assert f'href="/mediation/case/{case.pk}/"' in table

    services.contact_log(
        case=case,
        actor=world.mediator1,
        channel="phone",
        at=timezone.localtime().replace(hour=10, minute=0) - timedelta(days=1),
        outcome="reached",
    )
    html = client.get("/mediation/debtor/").content.decode()
    table = html[html.index('data-requests="came_forward"') :].split("</table>", 1)[0]
    assert case.code not in table


def test_another_centres_staff_do_not_see_the_note(world, client):
    case = world.case()
    _came_forward(world, case)
    client.force_login(world.judge2)  # the other centre's court
    html = client.get("/mediation/debtor/").content.decode()
    assert NOTE not in html and case.code not in html


def test_a_request_that_found_no_case_is_not_in_the_mediators_list(world, client):
    from tests.factories import valid_id_number

    debtor_services.come_forward_submit(
        centre=world.qz, name="赵六", id_number=valid_id_number(), phone="13900001111", note=NOTE, ip=None
    )
    assert ComeForwardRequest.objects.get().status == ComeForwardRequest.Status.RECORDED
    client.force_login(world.mediator1)
    assert NOTE not in client.get("/mediation/debtor/").content.decode()
