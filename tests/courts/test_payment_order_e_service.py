"""Electronic service of a payment order (CPL 90¶2; Interp. 135): the delivery the notice channel records is
the order's service, and the debtor's 15 days run from it. A fixed clock throughout."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Deadline, Stage
from courts import services
from courts.models import PaymentOrder
from notices.channels import sms
from notices.models import Notice

SHANGHAI = ZoneInfo("Asia/Shanghai")
ISSUED_ON = date(2026, 6, 1)  # a Monday; 15 days later, 16 June, is a working Tuesday


@pytest.fixture(autouse=True)
def notice_settings(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield settings
    sms.outbox.clear()


@pytest.fixture
def clock(monkeypatch):
    real = timezone.localdate

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        monkeypatch.setattr(
            timezone,
            "localdate",
            lambda value=None, timezone=None: moment.date() if value is None else real(value),
        )

    return set_now


def issued_order(world, clock, capture, *, consent: bool) -> PaymentOrder:
    clock(datetime(2026, 6, 1, 10, 0, tzinfo=SHANGHAI))
    case = world.case(annual_rate=Decimal("18"), address="泉州市鲤城区中山路100号", e_service_consent=consent)
    Case.objects.filter(pk=case.pk).update(stage=Stage.COURT_MEDIATION)
    case.refresh_from_db()
    order = services.payment_order_apply(case=case, actor=world.creditor1)
    order = services.payment_order_accept(order=order, actor=world.clerk1)
    with capture(execute=True):
        order = services.payment_order_issue(order=order, actor=world.judge1)
    order.refresh_from_db()
    return order


def test_payment_order_delivered_electronically_is_served_on_the_delivery_date(
    world, clock, django_capture_on_commit_callbacks
):
    order = issued_order(world, clock, django_capture_on_commit_callbacks, consent=True)
    notice = Notice.objects.get(case=order.case, kind="payment_order")
    assert notice.channel == "sms" and notice.delivered_at is not None and len(sms.outbox) == 1
    assert order.status == PaymentOrder.Status.SERVED and order.served_on == ISSUED_ON
    window = services.objection_window(order)
    assert window.starts_on == ISSUED_ON and window.due_on == date(2026, 6, 16)  # CPL 227¶2: 15 days
    # Served, so the 30-day service limit (Interp. 430) can no longer make it lapse.
    assert order.case.deadlines.get(kind=Deadline.Kind.PAYMENT_ORDER_SERVICE).status == "met"
    clock(datetime(2026, 7, 2, 10, 0, tzinfo=SHANGHAI))
    Deadline.objects.filter(case=order.case).update(calendar_warning=False)
    case_services.deadlines_act_on_due(today=date(2026, 7, 2))
    order.refresh_from_db()
    assert order.status == PaymentOrder.Status.EFFECTIVE


def test_payment_order_without_consent_is_not_served_by_a_notice(
    world, clock, django_capture_on_commit_callbacks
):
    order = issued_order(world, clock, django_capture_on_commit_callbacks, consent=False)
    assert Notice.objects.get(case=order.case, kind="payment_order").channel == "post"
    assert order.status == PaymentOrder.Status.ISSUED and order.served_on is None
