"""Hardship relief: a hold and a flag for the mediator, then the outcome recorded and shown to the debtor."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Colour, Hold
from mediation import debtor_services
from mediation.models import HardshipRequest
from mediation.services import triage_ruleset_ensure_default
from tests.factories import PASSWORD

from .conftest import identify, mediation_case, pdf_file

CASES = reverse("debtor:cases")


@pytest.fixture
def requested(world, english):
    triage_ruleset_ensure_default(world.qz)
    case = mediation_case(world)
    identify(english, case)
    response = english.post(
        reverse("debtor:hardship", args=[case.pk]),
        {
            "kind": "serious_illness",
            "statement": "确诊尿毒症，每周透析三次",
            "evidence": [pdf_file("诊断证明.pdf")],
        },
    )
    assert response.status_code == 302
    return HardshipRequest.objects.get(case=case)


def test_a_request_holds_the_case_and_flags_it_to_the_mediator(world, requested):
    case = Case.objects.get(pk=requested.case_id)
    assert requested.hold.kind == Hold.Kind.HARDSHIP and requested.hold.is_active and case.on_hold
    assert requested.evidence.get().original_name == "诊断证明.pdf"
    assert case.colour == Colour.RED  # retriaged: "stated hardship" is handled with care
    assert case.events.filter(action="hardship_requested").exists()
    mediator = Client()
    mediator.login(username="mediator1", password=PASSWORD)
    waiting = mediator.get(reverse("mediation_debtor:waiting")).content.decode()
    assert case.code in waiting
    assert mediator.get(reverse("mediation_debtor:case", args=[case.pk])).status_code == 200


def test_the_outcome_is_recorded_the_hold_lifted_and_the_debtor_told(world, english, requested):
    debtor_services.hardship_decide(
        request=requested,
        actor=world.mediator1,
        outcome=HardshipRequest.Outcome.WAIVE,
        note="Interest and fees waived given the illness.",
        waived_interest=Decimal("500"),
        waived_fees=Decimal("100"),
    )
    requested.refresh_from_db()
    assert requested.status == HardshipRequest.Status.DECIDED and requested.waived_interest == Decimal("500")
    assert not requested.hold.is_active and not Case.objects.get(pk=requested.case_id).on_hold
    page = english.get(CASES).content.decode()
    assert "Fees or interest waived" in page and "given the illness" in page


def test_a_pause_keeps_the_hold_until_it_is_ended(world, requested):
    with pytest.raises(debtor_services.DebtorRequestError):
        debtor_services.hardship_decide(
            request=requested, actor=world.mediator1, outcome="pause", note="治疗期间暂停"
        )
    debtor_services.hardship_decide(
        request=requested,
        actor=world.mediator1,
        outcome="pause",
        note="治疗期间暂停",
        pause_until=timezone.localdate() + timedelta(days=90),
    )
    requested.refresh_from_db()
    assert requested.hold.is_active
    debtor_services.hardship_pause_end(request=requested, actor=world.mediator1)
    requested.hold.refresh_from_db()
    assert not requested.hold.is_active


def test_one_request_at_a_time_and_the_creditor_cannot_decide(world, english, requested):
    response = english.post(
        reverse("debtor:hardship", args=[requested.case_id]), {"kind": "unemployment", "statement": "again"}
    )
    assert response.status_code == 302 and HardshipRequest.objects.count() == 1
    with pytest.raises(debtor_services.ActionForbidden):
        debtor_services.hardship_decide(
            request=requested, actor=world.creditor1, outcome="refused", note="no"
        )
