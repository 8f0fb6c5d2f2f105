"""Breaches: a missed instalment counts only after the centre's grace period in working days (holidays and
adjusted working weekends included); the debtor is reminded; the creditor may ask for enforcement."""

from datetime import date
from decimal import Decimal

import pytest

from cases.errors import ActionForbidden
from cases.models import Case, Stage
from core.workdays import WorkingCalendar
from courts.models import Enforcement
from credit_repair import rules, services
from credit_repair.errors import RepairError
from credit_repair.models import Breach
from credit_repair.selectors import case_ledger
from notices.models import Notice

from .conftest import actions, performing, settled

NATIONAL_DAY_EVE = date(2026, 9, 30)  # Oct 1-7 2026 are holidays; Saturday Oct 10 is a working day


def test_the_grace_period_counts_working_days_on_the_centres_calendar(world):
    work_calendar = WorkingCalendar.for_centre(world.qz)
    # 5 working days after Sep 30: Oct 8, 9, 10 (adjusted working Saturday), 12, 13.
    assert rules.grace_ends_on(
        due_on=NATIONAL_DAY_EVE, grace_working_days=5, work_calendar=work_calendar
    ) == date(2026, 10, 13)
    # Every due date from Sep 30 to Oct 7 ends its grace on Oct 13: on Oct 14 they are all breaches.
    assert rules.breach_cutoff(
        today=date(2026, 10, 14), grace_working_days=5, work_calendar=work_calendar
    ) == date(2026, 10, 7)
    assert rules.breach_cutoff(
        today=date(2026, 10, 13), grace_working_days=5, work_calendar=work_calendar
    ) == date(2026, 9, 29)


def test_an_unpaid_instalment_is_a_breach_only_after_the_grace_period_across_national_day(world):
    assert world.qz.performance_grace_days == 5
    case = performing(world, total="9000.00", count=3, first_due=NATIONAL_DAY_EVE)
    services.payment_record(
        case=case, paid_on=date(2026, 9, 30), amount="1000.00", reference="P1", actor=world.creditor1
    )
    # A weekday count would end the grace on Oct 7; the holidays push it to Oct 13.
    for day in (date(2026, 10, 8), date(2026, 10, 12), date(2026, 10, 13)):
        assert services.breaches_detect(today=day)["breaches"] == 0
    counts = services.breaches_detect(today=date(2026, 10, 14))
    assert counts == {"breaches": 1, "cases": 1, "reminded": 1}
    breach = Breach.objects.get(case=case)
    assert (breach.due_on, breach.grace_ends_on, breach.unpaid) == (
        NATIONAL_DAY_EVE,
        date(2026, 10, 13),
        Decimal("2000.00"),
    )
    assert breach.instalment.seq == 1 and breach.status == Breach.Status.OPEN
    assert breach.reminder.kind == "debt_collection" and breach.reminded_at is not None
    assert Notice.objects.filter(case=case, kind="debt_collection").count() == 1
    assert actions(case)[-2:] == ["performance_breach", "notice_queued"]
    assert services.breaches_detect(today=date(2026, 10, 15))["breaches"] == 0  # recorded once
    assert case_ledger(case=case).instalments[0].status == "breached"
    # The next instalment missed too: a second breach is a second letter, not the first one again.
    assert services.breaches_detect(today=date(2026, 11, 10))["reminded"] == 1
    second = Breach.objects.filter(case=case).order_by("pk").last()
    assert second.reminder_id not in (None, breach.reminder_id)
    assert Notice.objects.filter(case=case, kind="debt_collection").count() == 2


def test_the_adjusted_working_saturday_counts_towards_the_grace(world):
    world.qz.performance_grace_days = 3
    world.qz.save()
    case = performing(world, total="3000.00", count=1, first_due=date(2026, 10, 7))
    # Oct 8, 9 and Saturday Oct 10 (a working day) end the grace: Sunday Oct 11 is already a breach.
    assert services.breaches_detect(today=date(2026, 10, 10))["breaches"] == 0
    assert services.breaches_detect(today=date(2026, 10, 11))["breaches"] == 1
    assert Breach.objects.get(case=case).grace_ends_on == date(2026, 10, 10)


def test_a_paid_instalment_is_no_breach_and_a_late_payment_cures_one(world):
    paid = performing(world, total="6000.00", count=2, first_due=NATIONAL_DAY_EVE)
    services.payment_record(
        case=paid, paid_on=date(2026, 9, 29), amount="3000.00", reference="A1", actor=world.creditor1
    )
    late = performing(world, total="6000.00", count=2, first_due=NATIONAL_DAY_EVE)
    assert services.breaches_detect(today=date(2026, 10, 20))["cases"] == 1
    assert not Breach.objects.filter(case=paid).exists()
    services.payment_record(
        case=late, paid_on=date(2026, 10, 21), amount="3000.00", reference="B1", actor=world.creditor1
    )
    breach = Breach.objects.get(case=late)
    assert breach.status == Breach.Status.CURED and breach.cured_on == date(2026, 10, 21)


def test_cases_on_hold_are_not_put_in_breach(world):
    from cases.services import hold_place

    case = performing(world, total="3000.00", count=1, first_due=NATIONAL_DAY_EVE)
    hold_place(case=case, kind="hardship", actor=world.admin, reason="hospital")
    assert services.breaches_detect(today=date(2026, 10, 20))["breaches"] == 0


def test_an_effective_judgment_unpaid_after_its_period_is_a_breach(world):
    case = world.case()
    Case.objects.filter(pk=case.pk).update(
        stage=Stage.ENFORCEABLE, enforceable_title="judgment", performance_due_on=NATIONAL_DAY_EVE
    )
    services.breaches_detect(today=date(2026, 10, 14))
    breach = Breach.objects.get(case=case)
    assert breach.instalment is None and breach.unpaid == case.claimed_total


def test_the_creditor_may_ask_the_court_to_enforce_a_breached_confirmed_settlement(world):
    case = performing(world, total="9000.00", count=3, first_due=NATIONAL_DAY_EVE)
    services.payment_record(
        case=case, paid_on=date(2026, 9, 30), amount="500.00", reference="P1", actor=world.creditor1
    )
    services.breaches_detect(today=date(2026, 10, 14))
    with pytest.raises(ActionForbidden):
        services.breach_request_enforcement(case=case, actor=world.mediator1)
    enforcement = services.breach_request_enforcement(case=case, actor=world.creditor1)
    case.refresh_from_db()
    assert case.stage == Stage.IN_ENFORCEMENT
    assert enforcement.amount == Decimal("8500.00") and Enforcement.objects.filter(case=case).count() == 1
    assert Breach.objects.get(case=case).status == Breach.Status.ENFORCEMENT
    assert "apply_enforcement" in actions(case)


def test_an_unconfirmed_settlement_cannot_be_enforced(world):
    from cases.services import case_transition

    case = settled(world, total="3000.00", count=1, first_due=NATIONAL_DAY_EVE)
    case_transition(case=case, transition="perform_without_confirmation", actor=world.creditor1)
    services.breaches_detect(today=date(2026, 10, 14))
    with pytest.raises(RepairError) as refused:
        services.breach_request_enforcement(case=case, actor=world.creditor1)
    assert refused.value.code == "no_title"
    case.refresh_from_db()
    assert case.stage == Stage.PERFORMING


def test_payments_count_towards_the_earliest_instalments_first(world):
    case = performing(world, total="9000.00", count=3, first_due=date(2026, 8, 31))  # Aug 31, Sep 30, Oct 31
    services.payment_record(case=case, paid_on=date(2026, 9, 1), amount="3500.00", reference="P1",
                            actor=world.creditor1)  # fmt: skip
    assert services.breaches_detect(today=date(2026, 10, 20))["breaches"] == 1
    breach = Breach.objects.get(case=case)
    assert breach.instalment.seq == 2 and breach.unpaid == Decimal("2500.00")
