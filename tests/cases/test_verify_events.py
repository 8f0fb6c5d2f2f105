"""verify_events: OK on intact chains; names the exact row changed, removed or renumbered behind its back."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cases import services
from cases.models import Case, CaseEvent
from core.actors import SYSTEM


def run(*args: str) -> str:
    out = StringIO()
    call_command("verify_events", *args, stdout=out)
    return out.getvalue()


def run_failing(*args: str) -> str:
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_events", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def cases(world) -> list[Case]:
    made = [world.case() for _ in range(3)]
    for case in made:
        services.case_transition(case=case, transition="triage", actor=SYSTEM, colour="green", track="fast")
        services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    services.case_transition(
        case=made[0], transition="escalate_to_court", actor=world.mediator1, reason="债务人拒绝调解"
    )
    return made


def sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_intact_chains_are_ok(cases):
    assert run() == "OK: 10 events in 3 cases verified\n"


def test_one_case(cases):
    assert run("--case", cases[0].code) == "OK: 4 events in 1 cases verified\n"


def test_unknown_case_code(cases):
    with pytest.raises(CommandError, match="No case with code"):
        call_command("verify_events", "--case", "NOSUCHCODE", stdout=StringIO())


def test_changed_row_is_named(cases):
    event = CaseEvent.objects.get(case=cases[0], seq=2)
    sql("UPDATE cases_caseevent SET reason = %s WHERE id = %s", ["改过的理由", event.pk])

    output = run_failing()

    assert output.splitlines() == [
        f"BROKEN: event id={event.pk} (case {cases[0].code} #2): "
        "content does not match its hash (the row was changed)"
    ]


def test_changed_row_in_other_case_does_not_fail_a_single_case_check(cases):
    event = CaseEvent.objects.get(case=cases[0], seq=2)
    sql("UPDATE cases_caseevent SET reason = %s WHERE id = %s", ["改过的理由", event.pk])

    assert run("--case", cases[1].code).startswith("OK: 3 events in 1 cases")
    assert f"event id={event.pk} " in run_failing("--case", cases[0].code)


def test_deleting_the_last_event_is_a_head_mismatch(cases):
    last = CaseEvent.objects.get(case=cases[0], seq=4)
    sql("DELETE FROM cases_caseevent WHERE id = %s", [last.pk])

    output = run_failing()

    assert output.splitlines() == [
        f"BROKEN: case {cases[0].code} #4: the case's head does not match its last event (events removed)"
    ]


def test_deleting_a_middle_event_is_a_sequence_gap(cases):
    middle = CaseEvent.objects.get(case=cases[1], seq=2)
    after = CaseEvent.objects.get(case=cases[1], seq=3)
    sql("DELETE FROM cases_caseevent WHERE id = %s", [middle.pk])

    output = run_failing()

    assert output.splitlines() == [
        f"BROKEN: event id={after.pk} (case {cases[1].code} #3): sequence gap: expected #2, found #3"
    ]


def test_every_broken_chain_is_reported(cases):
    first = CaseEvent.objects.get(case=cases[0], seq=1)
    second = CaseEvent.objects.get(case=cases[2], seq=3)
    sql("UPDATE cases_caseevent SET actor_role = %s WHERE id = %s", ["judge", first.pk])
    sql("UPDATE cases_caseevent SET seq = %s WHERE id = %s", [7, second.pk])

    lines = run_failing().splitlines()

    assert len(lines) == 2
    assert lines[0].startswith(f"BROKEN: event id={first.pk} (case {cases[0].code} #1)")
    assert lines[1].startswith(f"BROKEN: event id={second.pk} (case {cases[2].code} #7): sequence gap")
