"""Collection hours: the daily breach reminder found at 06:30 leaves at 08:00, and the beat runs it after
08:00 (中国银行业协会 催收工作指引 2026). A fixed clock."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from credit_repair import services
from notices import services as notice_services
from notices import tasks as notice_tasks
from notices.channels import sms
from notices.models import Notice

from .conftest import performing

SHANGHAI = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY_EVE = date(2026, 9, 30)


def test_breach_reminder_planned_at_0630_waits_for_0800(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    case = performing(world, total="9000.00", count=3, first_due=NATIONAL_DAY_EVE)
    sms.outbox.clear()
    six_thirty = datetime(2026, 10, 14, 6, 30, tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: six_thirty)
    planned: list[tuple[tuple, datetime | None]] = []
    monkeypatch.setattr(
        notice_tasks.notice_process, "apply_async", lambda args, eta=None, **kw: planned.append((args, eta))
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.breaches_detect(today=date(2026, 10, 14))
    assert counts["reminded"] == 1
    reminder = Notice.objects.get(case=case, kind="debt_collection")
    assert planned == [((reminder.pk,), datetime(2026, 10, 14, 8, 0, tzinfo=SHANGHAI))]
    assert reminder.status == Notice.Status.QUEUED and reminder.sent_at is None and sms.outbox == []


def test_the_daily_breach_reminder_is_scheduled_outside_the_quiet_hours():
    schedule = settings.CELERY_BEAT_SCHEDULE["performance-breaches-detect"]["schedule"]
    (hour,), (minute,) = schedule.hour, schedule.minute
    at = datetime(2026, 10, 14, hour, minute, tzinfo=SHANGHAI)
    assert notice_services.collection_send_not_before(at) is None
    assert (hour, minute) == (8, 30)
