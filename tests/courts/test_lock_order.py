"""One lock order: a debtor's objection and a court step on the same payment order at once never deadlock.

The debtor's objection (mediation.debtor_services.objection_file) locks the Case, then reaches the payment
order; the court's steps on the order (courts.services, as the console calls them) lock the Case first too
(`lock_case_then`). Thread A holds the Case a moment before it reaches the order, so that thread B is
already waiting: with the one order B waits for the Case; with the old order (order first) they deadlock.
"""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from cases.models import Case, Deadline, Stage
from courts import services
from courts.models import PaymentOrder, PaymentOrderObjection
from mediation import debtor_services
from mediation.models import Objection

HOLD_CASE_FOR = 0.5  # seconds thread A holds the Case before it reaches the payment order


def served_order(world) -> PaymentOrder:
    case = world.case(annual_rate=Decimal("18"), address="泉州市")
    Case.objects.filter(pk=case.pk).update(stage=Stage.COURT_MEDIATION)
    case.refresh_from_db()
    order = services.payment_order_apply(case=case, actor=world.creditor1)
    order = services.payment_order_accept(order=order, actor=world.clerk1)
    order = services.payment_order_issue(order=order, actor=world.judge1)
    served = timezone.localdate() - timedelta(days=2)
    Deadline.objects.filter(case=case, kind="payment_order_service").update(starts_on=served)
    PaymentOrder.objects.filter(pk=order.pk).update(issued_on=served)
    order.refresh_from_db()
    return services.payment_order_record_service(order=order, actor=world.clerk1, served_on=served)


def slow_event_record(monkeypatch) -> None:
    """The debtor's path holds the Case lock a while before it goes on to the payment order."""
    record = debtor_services.case_event_record

    def slowly(**kwargs):
        time.sleep(HOLD_CASE_FOR)
        return record(**kwargs)

    monkeypatch.setattr(debtor_services, "case_event_record", slowly)


def run_both(world, order: PaymentOrder) -> list[BaseException]:
    """A: the debtor objects online; B: the clerk records the written objection in the console."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def debtor() -> None:
        try:
            barrier.wait(timeout=10)
            debtor_services.objection_file(
                case=order.case,
                ground=Objection.Ground.ALREADY_PAID,
                statement="已还清",
                evidence=[],
                ip=None,
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def clerk() -> None:
        try:
            barrier.wait(timeout=10)
            time.sleep(HOLD_CASE_FOR / 5)  # the debtor's transaction holds the Case by now
            services.payment_order_object(
                order=order,
                form=PaymentOrderObjection.Form.WRITTEN,
                filed_on=timezone.localdate(),
                statement="书面异议",
                actor=world.clerk1,
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=debtor), threading.Thread(target=clerk)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return errors


@pytest.mark.django_db(transaction=True)
def test_debtor_objection_and_console_step_on_one_order_wait_for_each_other(monkeypatch):
    from tests.factories import World

    world = World()
    slow_event_record(monkeypatch)
    for _round in range(3):
        order = served_order(world)
        errors = run_both(world, order)
        assert errors == []
        order.refresh_from_db()
        # Both objections are on file; the first to get the Case made the order end, the other one came late.
        objections = list(PaymentOrderObjection.objects.filter(order=order).order_by("pk"))
        assert len(objections) == 2
        assert [o.valid for o in objections] == [True, False]
        assert order.status == PaymentOrder.Status.OBJECTED
        assert Objection.objects.filter(case=order.case).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_old_order_first_lock_deadlocks(monkeypatch):
    """Without the one lock order (the payment order locked before its Case) the same two steps deadlock on
    PostgreSQL. SQLite has no row locks: its database lock serialises the two writers, so there neither
    order can deadlock and both steps finish."""
    from tests.factories import World

    world = World()
    order = served_order(world)
    slow_event_record(monkeypatch)

    def order_first(row):
        return type(row).objects.select_for_update().select_related("case").get(pk=row.pk)

    monkeypatch.setattr(services, "lock_case_then", order_first)
    errors = run_both(world, order)
    if connection.vendor != "postgresql":
        assert errors == []
        return
    assert len(errors) == 1
    assert isinstance(errors[0], OperationalError) and "deadlock detected" in str(errors[0])
