"""No door from one creditor's data into another creditor's case (the cross-tenant probe, reproduced).

A creditor uploads a case with the ID number of a person who also owes another creditor and a phone number
the creditor controls; it identifies with that case's code and receives the code on its own phone. Nothing
of the other creditor's case may then be listed, opened, downloaded or acted on.
"""

import pytest
from django.test import Client
from django.urls import reverse

from mediation.models import EvidenceFile, HardshipRequest, Objection, Proposal
from notices import links
from notices import services as notice_services
from notices.models import Kind, Notice

from .conftest import identify, mediation_case, photo

ATTACKER_PHONE = "13900000666"


@pytest.fixture
def victim(world, django_capture_on_commit_callbacks):
    """The real debtor's case at the bank: in mediation, with a served notice and an evidence file."""
    case = mediation_case(world, debtor_name="王芳", e_service_consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_services.notice_send(case=case, kind=Kind.DEBT_COLLECTION, actor=world.creditor1)
    own = Client(HTTP_ACCEPT_LANGUAGE="en")
    identify(own, case, ip="10.7.7.7")
    own.post(
        reverse("debtor:object", args=[case.pk]), {"ground": "other", "statement": "x", "evidence": [photo()]}
    )
    notice.refresh_from_db()
    return case, notice, EvidenceFile.objects.get(case=case)


@pytest.fixture
def attacker(world, victim):
    """Another creditor's case for the same ID number, with a phone that creditor controls, identified."""
    case, _notice, _evidence = victim
    planted = world.case(
        creditor=world.cf, id_number=case.debtor.id_number, debtor_name="王芳", phone=ATTACKER_PHONE
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    identify(client, planted, ip="10.6.6.6")
    return client, planted


def test_the_other_creditors_case_is_not_listed(victim, attacker):
    case, notice, _evidence = victim
    client, planted = attacker
    page = client.get(reverse("debtor:cases")).content.decode()
    assert planted.code in page
    assert case.code not in page and case.creditor.name not in page
    assert f"notice-{notice.pk}" not in page


@pytest.mark.parametrize("name", ["object", "propose", "hardship", "agreement", "credit_objection"])
def test_no_page_of_the_other_creditors_case_opens(victim, attacker, name):
    case, _notice, _evidence = victim
    client, _planted = attacker
    assert client.get(reverse(f"debtor:{name}", args=[case.pk])).status_code == 404


def test_nothing_can_be_filed_on_the_other_creditors_case(victim, attacker):
    case, _notice, _evidence = victim
    client, _planted = attacker
    before = (Objection.objects.count(), Proposal.objects.count(), HardshipRequest.objects.count())
    posts = [
        ("object", {"ground": "not_mine", "statement": "planted"}),
        ("propose", {"total": "100.00", "instalments": "1", "first_due_on": "2027-01-15"}),
        ("hardship", {"kind": "serious_illness", "statement": "planted"}),
    ]
    for name, data in posts:
        assert client.post(reverse(f"debtor:{name}", args=[case.pk]), data).status_code == 404
    assert (Objection.objects.count(), Proposal.objects.count(), HardshipRequest.objects.count()) == before
    assert not case.holds.filter(reason__contains="planted").exists()


def test_the_other_creditors_notice_and_evidence_cannot_be_downloaded(victim, attacker):
    case, notice, evidence = victim
    client, _planted = attacker
    assert client.get(reverse("debtor:notice_pdf", args=[case.pk, notice.pk])).status_code == 404
    assert client.get(reverse("debtor:evidence", args=[evidence.pk])).status_code == 404


def test_a_signed_link_to_the_other_creditors_notice_asks_for_proof_again(victim, attacker):
    case, notice, _evidence = victim
    client, _planted = attacker
    opened_before = Notice.objects.get(pk=notice.pk).opened_at
    response = client.get(reverse("debtor:notice", args=[links.notice_link_token(notice.pk)]))
    assert response.status_code == 200  # the ID-number step, not the notice
    assert 'name="id_number"' in response.content.decode()
    assert Notice.objects.get(pk=notice.pk).opened_at == opened_before
    # Knowing the ID number gets a code sent to the phone the bank holds, never to the planted one.
    client.post(
        reverse("debtor:notice", args=[links.notice_link_token(notice.pk)]),
        {"id_number": case.debtor.id_number},
    )
    from notices.channels import sms

    assert sms.outbox[-1]["to"] == case.phone_masked
    assert case.code not in client.get(reverse("debtor:cases")).content.decode()


def test_a_stranger_with_the_printed_case_code_cannot_lock_the_debtor_out(world, settings):
    case = world.case()
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    wrong = {"case_code": case.code, "id_number": "110101199003077777"}
    codes = [
        stranger.post(reverse("debtor:start"), wrong, REMOTE_ADDR="10.66.0.1").status_code for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]
    real = Client(HTTP_ACCEPT_LANGUAGE="en")
    identify(real, case, ip="10.0.0.7")
    assert case.code in real.get(reverse("debtor:cases")).content.decode()
