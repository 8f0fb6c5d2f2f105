"""Two requests at once: the same reference is recorded once; different payments are both counted."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from credit_repair import services
from credit_repair.models import Allocation, Payment
from credit_repair.selectors import case_ledger

from .conftest import performing


def run_together(world, case, references: list[str], amount: str = "1000.00") -> list:
    results: list = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(references))

    def post(reference: str) -> None:
        try:
            barrier.wait(timeout=10)
            result = services.payment_record(
                case=case, paid_on=date(2026, 9, 1), amount=amount, reference=reference, actor=world.creditor1
            )
            results.append(result)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(ref,)) for ref in references]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if connection.vendor == "sqlite":  # SQLite serialises writers: a loser may be told to retry, never misled
        assert all("locked" in str(e) for e in errors)
    else:
        assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_the_same_payment_posted_twice_at_once_is_recorded_once():
    from tests.factories import World

    world = World()
    case = performing(world, total="9000.00", count=3)
    results = run_together(world, case, ["SAME", "SAME", "SAME"])
    assert Payment.objects.filter(case=case).count() == 1
    assert [r.created for r in results].count(True) == 1
    assert len({r.payment.pk for r in results}) == 1
    assert case_ledger(case=case).paid == Decimal("1000.00")


@pytest.mark.django_db(transaction=True)
def test_different_payments_at_once_are_all_counted_and_allocated():
    from tests.factories import World

    world = World()
    case = performing(world, total="9000.00", count=3)
    results = run_together(world, case, ["A", "B", "C", "D"], amount="2250.00")
    recorded = Decimal("2250.00") * len(results)
    assert Payment.objects.filter(case=case).count() == len(results)
    ledger = case_ledger(case=case)
    assert ledger.paid == recorded
    assert sum(a.amount for a in Allocation.objects.filter(case=case)) == recorded
    case.refresh_from_db()
    if connection.vendor != "sqlite":
        assert recorded == Decimal("9000.00") and ledger.balance == 0 and case.stage == "credit_repair"
        assert list(case.events.values_list("action", flat=True)).count("record_full_performance") == 1
