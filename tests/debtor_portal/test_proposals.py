"""Proposals and counter-offers until one is accepted; the agreement signed with a fresh code records the
time, the IP address and the document's hash."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Stage
from mediation import debtor_services
from mediation.debtor_services import Plan
from mediation.models import Proposal, Settlement
from mediation.services import (
    settlement_creditor_sign,
    settlement_document_hash,
    settlement_mediator_sign,
)
from notices.channels import sms
from tests.factories import PASSWORD

from .conftest import identify, last_code, mediation_case

CASES = reverse("debtor:cases")


def propose(client, case, **fields):
    data = {
        "total": "10,600",
        "amount_now": "600",
        "instalment_count": "10",
        "frequency": "monthly",
        "monthly_income": "4500",
        "dependants": "2",
        "other_debts": "3000",
        "note": "失业半年，刚找到工作",
    }
    data.update(fields)
    return client.post(reverse("debtor:propose", args=[case.pk]), data)


def sign(client, case, settlement, code=None, sha=None, ip="127.0.0.1"):
    url = reverse("debtor:agreement", args=[case.pk])
    client.post(url, {"step": "send"}, REMOTE_ADDR=ip)
    return client.post(
        url,
        {
            "step": "sign",
            "code": code or last_code(),
            "sha256": sha or settlement.document_sha256,
            "agree": "on",
        },
        REMOTE_ADDR=ip,
    )


def test_a_proposal_reaches_the_mediator_with_the_statement_of_means(world, client):
    case = world.case()  # received: nobody has contacted the debtor yet
    identify(client, case)
    response = propose(client, case)
    assert response.status_code == 302
    proposal = Proposal.objects.get(case=case)
    assert (proposal.total, proposal.amount_now, proposal.instalment_count) == (
        Decimal("10600.00"),
        Decimal("600.00"),
        10,
    )
    assert (proposal.monthly_income, proposal.dependants, proposal.other_debts) == (
        Decimal("4500.00"),
        2,
        Decimal("3000.00"),
    )
    assert proposal.first_due == timezone.localdate() + timedelta(days=30)
    case.refresh_from_db()
    assert case.stage == Stage.IN_MEDIATION and case.mediator_id == world.mediator1.pk
    mediator = Client()
    mediator.login(username="mediator1", password=PASSWORD)
    waiting = mediator.get(reverse("mediation_debtor:waiting")).content.decode()
    assert case.code in waiting
    panel = mediator.get(reverse("mediation_debtor:case", args=[case.pk])).content.decode()
    assert "失业半年" in panel and "¥4,500.00" in panel


def test_a_plan_that_does_not_add_up_is_refused(world, english):
    case = mediation_case(world)
    identify(english, case)
    page = propose(english, case, amount_now="20000")
    assert page.status_code == 200 and "does not add up" in page.content.decode()
    page = propose(english, case, amount_now="100", instalment_count="0")
    assert "in how many instalments" in page.content.decode()
    assert not Proposal.objects.exists()


def test_counter_offers_go_back_and_forth_until_the_debtor_accepts_and_signs(world, english):
    case = mediation_case(world)
    identify(english, case)
    propose(english, case, total="8000", amount_now="0", instalment_count="8")
    first = Proposal.objects.get(case=case)
    counter = debtor_services.proposal_counter(
        proposal=first,
        actor=world.mediator1,
        plan=Plan(total=Decimal("9800"), amount_now=Decimal("800"), instalment_count=6),
        note="利息可减免，但本金需全额",
    )
    page = english.get(CASES).content.decode()
    assert "The mediator proposes:" in page and "利息可减免" in page and "¥9,800.00" in page
    # The debtor answers with another plan: the counter-offer is countered.
    propose(english, case, total="9000", amount_now="500", instalment_count="10")
    counter.refresh_from_db()
    second = Proposal.objects.filter(party="debtor").latest("pk")
    assert counter.status == Proposal.Status.COUNTERED and second.parent == counter
    final = debtor_services.proposal_counter(
        proposal=second,
        actor=world.mediator1,
        plan=Plan(
            total=Decimal("9500"),
            amount_now=Decimal("500"),
            instalment_count=9,
            first_due=timezone.localdate() + timedelta(days=10),
        ),
    )
    response = english.post(reverse("debtor:accept_offer", args=[case.pk, final.pk]))
    assert response["Location"] == reverse("debtor:agreement", args=[case.pk])
    final.refresh_from_db()
    settlement = final.settlement
    assert final.status == Proposal.Status.ACCEPTED and settlement.status == Settlement.Status.AWAITING_DEBTOR
    amounts = [i.amount for i in settlement.instalments.order_by("seq")]
    assert amounts[0] == Decimal("500.00") and len(amounts) == 10 and sum(amounts) == Decimal("9500.00")
    assert (settlement.waived_fees, settlement.waived_interest) == (Decimal("100.00"), Decimal("500.00"))
    assert settlement.created_by == world.mediator1

    agreement = english.get(reverse("debtor:agreement", args=[case.pk])).content.decode()
    assert settlement.document_sha256 in agreement and "¥9,500.00" in agreement
    codes_before = len(sms.outbox)
    response = sign(english, case, settlement, ip="10.7.7.7")
    assert response.status_code == 302 and len(sms.outbox) == codes_before + 1
    assert "settlement agreement" in sms.outbox[-1]["text"] or "调解协议" in sms.outbox[-1]["text"]
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.AWAITING_MEDIATOR
    assert settlement.debtor_accept_ip == "10.7.7.7"
    assert abs(settlement.debtor_accepted_at - timezone.now()) < timedelta(minutes=1)
    assert settlement.document_sha256 == settlement_document_hash(settlement)
    event = case.events.get(action="settlement_accepted_by_debtor")
    assert event.data["sha256"] == settlement.document_sha256 and event.data["ip"] == "10.7.7.7"
    # PML 29¶2: the creditor signs too, then the mediator with the committee's seal: effective.
    settlement_creditor_sign(
        settlement=settlement, actor=world.creditor1, document_sha256=settlement.document_sha256
    )
    settlement_mediator_sign(settlement=settlement, actor=world.mediator1, seal=True)
    case.refresh_from_db()
    assert case.stage == Stage.SETTLED


def test_the_mediator_accepts_the_debtors_plan_as_it_is(world, english):
    case = mediation_case(world)
    identify(english, case)
    propose(english, case, total="10600", amount_now="10600", instalment_count="0")
    proposal = debtor_services.proposal_accept_by_mediator(
        proposal=Proposal.objects.get(case=case), actor=world.mediator1
    )
    settlement = proposal.settlement
    assert (
        settlement.kind == Settlement.Kind.LUMP_SUM and settlement.status == Settlement.Status.AWAITING_DEBTOR
    )
    assert [i.amount for i in settlement.instalments.all()] == [Decimal("10600.00")]
    page = english.get(CASES).content.decode()
    assert "An agreement is waiting for your signature." in page and "Propose a repayment plan" not in page
    assert english.get(reverse("debtor:agreement", args=[case.pk])).status_code == 200


def test_only_the_cases_mediator_answers_and_a_declined_plan_shows_the_reason(world, english):
    case = mediation_case(world)
    identify(english, case)
    propose(english, case)
    proposal = Proposal.objects.get(case=case)
    with pytest.raises(debtor_services.DebtorRequestError):
        debtor_services.proposal_accept_by_mediator(proposal=proposal, actor=world.admin)
    debtor_services.proposal_decline(proposal=proposal, actor=world.mediator1, note="月供过低，请重新考虑")
    page = english.get(CASES).content.decode()
    assert "Declined" in page and "月供过低" in page


def test_signing_needs_the_right_fresh_code_and_the_document_as_shown(world, english):
    case = mediation_case(world)
    identify(english, case)
    propose(english, case, total="10600", amount_now="10600", instalment_count="0")
    settlement = debtor_services.proposal_accept_by_mediator(
        proposal=Proposal.objects.get(case=case), actor=world.mediator1
    ).settlement
    url = reverse("debtor:agreement", args=[case.pk])
    english.post(url, {"step": "send"})
    right = last_code()
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    page = english.post(
        url, {"step": "sign", "code": wrong, "sha256": settlement.document_sha256, "agree": "on"}
    )
    assert page.status_code == 200 and "wrong or has expired" in page.content.decode()
    # The identification code cannot sign: a code is valid only for what it was sent for.
    response = english.post(url, {"step": "sign", "code": right, "sha256": "0" * 64, "agree": "on"})
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.AWAITING_DEBTOR and settlement.debtor_accepted_at is None
    assert response.status_code == 302  # refused by the service: the hash is not the document's


def test_a_code_sent_to_identify_does_not_sign(world, client):
    case = mediation_case(world)
    identify(client, case)
    identification_code = last_code()
    propose(client, case, total="10600", amount_now="10600", instalment_count="0")
    settlement = debtor_services.proposal_accept_by_mediator(
        proposal=Proposal.objects.get(case=case), actor=world.mediator1
    ).settlement
    url = reverse("debtor:agreement", args=[case.pk])
    client.post(
        url,
        {"step": "sign", "code": identification_code, "sha256": settlement.document_sha256, "agree": "on"},
    )
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.AWAITING_DEBTOR
