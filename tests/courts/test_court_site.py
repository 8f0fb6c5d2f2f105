"""The court console: judges and clerks only, their court's cases only, transitions through services."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from cases import services
from cases.errors import MESSAGES
from cases.models import Case, CaseEvent, Deadline, Stage
from core.actors import SYSTEM
from tests.factories import PASSWORD, valid_id_number

LIST = reverse("court:cases_case_changelist")
DEADLINES = reverse("court:cases_deadline_changelist")


def change_url(case: Case) -> str:
    return reverse("court:cases_case_change", args=[case.pk])


def transition_url(case: Case) -> str:
    return reverse("court:cases_case_transition", args=[case.pk])


def to_confirmation_requested(world, case: Case) -> Case:
    services.case_transition(case=case, transition="triage", actor=SYSTEM, colour="green", track="fast")
    services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    services.case_transition(case=case, transition="settle", actor=world.mediator1)
    world.consent_to_confirmation(case)
    services.case_transition(case=case, transition="request_confirmation", actor=world.mediator1)
    case.refresh_from_db()
    assert case.stage == Stage.CONFIRMATION_REQUESTED
    return case


@pytest.fixture
def cases(world) -> dict[str, Case]:
    return {
        "bank": world.case(world.bank, debtor_name="王丽华", id_number=valid_id_number(501, "19851203")),
        "cf": world.case(world.cf, debtor_name="陈建国"),
        "longyan": world.case(
            world.rural, debtor_name="赖秀英", id_number=valid_id_number(777, region="350802")
        ),
    }


def test_judge_sees_the_courts_cases_only(client, world, cases):
    client.force_login(world.judge1)

    response = client.get(LIST)

    assert response.status_code == 200
    content = response.content.decode()
    assert cases["bank"].code in content
    assert cases["cf"].code in content
    assert cases["longyan"].code not in content
    assert "王丽华" in content
    assert cases["bank"].debtor.id_number_masked in content
    assert valid_id_number(501, "19851203") not in content  # the full ID number never shows in the list


def test_clerk_gets_in_too(client, world, cases):
    client.force_login(world.clerk1)

    assert client.get(reverse("court:index")).status_code == 200
    assert cases["bank"].code in client.get(LIST).content.decode()


def test_judge_of_another_centre_gets_nothing_of_quanzhou(client, world, cases):
    client.force_login(world.judge2)

    content = client.get(LIST).content.decode()
    assert cases["longyan"].code in content
    assert cases["bank"].code not in content

    response = client.get(change_url(cases["bank"]))
    assert response.status_code == 404
    assert "王丽华" not in response.content.decode()

    response = client.post(transition_url(cases["bank"]), {"transition": "triage"})
    assert response.status_code == 404
    cases["bank"].refresh_from_db()
    assert cases["bank"].stage == Stage.RECEIVED


def test_deadline_queue_is_the_courts_own(client, world, cases):
    for case, mediator in ((cases["bank"], world.mediator1), (cases["longyan"], SYSTEM)):
        services.case_transition(case=case, transition="triage", actor=SYSTEM)
        services.case_transition(case=case, transition="start_mediation", actor=mediator)
    client.force_login(world.judge1)

    response = client.get(DEADLINES)

    assert response.status_code == 200
    content = response.content.decode()
    assert cases["bank"].code in content
    assert cases["longyan"].code not in content


@pytest.mark.parametrize("username", ["creditor1", "mediator1", "centreadmin"])
def test_other_roles_cannot_open_the_console(client, world, cases, username):
    client.force_login(get_user_model().objects.get(username=username))

    for url in (reverse("court:index"), LIST, change_url(cases["bank"]), DEADLINES):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("court:login"))
    response = client.post(transition_url(cases["bank"]), {"transition": "withdraw", "reason": "撤回"})
    assert response.status_code == 302
    cases["bank"].refresh_from_db()
    assert cases["bank"].stage == Stage.RECEIVED


def test_superuser_without_a_court_membership_is_kept_out(client, world, cases):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client.force_login(admin)

    response = client.get(LIST)

    assert response.status_code == 302
    assert cases["bank"].code not in response.content.decode()


def test_court_login_form_lets_judges_in_and_keeps_creditors_out(client, world):
    login = reverse("court:login")

    refused = client.post(login, {"username": "creditor1", "password": PASSWORD})
    assert refused.status_code == 200  # the form again, with an error
    assert refused.context["form"].errors
    assert client.get(reverse("court:index")).status_code == 302

    accepted = client.post(login, {"username": "judge1", "password": PASSWORD})
    assert accepted.status_code == 302
    assert client.get(reverse("court:index")).status_code == 200


def test_case_page_shows_the_file_the_history_and_the_judges_buttons(client, world, cases):
    case = to_confirmation_requested(world, cases["bank"])
    client.force_login(world.judge1)

    response = client.get(change_url(case))

    assert response.status_code == 200
    content = response.content.decode()
    assert case.external_ref in content
    assert "¥10,600.00" in content  # claimed total in yuan
    assert case.debtor.id_number_masked in content
    assert valid_id_number(501, "19851203") not in content
    assert 'value="confirm"' in content
    assert 'value="reject_confirmation"' in content
    assert 'value="withdraw"' not in content  # creditors' and admins' action, not the judge's
    # received, triage, start_mediation, settle, both consents to the joint application (CPL 205), request
    assert [row["seq"] for row in response.context["events"]] == [1, 2, 3, 4, 5, 6, 7]


def test_judge_confirms_a_settlement_through_the_console(client, world, cases):
    case = to_confirmation_requested(world, cases["bank"])
    client.force_login(world.judge1)

    response = client.post(transition_url(case), {"transition": "confirm", "reason": "协议合法有效"})

    # a bare button never signs: it shows the ruling's preview, and the ruling is signed from there
    assert response.status_code == 200 and 'id="sign-form"' in response.content.decode()
    assert "协议合法有效" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == Stage.CONFIRMATION_REQUESTED
    response = client.post(
        reverse("court:cases_case_act", args=[case.pk, "confirm"]),
        {"confirm-reasons": "协议合法有效", "_previewed": "1"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(change_url(case))
    case.refresh_from_db()
    assert case.stage == Stage.CONFIRMED
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert (event.action, event.actor, event.actor_role, event.reason) == (
        "confirm",
        world.judge1,
        "judge",
        "协议合法有效",
    )
    assert (event.from_stage, event.to_stage) == (Stage.CONFIRMATION_REQUESTED, Stage.CONFIRMED)
    page = client.get(change_url(case))
    assert "协议合法有效" in page.content.decode()
    assert len(list(page.context["messages"])) == 1


def test_refused_transitions_change_nothing_and_say_why(client, world, cases):
    case = to_confirmation_requested(world, cases["bank"])
    events_before = CaseEvent.objects.filter(case=case).count()

    client.force_login(world.clerk1)  # confirming is the judge's
    client.post(transition_url(case), {"transition": "confirm"})
    client.force_login(world.judge1)  # rejecting needs a reason
    response = client.post(
        transition_url(case), {"transition": "reject_confirmation", "reason": "  "}, follow=True
    )

    case.refresh_from_db()
    assert case.stage == Stage.CONFIRMATION_REQUESTED
    assert CaseEvent.objects.filter(case=case).count() == events_before
    with translation.override("zh-hans"):
        expected = [str(MESSAGES["forbidden"]), str(MESSAGES["reason_required"])]
    assert [(m.level_tag, m.message) for m in response.context["messages"]] == [
        ("error", e) for e in expected
    ]


def test_transition_needs_post(client, world, cases):
    client.force_login(world.judge1)

    assert client.get(transition_url(cases["bank"]) + "?transition=triage").status_code == 405


def test_search_by_exact_id_number_finds_the_case(client, world, cases):
    client.force_login(world.judge1)
    id_number = valid_id_number(501, "19851203")

    found = client.get(LIST, {"q": id_number}).content.decode()
    assert cases["bank"].code in found
    assert cases["cf"].code not in found

    lowercase_x = client.get(LIST, {"q": f" {id_number.lower()} "}).content.decode()
    assert cases["bank"].code in lowercase_x

    elsewhere = client.get(LIST, {"q": valid_id_number(777, region="350802")}).content.decode()
    assert cases["longyan"].code not in elsewhere


def test_search_by_code_contract_number_and_name(client, world, cases):
    client.force_login(world.judge1)

    for term in (cases["bank"].code, cases["bank"].external_ref, "王丽华"):
        content = client.get(LIST, {"q": term}).content.decode()
        assert cases["bank"].code in content
        assert cases["cf"].code not in content


def test_creditor_filter_offers_the_centres_creditors_only(client, world, cases):
    client.force_login(world.judge1)

    response = client.get(LIST, {"creditor": str(world.cf.pk)})

    content = response.content.decode()
    assert cases["cf"].code in content
    assert cases["bank"].code not in content
    assert world.cf.name in content and world.bank.name in content
    assert world.rural.name not in content


def test_deadline_queue_filters_what_is_overdue(client, world, cases):
    services.case_transition(case=cases["bank"], transition="triage", actor=SYSTEM)
    services.case_transition(case=cases["bank"], transition="start_mediation", actor=world.mediator1)
    services.case_transition(case=cases["cf"], transition="triage", actor=SYSTEM)
    services.case_transition(case=cases["cf"], transition="start_mediation", actor=world.mediator1)
    # the bank case's mediation window ran out yesterday
    Deadline.objects.filter(case=cases["bank"]).update(due_on=timezone.localdate() - timedelta(days=1))
    client.force_login(world.judge1)

    overdue = client.get(DEADLINES, {"due": "overdue"}).content.decode()
    later = client.get(DEADLINES, {"due": "later"}).content.decode()

    assert cases["bank"].code in overdue and cases["cf"].code not in overdue
    assert cases["cf"].code in later and cases["bank"].code not in later
