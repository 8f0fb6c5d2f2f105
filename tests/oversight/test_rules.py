"""Each judicial-suggestion rule fires on its pattern, and not without it."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from cases.models import Case
from mediation.models import ContactAttempt, LateContactConsent, Objection
from notices.models import Notice
from oversight.models import LenderStatus, LprRate
from oversight.rules import RULES_BY_CODE, RuleContext, figure_rows
from oversight.services import rule_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def thresholds(world):
    settings = rule_settings(world.qz)
    settings.min_cases = 4
    settings.save()
    return settings


def run(world, code, creditor=None):
    creditor = creditor or world.bank
    cases = Case.objects.filter(creditor=creditor)
    ctx = RuleContext(world.qz, creditor, rule_settings(world.qz), cases, timezone.localdate())
    return RULES_BY_CODE[code].check(ctx)


def cases(world, n, creditor=None, **fields):
    fields.setdefault("address", "福建省泉州市鲤城区中山路1号")
    return [world.case(creditor, **fields) for _ in range(n)]


def notices(cases_and_statuses):
    for case, status in cases_and_statuses:
        Notice.objects.create(case=case, kind="mediation_notice", channel="post", status=status)


def test_undeliverable_notices(world, thresholds):
    some = cases(world, 5)
    notices(zip(some, ["failed", "failed", "delivered", "delivered", "opened"], strict=True))
    found = run(world, "undeliverable_notices")
    assert found["figures"][:2] == [["Notices sent", "5"], ["Notices that could not be delivered", "2"]]
    assert sorted(found["examples"]) == sorted([some[0].code, some[1].code])
    Notice.objects.filter(status="failed").update(status="delivered")
    assert run(world, "undeliverable_notices") is None


def test_undeliverable_notices_need_a_sample(world, thresholds):
    some = cases(world, 2)
    notices(zip(some, ["failed", "failed"], strict=True))  # 100%, but of two
    assert run(world, "undeliverable_notices") is None


def test_wrong_phones(world, thresholds):
    some = cases(world, 5)
    for case, outcome in zip(
        some, ["wrong_number", "unreachable", "reached", "no_answer", "promised"], strict=True
    ):
        ContactAttempt.objects.create(case=case, mediator=world.mediator1, channel="phone", at=timezone.now(),
                                      outcome=outcome)  # fmt: skip
    found = run(world, "wrong_phones")
    assert found["figures"][1] == ["Cases with a wrong or unreachable number", "2"]
    ContactAttempt.objects.filter(outcome__in=["wrong_number", "unreachable"]).update(outcome="reached")
    assert run(world, "wrong_phones") is None


def test_missing_service_address(world, thresholds):
    cases(world, 4)
    assert run(world, "missing_service_address") is None
    missing = cases(world, 1, address="") + cases(world, 1, address="", e_service_consent=True)
    found = run(world, "missing_service_address")
    assert found["figures"][1] == [
        "Cases with neither a postal address nor consent to electronic service",
        "1",
    ]
    assert found["examples"] == [missing[0].code]


def test_excessive_charges(world, thresholds):
    cases(world, 5)  # 600 yuan on 10,000
    assert run(world, "excessive_charges") is None
    [high] = cases(world, 1, interest=Decimal("4000.00"), fees=Decimal("1500.00"))  # 55% of the principal
    found = run(world, "excessive_charges")
    assert found["figures"][2] == ["Cases above it", "1"] and found["examples"] == [high.code]
    assert ["Their interest and fees", "¥5,500.00"] in found["figures"]


def test_rate_above_four_times_lpr_for_private_lenders_only(world, thresholds):
    signed = {"contract_date": date(2025, 6, 1)}
    [high] = cases(world, 1, world.cf, annual_rate=Decimal("15.400"), **signed)
    cases(world, 1, world.cf, annual_rate=Decimal("11.900"), **signed)
    assert run(world, "rate_above_private_cap", world.cf) is None  # a licensed lender by default
    LenderStatus.objects.create(creditor=world.cf, licensed=False)
    found = run(world, "rate_above_private_cap", world.cf)  # 4 x 3.0% = 12%
    assert found["examples"] == [high.code]
    assert ["Cases above four times the LPR", "1"] in found["figures"]


def test_the_lpr_in_force_at_the_contract_date(world, thresholds):
    LenderStatus.objects.create(creditor=world.cf, licensed=False)
    LprRate.objects.create(centre=world.qz, effective_from=date(2019, 8, 20), one_year_rate=Decimal("4.15"))
    LprRate.objects.create(centre=world.qz, effective_from=date(2025, 5, 20), one_year_rate=Decimal("3.00"))
    cases(world, 1, world.cf, annual_rate=Decimal("15.400"), contract_date=date(2020, 3, 1))  # cap 16.6%
    assert run(world, "rate_above_private_cap", world.cf) is None
    [late] = cases(
        world, 1, world.cf, annual_rate=Decimal("15.400"), contract_date=date(2025, 7, 1)
    )  # cap 12%
    assert run(world, "rate_above_private_cap", world.cf)["examples"] == [late.code]


def test_objections_upheld_on_one_ground(world, thresholds):
    thresholds.upheld_objections = 2
    thresholds.save()
    some = cases(world, 3)

    def objection(case, ground, status="upheld"):
        Objection.objects.create(case=case, debtor=case.debtor, ground=ground, statement="…", status=status)

    objection(some[0], "amount_wrong")
    objection(some[1], "already_paid")
    objection(some[2], "amount_wrong", status="rejected")
    assert run(world, "objections_upheld") is None
    objection(some[2], "amount_wrong")
    found = run(world, "objections_upheld")
    with translation.override("en"):
        assert figure_rows(found) == [
            ("Objections upheld / filed on the ground: The amount is wrong", "2 / 3")
        ]
    assert sorted(found["examples"]) == sorted([some[0].code, some[2].code])


def at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(timezone.localdate() - timedelta(days=1), time(hour, minute), SHANGHAI)


def test_contacts_at_forbidden_hours(world, thresholds):
    thresholds.quiet_hour_contacts = 1
    thresholds.save()
    late, consented = cases(world, 2)
    for when in (at(21, 59), at(8, 0)):
        ContactAttempt.objects.create(
            case=late, mediator=world.mediator1, channel="phone", at=when, outcome="reached"
        )
    assert run(world, "quiet_hour_contacts") is None
    LateContactConsent.objects.create(case=consented, note="债务人同意夜间联系", recorded_by=world.mediator1)
    ContactAttempt.objects.create(
        case=consented, mediator=world.mediator1, channel="phone", at=at(23), outcome="reached"
    )
    assert run(world, "quiet_hour_contacts") is None  # consent recorded
    ContactAttempt.objects.create(
        case=late, mediator=world.mediator1, channel="phone", at=at(7, 59), outcome="reached"
    )
    found = run(world, "quiet_hour_contacts")
    assert found["examples"] == [late.code]
    assert found["figures"][1] == ["Contacts between 22:00 and 08:00 without the debtor's consent", "1"]
