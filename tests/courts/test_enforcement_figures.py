"""Enforcement figures as the statutes say: the title's amount less payments, late-performance interest per
unpaid part (CPL 264), the 2-year period from the title's last day (CPL 250) with a warning, not a block
(Interp. 481), and no judgment dated before its hearing. The clock is frozen in every test."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases import rules
from cases.models import Case, Deadline, Stage
from cases.services import case_transition
from courts import services
from courts.enforcement_figures import (
    enforceable_title_of,
    enforcement_application_due,
    late_performance_interest,
)
from courts.errors import CourtError
from credit_repair import services as repair_services
from tests.credit_repair.conftest import freeze_today, repair_settings, settled  # noqa: F401

D = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


# --- C. late-performance interest -----------------------------------------------------------------------


def test_late_performance_interest_worked_example_of_domain_md():
    # 10,000 due D, 4,000 paid D+50, at D+100: (10,000 + 6,000) x 0.0175% x 50 = 140.00.
    dues = [(D, Decimal("10000.00"))]
    payments = [(D + timedelta(days=50), Decimal("4000.00"))]
    assert late_performance_interest(dues=dues, payments=payments, on=D + timedelta(days=100)) == Decimal(
        "140.00"
    )
    # One day either side moves it by 6,000 x 0.0175% = 1.05 (the day count is pinned both ways).
    assert late_performance_interest(dues=dues, payments=payments, on=D + timedelta(days=99)) == Decimal(
        "138.95"
    )
    assert late_performance_interest(dues=dues, payments=payments, on=D + timedelta(days=101)) == Decimal(
        "141.05"
    )


def test_late_performance_rate_is_0_0175_percent_a_day():
    # CPL 264: 0.0175% a day; 0.0174% would give 1.74, 0.0176% 1.76.
    assert Decimal("0.000175") == rules.LATE_PERFORMANCE_DAILY_RATE
    one_day = late_performance_interest(dues=[(D, Decimal("10000"))], payments=[], on=D + timedelta(days=1))
    assert one_day == Decimal("1.75")
    assert late_performance_interest(dues=[(D, Decimal("10000"))], payments=[], on=D) == Decimal("0.00")


def test_late_performance_interest_runs_from_each_instalments_own_due_date():
    dues = [(D, Decimal("1000")), (D + timedelta(days=30), Decimal("1000"))]
    # At D+40: 1,000 x 40 + 1,000 x 10 = 50,000 yuan-days x 0.0175% = 8.75.
    assert late_performance_interest(dues=dues, payments=[], on=D + timedelta(days=40)) == Decimal("8.75")
    # A payment goes to the oldest due first and lowers the base from its date: 1,000 paid at D+20 pays the
    # first instalment (20 days late); the second is 10 days late: 1,000 x 20 + 1,000 x 10 = 30,000 -> 5.25.
    paid = [(D + timedelta(days=20), Decimal("1000"))]
    assert late_performance_interest(dues=dues, payments=paid, on=D + timedelta(days=40)) == Decimal("5.25")
    # Paid before it was due: no interest on that part.
    early = [(D - timedelta(days=1), Decimal("1000"))]
    assert late_performance_interest(dues=dues, payments=early, on=D + timedelta(days=40)) == Decimal("1.75")


def test_enforcement_figures_use_the_title_and_what_enforcement_collected(world, monkeypatch):
    freeze_today(monkeypatch, D)
    case = judged(world, Decimal("10000.00"), performance_days=10)
    enforcement = services.enforcement_apply(case=case, actor=world.creditor1)
    due = enforcement.performance_due_on
    services.enforcement_measure_log(
        enforcement=enforcement,
        actor=world.judge1,
        kind="deduction",
        amount_received=Decimal("4000.00"),
        taken_on=due + timedelta(days=50),
    )
    figures = services.enforcement_figures(enforcement, today=due + timedelta(days=100))
    assert (figures.amount, figures.received, figures.unpaid) == (
        Decimal("10000.00"),
        Decimal("4000.00"),
        Decimal("6000.00"),
    )
    assert figures.late_interest == Decimal("140.00")


# --- D. the amount enforced is the title's, less payments ---------------------------------------------------


def judged(world, amount: Decimal, performance_days: int = 10) -> Case:
    case = world.case()  # claimed 10,600 (10,000 + 500 + 100)
    Case.objects.filter(pk=case.pk).update(stage=Stage.IN_LITIGATION)
    case.refresh_from_db()
    suit = services.suit_file(case=case, actor=world.judge1)
    services.suit_record_judgment(
        suit=suit, actor=world.judge1, amount=amount, performance_days=performance_days
    )
    case.refresh_from_db()
    return case


def test_enforcing_a_judgment_enforces_the_judgment_amount_not_the_claim(world, monkeypatch):
    freeze_today(monkeypatch, D)
    case = judged(world, Decimal("8000.00"))
    assert case.claimed_total == Decimal("10600.00")
    with pytest.raises(CourtError) as excinfo:
        services.enforcement_apply(case=case, actor=world.creditor1, amount=Decimal("10600.00"))
    assert excinfo.value.code == "more_than_title"
    assert "8000.00 in the title" in str(excinfo.value)
    enforcement = services.enforcement_apply(case=case, actor=world.creditor1)
    assert enforcement.amount == Decimal("8000.00")
    assert enforcement.make_up == {
        "title": "judgment",
        "amount": "8000.00",
        "paid": "0.00",
        "outstanding": "8000.00",
        "last_performance_day": "2026-03-12",
        "enforced": "8000.00",
    }
    event = case.events.filter(action="filed").last()
    assert event.data["outstanding"] == "8000.00" and event.data["title"] == "judgment"


def confirmed(world, total="9000.00", **kwargs) -> Case:
    case = settled(world, total=total, **kwargs)
    services.confirmation_apply(case=case, actor=world.clerk1)
    services.confirmation_decide(case=case, actor=world.judge1, confirmed=True)
    case_transition(case=case, transition="begin_performance", actor=world.creditor1)
    case.refresh_from_db()
    return case


def test_enforcing_a_confirmed_settlement_enforces_its_total_less_payments(world, monkeypatch):
    freeze_today(monkeypatch, D)
    case = confirmed(world, count=1, first_due=D + timedelta(days=10))
    freeze_today(monkeypatch, D + timedelta(days=5))
    repair_services.payment_record(
        case=case, paid_on=D + timedelta(days=5), amount="1000.00", reference="P1", actor=world.creditor1
    )
    case.refresh_from_db()
    with pytest.raises(CourtError) as excinfo:
        services.enforcement_apply(case=case, actor=world.creditor1, amount=Decimal("10600.00"))
    assert excinfo.value.code == "more_than_title"
    enforcement = services.enforcement_apply(case=case, actor=world.creditor1)
    assert enforcement.amount == Decimal("8000.00")  # 9,000 confirmed less 1,000 paid; never 10,600
    assert enforcement.make_up["title"] == "confirmation"
    assert enforcement.make_up["paid"] == "1000.00"


def test_enforcement_without_a_title_record_is_refused(world):
    case = world.case()
    Case.objects.filter(pk=case.pk).update(stage=Stage.ENFORCEABLE, enforceable_title="judgment")
    case.refresh_from_db()
    with pytest.raises(CourtError) as excinfo:
        services.enforcement_apply(case=case, actor=world.creditor1)
    assert excinfo.value.code == "no_title_record"


# --- E. the application period runs from the title's last day of performance -------------------------------


def test_application_period_runs_two_years_from_the_last_instalment(world, monkeypatch):
    freeze_today(monkeypatch, D)
    case = confirmed(world, count=3, first_due=date(2026, 4, 1))  # 04-01, 05-01, 06-01
    title = enforceable_title_of(case)
    assert title is not None and title.last_performance_day == date(2026, 6, 1)
    # 2 years from Mon 2026-06-01 is Thu 2028-06-01 (1 year or 3 would be 2027 or 2029).
    assert enforcement_application_due(title=title, centre_id=case.centre_id).due_on == date(2028, 6, 1)


def test_judgment_period_and_application_limit_start_from_the_performance_day(world, monkeypatch):
    freeze_today(monkeypatch, date(2026, 9, 21))
    case = judged(world, Decimal("8000.00"), performance_days=10)
    suit = case.suits.get()
    # 10 days from 09-21 is 10-01 (National Day): the performance period ends on Thu 10-08 (CPL 85).
    assert suit.performance_due_on == date(2026, 10, 8) == case.performance_due_on
    limit = case.deadlines.get(kind=Deadline.Kind.ENFORCEMENT_APPLICATION, status="open")
    # The limit runs from the last day of performance, not from the day the case became enforceable.
    assert limit.starts_on == date(2026, 10, 8)
    assert limit.due_on == date(2028, 10, 9)  # 2028-10-08 is a Sunday; 2028 is not confirmed
    assert limit.calendar_warning


def test_a_late_application_is_accepted_with_a_warning(world, monkeypatch):
    freeze_today(monkeypatch, D)
    # Last day of performance 2026-03-12; 2 years later is Sun 2028-03-12, so the limit is Mon 03-13.
    in_time, late = judged(world, Decimal("8000.00")), judged(world, Decimal("8000.00"))
    freeze_today(monkeypatch, date(2028, 3, 13))
    assert services.enforcement_apply(case=in_time, actor=world.creditor1).application_warning == ""
    freeze_today(monkeypatch, date(2028, 3, 14))
    enforcement = services.enforcement_apply(case=late, actor=world.creditor1)
    assert "2028-03-13" in enforcement.application_warning
    late.refresh_from_db()
    assert late.stage == Stage.IN_ENFORCEMENT
    assert late.events.filter(action="filed").last().data["late_application"] is True


# --- F. a judgment is not dated before its hearing ---------------------------------------------------------


def test_a_judgment_is_not_dated_before_its_hearing(world, monkeypatch):
    freeze_today(monkeypatch, D)
    case = world.case()
    Case.objects.filter(pk=case.pk).update(stage=Stage.IN_LITIGATION)
    case.refresh_from_db()
    suit = services.suit_file(case=case, actor=world.judge1)
    hearing = datetime(2026, 3, 20, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    services.suit_schedule_hearing(suit=suit, actor=world.judge1, hearing_at=hearing)
    with pytest.raises(CourtError) as excinfo:
        services.suit_record_judgment(
            suit=suit, actor=world.judge1, amount=Decimal("8000.00"), judgment_on=date(2026, 3, 19)
        )
    assert excinfo.value.code == "judgment_before_hearing"
    assert "2026-03-20" in str(excinfo.value)
    suit = services.suit_record_judgment(
        suit=suit, actor=world.judge1, amount=Decimal("8000.00"), judgment_on=date(2026, 3, 20)
    )
    assert suit.judgment_on == date(2026, 3, 20)


def test_judgment_before_hearing_message_is_in_chinese_too(world, monkeypatch):
    from django.utils import translation

    freeze_today(monkeypatch, D)
    case = world.case()
    Case.objects.filter(pk=case.pk).update(stage=Stage.IN_LITIGATION)
    case.refresh_from_db()
    suit = services.suit_file(case=case, actor=world.judge1)
    services.suit_schedule_hearing(
        suit=suit, actor=world.judge1, hearing_at=timezone.make_aware(datetime(2026, 3, 20, 9, 30))
    )
    with translation.override("zh-hans"), pytest.raises(CourtError) as excinfo:
        services.suit_record_judgment(
            suit=suit, actor=world.judge1, amount=Decimal("8000.00"), judgment_on=date(2026, 3, 19)
        )
    assert "庭审" in str(excinfo.value)
