"""Each figure on the hand-built funnel of conftest.py, whose answers are known."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from cases.models import Deadline
from dashboards import selectors
from dashboards.selectors import Context, Filters
from mediation.models import ContactAttempt, Objection
from notices.models import Notice
from tests.credit_repair.factories import PaymentFactory


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def figure(user, key, **filters):
    figures = selectors.dashboard_figures(Context(user=user, filters=Filters(**filters)), keys=[key])
    return figures[0]


def table(user, key, **filters):
    return figure(user, key, **filters).rows


def kpis(user, **filters):
    return {str(t["label"]): t["value"] for t in selectors.dashboard_kpis(Context(user, Filters(**filters)))}


def test_cases_per_stage_and_the_funnel(funnel):
    funnel.refresh()
    w = funnel.world
    assert table(w.creditor1, "stages") == [
        ["Received", 1], ["Settled", 1], ["Payment order", 1], ["Performed", 1], ["Withdrawn", 1]
    ]  # fmt: skip
    assert table(w.creditor1, "funnel") == [
        ["Received", 5, 1], ["Triaged", 4, 0], ["In people's mediation", 3, 0], ["In court mediation", 1, 0],
        ["Settled", 2, 1], ["Payment order", 1, 1], ["Performed", 1, 1], ["Withdrawn", 1, 1],
    ]  # fmt: skip
    chart = figure(w.creditor1, "funnel").chart
    assert chart["type"] == "funnel" and chart["values"] == [5, 4, 3, 1, 2, 1, 1, 1]


def test_flow_between_stages_keeps_returns_out_of_the_sankey(funnel):
    funnel.refresh()
    w = funnel.world
    assert table(w.creditor1, "flow") == [
        ["Received", "Triaged", 4], ["Triaged", "In people's mediation", 3], ["Triaged", "Withdrawn", 1],
        ["In people's mediation", "In court mediation", 1], ["In people's mediation", "Settled", 2],
        ["In court mediation", "Payment order", 1], ["Settled", "Performed", 1],
    ]  # fmt: skip
    centre = figure(w.admin, "flow")
    assert ["Payment order", "In court mediation", 1] in centre.rows  # C1's lapsed order
    links = {(link["source"], link["target"]): link["value"] for link in centre.chart["links"]}
    assert ("Payment order", "In court mediation") not in links
    assert links[("In court mediation", "Payment order")] == 2


def test_resolution_rate_before_filing(funnel):
    funnel.refresh()
    w = funnel.world
    by_creditor = {row[0]: row[1:] for row in table(w.admin, "resolution")}
    assert by_creditor == {"示范银行": [5, 2, Decimal("40.0"), 1], "示范消费金融": [1, 0, Decimal("0.0"), 1]}
    assert kpis(w.creditor1)["Resolved before filing"] == 2


def test_closure_rate_by_batch_within_30_60_90_days(funnel):
    funnel.refresh()
    w = funnel.world
    rows = {row[0]: row[2:] for row in table(w.creditor1, "closure")}
    x, y = f"#{funnel.batch_x.pk} x.xlsx", f"#{funnel.batch_y.pk} y.xlsx"
    assert rows[x] == [3, Decimal("33.3"), Decimal("33.3"), Decimal("33.3")]
    assert rows[y] == [2, Decimal("0.0"), Decimal("50.0"), Decimal("50.0")]
    cf_rows = table(w.creditor2, "closure")  # received 10 days ago: too young for any of the rates
    assert cf_rows[0][2:] == [1, None, None, None]


def test_claimed_recovered_and_the_recovery_rate(funnel):
    w, b = funnel.world, funnel.b
    PaymentFactory(case=b.b1, creditor=w.bank, paid_on=date(2026, 1, 5), amount=Decimal("10600.00"),
                           reference="P1", source="portal")  # fmt: skip
    PaymentFactory(case=b.b3, creditor=w.bank, paid_on=date(2026, 1, 6), amount=Decimal("3000.00"),
                           reference="P2", source="portal")  # fmt: skip
    funnel.refresh()
    [row] = table(w.creditor1, "recovery")
    assert row[1:] == [Decimal("53000.00"), Decimal("13600.00"), Decimal("25.7")]
    tiles = kpis(w.creditor1)
    assert tiles["Amount claimed"] == Decimal("53000.00") and tiles["Amount recovered"] == Decimal("13600.00")


def test_median_days_per_stage(funnel):
    funnel.refresh()
    medians = {row[0]: (row[1], row[2]) for row in table(funnel.world.creditor1, "durations")}
    assert medians["In people's mediation"] == (3, "10")  # 10, 30 and 6 days
    assert medians["Received"] == (4, "1")  # 1, 1, 2, 1
    assert medians["Triaged"] == (4, "2")  # 1, 2, 2 and 49 (in the 46-60 range)
    assert medians["Settled"] == (1, "8")
    assert "Payment order" not in medians  # B2 is still there: no completed stay


def test_median_of_long_stays_is_a_range():
    assert selectors.days_label(selectors.median_bucket({45: 2, 3: 1})) == "31–45"
    assert selectors.days_label(1000) == "over 365"


def test_objections_and_their_outcomes(funnel):
    b = funnel.b
    for case, ground, status, outcome in [
        (b.b2, "amount_wrong", "upheld", "corrected"), (b.b3, "not_my_debt", "rejected", ""),
        (b.b5, "amount_wrong", "under_review", ""),
    ]:  # fmt: skip
        Objection.objects.create(case=case, debtor=case.debtor, ground=ground, statement="…", status=status,
                                 outcome=outcome)  # fmt: skip
    funnel.refresh()
    rows = table(funnel.world.creditor1, "objections")
    # ground, filed, under review, upheld, rejected, sent to the repayment plan, corrected or closed
    assert rows == [
        ["Not my debt (identity theft)", 1, 0, 0, 1, 0, 0],
        ["The amount is wrong", 2, 1, 1, 0, 0, 1],
    ]


def test_deadlines_due_overdue_and_missed(funnel):
    b, today = funnel.b, timezone.localdate()
    Deadline.objects.filter(case=b.b1, kind="record_removal").update(due_on=today + timedelta(days=2))
    Deadline.objects.filter(case=b.b2, kind="payment_order_acceptance").update(
        due_on=today - timedelta(days=1)
    )
    Deadline.objects.filter(case=b.b3, kind="confirmation_application").update(status="expired")
    funnel.refresh()
    rows = {row[0]: row[1:] for row in table(funnel.world.judge1, "deadlines")}
    # open, due within 7 days, past due still open, met, missed
    assert rows["Remove from the dishonest list"] == [1, 1, 0, 0, 0]
    assert rows["Accept payment-order application"] == [1, 0, 1, 1, 0]  # B2's overdue; C1's met at the lapse
    assert rows["Apply for judicial confirmation"] == [0, 0, 0, 1, 1]
    assert kpis(funnel.world.creditor1)["Deadlines missed"] == 1
    court = kpis(funnel.world.judge1)
    assert court["Time limits due within 7 days"] == 1 and court["Past due, still open"] == 1


def test_notices_delivered_and_opened(funnel):
    b = funnel.b
    sent = [("sms", "delivered"), ("sms", "opened"), ("post", "failed"), ("email", "sent"), ("sms", "queued")]
    for case, (channel, status) in zip([b.b1, b.b2, b.b3, b.b4, b.b5], sent, strict=True):
        Notice.objects.create(case=case, kind="mediation_notice", channel=channel, status=status)
    funnel.refresh()
    rows = {row[0]: row[1:] for row in table(funnel.world.creditor1, "notices")}
    # sent, delivered, opened, failed, delivered %, opened %
    assert rows["SMS"] == [2, 2, 1, 0, Decimal("100.0"), Decimal("50.0")]
    assert rows["Post"] == [1, 0, 0, 1, Decimal("0.0"), Decimal("0.0")]
    assert rows["E-mail"] == [1, 0, 0, 0, Decimal("0.0"), Decimal("0.0")]
    assert kpis(funnel.world.creditor1)["Notices delivered"] == 2


def test_filters_by_period_product_colour_and_creditor(funnel):
    funnel.refresh()
    w = funnel.world
    assert table(w.creditor1, "stages", product="consumer_loan") == [["Received", 1], ["Withdrawn", 1]]
    assert table(w.admin, "stages", colour="red") == []
    assert kpis(w.admin, creditor_id=w.cf.pk)["Cases received"] == 1
    funnel.c1.refresh_from_db()
    c1_month = timezone.localdate(funnel.c1.created_at).replace(day=1)
    assert kpis(w.admin, since=c1_month)["Cases received"] == 1  # the bank's cases came 100 days ago
    assert kpis(w.admin, until=c1_month - timedelta(days=1), track="fast")["Cases received"] == 4


def test_mediator_own_performance(funnel):
    w, b = funnel.world, funnel.b
    now = timezone.now()
    ContactAttempt.objects.create(case=b.b1, mediator=w.mediator1, channel="phone", at=now, outcome="reached")
    ContactAttempt.objects.create(
        case=b.b2, mediator=w.mediator1, channel="phone", at=now, outcome="wrong_number"
    )
    tiles = kpis(w.mediator1)
    assert tiles["Cases assigned to me"] == 6 and tiles["Settled"] == 2
    assert tiles["Settlement rate"] == "33.3%" and tiles["Contact attempts"] == 2
    [row] = table(w.mediator1, "contacts")
    assert row[0] == f"{timezone.localdate():%Y-%m}" and row[-1] == 2
