"""Triage rules: each condition type, versioning, reasons, bulk re-triage."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Stage
from mediation import services
from mediation.models import TriageResult
from mediation.triage import RuleError
from tests.factories import valid_id_number


def rule(name, field, op, value, colour="yellow", track=""):
    return {
        "name": name,
        "conditions": [{"field": field, "op": op, "value": value}],
        "colour": colour,
        "track": track,
        "staff_reason": f"staff: {name}",
        "debtor_reason": f"debtor: {name}",
    }


def triaged(world, case):
    result = services.cases_triage(case_ids=[case.pk], centre=world.qz)
    assert result.done == [case.pk]
    case.refresh_from_db()
    return case, case.triage_results.get()


@pytest.mark.parametrize(
    ("condition", "fields", "matches"),
    [
        (("amount", "gt", "50000"), {"principal": Decimal("60000")}, True),
        (("amount", "gt", "50000"), {"principal": Decimal("40000")}, False),
        (("product", "in", ["credit_card"]), {"product": "credit_card"}, True),
        (("product", "in", ["credit_card"]), {"product": "microloan"}, False),
        (("overdue_days", "gt", 365), {"overdue_since": timezone.localdate() - timedelta(days=400)}, True),
        (("overdue_days", "gt", 365), {"overdue_since": timezone.localdate() - timedelta(days=100)}, False),
        (("e_service_consent", "eq", True), {"e_service_consent": True}, True),
        (("e_service_consent", "eq", True), {"e_service_consent": False}, False),
        (("region", "prefix", "3505"), {"id_number": valid_id_number(region="350521")}, True),
        (("region", "prefix", "3505"), {"id_number": valid_id_number(region="350802")}, False),
    ],
)
def test_each_condition_type(world, condition, fields, matches):
    services.triage_ruleset_publish(
        centre=world.qz, rules=[rule("R", *condition, colour="red")], actor=world.admin
    )
    case, result = triaged(world, world.case(**fields))
    assert (case.colour == "red") is matches
    assert (result.reasons[0]["rule"] == "R") is matches


def test_other_cases_and_hardship_conditions(world):
    services.triage_ruleset_publish(
        centre=world.qz,
        rules=[rule("Repeat", "other_cases", "gte", 2, colour="red"), rule("Hard", "hardship", "eq", True)],
        actor=world.admin,
    )
    same_person = valid_id_number(77, birth="19700707")  # a birth date no generated number uses
    first = world.case(id_number=same_person)
    world.case(id_number=same_person)
    world.case(creditor=world.cf, id_number=same_person)  # the same person at another creditor
    case, result = triaged(world, first)
    assert case.colour == "red"
    assert [r["rule"] for r in result.reasons] == ["Repeat"]
    lonely = world.case()
    case_services.hold_place(case=lonely, kind="hardship", actor=world.admin, reason="失业")
    hold = lonely.holds.get()
    case_services.hold_lift(hold=hold, actor=world.admin)
    case, result = triaged(world, lonely)
    assert case.colour == "yellow"
    assert [r["rule"] for r in result.reasons] == ["Hard"]


def test_most_severe_colour_wins_and_all_reasons_are_kept(world):
    services.triage_ruleset_publish(
        centre=world.qz,
        rules=[
            rule("Big", "amount", "gt", "1000", colour="yellow"),
            rule("Card", "product", "in", ["credit_card"], colour="red"),
        ],
        actor=world.admin,
    )
    case, result = triaged(world, world.case(product="credit_card"))
    assert case.colour == "red"
    assert [r["rule"] for r in result.reasons] == ["Big", "Card"]
    assert result.reasons[1]["debtor"] == "debtor: Card"


def test_track_is_fast_up_to_the_centre_ceiling_unless_a_rule_says_otherwise(world):
    case, _ = triaged(
        world, world.case(principal=Decimal("99000"), interest=Decimal("1000"), fees=Decimal("0"))
    )
    assert case.track == "fast"
    case, _ = triaged(
        world, world.case(principal=Decimal("99000"), interest=Decimal("1000"), fees=Decimal("0.01"))
    )
    assert case.track == "slow"
    services.triage_ruleset_publish(
        centre=world.qz,
        rules=[rule("Cards slow", "product", "in", ["credit_card"], track="slow")],
        actor=world.admin,
    )
    case, _ = triaged(world, world.case(product="credit_card"))
    assert case.track == "slow"


def test_no_rule_matching_gives_green_with_a_plain_reason(world):
    case, result = triaged(world, world.case())
    assert case.colour == "green"
    assert result.version == 0
    assert result.reasons[0]["debtor"]


def test_versions_are_kept_and_results_record_theirs(world):
    v1 = services.triage_ruleset_publish(
        centre=world.qz, rules=[rule("A", "amount", "gt", "1")], actor=world.admin
    )
    _first, r1 = triaged(world, world.case())
    v2 = services.triage_ruleset_publish(
        centre=world.qz, rules=[rule("B", "amount", "gt", "1", colour="red")], actor=world.admin
    )
    v1.refresh_from_db()
    assert (v1.version, v1.is_active, v2.version, v2.is_active) == (1, False, 2, True)
    assert r1.version == 1
    second, r2 = triaged(world, world.case())
    assert (r2.version, second.colour) == (2, "red")


def test_bulk_retriage_after_a_rule_change_updates_colour_and_writes_events(world):
    cases = [world.case() for _ in range(5)]
    services.cases_triage(case_ids=[c.pk for c in cases], centre=world.qz)
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("colour", flat=True)) == {
        "green"
    }
    services.triage_ruleset_publish(
        centre=world.qz, rules=[rule("All big", "amount", "gt", "1", colour="red")], actor=world.admin
    )
    changed = services.cases_retriage(centre=world.qz, actor=world.admin)
    assert changed == 5
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("colour", flat=True)) == {"red"}
    assert TriageResult.objects.filter(case__in=cases, version=1).count() == 5
    assert cases[0].events.filter(action="retriaged").count() == 1
    assert services.cases_retriage(centre=world.qz, actor=world.admin) == 0  # nothing changed: no new events
    from cases.events import verify_chains

    assert list(verify_chains()) == []


def test_a_bad_rule_is_refused_before_anything_changes(world):
    with pytest.raises(RuleError):
        services.triage_ruleset_publish(
            centre=world.qz, rules=[rule("X", "salary", "gt", 1)], actor=world.admin
        )
    assert not world.qz.triage_rulesets.exists()


def test_only_received_cases_are_triaged(world):
    case = world.case()
    case_services.case_transition(case=case, transition="triage", actor=None)
    case_services.case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    result = services.cases_triage(case_ids=[case.pk], centre=world.qz)
    assert result.done == [] and case.pk in result.skipped
    case.refresh_from_db()
    assert case.stage == Stage.IN_MEDIATION
