"""cases_change_bulk: the one write path for a change to many cases, and the event actions it records."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cases import services
from cases.events import EventHasher, event_hash, verify_chains
from cases.models import Case, CaseEvent, Colour, EventAction, Stage, event_action_label


class Boom(Exception):
    pass


def test_locks_the_cases_in_primary_key_order_and_only_the_cases(world):
    cases = [world.case() for _ in range(3)]
    ids = [c.pk for c in reversed(cases)]
    with CaptureQueriesContext(connection) as queries:
        services.cases_change_bulk(case_ids=ids, action=EventAction.RETRIAGED, actor=world.admin)
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1
    assert re.search(r'ORDER BY (1|"cases_case"\."id") ASC FOR UPDATE OF "cases_case"$', locks[0]), locks[0]
    assert '"cases_case"."id" AS "pk"' in locks[0]  # ORDER BY 1 is the primary key


def test_updates_and_appends_one_chained_event_per_case(world):
    cases = [world.case() for _ in range(3)]
    other = world.case()
    before = CaseEvent.objects.count()
    changed = services.cases_change_bulk(
        case_ids=[c.pk for c in cases],
        action=EventAction.GROUP_RISK_FLAGGED,
        actor=world.admin,
        reason="same address",
        data={"flag": 1},
        changes={"colour": Colour.RED},
    )
    assert changed == sorted(c.pk for c in cases)
    assert CaseEvent.objects.count() == before + 3
    for case in cases:
        case.refresh_from_db()
        last = case.events.order_by("-seq").first()
        assert case.colour == Colour.RED
        assert (last.seq, last.action, last.actor_id, last.actor_role) == (
            2,
            "group_risk_flagged",
            world.admin.pk,
            "centre_admin",
        )
        assert (last.reason, last.data) == ("same address", {"flag": 1})
        assert (case.event_seq, case.event_head) == (2, last.hash)
    other.refresh_from_db()
    assert other.colour != Colour.RED and other.event_seq == 1
    assert list(verify_chains()) == []


def test_per_case_data_and_changes_that_leave_a_case_alone(world):
    a, b, c = (world.case() for _ in range(3))
    changed = services.cases_change_bulk(
        case_ids=[a.pk, b.pk, c.pk],
        action=EventAction.RETRIAGED,
        actor=world.admin,
        changes=lambda row: None if row.pk == c.pk else {"colour": Colour.YELLOW},
        data_per_case={a.pk: {"n": 1}, b.pk: {"n": 2}, c.pk: {"n": 3}},
    )
    assert changed == [a.pk, b.pk]
    assert [a.events.last().data, b.events.last().data] == [{"n": 1}, {"n": 2}]
    assert c.events.count() == 1
    assert list(verify_chains()) == []


def test_filter_q_leaves_out_cases_that_do_not_match(world):
    a, b = world.case(), world.case()
    services.case_transition(case=a, transition="triage", actor=None)
    changed = services.cases_change_bulk(
        case_ids=[a.pk, b.pk],
        action=EventAction.RETRIAGED,
        actor=world.admin,
        filter_q=services.Q(stage=Stage.TRIAGED),
    )
    assert changed == [a.pk]


def test_side_effect_runs_once_after_commit(world, django_capture_on_commit_callbacks):
    cases = [world.case() for _ in range(3)]
    calls = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.cases_change_bulk(
            case_ids=[c.pk for c in cases],
            action=EventAction.RETRIAGED,
            actor=world.admin,
            on_commit=calls.append,
        )
        assert calls == []  # not before the commit
    assert len(callbacks) == 1
    assert calls == [sorted(c.pk for c in cases)]


def test_side_effect_and_events_vanish_on_rollback(world, django_capture_on_commit_callbacks):
    case = world.case()
    calls = []

    def change_then_fail() -> None:
        with transaction.atomic():
            services.cases_change_bulk(
                case_ids=[case.pk], action=EventAction.RETRIAGED, actor=world.admin, on_commit=calls.append
            )
            raise Boom

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        change_then_fail()
    assert callbacks == [] and calls == []
    assert case.events.count() == 1
    assert list(verify_chains()) == []


def test_single_and_bulk_writes_share_the_chain(world):
    case = world.case()
    services.case_event_record(case=case, action=EventAction.CONTACT_LOGGED, actor=world.admin)
    services.cases_bulk_transition(case_ids=[case.pk], transition="triage", actor=world.admin)
    services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    services.cases_change_bulk(case_ids=[case.pk], action=EventAction.RETRIAGED, actor=world.admin)
    case.refresh_from_db()
    assert list(case.events.values_list("seq", "action", "from_stage", "to_stage")) == [
        (1, "received", "", "received"),
        (2, "contact_logged", "received", "received"),
        (3, "triage", "received", "triaged"),
        (4, "start_mediation", "triaged", "in_mediation"),
        (5, "retriaged", "in_mediation", "in_mediation"),
    ]
    assert case.stage == Stage.IN_MEDIATION
    assert list(verify_chains()) == []


def test_the_fast_hasher_is_event_hash():
    from datetime import UTC, datetime

    fields = {
        "seq": 1,
        "action": EventAction.RECEIVED,
        "from_stage": "",
        "to_stage": Stage.RECEIVED,
        "actor_id": 7,
        "actor_role": "creditor_staff",
        "reason": "",
        "data": {"batch": 3},
    }
    at = datetime(2026, 1, 2, 3, 4, 5, 6789, tzinfo=UTC)
    fast = EventHasher(**fields, at=at)
    assert fast(42, "ab") == event_hash(prev_hash="ab", case_id=42, created_at=at, **fields)


def test_every_action_has_a_label_in_both_languages():
    for action in EventAction:
        with translation.override("en"):
            english = event_action_label(action.value)
        with translation.override("zh-hans"):
            chinese = event_action_label(action.value)
        assert english and chinese and english != chinese, action


def test_labels_of_actions_and_transitions():
    with translation.override("zh-hans"):
        assert event_action_label("hold_placed") == "已暂停"
        assert event_action_label("filed") == "法院已立案"
        assert event_action_label("triage") == str(
            Case.triage._django_fsm.get_transition("received").custom["label"]
        )
        assert event_action_label("no_such_action") == "no_such_action"
    with translation.override("en"):
        assert event_action_label("hold_placed") == "Hold placed"
        assert event_action_label("withdraw") == "Withdraw"


def test_every_transition_is_an_event_action():
    assert set(EventAction.values) >= services.TRANSITIONS
