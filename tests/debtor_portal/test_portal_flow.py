"""The debtor's way through the portal: due dates only from an agreement in force, a counter-proposal
while an offer waits, an objection decided before signing, who to call, the document's fingerprint behind
a link, and "leave" never the first thing offered."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Organisation
from core.workdays import WorkingCalendar
from debtor_portal import selectors
from mediation import debtor_services
from mediation.debtor_services import Plan
from mediation.models import Proposal, Settlement
from mediation.services import (
    settlement_creditor_sign,
    settlement_draft,
    settlement_mediator_sign,
    settlement_seal,
)
from notices.channels import sms

from .conftest import identify, mediation_case
from .test_proposals import propose, sign

CASES = reverse("debtor:cases")


def offered(world, english, case) -> Settlement:
    """The debtor proposes, the mediator accepts: the agreement waits for the debtor's signature."""
    propose(english, case, total="10600", amount_now="600", instalment_count="10")
    return debtor_services.proposal_accept_by_mediator(
        proposal=Proposal.objects.get(case=case), actor=world.mediator1
    ).settlement


# --- due dates -------------------------------------------------------------------------------------------


def test_a_draft_or_an_unsigned_offer_shows_no_due_dates(world, english):
    case = mediation_case(world)
    identify(english, case)
    draft = settlement_draft(
        case=case, actor=world.mediator1, kind=Settlement.Kind.INSTALMENTS, total=Decimal("9000"), count=3
    )
    assert draft.status == Settlement.Status.DRAFT
    assert selectors.case_view(case).instalments == []
    assert "Instalment 1" not in english.get(CASES).content.decode()
    settlement = offered(world, english, case)
    assert selectors.case_view(case).instalments == []
    assert "Instalment 1" not in english.get(CASES).content.decode()
    sign(english, case, settlement)
    assert selectors.case_view(case).instalments == []  # signed by the debtor only: not yet in force
    settlement.refresh_from_db()
    settlement_creditor_sign(
        settlement=settlement, actor=world.creditor1, document_sha256=settlement.document_sha256
    )
    settlement_mediator_sign(settlement=settlement, actor=world.mediator1)
    assert selectors.case_view(case).instalments == []  # every party signed, not yet sealed (PML 29)
    settlement.refresh_from_db()
    settlement_seal(settlement=settlement, actor=world.mediator1)
    view = selectors.case_view(case)
    assert view.instalments and all(i.settlement_id == settlement.pk for i in view.instalments)
    assert "Instalment 1" in english.get(CASES).content.decode()


# --- counter-proposal ------------------------------------------------------------------------------------


def test_while_an_offer_waits_the_debtor_may_counter_propose_and_the_offer_is_declined(world, english):
    case = mediation_case(world)
    identify(english, case)
    settlement = offered(world, english, case)
    view = selectors.case_view(case)
    assert view.agreement_waiting and view.can_propose
    page = english.get(CASES).content.decode()
    assert "Read and sign the agreement" in page and "Propose a different plan" in page
    assert "cannot be proposed" not in page
    form = english.get(reverse("debtor:propose", args=[case.pk])).content.decode()
    assert "that agreement is declined" in form and "cannot be proposed" not in form
    response = propose(english, case, total="9000", amount_now="0", instalment_count="12")
    assert response.status_code == 302
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.VOID
    counter = Proposal.objects.filter(case=case).latest("pk")
    assert counter.party == Proposal.Party.DEBTOR and counter.status == Proposal.Status.OPEN
    assert counter.parent.settlement_id == settlement.pk
    event = case.events.filter(action="proposal_made").latest("pk")
    assert event.data["declines_settlement"] == settlement.pk
    page = english.get(CASES).content.decode()
    assert "An agreement is waiting for your signature." not in page
    assert "Your proposal is waiting for the mediator's answer:" in page
    assert english.get(reverse("debtor:agreement", args=[case.pk])).status_code == 404


def test_once_the_debtor_has_signed_no_plan_replaces_the_agreement(world, english):
    case = mediation_case(world)
    identify(english, case)
    settlement = offered(world, english, case)
    sign(english, case, settlement)
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.AWAITING_MEDIATOR
    view = selectors.case_view(case)
    assert view.signed_by_debtor and not view.can_propose
    with pytest.raises(debtor_services.DebtorRequestError):
        debtor_services.proposal_submit(
            case=case, plan=Plan(total=Decimal("9000"), amount_now=Decimal("0"), instalment_count=6)
        )
    page = english.get(CASES).content.decode()
    assert "You have signed the agreement." in page and "Propose a repayment plan" not in page
    # The mediation window no longer asks for a plan that cannot be made.
    assert "Propose a plan before then." not in page
    form = english.get(reverse("debtor:propose", args=[case.pk])).content.decode()
    assert "a new plan cannot be proposed now" in form and "Send my proposal" not in form


# --- objection before signing ----------------------------------------------------------------------------


def test_an_objection_replaces_the_signing_prompt_by_what_happens_next(world, english):
    case = mediation_case(world)
    identify(english, case)
    settlement = offered(world, english, case)
    english.post(
        reverse("debtor:object", args=[case.pk]), {"ground": "amount_wrong", "statement": "利息计算有误"}
    )
    view = selectors.case_view(case)
    assert view.objection_review is not None
    # Triaged on the merits: the mediator decides within 5 working days of the filing.
    by = WorkingCalendar.for_centre(case.centre_id).add_working_days(timezone.localdate(), 5).due
    assert view.objection_review_by == by and view.objection_review.reviewer == world.mediator1
    days = (by - timezone.localdate()).days
    page = english.get(CASES).content.decode()
    assert "Read and sign the agreement" not in page
    assert f"reviews your objection within {days} days, by {by:%Y-%m-%d}" in page
    assert "the agreement can be signed after that" in page
    agreement_url = reverse("debtor:agreement", args=[case.pk])
    agreement = english.get(agreement_url).content.decode()
    assert "What happens next" in agreement and "Send me a code to sign" not in agreement
    sent = len(sms.outbox)
    english.post(agreement_url, {"step": "send"})
    assert len(sms.outbox) == sent
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.AWAITING_DEBTOR


# --- who to contact --------------------------------------------------------------------------------------


def test_the_mediator_and_the_committees_phone_and_hours_are_shown(world, english):
    Organisation.objects.filter(pk=world.committee.pk).update(
        phone="0595-22581234", hours="周一至周五 8:30-17:30"
    )
    case = mediation_case(world)
    identify(english, case)
    contact = selectors.case_contact(case)
    name = world.mediator1.get_full_name() or world.mediator1.username
    assert (contact.mediator, contact.organisation, contact.phone) == (
        name,
        world.committee.name,
        "0595-22581234",
    )
    page = english.get(CASES).content.decode()
    assert "Contact your mediator" in page and f"Your mediator: {name}" in page
    assert 'href="tel:0595-22581234"' in page and "周一至周五 8:30-17:30" in page


def test_without_a_mediator_or_a_committee_phone_the_centre_is_shown(world, english):
    centre = Organisation.objects.get(centre=world.qz, kind=Organisation.Kind.CENTRE)
    Organisation.objects.filter(pk=centre.pk).update(phone="0595-22580000", hours="周一至周五 8:30-17:30")
    case = world.case(routed=False)
    identify(english, case)
    contact = selectors.case_contact(case)
    assert contact.mediator == "" and contact.phone == "0595-22580000" and contact.organisation == centre.name
    page = english.get(CASES).content.decode()
    assert "No mediator has your case yet. Contact the centre:" in page and "0595-22580000" in page


def test_where_no_plan_can_be_proposed_the_contact_is_given(world, english):
    from cases.models import Stage

    from .conftest import in_stage

    Organisation.objects.filter(pk=world.committee.pk).update(phone="0595-22581234")
    case = in_stage(mediation_case(world), Stage.PAYMENT_ORDER)
    identify(english, case)
    form = english.get(reverse("debtor:propose", args=[case.pk])).content.decode()
    assert "Contact the mediator, the court or the creditor." in form and "0595-22581234" in form


# --- the document's fingerprint, "leave" -----------------------------------------------------------------


def test_the_fingerprint_is_behind_verify_this_document(world, english):
    case = mediation_case(world)
    identify(english, case)
    settlement = offered(world, english, case)
    page = english.get(reverse("debtor:agreement", args=[case.pk])).content.decode()
    details = page[page.index("<details") : page.index("</details>")]
    assert "Verify this document" in details and settlement.document_sha256 in details
    assert page.count(settlement.document_sha256) == 1  # and nowhere in the main text
    assert "Document fingerprint (SHA-256)" not in page


def test_leave_is_never_the_first_button(world, english):
    case = mediation_case(world)
    identify(english, case)
    offered(world, english, case)
    sign_out = reverse("debtor:sign_out")
    for url in (
        CASES,
        reverse("debtor:propose", args=[case.pk]),
        reverse("debtor:object", args=[case.pk]),
        reverse("debtor:hardship", args=[case.pk]),
        reverse("debtor:agreement", args=[case.pk]),
    ):
        page = english.get(url).content.decode()
        main = page[page.index('<div class="debtor">') :]
        if sign_out in main:
            assert main.index(sign_out) > main.index("Add a case with its case code"), url
            assert main.index(sign_out) > main.index('class="btn'), url
