"""Affordability: income less declared essential spending less other debts' payments; categories far above
the reference flagged; a plan above the affordable amount (across the person's cases) needs a reason."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mediation import debtor_services
from mediation.affordability import (
    DEFAULT_REFERENCE_PER_PERSON,
    FLAG_ABOVE_REFERENCE_RATIO,
    affordability,
    household_scale,
    monthly_equivalent,
    plan_exceeds,
    reference_for_household,
)
from mediation.debtor_services import DebtorRequestError, Plan
from mediation.models import FinancialStatement, Objection, ReferenceFigure
from mediation.statements import person_overview, reference_per_person, statement_file

D = Decimal
REF = {k: D("1000.00") for k in DEFAULT_REFERENCE_PER_PERSON}


def test_affordable_is_income_less_essentials_less_other_debts():
    result = affordability(
        income=[D("6000"), D("500")],
        spending={"housing": D("1500"), "food": D("1200")},
        other_debt_payments=[D("800")],
        household_size=1,
        reference_per_person=REF,
    )
    assert (result.income, result.essential, result.other_debts) == (D("6500.00"), D("2700.00"), D("800.00"))
    assert result.affordable == D("3000.00")


def test_affordable_is_never_below_zero():
    result = affordability(
        income=[D("2000")],
        spending={"food": D("2500")},
        other_debt_payments=[],
        household_size=1,
        reference_per_person=REF,
    )
    assert result.affordable == D("0.00")


def test_a_category_is_flagged_only_above_one_and_a_half_times_the_reference():
    assert D("1.5") == FLAG_ABOVE_REFERENCE_RATIO
    at = affordability(
        income=[D("9000")],
        spending={"housing": D("1500.00")},
        other_debt_payments=[],
        household_size=1,
        reference_per_person=REF,
    )
    above = affordability(
        income=[D("9000")],
        spending={"housing": D("1500.01")},
        other_debt_payments=[],
        household_size=1,
        reference_per_person=REF,
    )
    assert at.flagged == () and above.flagged == ("housing",)
    assert above.affordable == D("7499.99")  # declared spending is used as declared


def test_the_reference_grows_with_the_household():
    assert household_scale(1) == D("1") and household_scale(3) == D("2.4")
    assert reference_for_household(REF, 3)["food"] == D("2400.00")
    three = affordability(
        income=[D("9000")],
        spending={"food": D("3600")},
        other_debt_payments=[],
        household_size=3,
        reference_per_person=REF,
    )
    assert three.flagged == ()  # 3,600 = 1.5 × 2,400


def test_monthly_equivalent_and_the_limit_to_the_fen():
    assert monthly_equivalent(D("1000"), "monthly") == D("1000.00")
    assert monthly_equivalent(D("1000"), "biweekly") == D("2166.67")
    assert monthly_equivalent(D("1000"), "weekly") == D("4333.33")
    assert not plan_exceeds(monthly_total=D("1500.00"), affordable=D("1500.00"))
    assert plan_exceeds(monthly_total=D("1500.01"), affordable=D("1500.00"))


def test_the_default_reference_is_the_dated_national_figure_until_the_centre_configures_its_region(world):
    case = world.case()
    figures, source = reference_per_person(centre_id=case.centre_id, region_code="350500")
    assert figures == DEFAULT_REFERENCE_PER_PERSON and "NBS 2024" in source
    ReferenceFigure.objects.create(
        centre=case.centre,
        region_prefix="35",
        category="food",
        per_person_monthly=D("800"),
        valid_from=date(2025, 3, 1),
        source="Fujian 2024",
    )
    ReferenceFigure.objects.create(
        centre=case.centre,
        region_prefix="3505",
        category="food",
        per_person_monthly=D("850"),
        valid_from=date(2025, 3, 1),
        source="Quanzhou 2024",
    )
    ReferenceFigure.objects.create(
        centre=case.centre,
        region_prefix="3505",
        category="food",
        per_person_monthly=D("900"),
        valid_from=date(2026, 3, 1),
        source="Quanzhou 2025",
    )
    assert reference_per_person(centre_id=case.centre_id, region_code="350500", on=date(2026, 2, 28))[0][
        "food"
    ] == D("850")
    assert reference_per_person(centre_id=case.centre_id, region_code="350500", on=date(2026, 3, 1))[0][
        "food"
    ] == D("900")
    assert reference_per_person(centre_id=case.centre_id, region_code="350100", on=date(2026, 3, 1))[0][
        "food"
    ] == D("800")
    # Another centre's figures are not this centre's.
    assert (
        reference_per_person(centre_id=world.ly.pk, region_code="350500")[0]["food"]
        == DEFAULT_REFERENCE_PER_PERSON["food"]
    )


def file_statement(case, *, income="6000", housing="1500", food="1000", debts="500"):
    return statement_file(
        case=case,
        household_size=2,
        dependants=1,
        income=[{"label": "wages", "amount": D(income)}],
        spending={"housing": D(housing), "food": D(food)},
        other_debts=[{"label": "car", "monthly": D(debts)}],
    )


def monthly_plan(total, count):
    return Plan(
        total=D(total),
        amount_now=D("0"),
        instalment_count=count,
        frequency="monthly",
        first_due=timezone.localdate() + timedelta(days=30),
    )


def test_one_statement_serves_every_case_of_the_person_and_counts_all_their_plans(world):
    first = world.case()
    second = world.case(creditor=world.cf, id_number=first.debtor.id_number)
    statement = file_statement(first)  # affordable: 6,000 - 2,500 - 500 = 3,000
    assert statement.affordable_monthly == D("3000.00")
    assert FinancialStatement.objects.filter(debtor=first.debtor).count() == 1
    one = debtor_services.proposal_submit(case=first, plan=monthly_plan("20000", 10))  # 2,000 a month
    assert (one.affordable_monthly, one.monthly_total, one.statement) == (
        D("3000.00"),
        D("2000.00"),
        statement,
    )
    # The second creditor's plan of 1,000 a month: 3,000 in all, exactly affordable.
    two = debtor_services.proposal_submit(case=second, plan=monthly_plan("10000", 10))
    assert two.monthly_total == D("3000.00") and two.above_affordable_reason == ""
    overview = person_overview(debtor_id=first.debtor_id)
    assert (overview.cases, overview.proposed_monthly, overview.affordable) == (2, D("3000.00"), D("3000.00"))
    assert overview.owed == first.claimed_total + second.claimed_total


def test_a_plan_above_the_affordable_amount_needs_a_reason(world):
    case = world.case()
    file_statement(case)
    with pytest.raises(DebtorRequestError) as refused:
        debtor_services.proposal_submit(case=case, plan=monthly_plan("30010", 10))  # 3,001 a month
    assert refused.value.code == "above_affordable"
    assert "3001.00" in str(refused.value) and "3000.00" in str(refused.value)
    proposal = debtor_services.proposal_submit(
        case=case, plan=monthly_plan("30010", 10), above_affordable_reason="My brother pays half"
    )
    assert proposal.above_affordable_reason == "My brother pays half"
    assert proposal.monthly_total == D("3001.00")


def test_without_a_statement_no_reason_is_asked(world):
    case = world.case()
    proposal = debtor_services.proposal_submit(case=case, plan=monthly_plan("90000", 10))
    assert proposal.affordable_monthly is None and proposal.monthly_total == D("9000.00")


def test_an_objection_on_the_merits_goes_to_the_mediator_within_five_working_days(world, monkeypatch):
    from cases.services import case_transition

    case = world.case()
    case_transition(case=case, transition="triage", actor=None)
    case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    case.refresh_from_db()
    # Filed on Wednesday Sep 30 2026: Oct 1-7 are holidays, Saturday Oct 10 is a working day.
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: date(2026, 9, 30))
    objection = debtor_services.objection_file(
        case=case, ground=Objection.Ground.ALREADY_PAID, statement="paid in March", evidence=[], ip=None
    )
    assert objection.reviewer == world.mediator1
    assert objection.review_due_on == date(2026, 10, 13)  # Oct 8, 9, 10, 12, 13
    assert objection.status == Objection.Status.UNDER_REVIEW and objection.hold is not None


def test_an_objection_about_ability_to_pay_goes_to_the_plan_flow_without_a_hold(world):
    case = world.case()
    objection = debtor_services.objection_file(
        case=case, ground=Objection.Ground.CANNOT_PAY_NOW, statement="lost my job", evidence=[], ip=None
    )
    assert objection.status == Objection.Status.TO_PLAN and objection.hold is None
    assert objection.reviewer is None and objection.review_due_on is None
    case.refresh_from_db()
    assert not case.on_hold


def test_the_judge_reads_the_reason_beside_the_settlement_it_became(world):
    from django.template import Context, Template
    from django.utils import translation

    case = world.case()
    file_statement(case)
    proposal = debtor_services.proposal_submit(
        case=case, plan=monthly_plan("30010", 10), above_affordable_reason="My brother pays half"
    )
    settlement = debtor_services.proposal_accept_by_mediator(
        proposal=proposal, actor=world.mediator1
    ).settlement
    with translation.override("en"):
        html = Template("{% load affordability_tags %}{% affordability case settlement %}").render(
            Context({"case": case, "settlement": settlement})
        )
    assert "My brother pays half" in html and "Above what is affordable" in html
    assert "¥3,000.00" in html and "¥3,001.00" in html
    assert case.debtor.id_number not in html and case.debtor.id_number_masked not in html


def test_the_mediators_counter_offer_above_what_is_affordable_needs_a_reason_too(world):
    case = world.case()
    file_statement(case)
    proposal = debtor_services.proposal_submit(case=case, plan=monthly_plan("20000", 10))
    with pytest.raises(DebtorRequestError) as refused:
        debtor_services.proposal_counter(
            proposal=proposal, actor=world.mediator1, plan=monthly_plan("40000", 10)
        )
    assert refused.value.code == "above_affordable"
    counter = debtor_services.proposal_counter(
        proposal=proposal,
        actor=world.mediator1,
        plan=monthly_plan("40000", 10),
        above_affordable_reason="The creditor refuses less; the debtor's son pays 1,000",
    )
    assert counter.monthly_total == D("4000.00") and counter.affordable_monthly == D("3000.00")
    assert counter.above_affordable_reason.startswith("The creditor refuses less")
