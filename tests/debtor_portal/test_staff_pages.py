"""The staff side: what waits in the mediator's queue, and answering it on the case's page."""

import sys
import types

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from cases.models import Case, Stage
from mediation.models import Objection, Proposal, Settlement
from tests.factories import PASSWORD

from .conftest import identify, mediation_case, photo


def staff(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    c.cookies["django_language"] = "en"
    return c


@pytest.fixture
def asked(world, client):
    """A case with an objection (with a photo) and a proposal waiting."""
    case = mediation_case(world)
    identify(client, case)
    client.post(
        reverse("debtor:object", args=[case.pk]),
        {"ground": "amount_wrong", "statement": "罚息过高", "evidence": [photo()]},
    )
    client.post(
        reverse("debtor:propose", args=[case.pk]),
        {"total": "9000", "amount_now": "1000", "instalment_count": "8", "frequency": "monthly"},
    )
    return case


def test_the_waiting_page_and_the_queue_link_count_what_debtors_asked(world, asked):
    page = staff("mediator1").get(reverse("mediation_debtor:waiting"))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count(asked.code) == 2 and "The amount is wrong" in text
    request = RequestFactory().get("/")
    request.user = world.mediator1
    link = Template("{% load debtor_requests %}{% debtor_requests_waiting %}").render(
        Context({"request": request})
    )
    assert 'data-debtor-waiting="2"' in link
    summary = Template("{% load debtor_requests %}{% debtor_requests_for case %}").render(
        Context({"case": asked})
    )
    assert (
        'data-debtor-requests="2"' in summary and reverse("mediation_debtor:case", args=[asked.pk]) in summary
    )


def test_creditors_do_not_use_these_pages_and_cases_out_of_reach_are_not_found(world, asked):
    assert staff("creditor1").get(reverse("mediation_debtor:waiting")).status_code == 403
    assert staff("judge2").get(reverse("mediation_debtor:case", args=[asked.pk])).status_code == 404


def test_the_mediator_decides_the_objection_on_the_case_page(world, asked, english):
    mediator = staff("mediator1")
    objection = Objection.objects.get(case=asked)
    url = reverse("mediation_debtor:action", args=[asked.pk, "decide", objection.pk])
    page = mediator.post(url, {"decision": "upheld", "reasons": "罚息超出约定", "remedy": "correct"})
    assert page.status_code == 200 and "Give the corrected amount." in page.content.decode()
    response = mediator.post(
        url,
        {
            "decision": "upheld",
            "reasons": "罚息超出约定",
            "remedy": "correct",
            "principal": "10000",
            "interest": "300",
            "fees": "0",
        },
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.claimed_total == 10300 and not asked.on_hold
    assert "罚息超出约定" in english.get(reverse("debtor:cases")).content.decode()


def test_the_mediator_counters_and_accepts_on_the_case_page(world, asked):
    mediator = staff("mediator1")
    proposal = Proposal.objects.get(case=asked)
    response = mediator.post(
        reverse("mediation_debtor:action", args=[asked.pk, "counter", proposal.pk]),
        {
            "total": "9800",
            "amount_now": "800",
            "instalment_count": "6",
            "frequency": "monthly",
            "note": "本金不减",
        },
    )
    assert response.status_code == 302
    counter = Proposal.objects.get(party="mediator")
    assert counter.parent == proposal and counter.created_by == world.mediator1
    page = mediator.get(reverse("mediation_debtor:case", args=[asked.pk])).content.decode()
    assert "本金不减" in page and 'data-status="countered"' in page


def test_the_mediator_accepts_a_plan_from_the_page(world, asked):
    mediator = staff("mediator1")
    proposal = Proposal.objects.get(case=asked)
    response = mediator.post(reverse("mediation_debtor:action", args=[asked.pk, "accept", proposal.pk]))
    assert response.status_code == 302
    assert Settlement.objects.get(case=asked).status == Settlement.Status.AWAITING_DEBTOR
    assert Case.objects.get(pk=asked.pk).stage == Stage.IN_MEDIATION


def test_the_credit_record_objection_is_offered_only_when_credit_repair_provides_it(
    world, english, monkeypatch
):
    case = world.case()
    identify(english, case)
    url = reverse("debtor:credit_objection", args=[case.pk])
    monkeypatch.setitem(sys.modules, "credit_repair.services", None)
    assert "Object to your credit record" not in english.get(reverse("debtor:cases")).content.decode()
    assert english.get(url).status_code == 404

    calls = []
    fake = types.ModuleType("credit_repair.services")
    fake.credit_objection_file = lambda **kwargs: calls.append(kwargs)
    monkeypatch.setitem(sys.modules, "credit_repair.services", fake)
    assert "Object to your credit record" in english.get(reverse("debtor:cases")).content.decode()
    response = english.post(url, {"statement": "逾期记录有误", "evidence": [photo()]})
    assert response.status_code == 302
    assert calls[0]["case"] == case and calls[0]["statement"] == "逾期记录有误"
    assert [f.name for f in calls[0]["evidence"]] == ["receipt.png"]
