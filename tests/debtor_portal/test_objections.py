"""Objections: grounds, statement and evidence; a hold while reviewed; a reasoned decision the debtor reads;
upheld objections correct the case or close it; a payment-order objection counts only inside its window."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.errors import ActionForbidden
from cases.models import Case, Deadline, Hold, Stage
from cases.services import deadlines_act_on_due
from courts.models import PaymentOrder
from mediation import debtor_services
from mediation.models import EvidenceFile, Objection

from .conftest import fake_image, identify, mediation_case, pdf_file, photo, served_payment_order

CASES = reverse("debtor:cases")


def object_(client, case, ground="amount_wrong", statement="利息计算有误", files=()):
    return client.post(
        reverse("debtor:object", args=[case.pk]),
        {"ground": ground, "statement": statement, "evidence": list(files)},
    )


def test_an_objection_with_a_photo_holds_the_case_and_keeps_the_file_private(world, english, settings):
    case = mediation_case(world)
    identify(english, case)
    response = object_(english, case, files=[photo(), pdf_file()])
    assert response.status_code == 302 and response["Location"] == f"{CASES}#case-{case.pk}"
    objection = Objection.objects.get(case=case)
    assert objection.status == Objection.Status.UNDER_REVIEW and objection.ground == "amount_wrong"
    assert objection.hold.kind == Hold.Kind.OBJECTION and objection.hold.is_active
    case.refresh_from_db()
    assert case.on_hold
    files = list(objection.evidence.order_by("pk"))
    assert [f.content_type for f in files] == ["image/png", "application/pdf"]
    stored = Path(settings.PRIVATE_STORAGE_ROOT) / files[0].path
    assert stored.exists() and "receipt" not in stored.name
    event = case.events.get(action="objection_filed")
    assert event.data["party"] == "debtor" and len(event.data["evidence"]) == 2
    assert case.events.filter(action="hold_placed").exists()
    page = english.get(CASES).content.decode()
    assert "Under review" in page and "Object to this claim" not in page


def test_identity_theft_places_an_identity_theft_hold(world, client):
    case = world.case()
    identify(client, case)
    object_(client, case, ground="not_my_debt", statement="我从未办过这张卡")
    assert Objection.objects.get(case=case).hold.kind == Hold.Kind.IDENTITY_THEFT


def test_a_file_that_is_not_really_an_image_or_too_large_is_refused(world, english, settings):
    case = world.case()
    identify(english, case)
    page = object_(english, case, files=[fake_image()])
    assert page.status_code == 200 and "is not an accepted file (JPEG, PNG, PDF)" in page.content.decode()
    settings.DEBTOR_EVIDENCE_MAX_BYTES = 10
    page = object_(english, case, files=[photo()])
    assert "larger than" in page.content.decode()
    assert not Objection.objects.exists() and not EvidenceFile.objects.exists()
    assert not Case.objects.get(pk=case.pk).on_hold


def test_the_objection_hold_pauses_the_deadlines_and_the_decision_resumes_them(world, client):
    case = mediation_case(world)
    window = case.deadlines.get(kind=Deadline.Kind.MEDIATION_WINDOW)
    identify(client, case)
    object_(client, case)
    window.refresh_from_db()
    assert window.paused_since is not None
    # The window's last day passes while held: nothing happens to the case.
    Deadline.objects.filter(pk=window.pk).update(
        due_on=timezone.localdate() - timedelta(days=1),
        calendar_warning=False,
        paused_since=timezone.now() - timedelta(days=4),
    )
    deadlines_act_on_due()
    case.refresh_from_db()
    assert case.stage == Stage.IN_MEDIATION
    debtor_services.objection_review(
        objection=Objection.objects.get(case=case), actor=world.mediator1, upheld=False, reasons="证据不足"
    )
    window.refresh_from_db()
    assert window.paused_since is None and window.held_days == 4
    assert window.due_on == timezone.localdate() + timedelta(days=3)
    assert not Case.objects.get(pk=case.pk).on_hold


def test_a_rejected_objection_shows_the_reasons_to_the_debtor(world, english):
    case = mediation_case(world)
    identify(english, case)
    object_(english, case, ground="already_paid")
    debtor_services.objection_review(
        objection=Objection.objects.get(case=case),
        actor=world.mediator1,
        upheld=False,
        reasons="The bank's statement shows no payment after June 2025.",
    )
    page = english.get(CASES).content.decode()
    assert "Rejected" in page and "no payment after June 2025" in page
    assert case.events.filter(action="objection_decided").count() == 1


def test_an_upheld_objection_corrects_the_amounts(world, client):
    case = mediation_case(world)
    identify(client, case)
    object_(client, case)
    objection = debtor_services.objection_review(
        objection=Objection.objects.get(case=case),
        actor=world.mediator1,
        upheld=True,
        reasons="违约金超出合同约定",
        amounts={"principal": Decimal("10000"), "interest": Decimal("200"), "fees": Decimal("0")},
    )
    case.refresh_from_db()
    assert (case.interest, case.fees, case.claimed_total) == (
        Decimal("200.00"),
        Decimal("0.00"),
        Decimal("10200.00"),
    )
    assert objection.outcome == Objection.Outcome.CORRECTED and not case.on_hold
    assert objection.corrected_amounts["before"]["interest"] == "500.00"
    assert "¥10,200.00" in client.get(CASES).content.decode()


def test_an_upheld_objection_closes_the_case_only_by_a_judge_or_the_centre(world, client):
    case = mediation_case(world)
    identify(client, case)
    object_(client, case, ground="not_my_debt")
    objection = Objection.objects.get(case=case)
    with pytest.raises(ActionForbidden):
        debtor_services.objection_review(
            objection=objection, actor=world.mediator1, upheld=True, reasons="冒名办卡", close=True
        )
    assert Case.objects.get(pk=case.pk).on_hold  # nothing changed
    debtor_services.objection_review(
        objection=objection, actor=world.admin, upheld=True, reasons="经核实系冒名办卡", close=True
    )
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and case.closed_reason == "经核实系冒名办卡" and not case.on_hold


def test_staff_out_of_reach_cannot_review(world, client):
    case = mediation_case(world)
    identify(client, case)
    object_(client, case)
    with pytest.raises(ActionForbidden):
        debtor_services.objection_review(
            objection=Objection.objects.get(case=case), actor=world.creditor1, upheld=False, reasons="x"
        )
    with pytest.raises(ActionForbidden):
        debtor_services.objection_review(
            objection=Objection.objects.get(case=case), actor=world.judge2, upheld=False, reasons="x"
        )


def test_one_objection_at_a_time(world, english):
    case = world.case()
    identify(english, case)
    object_(english, case)
    assert english.get(reverse("debtor:object", args=[case.pk])).status_code == 200
    response = object_(english, case, ground="other", statement="再次异议")
    assert response.status_code == 302
    assert Objection.objects.filter(case=case).count() == 1
    assert "already under review" in english.get(CASES).content.decode()


def test_a_written_objection_inside_the_window_ends_the_payment_order(world, english):
    order = served_payment_order(world, days_ago=3)
    identify(english, order.case)
    page = english.get(reverse("debtor:object", args=[order.case_id])).content.decode()
    assert "A payment order has been served on you" in page
    object_(english, order.case, ground="amount_wrong", statement="金额有误")
    order.refresh_from_db()
    objection = Objection.objects.get(case=order.case)
    assert order.status == PaymentOrder.Status.OBJECTED
    assert objection.payment_order_objection.valid and objection.payment_order_objection.form == "written"
    assert objection.hold is not None
    assert "the order no longer stands" in english.get(CASES).content.decode()


def test_an_objection_outside_the_window_does_not_end_the_order(world, english):
    order = served_payment_order(world, days_ago=20)
    identify(english, order.case)
    object_(english, order.case, ground="already_paid", statement="已经还清")
    order.refresh_from_db()
    objection = Objection.objects.get(case=order.case)
    assert order.status == PaymentOrder.Status.SERVED
    assert (
        not objection.payment_order_objection.valid
        and "after the 15-day window" in objection.payment_order_objection.invalid_reason
    )
    assert objection.hold is None and objection.status == Objection.Status.UNDER_REVIEW
    assert "does not count against the payment order" in english.get(CASES).content.decode()
    # No hold stretches the statutory window: the order takes effect as the law says.
    deadlines_act_on_due()
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.EFFECTIVE
