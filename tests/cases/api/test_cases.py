"""Case list and detail: each role sees exactly its scope, out of reach is 404, identifiers stay masked."""

from decimal import Decimal

import pytest

from cases import services
from cases.models import Batch, Case
from tests.core.api.conftest import client_for

ALL = ("bank", "bank_unrouted", "bank_pool", "bank_other_mediator", "cf", "rural")
SCOPES = {
    "creditor1": ("bank", "bank_unrouted", "bank_pool", "bank_other_mediator"),
    "creditor2": ("cf",),
    "mediator1": ("bank", "bank_pool", "cf"),
    "judge1": ("bank", "bank_pool", "bank_other_mediator", "cf"),
    "clerk1": ("bank", "bank_pool", "bank_other_mediator", "cf"),
    "centreadmin": ("bank", "bank_unrouted", "bank_pool", "bank_other_mediator", "cf"),
    "judge2": ("rural",),
}
USERS = {
    "creditor1": "creditor1", "creditor2": "creditor2", "mediator1": "mediator1", "judge1": "judge1",
    "clerk1": "clerk1", "centreadmin": "admin", "judge2": "judge2",
}  # fmt: skip


def listed_codes(client, query: str = "") -> set[str]:
    response = client.get(f"/api/cases/{query}")
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


@pytest.mark.parametrize("username", SCOPES)
def test_each_role_lists_exactly_its_scope(world, cases, username):
    client = client_for(getattr(world, USERS[username]))
    assert listed_codes(client) == cases.codes(*SCOPES[username])


@pytest.mark.parametrize("username", SCOPES)
def test_out_of_reach_cases_are_404_on_every_endpoint(world, cases, username):
    client = client_for(getattr(world, USERS[username]))
    for name in set(ALL) - set(SCOPES[username]):
        code = getattr(cases, name).code
        assert client.get(f"/api/cases/{code}/").status_code == 404, (username, name)
        assert client.get(f"/api/cases/{code}/transitions/").status_code == 404, (username, name)
        posted = client.post(f"/api/cases/{code}/transitions/", {"transition": "withdraw", "reason": "x"})
        assert posted.status_code == 404, (username, name)
    for name in SCOPES[username]:
        assert client.get(f"/api/cases/{getattr(cases, name).code}/").status_code == 200, (username, name)


def test_creditor2_and_judge2_reach_nothing_of_demo_bank_or_quanzhou(world, cases):
    bank_codes = cases.codes("bank", "bank_unrouted", "bank_pool", "bank_other_mediator")
    quanzhou_codes = bank_codes | cases.codes("cf")
    for user, codes in [(world.creditor2, bank_codes), (world.judge2, quanzhou_codes)]:
        client = client_for(user)
        assert not listed_codes(client) & codes
        for code in codes:
            assert client.get(f"/api/cases/{code}/").status_code == 404
            assert client.get(f"/api/cases/{code}/transitions/").status_code == 404
            posted = client.post(f"/api/cases/{code}/transitions/", {"transition": "record_full_performance"})
            assert posted.status_code == 404
    for case in Case.objects.filter(code__in=quanzhou_codes):
        assert (case.stage, case.event_seq) == ("received", 1)  # nothing above changed a case


def test_no_full_id_number_or_phone_in_any_response(world, cases):
    services.case_transition(case=cases.bank, transition="triage", actor=world.admin)
    bodies = []
    for username, names in SCOPES.items():
        client = client_for(getattr(world, USERS[username]))
        bodies.append(client.get("/api/cases/").content.decode())
        for name in names:
            code = getattr(cases, name).code
            bodies.append(client.get(f"/api/cases/{code}/").content.decode())
            bodies.append(client.get(f"/api/cases/{code}/transitions/").content.decode())
    for name in ALL:
        case = getattr(cases, name)
        case.refresh_from_db()
        id_number, phone = case.debtor.id_number, case.phone
        assert len(id_number) == 18
        assert len(phone) == 11
        for body in bodies:
            assert id_number not in body
            assert phone not in body
    detail = client_for(world.creditor1).get(f"/api/cases/{cases.bank.code}/").json()
    assert detail["id_number_masked"] == cases.bank.debtor.id_number_masked
    assert detail["id_number_masked"].count("*") == 10
    assert detail["phone_masked"] == cases.bank.phone[:3] + "****" + cases.bank.phone[-4:]


def test_detail_shows_amounts_stage_deadlines_holds_and_events(world):
    case = world.case(principal=Decimal("8000"), interest=Decimal("123.4"), fees=Decimal("0"))
    services.case_transition(case=case, transition="triage", actor=world.admin)
    services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    services.hold_place(case=case, kind="objection", actor=world.admin, reason="debtor disputes the fees")
    case.refresh_from_db()

    body = client_for(world.creditor1).get(f"/api/cases/{case.code}/").json()

    assert body["code"] == case.code
    assert body["creditor"] == "demo-bank"
    assert body["debtor_name"] == "张三"
    assert (body["principal"], body["interest"], body["fees"], body["claimed_total"]) == (
        "8000.00", "123.40", "0.00", "8123.40",
    )  # fmt: skip
    assert (body["stage"], body["stage_display"]) == ("in_mediation", "In people's mediation")
    assert body["on_hold"] is True
    [deadline] = body["open_deadlines"]
    assert deadline["kind"] == "mediation_window"
    assert deadline["days_left"] == case.deadlines.get().days_left()
    assert deadline["paused"] is True
    assert set(deadline) >= {"due_on", "calendar_warning"}
    [hold] = body["active_holds"]
    assert (hold["kind"], hold["reason"]) == ("objection", "debtor disputes the fees")
    assert [e["action"] for e in body["events"]] == ["received", "triage", "start_mediation", "hold_placed"]
    triage = body["events"][1]
    assert (triage["seq"], triage["from_stage"], triage["to_stage"]) == (2, "received", "triaged")
    assert (triage["actor"], triage["actor_role"]) == ("centreadmin", "centre_admin")
    assert body["events"][-1]["hash"] == case.event_head
    assert body["events"][0]["actor"] is None


def test_filters_narrow_the_list(world):
    batch = Batch.objects.create(centre=world.qz, creditor=world.bank, filename="june.xlsx")
    small = world.case(principal=Decimal("1000"), interest=Decimal("0"), fees=Decimal("0"), colour="green",
                       track="fast", batch=batch, debtor_name="李四")  # fmt: skip
    large = world.case(principal=Decimal("90000"), colour="red", track="slow")
    other = world.case(world.cf, principal=Decimal("5000"), interest=Decimal("0"), fees=Decimal("0"),
                       colour="green", track="fast")  # fmt: skip
    services.case_transition(case=large, transition="triage", actor=world.admin)
    admin = client_for(world.admin)

    assert listed_codes(admin) == {small.code, large.code, other.code}
    assert listed_codes(admin, "?colour=green") == {small.code, other.code}
    assert listed_codes(admin, "?track=slow") == {large.code}
    assert listed_codes(admin, "?stage=triaged") == {large.code}
    assert listed_codes(admin, f"?batch={batch.pk}") == {small.code}
    assert listed_codes(admin, "?creditor=demo-consumer-finance") == {other.code}
    assert listed_codes(admin, "?min_amount=5000") == {large.code, other.code}
    assert listed_codes(admin, "?max_amount=5000") == {small.code, other.code}
    assert listed_codes(admin, "?min_amount=2000&max_amount=80000") == {other.code}
    assert listed_codes(admin, f"?q={large.code}") == {large.code}
    assert listed_codes(admin, f"?q={other.external_ref}") == {other.code}
    assert listed_codes(admin, "?q=李四") == {small.code}
    assert listed_codes(admin, "?colour=green&creditor=demo-bank") == {small.code}
    # A filter never widens the scope.
    assert listed_codes(client_for(world.creditor1), "?creditor=demo-consumer-finance") == set()


@pytest.mark.parametrize("query", ["?stage=bogus", "?min_amount=lots", "?batch=zero", "?colour=blue"])
def test_invalid_filter_gets_400(world, query):
    response = client_for(world.admin).get(f"/api/cases/{query}")
    assert response.status_code == 400


def test_list_rows_show_amount_as_string_and_stage(world):
    case = world.case()
    [row] = client_for(world.creditor1).get("/api/cases/").json()["results"]
    assert row["code"] == case.code
    assert row["claimed_total"] == "10600.00"
    assert (row["stage"], row["stage_display"]) == ("received", "Received")
    assert row["creditor"] == "demo-bank"


def test_cursor_pagination_walks_all_cases_newest_first(world):
    made = [world.case() for _ in range(5)]
    client = client_for(world.creditor1)
    first = client.get("/api/cases/?page_size=2").json()
    assert len(first["results"]) == 2
    assert first["next"] is not None
    assert first["previous"] is None
    seen = [row["code"] for row in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen.extend(row["code"] for row in page["results"])
        url = page["next"]
    assert seen == [c.code for c in reversed(made)]
