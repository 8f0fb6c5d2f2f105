"""One case along each main path of the funnel to its end, through the services only."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.events import verify_chains
from cases.models import Case, Deadline, Stage


def drive(case: Case, steps) -> list[str]:
    for transition, actor, kwargs in steps:
        if transition == "request_confirmation":
            # CPL 205 (201): both parties consented to the joint application (recorded in mediation, which
            # tests/mediation covers); here only the case's state.
            Case.objects.filter(pk=case.pk).update(
                confirmation_consent_debtor_at=timezone.now(), confirmation_consent_creditor_at=timezone.now()
            )
        services.case_transition(case=case, transition=transition, actor=actor, **kwargs)
    case.refresh_from_db()
    return list(case.events.order_by("seq").values_list("action", flat=True))


def test_mediation_confirmation_performance_repair(world):
    case = world.case()
    actions = drive(
        case,
        [
            ("triage", None, {"colour": "green", "track": "fast"}),
            ("start_mediation", world.mediator1, {}),
            ("settle", world.mediator1, {}),
            ("request_confirmation", world.mediator1, {}),
            ("confirm", world.judge1, {}),
            ("begin_performance", world.creditor1, {}),
            ("record_full_performance", world.creditor1, {}),
            ("start_credit_repair", None, {}),
            ("close", world.judge1, {}),
        ],
    )
    assert case.stage == Stage.CLOSED
    assert actions == [
        "received",
        "triage",
        "start_mediation",
        "settle",
        "request_confirmation",
        "confirm",
        "begin_performance",
        "record_full_performance",
        "start_credit_repair",
        "close",
    ]
    assert (case.colour, case.track, case.enforceable_title) == ("green", "fast", "confirmation")
    assert not case.deadlines.filter(status=Deadline.Status.OPEN).exclude(kind="record_removal").exists()
    assert list(verify_chains([case.pk])) == []


def test_court_mediation_payment_order_unopposed_enforcement(world):
    case = world.case()
    drive(
        case,
        [
            ("triage", None, {}),
            ("start_mediation", world.mediator1, {}),
            ("escalate_to_court", world.mediator1, {"reason": "债务人拒绝调解"}),
            ("apply_payment_order", world.creditor1, {}),
        ],
    )
    served = timezone.localdate() - timedelta(days=20)
    window = services.deadline_open(case=case, kind=Deadline.Kind.PAYMENT_ORDER_OBJECTION, start=served)
    counts = services.deadlines_act_on_due()  # the periodic task: the 15-day window has run out unopposed
    case.refresh_from_db()
    window.refresh_from_db()
    assert case.stage == Stage.ENFORCEABLE and case.enforceable_title == "payment_order"
    assert counts["order_effective"] == 1 and window.status == Deadline.Status.EXPIRED
    assert case.events.last().actor_role == "system"
    drive(
        case,
        [
            ("apply_enforcement", world.creditor1, {}),
            ("record_full_performance", world.judge1, {}),
            ("start_credit_repair", world.clerk1, {}),
            ("close", None, {}),
        ],
    )
    assert case.stage == Stage.CLOSED


def test_payment_order_window_still_open_does_nothing(world):
    case = world.case()
    drive(
        case,
        [
            ("triage", None, {}),
            ("start_mediation", world.mediator1, {}),
            ("escalate_to_court", world.mediator1, {"reason": "未达成"}),
            ("apply_payment_order", world.creditor1, {}),
        ],
    )
    services.deadline_open(case=case, kind=Deadline.Kind.PAYMENT_ORDER_OBJECTION, start=timezone.localdate())
    assert services.deadlines_act_on_due().get("order_effective", 0) == 0
    case.refresh_from_db()
    assert case.stage == Stage.PAYMENT_ORDER


def test_suit_judgment_enforcement_suspension_and_resumption(world):
    case = world.case()
    actions = drive(
        case,
        [
            ("triage", None, {}),
            ("start_mediation", world.mediator1, {}),
            ("escalate_to_court", world.mediator1, {"reason": "无法联系"}),
            ("file_suit", world.creditor1, {}),
            ("judgment_effective", world.judge1, {"performance_due_on": date(2026, 12, 31)}),
            ("apply_enforcement", world.creditor1, {}),
            ("suspend_enforcement", world.judge1, {"reason": "未发现可供执行财产"}),
            ("resume_enforcement", world.creditor1, {}),
            ("record_full_performance", world.judge1, {}),
            ("start_credit_repair", None, {}),
            ("close", None, {}),
        ],
    )
    assert case.stage == Stage.CLOSED and case.performance_due_on == date(2026, 12, 31)
    assert actions.count("apply_enforcement") == 1 and "resume_enforcement" in actions


def test_small_peoples_mediation_settlement_performed_without_confirmation(world):
    case = world.case()
    drive(
        case,
        [
            ("triage", None, {}),
            ("start_mediation", world.mediator1, {}),
            ("settle", world.mediator1, {}),
            ("perform_without_confirmation", world.creditor1, {}),
            ("record_full_performance", world.creditor1, {}),
            ("start_credit_repair", None, {}),
            ("close", None, {}),
        ],
    )
    assert case.stage == Stage.CLOSED


@pytest.mark.parametrize(
    ("transition", "actor_name", "end"),
    [
        ("withdraw", "creditor1", Stage.WITHDRAWN),
        ("close_invalid", "admin", Stage.CLOSED),
    ],
)
def test_withdrawn_or_invalid_claims_end_with_their_reason(world, transition, actor_name, end):
    case = world.case()
    drive(case, [("triage", None, {}), ("start_mediation", world.mediator1, {})])
    services.case_transition(
        case=case, transition=transition, actor=getattr(world, actor_name), reason="重复提交"
    )
    case.refresh_from_db()
    assert case.stage == end and case.closed_reason == "重复提交"
    assert not case.deadlines.filter(status=Deadline.Status.OPEN).exists()


def test_bulk_transition_reports_each_skipped_case_and_writes_one_event_each(world):
    ready = [world.case() for _ in range(3)]
    wrong_stage = world.case()
    other_centre = world.case(creditor=world.rural)
    for c in [*ready, other_centre]:
        services.case_transition(case=c, transition="triage", actor=None)
    services.hold_place(case=ready[2], kind="objection", actor=world.admin, reason="异议审查")
    from cases.selectors import cases_visible_to

    ids = [c.pk for c in [*ready, wrong_stage, other_centre]] + [999999]
    result = services.cases_bulk_transition(
        case_ids=ids,
        transition="start_mediation",
        actor=world.mediator1,
        visible=cases_visible_to(world.mediator1),
    )
    assert sorted(result.done) == sorted([ready[0].pk, ready[1].pk])
    assert set(result.skipped) == {ready[2].pk, wrong_stage.pk, other_centre.pk, 999999}
    assert any(word in result.skipped[ready[2].pk] for word in ("hold", "暂停"))
    for c in ready[:2]:
        c.refresh_from_db()
        assert c.stage == Stage.IN_MEDIATION and c.events.count() == 3
        assert c.deadlines.filter(kind="mediation_window", status="open").count() == 1
    assert list(verify_chains()) == []
