"""Every transition from every stage: allowed ones succeed for the right roles and write one event each;
everything else raises and changes nothing. The expected table is written out here, not read from the code."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import services
from cases.errors import ActionForbidden, TransitionRefused
from cases.models import Case, CaseEvent, Stage

S = Stage
OPEN = [
    S.RECEIVED,
    S.TRIAGED,
    S.IN_MEDIATION,
    S.COURT_MEDIATION,
    S.SETTLED,
    S.CONFIRMATION_REQUESTED,
    S.CONFIRMED,
    S.PAYMENT_ORDER,
    S.IN_LITIGATION,
    S.ENFORCEABLE,
    S.PERFORMING,
    S.IN_ENFORCEMENT,
    S.ENFORCEMENT_SUSPENDED,
]

# transition: ({source: target}, roles that may take it)
EXPECTED = {
    "triage": ({S.RECEIVED: S.TRIAGED}, {"system", "centre_admin"}),
    "start_mediation": ({S.TRIAGED: S.IN_MEDIATION}, {"system", "centre_admin", "mediator"}),
    "escalate_to_court": ({S.IN_MEDIATION: S.COURT_MEDIATION}, {"system", "centre_admin", "mediator"}),
    # PML 29¶2: the platform settles the case when the last signing step is done (system), or the mediator.
    "settle": ({S.IN_MEDIATION: S.SETTLED, S.COURT_MEDIATION: S.SETTLED}, {"system", "mediator"}),
    "request_confirmation": ({S.SETTLED: S.CONFIRMATION_REQUESTED}, {"mediator", "clerk", "judge"}),
    "confirm": ({S.CONFIRMATION_REQUESTED: S.CONFIRMED}, {"judge"}),
    "reject_confirmation": ({S.CONFIRMATION_REQUESTED: S.COURT_MEDIATION}, {"judge"}),
    "perform_without_confirmation": ({S.SETTLED: S.PERFORMING}, {"creditor_staff"}),
    "begin_performance": (
        {S.CONFIRMED: S.PERFORMING, S.ENFORCEABLE: S.PERFORMING},
        {"system", "creditor_staff", "judge", "clerk"},
    ),
    "apply_payment_order": ({S.COURT_MEDIATION: S.PAYMENT_ORDER}, {"creditor_staff", "clerk", "judge"}),
    "file_suit": (
        {S.COURT_MEDIATION: S.IN_LITIGATION, S.PAYMENT_ORDER: S.IN_LITIGATION},
        {"system", "creditor_staff", "clerk", "judge"},
    ),
    "order_lapse": ({S.PAYMENT_ORDER: S.COURT_MEDIATION}, {"system", "judge", "clerk"}),
    "order_effective": ({S.PAYMENT_ORDER: S.ENFORCEABLE}, {"system", "judge", "clerk"}),
    # CPL 85¶4: an objection posted in time undoes the effect the window's close gave the order.
    "order_effect_undone": ({S.ENFORCEABLE: S.PAYMENT_ORDER}, {"system", "judge", "clerk"}),
    "judgment_effective": ({S.IN_LITIGATION: S.ENFORCEABLE}, {"judge", "clerk"}),
    "apply_enforcement": (
        {S.ENFORCEABLE: S.IN_ENFORCEMENT, S.PERFORMING: S.IN_ENFORCEMENT},
        {"creditor_staff", "clerk", "judge"},
    ),
    "suspend_enforcement": ({S.IN_ENFORCEMENT: S.ENFORCEMENT_SUSPENDED}, {"judge"}),
    "resume_enforcement": ({S.ENFORCEMENT_SUSPENDED: S.IN_ENFORCEMENT}, {"judge", "clerk", "creditor_staff"}),
    "record_full_performance": (
        dict.fromkeys(OPEN, S.PERFORMED),
        {"system", "creditor_staff", "judge", "clerk"},
    ),
    "start_credit_repair": ({S.PERFORMED: S.CREDIT_REPAIR}, {"system", "centre_admin", "judge", "clerk"}),
    "close": ({S.CREDIT_REPAIR: S.CLOSED}, {"system", "centre_admin", "judge", "clerk"}),
    "close_invalid": (dict.fromkeys(OPEN, S.CLOSED), {"centre_admin", "judge"}),
    "withdraw": (dict.fromkeys(OPEN, S.WITHDRAWN), {"creditor_staff", "centre_admin"}),
}
ALL_ROLES = ["system", "centre_admin", "creditor_staff", "mediator", "judge", "clerk"]


def actor_for(world, role):
    return {
        "system": None,
        "centre_admin": world.admin,
        "creditor_staff": world.creditor1,
        "mediator": world.mediator1,
        "judge": world.judge1,
        "clerk": world.clerk1,
    }[role]


def case_in(world, stage: str) -> Case:
    """A case placed in a stage for the test, with every condition of that stage's transitions met."""
    case = world.case()
    Case.objects.filter(pk=case.pk).update(
        stage=stage,
        settlement_effective_on=timezone.localdate() - timedelta(days=3),
        enforceable_title="confirmation",
        confirmation_consent_debtor_at=timezone.now(),
        confirmation_consent_creditor_at=timezone.now(),
    )
    case.refresh_from_db()
    return case


def snapshot(case: Case) -> tuple:
    case.refresh_from_db()
    return case.stage, case.event_seq, CaseEvent.objects.filter(case=case).count(), case.closed_reason


def test_the_table_covers_every_transition_of_the_machine():
    assert set(EXPECTED) == set(services.TRANSITIONS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_transition_from_every_stage_for_every_role(world, name):
    targets, roles = EXPECTED[name]
    for stage in Stage.values:
        for role in ALL_ROLES:
            case = case_in(world, stage)
            before = snapshot(case)
            actor = actor_for(world, role)
            allowed = stage in targets and role in roles
            if allowed:
                event = services.case_transition(case=case, transition=name, actor=actor, reason="测试原因")
                case.refresh_from_db()
                assert case.stage == targets[stage], (name, stage, role)
                assert CaseEvent.objects.filter(case=case).count() == before[2] + 1
                assert (event.from_stage, event.to_stage, event.action) == (stage, targets[stage], name)
                assert event.actor_role == role and event.reason == "测试原因"
                assert case.event_head == event.hash
            else:
                expected_error = ActionForbidden if stage in targets else TransitionRefused
                with pytest.raises(expected_error):
                    services.case_transition(case=case, transition=name, actor=actor, reason="测试原因")
                assert snapshot(case) == before, (name, stage, role)


def test_unknown_transition_is_refused(world):
    case = case_in(world, S.TRIAGED)
    with pytest.raises(TransitionRefused):
        services.case_transition(case=case, transition="delete", actor=None)


def test_a_user_of_another_organisation_may_not_act_even_with_the_right_role(world):
    case = case_in(world, S.SETTLED)
    with pytest.raises(ActionForbidden):  # creditor2 is creditor staff, but of another creditor
        services.case_transition(case=case, transition="perform_without_confirmation", actor=world.creditor2)
    with pytest.raises(ActionForbidden):  # a judge of longyan on a quanzhou case
        services.case_transition(
            case=case_in(world, S.CONFIRMATION_REQUESTED), transition="confirm", actor=world.judge2
        )
    assert snapshot(case)[0] == S.SETTLED


def test_reason_is_required_where_the_law_or_the_record_needs_one(world):
    case = case_in(world, S.IN_MEDIATION)
    with pytest.raises(TransitionRefused) as excinfo:
        services.case_transition(case=case, transition="withdraw", actor=world.creditor1, reason="  ")
    assert excinfo.value.code == "reason_required"
    assert snapshot(case)[0] == S.IN_MEDIATION


def test_confirmation_application_after_30_days_is_refused(world, monkeypatch):
    case = case_in(world, S.SETTLED)
    # Effective Mon 2026-11-02: the 30 days end on Wed 12-02 (a working day); 12-03 is too late.
    Case.objects.filter(pk=case.pk).update(settlement_effective_on=date(2026, 11, 2))
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: date(2026, 12, 3))
    with pytest.raises(TransitionRefused) as excinfo:
        services.case_transition(case=case, transition="request_confirmation", actor=world.mediator1)
    assert excinfo.value.code == "condition"
    assert "30" in str(excinfo.value)


def test_enforcement_of_unconfirmed_performance_is_refused(world):
    case = case_in(world, S.PERFORMING)
    Case.objects.filter(pk=case.pk).update(enforceable_title="")
    with pytest.raises(TransitionRefused):
        services.case_transition(case=case, transition="apply_enforcement", actor=world.creditor1)


def test_enforcement_more_than_two_years_after_the_performance_period_is_not_refused(world):
    # Interp. 481: the court accepts a late application; only the debtor's upheld objection stops it. The
    # warning is the court service's (tests/courts/test_enforcement_figures.py).
    case = case_in(world, S.ENFORCEABLE)
    Case.objects.filter(pk=case.pk).update(performance_due_on=timezone.localdate() - timedelta(days=731))
    services.case_transition(case=case, transition="apply_enforcement", actor=world.creditor1)
    assert snapshot(case)[0] == S.IN_ENFORCEMENT


def test_buttons_offered_match_what_the_role_may_do(world):
    case = case_in(world, S.CONFIRMATION_REQUESTED)
    judge_actions = {t["name"] for t in services.case_available_transitions(case=case, actor=world.judge1)}
    clerk_actions = {t["name"] for t in services.case_available_transitions(case=case, actor=world.clerk1)}
    creditor_actions = {
        t["name"] for t in services.case_available_transitions(case=case, actor=world.creditor1)
    }
    assert judge_actions == {"confirm", "reject_confirmation", "record_full_performance", "close_invalid"}
    assert clerk_actions == {"record_full_performance"}
    assert creditor_actions == {"record_full_performance", "withdraw"}
    assert services.case_available_transitions(case=case, actor=world.judge2) == []


def test_only_a_small_peoples_mediation_settlement_may_be_performed_without_confirmation(world):
    large = case_in(world, S.SETTLED)
    Case.objects.filter(pk=large.pk).update(principal=Decimal("150000"))
    large.refresh_from_db()
    with pytest.raises(TransitionRefused) as excinfo:
        services.case_transition(case=large, transition="perform_without_confirmation", actor=world.creditor1)
    assert "people" in str(excinfo.value.message) or "人民调解" in str(excinfo.value.message)

    small = case_in(world, S.SETTLED)
    services.case_transition(case=small, transition="perform_without_confirmation", actor=world.creditor1)
    small.refresh_from_db()
    assert small.stage == S.PERFORMING
