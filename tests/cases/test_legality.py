"""The legality screen (issue #20): each rule, named by its source, pinned on both sides of its constant with
a fixed screening day; the gate before a payment order or suit; who may answer and decide."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from cases.errors import ActionForbidden, TransitionRefused
from cases.legality import (
    finding_answer,
    finding_decide,
    finding_lines,
    findings_visible_to,
    legality_screen,
    limitation_cutoff,
    limitation_last_day,
)
from cases.lpr import OFFICIAL_LAST_FIXING, lpr_table, one_year_lpr_on
from cases.models import Case, CaseEvent, ClaimHistory, Finding, Stage
from cases.services import case_transition
from core.actors import SYSTEM
from core.models import CreditorKind
from oversight.models import LprRate
from tests.factories import valid_id_number

NO_CHARGES = {"interest": Decimal("0.00"), "fees": Decimal("0.00")}


def screen(world, on, creditor=None):
    cases = Case.objects.filter(creditor=creditor) if creditor else Case.objects.all()
    return legality_screen(cases=cases, on=on, centre_id=world.qz.pk)


def rules_of(case):
    return set(Finding.objects.filter(case=case).values_list("rule", flat=True))


def kind(org, creditor_kind):
    org.creditor_kind = creditor_kind
    org.save()
    return org


# --- limitation: Civil Code 188 (3 years), 195 (interruption) ---


def test_civil_code_188_limitation_runs_to_the_same_day_3_years_later(world):
    case = world.case(overdue_since=date(2022, 3, 5))
    screen(world, date(2025, 3, 5))
    assert "limitation" not in rules_of(case)  # the last day of the 3 years: still in time
    screen(world, date(2025, 3, 6))
    assert "limitation" in rules_of(case)
    found = Finding.objects.get(case=case, rule="limitation")
    assert found.blocking and found.details["restarted_on"] == "2022-03-05"
    with translation.override("en"):
        assert finding_lines(found, show_other_cases=False) == [
            "Overdue since 2022-03-05; last restarted on 2022-03-05; the 3 years ended on 2025-03-05."
        ]


def test_civil_code_188_202_limitation_from_29_february_ends_on_28_february(world):
    assert limitation_last_day(date(2024, 2, 29)) == date(2027, 2, 28)
    assert limitation_cutoff(date(2028, 2, 29)) == date(2025, 3, 1)
    case = world.case(overdue_since=date(2024, 2, 29))
    screen(world, date(2027, 2, 28))
    assert "limitation" not in rules_of(case)
    screen(world, date(2027, 3, 1))
    assert "limitation" in rules_of(case)


@pytest.mark.parametrize("column", ["last_demand_on", "acknowledged_on", "last_payment_on"])
def test_civil_code_195_demand_acknowledgement_or_part_payment_restarts_limitation(world, column):
    case = world.case(overdue_since=date(2020, 1, 10))
    ClaimHistory.objects.create(case=case, **{column: date(2023, 6, 1)})
    screen(world, date(2026, 6, 1))
    assert "limitation" not in rules_of(case)
    screen(world, date(2026, 6, 2))
    assert Finding.objects.get(case=case, rule="limitation").details["restarted_on"] == "2023-06-01"


def test_civil_code_195_an_open_finding_goes_when_a_later_demand_is_recorded(world):
    case = world.case(overdue_since=date(2020, 1, 10))
    screen(world, date(2024, 1, 1))
    assert "limitation" in rules_of(case)
    ClaimHistory.objects.create(case=case, last_demand_on=date(2022, 5, 1))
    screen(world, date(2024, 1, 1))
    assert "limitation" not in rules_of(case)


# --- rates: SPC private lending rules 2020 arts. 1, 25, 28, 29, 31; the dated LPR ---


def test_spc_private_lending_25_lpr_is_dated_and_never_guessed(world):
    assert one_year_lpr_on(date(2019, 8, 19)) is None  # before the first fixing
    assert one_year_lpr_on(date(2019, 8, 20)) == Decimal("4.25")
    assert one_year_lpr_on(date(2020, 4, 19)) == Decimal("4.05")
    assert one_year_lpr_on(date(2020, 4, 20)) == Decimal("3.85")
    assert one_year_lpr_on(date(2025, 5, 20)) == Decimal("3.00")
    known_until = lpr_table().known_until
    assert known_until > OFFICIAL_LAST_FIXING
    assert one_year_lpr_on(known_until) == Decimal("3.00")
    assert one_year_lpr_on(date.fromordinal(known_until.toordinal() + 1)) is None
    # the centre adds the fixings it knows: the table goes on and a same-date row replaces the official one
    LprRate.objects.create(centre=world.qz, effective_from=date(2026, 5, 20), one_year_rate=Decimal("2.90"))
    LprRate.objects.create(centre=world.qz, effective_from=date(2025, 5, 20), one_year_rate=Decimal("3.05"))
    assert one_year_lpr_on(date(2026, 6, 1), centre_id=world.qz.pk) == Decimal("2.90")
    assert one_year_lpr_on(date(2025, 6, 1), centre_id=world.qz.pk) == Decimal("3.05")
    assert one_year_lpr_on(date(2026, 6, 1), centre_id=world.ly.pk) is None


def test_spc_private_lending_25_rate_cap_is_4_times_the_lpr_at_the_contract_date(world):
    lender = kind(world.cf, CreditorKind.PRIVATE)
    signed = {"contract_date": date(2025, 6, 1), "overdue_since": date(2025, 12, 1), **NO_CHARGES}
    at_cap = world.case(lender, annual_rate=Decimal("12.000"), **signed)  # 4 x 3.00%
    above = world.case(lender, annual_rate=Decimal("12.010"), **signed)
    screen(world, date(2026, 6, 1))
    assert "private_rate_cap" not in rules_of(at_cap)
    found = Finding.objects.get(case=above, rule="private_rate_cap")
    assert found.blocking and found.details["cap"] == "12.00" and found.details["lpr"] == "3.00"


def test_spc_private_lending_29_interest_penalties_and_fees_counted_together(world):
    lender = kind(world.cf, CreditorKind.PRIVATE)
    # 365 days from the contract to the screen: charges of 1,200 on 10,000 are 12.00% a year
    signed = {
        "contract_date": date(2025, 6, 1),
        "overdue_since": date(2025, 12, 1),
        "annual_rate": Decimal(10),
    }
    within = world.case(lender, interest=Decimal("700.00"), fees=Decimal("500.00"), **signed)
    beyond = world.case(lender, interest=Decimal("700.00"), fees=Decimal("501.00"), **signed)
    screen(world, date(2026, 6, 1))
    assert "private_rate_cap" not in rules_of(within)
    assert "private_rate_cap" in rules_of(beyond)


def test_spc_private_lending_31_contract_before_2020_08_20_judged_by_the_lpr_at_filing(world):
    lender = kind(world.cf, CreditorKind.PRIVATE)
    old = {"contract_date": date(2019, 1, 1), "overdue_since": date(2025, 1, 1), **NO_CHARGES}
    at_cap = world.case(lender, annual_rate=Decimal("12.000"), **old)  # 4 x 3.00% on the screen's day
    above = world.case(lender, annual_rate=Decimal("12.500"), **old)
    screen(world, date(2025, 7, 1))
    assert rules_of(at_cap) == set()
    found = Finding.objects.get(case=above, rule="private_rate_cap")
    assert found.details["transition"] is True and found.details["cap"] == "12.00"


def test_spc_private_lending_25_no_lpr_for_the_date_is_a_finding_not_a_guess(world):
    lender = kind(world.cf, CreditorKind.PRIVATE)
    late = date.fromordinal(lpr_table().known_until.toordinal() + 1)
    unknown = world.case(
        lender, annual_rate=Decimal("30"), contract_date=late, overdue_since=late, **NO_CHARGES
    )
    undated = world.case(lender, annual_rate=Decimal("5"), overdue_since=date(2025, 1, 1), **NO_CHARGES)
    screen(world, date(2026, 12, 1))
    assert rules_of(unknown) == {"rate_unjudgeable"}
    assert Finding.objects.get(case=unknown).details["reason"] == "no_lpr_for_date"
    assert Finding.objects.get(case=undated, rule="rate_unjudgeable").details["reason"] == "no_contract_date"
    LprRate.objects.create(centre=world.qz, effective_from=late, one_year_rate=Decimal("3.00"))
    screen(world, date(2026, 12, 1))
    assert rules_of(unknown) == {"private_rate_cap"}


def test_spc_private_lending_31_an_old_contract_screened_after_the_known_lpr_is_not_guessed(world):
    lender = kind(world.cf, CreditorKind.PRIVATE)
    old = world.case(
        lender, annual_rate=Decimal("30"), contract_date=date(2019, 1, 1), overdue_since=date(2025, 1, 1)
    )
    later = date.fromordinal(lpr_table().known_until.toordinal() + 1)
    screen(world, later)
    found = Finding.objects.get(case=old)
    assert found.rule == "rate_unjudgeable" and found.details["lpr_date"] == later.isoformat()


def test_spc_private_lending_1_licensed_institutions_are_outside_the_cap(world):
    signed = {"contract_date": date(2025, 6, 1), "overdue_since": date(2025, 12, 1), **NO_CHARGES}
    bank_case = world.case(world.bank, annual_rate=Decimal("20"), **signed)
    kind(world.cf, CreditorKind.SMALL_LOAN)
    small_loan_case = world.case(world.cf, annual_rate=Decimal("20"), **signed)
    screen(world, date(2026, 6, 1))
    assert rules_of(bank_case) == set() and rules_of(small_loan_case) == set()


def test_pboc_nfra_small_loan_guideline_24_percent_is_a_flag(world):
    lender = kind(world.cf, CreditorKind.SMALL_LOAN)
    signed = {"contract_date": date(2025, 6, 1), "overdue_since": date(2025, 12, 1), **NO_CHARGES}
    at = world.case(lender, annual_rate=Decimal("24.000"), **signed)
    above = world.case(lender, annual_rate=Decimal("24.010"), **signed)
    screen(world, date(2026, 6, 1))
    assert rules_of(at) == set()
    flag = Finding.objects.get(case=above, rule="small_loan_cost")
    assert flag.blocking is False


def test_spc_bank_card_rules_2_outliers_are_flagged_not_capped(world):
    signed = {"contract_date": date(2025, 6, 1), "overdue_since": date(2025, 12, 1), **NO_CHARGES}
    at = world.case(world.bank, annual_rate=Decimal("24.000"), **signed)
    above = world.case(world.bank, annual_rate=Decimal("36.000"), **signed)
    screen(world, date(2026, 6, 1))
    assert rules_of(at) == set()
    assert Finding.objects.get(case=above, rule="card_outlier").blocking is False


# --- the same contract twice; assignment: Interp. 247; Civil Code 545, 546 ---


def test_interp_247_same_contract_of_the_same_debtor_claimed_by_two_creditors(world):
    person = valid_id_number(4711)
    first = world.case(world.bank, external_ref="LOAN-1", id_number=person)
    again = world.case(world.cf, external_ref="LOAN-1", id_number=person)
    other_person = world.case(world.cf, external_ref="LOAN-2")
    screen(world, date(2026, 6, 1))
    assert "duplicate_contract" in rules_of(first) and "duplicate_contract" in rules_of(again)
    assert "duplicate_contract" not in rules_of(other_person)
    details = Finding.objects.get(case=again, rule="duplicate_contract").details
    assert details == {"cases": [first.pk], "other_creditors": 1, "same_ref": True}


def test_interp_247_same_debtor_principal_and_contract_date_under_another_number(world):
    person = valid_id_number(4712)
    terms = {"id_number": person, "principal": Decimal("8000.00"), "contract_date": date(2024, 2, 1)}
    world.case(world.bank, external_ref="A-1", **terms)
    twin = world.case(world.cf, external_ref="B-9", **terms)
    other_amount = world.case(world.cf, external_ref="B-10", **{**terms, "principal": Decimal("8000.01")})
    screen(world, date(2026, 6, 1), creditor=world.cf)
    assert rules_of(twin) == {"duplicate_contract"} and rules_of(other_amount) == set()


def test_civil_code_545_546_assigned_debt_needs_its_chain(world):
    named = world.case()
    ClaimHistory.objects.create(case=named, original_creditor="原银行", assigned_on=date(2024, 1, 1))
    chained = world.case()
    ClaimHistory.objects.create(
        case=chained, original_creditor="原银行", assigned_on=date(2024, 1, 1), assignment_ref="ZR-1"
    )
    assignee = kind(world.cf, CreditorKind.ASSIGNEE)
    bare = world.case(assignee)
    screen(world, date(2026, 6, 1))
    assert rules_of(named) == {"assignment_chain"}
    assert rules_of(chained) == set()
    assert rules_of(bare) == {"assignment_chain"}


def test_the_screen_is_safe_to_run_twice(world):
    case = world.case(overdue_since=date(2020, 1, 1))
    assert screen(world, date(2026, 1, 1))["limitation"] == 1
    screen(world, date(2026, 1, 1))
    assert Finding.objects.filter(case=case).count() == 1


# --- the gate, answers and decisions ---


def court_mediation_case(world, **fields):
    case = world.case(**fields)
    case_transition(case=case, transition="triage", actor=SYSTEM, colour="green", track="fast")
    case_transition(case=case, transition="start_mediation", actor=SYSTEM)
    case_transition(case=case, transition="escalate_to_court", actor=SYSTEM, reason="调解未果")
    case.refresh_from_db()
    return case


def test_open_blocking_finding_stops_a_payment_order_until_the_judge_decides(world):
    case = court_mediation_case(world, overdue_since=date(2020, 1, 1))
    screen(world, date(2026, 1, 1))
    with translation.override("en"), pytest.raises(TransitionRefused) as refused:
        case_transition(case=case, transition="apply_payment_order", actor=world.judge1)
    assert "findings the judge has not decided: Limitation period over" in str(refused.value)
    with translation.override("zh-hans"), pytest.raises(TransitionRefused) as refused:
        case_transition(case=case, transition="apply_payment_order", actor=world.judge1)
    assert "诉讼时效" in str(refused.value)
    finding = Finding.objects.get(case=case)
    finding_answer(finding=finding, actor=world.creditor1, answer="2023年寄过催收函")
    with pytest.raises(TransitionRefused):  # answered is not decided
        case_transition(case=case, transition="file_suit", actor=world.judge1)
    finding_decide(finding=finding, actor=world.judge1, upheld=False, note="催收函送达，时效中断")
    case_transition(case=case, transition="apply_payment_order", actor=world.judge1)
    case.refresh_from_db()
    assert case.stage == Stage.PAYMENT_ORDER
    assert CaseEvent.objects.filter(case=case, action="legality_finding_decided").exists()


def test_a_flag_does_not_stop_a_suit(world):
    case = court_mediation_case(
        world, annual_rate=Decimal("36"), contract_date=date(2025, 6, 1), overdue_since=date(2025, 12, 1)
    )
    screen(world, date(2026, 6, 1))
    assert rules_of(case) == {"card_outlier"}
    case_transition(case=case, transition="file_suit", actor=world.judge1)
    case.refresh_from_db()
    assert case.stage == Stage.IN_LITIGATION


def test_only_the_cases_creditor_answers_and_only_its_courts_judge_decides(world):
    case = world.case(overdue_since=date(2020, 1, 1))
    screen(world, date(2026, 1, 1))
    finding = Finding.objects.get(case=case)
    with pytest.raises(ActionForbidden):
        finding_answer(finding=finding, actor=world.creditor2, answer="不是我们的案件")
    with pytest.raises(ActionForbidden):
        finding_decide(finding=finding, actor=world.judge2, upheld=True, note="外院")
    with pytest.raises(ActionForbidden):
        finding_decide(finding=finding, actor=world.creditor1, upheld=False, note="自行决定")
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.OPEN


def test_a_creditor_sees_only_its_own_findings(world):
    own = world.case(world.bank, overdue_since=date(2020, 1, 1))
    other = world.case(world.cf, overdue_since=date(2020, 1, 1))
    screen(world, date(2026, 1, 1))
    assert set(findings_visible_to(world.creditor1).values_list("case_id", flat=True)) == {own.pk}
    assert set(findings_visible_to(world.creditor2).values_list("case_id", flat=True)) == {other.pk}
    assert findings_visible_to(world.judge2).count() == 0  # another centre's court


def test_the_screen_runs_again_on_demand_from_the_command_line(world):
    from io import StringIO

    from django.core.management import call_command

    case = world.case(overdue_since=date(2022, 3, 5))
    out = StringIO()
    call_command("legality_screen", "--centre", "quanzhou", "--on", "2025-03-05", stdout=out)
    assert "limitation: 0" in out.getvalue() and rules_of(case) == set()
    call_command("legality_screen", "--centre", "quanzhou", "--on", "2025-03-06", stdout=out)
    assert rules_of(case) == {"limitation"}


def test_cpl_228_a_payment_order_becomes_a_suit_on_an_objection_whatever_a_later_screen_finds(world):
    case = court_mediation_case(world, overdue_since=date(2025, 1, 1))
    case_transition(case=case, transition="apply_payment_order", actor=world.judge1)
    screen(world, date(2030, 1, 1))  # screened again later: out of time by then
    assert rules_of(case) == {"limitation"}
    case_transition(case=case, transition="file_suit", actor=SYSTEM)
    case.refresh_from_db()
    assert case.stage == Stage.IN_LITIGATION
