"""Days from objection to decision, median and 90th percentile, per creditor and for the whole centre."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from dashboards import selectors
from dashboards.selectors import Context, Filters, percentile_bucket
from mediation.models import Objection


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def objection(case, *, days, status="rejected"):
    filed = timezone.now() - timedelta(days=60)
    o = Objection.objects.create(
        case=case, debtor=case.debtor, ground="amount_wrong", statement="…", status=status
    )
    decided = filed + timedelta(days=days, hours=1) if days is not None else None
    Objection.objects.filter(pk=o.pk).update(created_at=filed, decided_at=decided)


def rows(user):
    figure = selectors.dashboard_figures(Context(user=user, filters=Filters()), keys=["objection_days"])[0]
    return [[str(cell) for cell in row] for row in figure.rows]


def test_percentile_bucket_on_both_sides_of_the_share():
    histogram = {1: 5, 3: 4, 9: 1}  # ten objections
    assert percentile_bucket(histogram, Decimal("0.5")) == 1  # the 5th of 10
    assert percentile_bucket(histogram, Decimal("0.9")) == 3  # the 9th of 10
    assert percentile_bucket({1: 5, 3: 6}, Decimal("0.5")) == 3  # the 5.5th falls in the second bucket
    assert percentile_bucket({}, Decimal("0.5")) is None


def test_days_from_objection_to_decision_per_creditor_and_centre(funnel):
    b = funnel.b
    for case, days in [(b.b1, 2), (b.b2, 4), (b.b3, 4), (b.b4, 12)]:
        objection(case, days=days)
    objection(funnel.c1, days=1, status="upheld")
    objection(b.b5, days=None, status="under_review")  # not decided: not counted
    objection(b.b5, days=0, status="to_plan")  # ability to pay: went to the plan, not counted
    funnel.refresh()
    admin = rows(funnel.world.admin)
    assert admin == [
        ["示范消费金融", "1", "1", "1"],
        ["示范银行", "4", "4", "12"],
        ["All creditors", "5", "4", "12"],
    ]
    # The bank's staff see their own figures only.
    assert rows(funnel.world.creditor1) == [["示范银行", "4", "4", "12"], ["All creditors", "4", "4", "12"]]


def test_plans_measured_above_affordable_and_cures_per_creditor_and_centre(funnel):
    from credit_repair.models import PlanCure
    from mediation.models import Proposal, Settlement

    b = funnel.b

    def proposal(case, reason=""):
        Proposal.objects.create(
            case=case, party="debtor", total=Decimal("1000"), amount_now=Decimal("0"), instalment_count=2,
            affordable_monthly=Decimal("400"), monthly_total=Decimal("500"), above_affordable_reason=reason,
        )  # fmt: skip

    proposal(b.b1)
    proposal(b.b2, "family helps")
    proposal(funnel.c1)
    Proposal.objects.create(  # no statement: not measured
        case=b.b3, party="debtor", total=Decimal("1000"), amount_now=Decimal("0"), instalment_count=2
    )
    settlement = Settlement.objects.create(
        case=b.b1, kind="instalments", total=Decimal("1000"), created_by=funnel.world.mediator1
    )
    today = timezone.localdate()
    PlanCure.objects.create(
        case=b.b1, settlement=settlement, missed_due_on=today, grace_ends_on=today, remaining=Decimal("100"),
        extra_instalments=1,
    )  # fmt: skip
    funnel.refresh()
    figure = selectors.dashboard_figures(
        Context(user=funnel.world.admin, filters=Filters()), keys=["plans_affordability"]
    )[0]
    assert [[str(c) for c in row] for row in figure.rows] == [
        ["示范消费金融", "1", "0", "0.0", "0"],
        ["示范银行", "2", "1", "50.0", "1"],
        ["All creditors", "3", "1", "33.3", "1"],
    ]
