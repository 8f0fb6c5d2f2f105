"""One cure before enforcement: a missed instalment may be re-scheduled once online, within the grace period
and the creditor's limits; the case stays in performance; a second breach goes on to enforcement."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail

from cases.models import Stage
from courts.enforcement_figures import enforceable_title_of
from credit_repair import services
from credit_repair.errors import RepairError
from credit_repair.models import Breach, CureLimits, PlanCure
from credit_repair.selectors import case_ledger
from mediation.models import Instalment

from .conftest import actions, performing

DUE = date(2026, 9, 30)  # Oct 1-7 2026 are holidays: 5 working days of grace end on Oct 13
GRACE_END = date(2026, 10, 13)


@pytest.fixture
def limits(world):
    world.creditor1.email = "collections@bank.example"
    world.creditor1.save()
    return CureLimits.objects.create(
        creditor=world.bank, max_extra_instalments=2, min_instalment=Decimal("1000.00")
    )


def plan(case):
    return list(
        Instalment.objects.filter(settlement__case=case, settlement__status="effective")
        .order_by("seq")
        .values_list("seq", "due_on", "amount")
    )


def test_no_cure_unless_the_creditor_set_limits(world):
    case = performing(world, total="9000.00", count=3, first_due=DUE)
    assert services.cure_offer_or_reason(case=case, today=date(2026, 10, 8)) == (None, "no_limits")


def test_the_cure_is_offered_from_the_day_after_the_due_date_to_the_last_day_of_grace(world, limits):
    case = performing(world, total="9000.00", count=3, first_due=DUE)
    assert services.cure_offer_or_reason(case=case, today=DUE) == (None, "nothing_missed")
    offer = services.cure_offer(case=case, today=date(2026, 10, 1))
    assert offer is not None and offer.grace_ends_on == GRACE_END
    offer = services.cure_offer(case=case, today=GRACE_END)
    assert (offer.remaining, offer.unpaid_count, offer.max_count) == (Decimal("9000.00"), 3, 5)
    assert services.cure_offer_or_reason(case=case, today=date(2026, 10, 14)) == (None, "grace_over")


def test_the_minimum_instalment_caps_the_number_of_instalments(world, limits):
    limits.min_instalment = Decimal("2000.00")
    limits.save()
    case = performing(world, total="9000.00", count=3, first_due=DUE)
    assert services.cure_offer(case=case, today=GRACE_END).max_count == 4  # 4 × 2,250 ≥ 2,000; 5 × 1,800 not


def test_a_cure_reschedules_the_rest_keeps_the_case_in_performance_and_tells_the_creditor(
    world, limits, django_capture_on_commit_callbacks
):
    case = performing(world, total="9000.00", count=3, first_due=DUE)
    services.payment_record(case=case, paid_on=DUE, amount="1000.00", reference="P1", actor=world.creditor1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cure = services.plan_cure(case=case, count=4, first_due=date(2026, 10, 20), today=GRACE_END)
    case.refresh_from_db()
    assert case.stage == Stage.PERFORMING
    # The part-paid first instalment keeps what was paid; the 8,000 left is spread over four months.
    assert plan(case) == [
        (1, DUE, Decimal("1000.00")),
        (2, date(2026, 10, 20), Decimal("2000.00")),
        (3, date(2026, 11, 20), Decimal("2000.00")),
        (4, date(2026, 12, 20), Decimal("2000.00")),
        (5, date(2027, 1, 20), Decimal("2000.00")),
    ]
    assert cure.remaining == Decimal("8000.00") and cure.extra_instalments == 1
    assert "plan_rescheduled" in actions(case)
    # The enforcement period now runs from the new last instalment (CPL 250).
    assert enforceable_title_of(case).last_performance_day == date(2027, 1, 20)
    assert case_ledger(case=case, today=date(2026, 10, 14)).instalments[0].status == "paid"
    assert services.breaches_detect(today=date(2026, 10, 14))["breaches"] == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["collections@bank.example"]
    assert case.code in mail.outbox[0].subject
    # Once only.
    with pytest.raises(RepairError) as again:
        services.plan_cure(case=case, count=4, first_due=date(2026, 10, 20), today=date(2026, 10, 21))
    assert again.value.code == "cure_used"


def test_a_second_breach_after_the_cure_goes_on_to_enforcement(world, limits):
    case = performing(world, total="9000.00", count=3, first_due=DUE)
    services.plan_cure(case=case, count=3, first_due=date(2026, 10, 20), today=date(2026, 10, 9))
    # Oct 20 is missed too; its grace ends Oct 27: a breach on Oct 28, no second cure.
    assert services.breaches_detect(today=date(2026, 10, 27))["breaches"] == 0
    assert services.cure_offer_or_reason(case=case, today=date(2026, 10, 27)) == (None, "used")
    assert services.breaches_detect(today=date(2026, 10, 28))["breaches"] == 1
    services.breach_request_enforcement(case=case, actor=world.creditor1)
    case.refresh_from_db()
    assert case.stage == Stage.IN_ENFORCEMENT


@pytest.mark.parametrize(
    ("count", "first_due", "code"),
    [
        (6, date(2026, 10, 20), "cure_count"),  # 3 unpaid + 2 extra at most
        (0, date(2026, 10, 20), "cure_count"),
        (5, date(2026, 11, 13), "cure_first_due"),  # more than 30 days after today
        (5, date(2026, 10, 12), "cure_first_due"),  # in the past
    ],
)
def test_a_cure_outside_the_limits_is_refused_and_the_breach_follows(world, limits, count, first_due, code):
    case = performing(world, total="9000.00", count=3, first_due=DUE)
    with pytest.raises(RepairError) as refused:
        services.plan_cure(case=case, count=count, first_due=first_due, today=GRACE_END)
    assert refused.value.code == code
    assert not PlanCure.objects.filter(case=case).exists()
    assert services.breaches_detect(today=date(2026, 10, 14))["breaches"] == 1
    assert services.cure_offer_or_reason(case=case, today=date(2026, 10, 14)) == (None, "breach")


def test_after_the_grace_period_the_cure_is_refused(world, limits):
    case = performing(world, total="9000.00", count=3, first_due=DUE)
    with pytest.raises(RepairError) as refused:
        services.plan_cure(case=case, count=3, first_due=date(2026, 10, 20), today=date(2026, 10, 14))
    assert refused.value.code == "cure_grace_over"
    assert Breach.objects.filter(case=case).count() == 0  # detection, not the refusal, records the breach


def test_creditor_staff_set_their_own_limits_and_no_one_else_may(world, client):
    from django.urls import reverse

    from cases.errors import ActionForbidden
    from tests.factories import PASSWORD

    client.login(username="creditor1", password=PASSWORD)
    url = reverse("credit_repair:cure_limits")
    response = client.post(url, {"allowed": "on", "max_extra_instalments": "2", "min_instalment": "500"})
    assert response.status_code == 302
    limits = CureLimits.objects.get()
    assert (limits.creditor, limits.allowed, limits.max_extra_instalments, limits.min_instalment) == (
        world.bank,
        True,
        2,
        Decimal("500.00"),
    )
    assert client.post(url, {"max_extra_instalments": "-1", "min_instalment": "0"}).status_code == 400
    mediator = type(client)()
    mediator.login(username="mediator1", password=PASSWORD)
    assert mediator.get(url).status_code == 403
    with pytest.raises(ActionForbidden):
        services.cure_limits_set(
            actor=world.mediator1, allowed=True, max_extra_instalments=9, min_instalment=Decimal("1")
        )
    assert CureLimits.objects.get().max_extra_instalments == 2
