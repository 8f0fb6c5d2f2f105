"""Taking an action through the API: one service call, one event; refusals are 403/409, out of reach 404."""

from cases import services
from cases.models import Case, CaseEvent
from tests.core.api.conftest import client_for


def post(client, case, transition, reason=""):
    return client.post(f"/api/cases/{case.code}/transitions/", {"transition": transition, "reason": reason},
                       format="json")  # fmt: skip


def available(user, case) -> list[dict]:
    response = client_for(user).get(f"/api/cases/{case.code}/transitions/")
    assert response.status_code == 200
    return response.json()


def test_available_transitions_follow_role_and_stage(world):
    case = world.case()
    admin_names = [t["name"] for t in available(world.admin, case)]
    creditor_names = [t["name"] for t in available(world.creditor1, case)]
    assert "triage" in admin_names
    assert "triage" not in creditor_names
    assert "withdraw" in creditor_names
    assert available(world.mediator1, case) == []
    [triage] = [t for t in available(world.admin, case) if t["name"] == "triage"]
    assert triage == {"name": "triage", "label": "Triage", "needs_reason": False, "target": "triaged"}
    services.case_transition(case=case, transition="triage", actor=world.admin)
    assert "start_mediation" in [t["name"] for t in available(world.mediator1, case)]


def test_a_transition_through_the_api_writes_an_event(world):
    case = world.case()
    response = post(client_for(world.admin), case, "triage")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["stage"], body["stage_display"]) == ("triaged", "Triaged")
    assert body["event"]["seq"] == 2
    assert (body["event"]["actor"], body["event"]["actor_role"]) == ("centreadmin", "centre_admin")
    case.refresh_from_db()
    assert case.stage == "triaged"
    event = CaseEvent.objects.get(case=case, seq=2)
    assert (event.action, event.from_stage, event.to_stage, event.actor) == (
        "triage", "received", "triaged", world.admin,
    )  # fmt: skip
    assert body["event"]["hash"] == event.hash == case.event_head

    withdrawn = post(client_for(world.creditor1), case, "withdraw", reason="paid outside the platform")
    assert withdrawn.status_code == 201
    assert withdrawn.json()["event"]["reason"] == "paid outside the platform"
    assert Case.objects.get(pk=case.pk).stage == "withdrawn"


def test_a_role_that_may_not_act_gets_403_on_a_visible_case_and_404_on_an_invisible_one(world):
    own = world.case()
    others = world.case(world.cf)
    response = post(client_for(world.creditor1), own, "triage")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert response.json()["detail"]
    assert post(client_for(world.creditor1), others, "triage").status_code == 404
    assert post(client_for(world.creditor1), others, "withdraw", reason="x").status_code == 404
    for case in (own, others):
        case.refresh_from_db()
        assert case.stage == "received"
        assert case.events.count() == 1


def test_refused_transitions_get_409_with_a_code(world):
    case = world.case()
    admin = client_for(world.admin)

    wrong_stage = post(client_for(world.mediator1), case, "start_mediation")
    assert wrong_stage.status_code == 409
    assert wrong_stage.json()["code"] == "wrong_stage"

    own_page = post(client_for(world.mediator1), case, "settle")  # signed on the mediation page
    assert own_page.status_code == 409
    assert own_page.json()["code"] == "dedicated"

    no_reason = post(admin, case, "withdraw")
    assert no_reason.status_code == 409
    assert no_reason.json() == {"code": "reason_required", "detail": "Give a reason for this action."}

    services.hold_place(case=case, kind="hardship", actor=world.admin, reason="hospitalised")
    on_hold = post(admin, case, "triage")
    assert on_hold.status_code == 409
    assert on_hold.json()["code"] == "on_hold"

    case.refresh_from_db()
    assert case.stage == "received"
    assert not case.events.filter(action__in=["settle", "start_mediation", "withdraw", "triage"]).exists()


def test_an_unknown_transition_is_a_400(world):
    case = world.case()
    response = post(client_for(world.admin), case, "teleport")
    assert response.status_code == 400
    assert "transition" in response.json()


def test_judge2_cannot_act_on_quanzhou_cases(world):
    case = world.case()
    client = client_for(world.judge2)
    assert client.get(f"/api/cases/{case.code}/transitions/").status_code == 404
    assert post(client, case, "close_invalid", reason="x").status_code == 404
    case.refresh_from_db()
    assert case.stage == "received"
