"""Payment-order objections: time in the post (CPL 85¶4), ability-to-pay objections (Interp. 436), the
creditor's 7 days from receipt of the termination ruling (CPL 228; Interp. 438). A fixed clock throughout."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Deadline, Stage
from courts import services
from courts.models import PaymentOrder
from mediation import debtor_services
from mediation.models import Objection

SERVED_ON = date(2026, 6, 1)  # a Monday; 15 days later, 16 June, is a working Tuesday
LAST_DAY = date(2026, 6, 16)


@pytest.fixture
def clock(monkeypatch):
    real = timezone.localdate

    def set_today(day: date) -> None:
        monkeypatch.setattr(
            timezone, "localdate", lambda value=None, timezone=None: day if value is None else real(value)
        )

    return set_today


def served_order(world, clock) -> PaymentOrder:
    clock(SERVED_ON)
    case = world.case(annual_rate=Decimal("18"), address="泉州市")
    Case.objects.filter(pk=case.pk).update(stage=Stage.COURT_MEDIATION)
    case.refresh_from_db()
    order = services.payment_order_apply(case=case, actor=world.creditor1)
    order = services.payment_order_accept(order=order, actor=world.clerk1)
    order = services.payment_order_issue(order=order, actor=world.judge1)
    order = services.payment_order_record_service(order=order, actor=world.clerk1, served_on=SERVED_ON)
    window = services.objection_window(order)
    assert window.due_on == LAST_DAY  # CPL 227¶2: 15 days from service, the day of service not counted
    Deadline.objects.filter(pk=window.pk).update(calendar_warning=False)
    return order


def test_objection_posted_by_the_last_day_counts_though_it_arrives_later(world, clock):
    """CPL 85¶4: decided by the posting date, not the arrival."""
    order = served_order(world, clock)
    clock(date(2026, 6, 18))
    objection = services.payment_order_object(
        order=order, form="written", filed_on=date(2026, 6, 18), posted_on=LAST_DAY, statement="金额有误"
    )
    order.refresh_from_db()
    assert objection.valid and objection.posted_on == LAST_DAY
    assert order.status == PaymentOrder.Status.OBJECTED


def test_objection_posted_the_day_after_the_last_day_is_late(world, clock):
    order = served_order(world, clock)
    clock(date(2026, 6, 18))
    objection = services.payment_order_object(
        order=order,
        form="written",
        filed_on=date(2026, 6, 18),
        posted_on=date(2026, 6, 17),
        statement="金额有误",
    )
    order.refresh_from_db()
    assert not objection.valid and "2026-06-16" in objection.invalid_reason
    assert order.status == PaymentOrder.Status.SERVED


def test_objection_posted_in_time_undoes_the_effect_the_closed_window_gave_the_order(world, clock):
    order = served_order(world, clock)
    case = order.case
    clock(date(2026, 6, 17))
    case_services.deadlines_act_on_due(today=date(2026, 6, 17))
    case.refresh_from_db()
    order.refresh_from_db()
    assert case.stage == Stage.ENFORCEABLE and order.status == PaymentOrder.Status.EFFECTIVE
    assert case.deadlines.filter(kind=Deadline.Kind.ENFORCEMENT_APPLICATION, status="open").exists()

    clock(date(2026, 6, 19))
    objection = services.payment_order_object(
        order=order,
        form="written",
        filed_on=date(2026, 6, 19),
        posted_on=LAST_DAY,
        statement="借款已还清",
        actor=world.clerk1,
    )
    case.refresh_from_db()
    order.refresh_from_db()
    assert objection.valid and order.status == PaymentOrder.Status.OBJECTED
    assert case.stage == Stage.PAYMENT_ORDER and case.enforceable_title == ""
    assert not case.deadlines.filter(status="open").exists()  # no enforcement or acceptance limit left

    # CPL 228; Interp. 438: the creditor's 7 days run from receipt of the termination ruling.
    assert not case.deadlines.filter(kind=Deadline.Kind.SUIT_DECLINE).exists()
    clock(date(2026, 6, 23))
    services.payment_order_termination_ruling_received(
        order=order, actor=world.clerk1, received_on=date(2026, 6, 23)
    )
    decline = case.deadlines.get(kind=Deadline.Kind.SUIT_DECLINE)
    assert decline.starts_on == date(2026, 6, 23) and decline.due_on == date(2026, 6, 30)


def test_debtor_objection_admitting_the_debt_is_recorded_but_does_not_end_the_order(world, clock):
    """Interp. 436: "I owe it but cannot pay now" never ends the order; the judge sees it."""
    order = served_order(world, clock)
    clock(date(2026, 6, 3))
    objection = debtor_services.objection_file(
        case=order.case, ground=Objection.Ground.CANNOT_PAY_NOW, statement="需要分期", evidence=[], ip=None
    )
    order.refresh_from_db()
    recorded = objection.payment_order_objection
    assert recorded is not None and recorded.only_ability_to_pay and not recorded.valid
    assert order.status == PaymentOrder.Status.SERVED


def test_debtor_objection_disputing_the_debt_ends_the_order(world, clock):
    order = served_order(world, clock)
    clock(date(2026, 6, 3))
    objection = debtor_services.objection_file(
        case=order.case, ground=Objection.Ground.AMOUNT_WRONG, statement="金额不对", evidence=[], ip=None
    )
    order.refresh_from_db()
    assert objection.payment_order_objection.valid
    assert order.status == PaymentOrder.Status.OBJECTED


def test_the_console_records_the_posting_date_and_reverses_the_order_taking_effect(client, world, clock):
    from tests.courts.test_console import act, done

    order = served_order(world, clock)
    case = order.case
    clock(date(2026, 6, 17))
    case_services.deadlines_act_on_due(today=date(2026, 6, 17))
    assert Case.objects.get(pk=case.pk).stage == Stage.ENFORCEABLE

    clock(date(2026, 6, 19))
    client.force_login(world.judge1)
    form = {
        "po_objection-form": "written",
        "po_objection-filed_on": "2026-06-19",
        "po_objection-posted_on": "2026-06-16",
        "po_objection-statement": "借款已还清",
    }
    assert done(act(client, case, "po_objection", form))
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.OBJECTED
    assert order.objections.get().posted_on == LAST_DAY
    assert Case.objects.get(pk=case.pk).stage == Stage.PAYMENT_ORDER
