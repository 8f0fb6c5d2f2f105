"""Collection hours (中国银行业协会 催收工作指引 2026): no message between 22:00 and 08:00 Beijing time on any
channel without the debtor's consent; a send planned then leaves at 08:00. Fixed instants throughout."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mediation import services as mediation_services
from mediation.models import LateContactConsent
from notices import services

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("planned", "leaves"),
    [
        (at(14, 7, 59), at(14, 8, 0)),
        (at(14, 8, 0), None),
        (at(14, 21, 59), None),
        (at(14, 22, 0), at(15, 8, 0)),
        (at(14, 23, 30), at(15, 8, 0)),
        (at(15, 0, 0), at(15, 8, 0)),
        (datetime(2026, 10, 14, 22, 30, tzinfo=UTC), at(15, 8, 0)),  # 06:30 in Beijing
    ],
)
def test_no_collection_message_between_22_and_08_beijing_time(planned, leaves):
    assert services.collection_send_not_before(planned) == leaves
    assert mediation_services.in_quiet_hours(planned) is (leaves is not None)  # the same one rule


def test_the_debtors_consent_lets_a_message_leave_in_the_quiet_hours(world):
    case = world.case()
    assert services.notice_send_not_before(case_id=case.pk, now=at(14, 6, 30)) == at(14, 8, 0)
    LateContactConsent.objects.create(case=case, note="电话中同意晚间联系", recorded_by=world.mediator1)
    assert services.notice_send_not_before(case_id=case.pk, now=at(14, 6, 30)) is None
