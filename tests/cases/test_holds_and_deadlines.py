"""Holds pause deadlines and block actions; deadlines follow the working-day calendar."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.errors import TransitionRefused
from cases.models import Case, Deadline, Stage


def in_mediation(world) -> Case:
    case = world.case()
    services.case_transition(case=case, transition="triage", actor=None)
    services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    case.refresh_from_db()
    return case


def test_entering_mediation_opens_the_30_day_window(world):
    case = in_mediation(world)
    window = case.deadlines.get(kind=Deadline.Kind.MEDIATION_WINDOW)
    assert window.status == Deadline.Status.OPEN
    assert (window.due_on - timezone.localdate()).days >= 30


def test_hold_blocks_actions_and_lifting_resumes_them(world):
    case = in_mediation(world)
    hold = services.hold_place(case=case, kind="objection", actor=world.mediator1, reason="债务人提出异议")
    with pytest.raises(TransitionRefused) as excinfo:
        services.case_transition(case=case, transition="settle", actor=world.mediator1)
    assert excinfo.value.code == "on_hold"
    case.refresh_from_db()
    assert case.stage == Stage.IN_MEDIATION and case.on_hold
    services.hold_lift(hold=hold, actor=world.mediator1, reason="异议不成立")
    services.case_transition(case=case, transition="settle", actor=world.mediator1)
    case.refresh_from_db()
    assert case.stage == Stage.SETTLED
    assert [e for e in case.events.values_list("action", flat=True)][-3:] == [
        "hold_placed",
        "hold_lifted",
        "settle",
    ]


def test_withdrawal_is_possible_during_a_hold(world):
    case = in_mediation(world)
    services.hold_place(case=case, kind="hardship", actor=world.admin, reason="重病")
    services.case_transition(case=case, transition="withdraw", actor=world.creditor1, reason="债权人放弃")
    case.refresh_from_db()
    assert case.stage == Stage.WITHDRAWN


def test_held_deadline_is_not_acted_on_and_is_extended_by_the_days_held(world):
    case = in_mediation(world)
    window = case.deadlines.get(kind=Deadline.Kind.MEDIATION_WINDOW)
    original_due = window.due_on
    hold = services.hold_place(case=case, kind="objection", actor=world.admin)
    # The hold began 12 days ago; the window would have run out meanwhile without the hold.
    Deadline.objects.filter(pk=window.pk).update(paused_since=timezone.now() - timedelta(days=12))
    Deadline.objects.filter(pk=window.pk).update(
        due_on=timezone.localdate() - timedelta(days=2), calendar_warning=False
    )
    assert services.deadlines_act_on_due()["expired"] == 0
    services.hold_lift(hold=hold, actor=world.admin)
    window.refresh_from_db()
    assert window.due_on == timezone.localdate() + timedelta(days=10)
    assert window.held_days == 12 and window.paused_since is None and window.status == Deadline.Status.OPEN
    assert original_due != window.due_on


def test_two_holds_resume_only_when_both_are_lifted(world):
    case = in_mediation(world)
    first = services.hold_place(case=case, kind="objection", actor=world.admin)
    second = services.hold_place(case=case, kind="hardship", actor=world.admin)
    services.hold_lift(hold=first, actor=world.admin)
    case.refresh_from_db()
    assert case.on_hold
    services.hold_lift(hold=second, actor=world.admin)
    case.refresh_from_db()
    assert not case.on_hold


def test_expired_deadlines_are_marked_by_the_periodic_task(world):
    case = in_mediation(world)
    Deadline.objects.filter(case=case).update(
        due_on=timezone.localdate() - timedelta(days=1), calendar_warning=False
    )
    assert services.deadlines_act_on_due()["expired"] == 1
    window = case.deadlines.get(status=Deadline.Status.EXPIRED)
    assert window.kind == Deadline.Kind.MEDIATION_WINDOW


def freeze_today(monkeypatch, day: date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: day)


def test_record_removal_across_national_day_2026_counts_the_adjusted_saturday(world, monkeypatch):
    case = in_mediation(world)
    freeze_today(monkeypatch, date(2026, 9, 30))
    services.case_transition(case=case, transition="record_full_performance", actor=world.creditor1)
    removal = case.deadlines.get(kind=Deadline.Kind.RECORD_REMOVAL)
    # Oct 1-7 are holidays; Oct 8, 9 and the adjusted working Saturday Oct 10 are the 3 working days.
    assert removal.due_on == date(2026, 10, 10) and not removal.calendar_warning


def test_deadline_falling_in_2027_keeps_statutory_holidays_and_warns(world, monkeypatch):
    case = in_mediation(world)
    freeze_today(monkeypatch, date(2026, 12, 30))
    services.case_transition(case=case, transition="record_full_performance", actor=world.creditor1)
    removal = case.deadlines.get(kind=Deadline.Kind.RECORD_REMOVAL)
    # Dec 31 (Thu); Jan 1 2027 is New Year's Day even without the year's notice (全国年节及纪念日放假办法
    # art. 2); Jan 4 (Mon), Jan 5 (Tue). The year is not confirmed: the deadline warns.
    assert removal.due_on == date(2027, 1, 5) and removal.calendar_warning


def test_full_numbers_only_for_roles_that_need_them_and_logged(world):
    from cases.errors import ActionForbidden
    from core.models import PiiAccessLog

    case = world.case()
    with pytest.raises(ActionForbidden):
        services.case_reveal_phone(case=case, actor=world.creditor1, purpose="核对")
    with pytest.raises(ActionForbidden):
        services.debtor_reveal_id_number(debtor=case.debtor, actor=world.judge2, purpose="核对")
    with pytest.raises(TransitionRefused):
        services.case_reveal_phone(case=case, actor=world.mediator1, purpose=" ")
    assert services.case_reveal_phone(case=case, actor=world.mediator1, purpose="电话联系") == case.phone
    assert services.debtor_reveal_id_number(debtor=case.debtor, actor=world.judge1, purpose="核对身份") == (
        case.debtor.id_number
    )
    assert PiiAccessLog.objects.count() == 2
