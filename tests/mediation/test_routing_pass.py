"""Routing in one set-based pass (mediation.routing): the same decisions as the rules case by case, a
result and an event where they belong, every new case with a mediator, nothing done twice."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.events import verify_chains
from cases.models import Case, CaseEvent
from core.actors import SYSTEM
from core.models import Role
from core.services import staff_user_create
from mediation import services
from mediation.models import Assignment, TriageResult
from mediation.routing import cases_route
from mediation.services import MediatorChooser, _mediators
from mediation.triage import evaluate
from tests.factories import PASSWORD, valid_id_number

TODAY = date(2026, 6, 1)


def rule(name, conditions, colour, track=""):
    return {
        "name": name,
        "conditions": conditions,
        "colour": colour,
        "track": track,
        "staff_reason": f"staff: {name}",
        "debtor_reason": f"debtor: {name}",
    }


RULES = [
    {
        **rule("Repeat", [{"field": "other_cases", "op": "gte", "value": 2}], "red"),
        # English texts: kept with the case's reasons by both ways of routing (one decision function).
        "name_en": "Repeat debtor",
        "staff_reason_en": "staff: repeat",
        "debtor_reason_en": "debtor: repeat",
    },
    rule("Hard", [{"field": "hardship", "op": "eq", "value": True}], "red"),
    rule("Old", [{"field": "overdue_days", "op": "gt", "value": 365}], "yellow"),
    rule("Big", [{"field": "amount", "op": "gt", "value": "50000"}], "yellow", track="slow"),
    rule("Card", [{"field": "product", "op": "in", "value": ["credit_card"]}], "green", track="slow"),
    rule("Paper", [{"field": "e_service_consent", "op": "eq", "value": False}], "yellow"),
    rule(
        "Longyan big",
        [
            {"field": "region", "op": "prefix", "value": ["3508"]},
            {"field": "amount", "op": "gt", "value": "9000"},
        ],
        "red",
    ),
]


@pytest.fixture
def fixed_day(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: TODAY)
    return TODAY


def triaged(world, n=1, **fields):
    fields = {"e_service_consent": True, "overdue_since": TODAY - timedelta(days=30), **fields}
    cases = [world.case(routed=False, **fields) for _ in range(n)]
    for case in cases:
        case_services.case_transition(case=case, transition="triage", actor=None)
    return cases


def route(world, cases, *, assign=True):
    ruleset = services.triage_ruleset_ensure_default(world.qz)
    members = list(_mediators(world.qz, court_invited=False))
    return cases_route(
        centre=world.qz,
        base=Case.objects.filter(pk__in=[c.pk for c in cases]),
        ruleset=ruleset,
        actor=SYSTEM,
        chooser=MediatorChooser(members) if assign else None,
    )


@pytest.fixture
def many(world, fixed_day):
    services.triage_ruleset_publish(centre=world.qz, rules=RULES, actor=world.admin)
    same_person = valid_id_number(77, birth="19700707")
    cases = [
        *triaged(world),  # nothing matches: stays green, fast
        *triaged(world, overdue_since=TODAY - timedelta(days=366)),  # one day past the 365
        *triaged(world, overdue_since=TODAY - timedelta(days=365)),  # exactly 365: not past
        *triaged(world, principal=Decimal("50000.01"), interest=Decimal(0), fees=Decimal(0)),
        *triaged(world, principal=Decimal("50000.00"), interest=Decimal(0), fees=Decimal(0)),
        *triaged(world, product="credit_card"),
        *triaged(world, e_service_consent=False),
        *triaged(world, 3, id_number=same_person),  # each has two others
        *triaged(world, id_number=valid_id_number(region="350802"), principal=Decimal("9500")),
        *triaged(world, id_number=valid_id_number(region="350802"), principal=Decimal("8000")),
        *triaged(world, principal=Decimal("200000"), product="credit_card", e_service_consent=False),
    ]
    hardship = triaged(world)[0]
    case_services.hold_place(case=hardship, kind="hardship", actor=world.admin, reason="失业")
    return [*cases, hardship]


def test_one_pass_decides_each_case_as_the_rules_do_case_by_case(world, many):
    expected = evaluate([c.pk for c in many], centre=world.qz)
    before = {c.pk: (c.colour, c.track) for c in Case.objects.filter(pk__in=expected)}

    routed = route(world, many)

    after = {c.pk: c for c in Case.objects.filter(pk__in=expected)}
    assert {pk: (c.colour, c.track) for pk, c in after.items()} == {pk: r[:2] for pk, r in expected.items()}
    results = {r.case_id: r for r in TriageResult.objects.filter(case__in=many)}
    assert {pk: r.reasons for pk, r in results.items()} == {pk: r[2] for pk, r in expected.items()}
    changed = {pk for pk in expected if expected[pk][:2] != before[pk]}
    assert routed.changed == len(changed) > 5
    retriaged = CaseEvent.objects.filter(case__in=many, action="retriaged")
    assert set(retriaged.values_list("case_id", flat=True)) == changed
    assert set(retriaged.values_list("reason", flat=True)) == {"rules v1"}
    assert list(verify_chains([c.pk for c in many])) == []


def test_the_boundaries_fall_where_the_rules_put_them(world, many):
    route(world, many)
    colour = {c.pk: (c.colour, c.track) for c in Case.objects.filter(pk__in=[c.pk for c in many])}
    _plain, past, at_365, above, at_50000, card, paper, *_rest = many
    assert colour[_plain.pk] == ("green", "fast")
    assert (colour[past.pk], colour[at_365.pk]) == (("yellow", "fast"), ("green", "fast"))
    assert (colour[above.pk], colour[at_50000.pk]) == (("yellow", "slow"), ("green", "fast"))
    assert colour[card.pk] == ("green", "slow") and colour[paper.pk] == ("yellow", "fast")
    repeat, longyan_big, longyan_small = many[7], many[10], many[11]
    assert colour[repeat.pk][0] == "red"
    assert (colour[longyan_big.pk][0], colour[longyan_small.pk][0]) == ("red", "green")
    assert colour[many[-1].pk][0] == "red"  # hardship


def test_every_case_gets_a_mediator_region_first_then_the_least_loaded(world, fixed_day):
    local = staff_user_create(
        username="m-local", password=PASSWORD, organisation=world.committee, role=Role.MEDIATOR,
        region_codes="350802",
    )  # fmt: skip
    cases = triaged(world, 4) + triaged(world, 2, id_number=valid_id_number(region="350802"))

    routed = route(world, cases)

    mediators = dict(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "mediator_id"))
    assert routed.assigned == 6
    assert {mediators[c.pk] for c in cases[4:]} == {local.pk}  # the region's mediator
    assert sorted(mediators[c.pk] for c in cases[:4]) == sorted([world.mediator1.pk] * 2 + [local.pk] * 2)
    history = Assignment.objects.filter(case__in=cases, how="auto")
    assert history.count() == 6 and set(history.values_list("committee_id", flat=True)) == {
        world.committee.pk
    }


def test_routing_twice_changes_nothing(world, many):
    route(world, many)
    counts = (TriageResult.objects.count(), CaseEvent.objects.count(), Assignment.objects.count())

    again = route(world, many)

    assert (again.changed, again.assigned) == (0, 0)
    assert (TriageResult.objects.count(), CaseEvent.objects.count(), Assignment.objects.count()) == counts


def test_another_centres_case_is_left_alone(world, many):
    theirs = world.case(world.rural, routed=False, principal=Decimal("900000"))
    case_services.case_transition(case=theirs, transition="triage", actor=None)
    theirs.refresh_from_db()

    route(world, [*many, theirs])

    after = Case.objects.get(pk=theirs.pk)
    assert (after.colour, after.track, after.mediator_id) == (theirs.colour, theirs.track, None)
    assert not TriageResult.objects.filter(case=theirs).exists()
    assert not Assignment.objects.filter(case=theirs).exists()


def test_without_a_chooser_cases_stay_in_the_pool(world, many):
    routed = route(world, many, assign=False)

    assert routed.assigned == 0
    assert not Case.objects.filter(pk__in=[c.pk for c in many], mediator__isnull=False).exists()


# --- routed as it is imported ----------------------------------------------------------------------


def import_file(tmp_path, route=True):
    from io import StringIO

    from django.core.management import call_command

    from tests.cases.batches.files import good_row, write_csv

    same_person = valid_id_number(77, birth="19700707")
    rows = [
        good_row(2),  # old (2025-03-05 is 453 days before TODAY)
        good_row(3, overdue_since="2025-06-01"),  # exactly 365 days: not past
        good_row(4, overdue_since="2025-05-31", e_service_consent="否"),
        good_row(5, overdue_since="2026-01-01", principal="60,000.00"),
        good_row(6, overdue_since="2026-01-01", id_number=valid_id_number(6, region="350802")),
        good_row(
            7, overdue_since="2026-01-01", id_number=valid_id_number(7, region="350802"), principal="1000"
        ),
        *(good_row(n, overdue_since="2026-01-01", id_number=same_person) for n in (8, 9, 10)),
    ]
    args = ["import_batch", "--creditor", "demo-bank", str(write_csv(tmp_path / "r.csv", rows))]
    call_command(*args, *([] if route else ["--no-route"]), stdout=StringIO())
    return list(Case.objects.filter(external_ref__startswith="HT").order_by("external_ref"))


def assert_routed_as_the_rules_say(world, cases):
    ids = [c.pk for c in cases]
    expected = evaluate(ids, centre=world.qz)
    assert {c.pk: (c.colour, c.track) for c in cases} == {pk: r[:2] for pk, r in expected.items()}
    results = {r.case_id: r.reasons for r in TriageResult.objects.filter(case__in=ids).order_by("pk")}
    assert results == {pk: r[2] for pk, r in expected.items()}
    assert {c.mediator_id for c in cases} == {world.mediator1.pk}
    assert Assignment.objects.filter(case__in=ids, how="auto").count() == len(ids)
    assert list(verify_chains(ids)) == []
    colours = {c.external_ref: c.colour for c in cases}
    assert (colours["HT00000003"], colours["HT00000004"]) == ("green", "yellow")  # 365 / 366 days
    assert (colours["HT00000006"], colours["HT00000007"]) == ("red", "green")  # Longyan above / below 9,000
    assert {colours[f"HT{n:08d}"] for n in (8, 9, 10)} == {"red"}  # each has two others, also the first read


def test_an_imported_batch_is_routed_as_it_is_written(world, fixed_day, tmp_path):
    services.triage_ruleset_publish(centre=world.qz, rules=RULES, actor=world.admin)

    cases = import_file(tmp_path)

    assert_routed_as_the_rules_say(world, cases)
    # Triaged once, by the centre's rules, as each case was written: the triage event names them.
    triaged = CaseEvent.objects.filter(case__in=cases, action="triage", seq=2)
    assert set(triaged.values_list("reason", flat=True)) == {"rules v1"} and triaged.count() == len(cases)
    retriaged = CaseEvent.objects.filter(case__in=cases, action="retriaged")
    # The person's three cases were decided again once all were in: only they have a second event.
    assert set(retriaged.values_list("case_id", flat=True)) == {cases[n].pk for n in (6, 7, 8)}
    assert [retriaged.filter(case=cases[n]).count() for n in (6, 7, 8)] == [1, 1, 1]
    counts = (TriageResult.objects.count(), CaseEvent.objects.count(), Assignment.objects.count())
    batch = cases[0].batch
    assert services.imported_cases_route(batch=batch) == {"changed": 0, "assigned": 0}
    assert (TriageResult.objects.count(), CaseEvent.objects.count(), Assignment.objects.count()) == counts


def test_an_unrouted_import_is_routed_by_the_task_to_the_same_result(world, fixed_day, tmp_path):
    services.triage_ruleset_publish(centre=world.qz, rules=RULES, actor=world.admin)
    cases = import_file(tmp_path, route=False)
    assert not TriageResult.objects.filter(case__in=cases).exists()

    routed = services.imported_cases_route(batch=cases[0].batch)

    assert routed["assigned"] == len(cases)
    assert_routed_as_the_rules_say(world, list(Case.objects.filter(pk__in=[c.pk for c in cases])))


@pytest.mark.django_db(transaction=True)
def test_routed_on_the_writer_connection_too(fixed_day, tmp_path):
    from tests.factories import World

    world = World()  # committed: the import writes on its own connection, in a thread
    services.triage_ruleset_publish(centre=world.qz, rules=RULES, actor=world.admin)

    cases = import_file(tmp_path)

    assert_routed_as_the_rules_say(world, cases)
