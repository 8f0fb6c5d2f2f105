"""Payments pay the agreed instalments in due order: partly, with over-payment carried on, out of order."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from credit_repair import services
from credit_repair.allocation import Due, Paid, allocate
from credit_repair.errors import PaymentConflict
from credit_repair.models import Allocation, Payment
from credit_repair.selectors import case_ledger

from .conftest import actions, performing

D = Decimal
PLAN = [
    Due(1, 1, date(2026, 1, 31), D("3000.00")),
    Due(2, 2, date(2026, 2, 28), D("3000.00")),
    Due(3, 3, date(2026, 3, 31), D("3000.00")),
]


def shares(result):
    return [(s.payment_id, s.instalment_id, s.amount) for s in result.shares]


def test_a_partial_payment_pays_part_of_the_first_instalment():
    result = allocate(PLAN, [Paid(10, date(2026, 1, 30), D("1000.01"))])
    assert shares(result) == [(10, 1, D("1000.01"))]
    assert result.credit == 0 and result.paid_on == {}


def test_an_over_payment_runs_on_to_the_next_instalments_and_the_rest_is_a_credit():
    result = allocate(
        PLAN, [Paid(10, date(2026, 1, 30), D("4000.00")), Paid(11, date(2026, 3, 1), D("5500.00"))]
    )
    assert shares(result) == [
        (10, 1, D("3000.00")),
        (10, 2, D("1000.00")),
        (11, 2, D("2000.00")),
        (11, 3, D("3000.00")),
    ]
    assert result.credit == D("500.00")
    assert result.paid_on == {1: date(2026, 1, 30), 2: date(2026, 3, 1), 3: date(2026, 3, 1)}


def test_payments_are_applied_in_the_order_they_were_made_not_the_order_they_were_recorded():
    late_recorded_early_paid = Paid(20, date(2026, 1, 15), D("3000.00"))
    result = allocate(PLAN, [Paid(10, date(2026, 2, 20), D("3000.00")), late_recorded_early_paid])
    assert shares(result) == [(20, 1, D("3000.00")), (10, 2, D("3000.00"))]
    assert result.paid_on == {1: date(2026, 1, 15), 2: date(2026, 2, 20)}


def test_fen_are_never_lost_or_invented():
    plan = [Due(i, i, date(2026, 1, i), D("0.03")) for i in range(1, 8)]
    payments = [Paid(100 + i, date(2026, 1, 1), D("0.01")) for i in range(25)]
    result = allocate(plan, payments)
    assert sum(s.amount for s in result.shares) == D("0.21") and result.credit == D("0.04")


# --- the same through the service, on a real case ---


@pytest.fixture
def case(world):
    today = timezone.localdate()
    return performing(world, total="9000.00", count=3, first_due=today - timedelta(days=20))


def pay(world, case, amount, reference, days_ago=0):
    return services.payment_record(
        case=case,
        paid_on=timezone.localdate() - timedelta(days=days_ago),
        amount=amount,
        reference=reference,
        actor=world.creditor1,
    )


def test_the_ledger_shows_partial_and_carried_payments_and_the_balance(world, case):
    pay(world, case, "1000.00", "TX-1", days_ago=10)
    pay(world, case, "¥4,500.50", "TX-2", days_ago=5)
    ledger = case_ledger(case=case)
    assert [(i.seq, i.paid, i.outstanding) for i in ledger.instalments] == [
        (1, D("3000.00"), D("0.00")),
        (2, D("2500.50"), D("499.50")),
        (3, D("0.00"), D("3000.00")),
    ]
    assert ledger.paid == D("5500.50") and ledger.balance == D("3499.50")
    assert ledger.obligation.waived_interest == D("500.00") and ledger.obligation.basis == "settlement"
    assert Allocation.objects.filter(case=case).count() == 3
    assert actions(case)[-2:] == ["payment_recorded", "payment_recorded"]


def test_a_payment_recorded_late_but_made_earlier_is_applied_first(world, case):
    pay(world, case, "3000.00", "TX-LATE-DATE", days_ago=1)
    pay(world, case, "3000.00", "TX-EARLY-DATE", days_ago=15)
    ledger = case_ledger(case=case)
    first, second = ledger.instalments[:2]
    today = timezone.localdate()
    assert first.paid_on == today - timedelta(days=15) and second.paid_on == today - timedelta(days=1)
    by_ref = {line.payment.reference: line.shares for line in ledger.payments}
    assert by_ref == {"TX-EARLY-DATE": [(1, D("3000.00"))], "TX-LATE-DATE": [(2, D("3000.00"))]}


def test_posting_the_same_reference_again_returns_the_payment_and_counts_it_once(world, case):
    first = pay(world, case, "1000.00", "TX-SAME")
    again = pay(world, case, "1000.00", "TX-SAME")
    assert first.created and not again.created and again.payment.pk == first.payment.pk
    assert Payment.objects.filter(case=case).count() == 1
    assert case_ledger(case=case).paid == D("1000.00")
    assert actions(case).count("payment_recorded") == 1


def test_the_same_reference_with_another_amount_is_refused(world, case):
    pay(world, case, "1000.00", "TX-SAME")
    with pytest.raises(PaymentConflict, match="TX-SAME"):
        pay(world, case, "1000.01", "TX-SAME")
    assert case_ledger(case=case).paid == D("1000.00")


def test_over_payment_performs_the_case_and_is_kept_as_a_credit(world, case):
    result = pay(world, case, "9100.00", "TX-ALL", days_ago=2)
    case.refresh_from_db()
    assert result.performed and case.stage == "credit_repair"
    assert case.performed_on == timezone.localdate() - timedelta(days=2)
    ledger = case_ledger(case=case)
    assert ledger.balance == 0 and ledger.overpaid == D("100.00")
    assert actions(case)[-3:] == ["payment_recorded", "record_full_performance", "start_credit_repair"]


def test_another_creditors_staff_cannot_record_a_payment(world, case):
    from cases.errors import ActionForbidden

    with pytest.raises(ActionForbidden):
        services.payment_record(
            case=case, paid_on=timezone.localdate(), amount="10", reference="X", actor=world.creditor2
        )
    assert not Payment.objects.exists()


def test_payments_made_before_the_plan_took_effect_are_applied_to_it_by_the_daily_task(world):
    from credit_repair import tasks

    from .conftest import in_mediation

    case = in_mediation(world)
    services.payment_record(case=case, paid_on=date(2026, 9, 1), amount="3500.00", reference="EARLY",
                            actor=world.creditor1)  # fmt: skip
    assert not Allocation.objects.filter(case=case).exists()  # no plan yet: the claim is owed
    from mediation import services as mediation_services

    settlement = mediation_services.settlement_draft(
        case=case, actor=world.mediator1, kind="instalments", total=D("9000.00"), first_due=date(2026, 10, 1),
        count=3,
    )  # fmt: skip
    settlement = mediation_services.settlement_offer(settlement=settlement, actor=world.mediator1)
    mediation_services.settlement_debtor_accept(settlement=settlement, ip=None,
                                                document_sha256=settlement.document_sha256)  # fmt: skip
    # PML 29¶2: effective once the creditor has signed too and the committee's seal is applied.
    mediation_services.settlement_creditor_sign(settlement=settlement, actor=world.creditor1,
                                                document_sha256=settlement.document_sha256)  # fmt: skip
    mediation_services.settlement_mediator_sign(settlement=settlement, actor=world.mediator1, seal=True)
    counts = tasks.performance_breaches_detect()
    assert counts["rebuilt"] == 1
    assert sorted(a.amount for a in Allocation.objects.filter(case=case)) == [D("500.00"), D("3000.00")]
    assert tasks.performance_breaches_detect()["rebuilt"] == 0
