"""The debtor's financial statement, affordability on the plan page, the once-only re-scheduling online; the
mediator sees affordability and the person's totals; nobody reaches another debtor's pages."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Stage
from credit_repair.models import CureLimits, PlanCure
from mediation.models import FinancialStatement, Proposal
from tests.credit_repair.conftest import performing
from tests.factories import PASSWORD

from .conftest import identify, mediation_case

STATEMENT = {
    "household_size": "3",
    "dependants": "1",
    "wages": "6,000",
    "other_income": "",
    "spend_housing": "1500",
    "spend_food": "1200",
    "spend_transport": "300",
    "spend_utilities": "",
    "spend_education": "",
    "spend_medical": "",
    "spend_other": "",
    "other_debts_monthly": "1000",
}
PLAN = {"total": "10,000", "amount_now": "0", "instalment_count": "4", "frequency": "monthly"}


def test_the_statement_sets_what_the_debtor_can_afford_and_a_plan_above_it_asks_why(world, english):
    case = mediation_case(world)
    identify(english, case)
    page = english.get(reverse("debtor:propose", args=[case.pk])).content.decode()
    assert "Fill in my financial statement" in page
    response = english.post(reverse("debtor:statement", args=[case.pk]), STATEMENT)
    assert response.status_code == 302 and response["Location"] == reverse("debtor:propose", args=[case.pk])
    statement = FinancialStatement.objects.get(debtor=case.debtor)
    assert statement.affordable_monthly == Decimal("2000.00")  # 6,000 - 3,000 - 1,000
    page = english.get(reverse("debtor:propose", args=[case.pk])).content.decode()
    assert "About ¥2,000.00 a month, from your financial statement." in page
    # 2,500 a month: more than the 2,000 left.
    refused = english.post(reverse("debtor:propose", args=[case.pk]), PLAN)
    text = refused.content.decode()
    assert refused.status_code == 200 and not Proposal.objects.filter(case=case).exists()
    assert "2500.00 yuan a month" in text and "2000.00 yuan your financial statement" in text
    assert 'name="above_affordable_reason"' in text
    sent = english.post(
        reverse("debtor:propose", args=[case.pk]), {**PLAN, "above_affordable_reason": "My wife pays half"}
    )
    assert sent.status_code == 302
    proposal = Proposal.objects.get(case=case)
    assert proposal.above_affordable_reason == "My wife pays half" and proposal.monthly_total == Decimal(
        "2500.00"
    )
    mediator = Client()
    mediator.login(username="mediator1", password=PASSWORD)
    for url in (reverse("mediation_debtor:case", args=[case.pk]), reverse("mediation:case", args=[case.pk])):
        staff_page = mediator.get(url).content.decode()
        assert "data-affordability" in staff_page and "My wife pays half" in staff_page
        assert "data-person-totals" in staff_page


def test_an_affordable_plan_needs_no_reason(world, english):
    case = mediation_case(world)
    identify(english, case)
    english.post(reverse("debtor:statement", args=[case.pk]), STATEMENT)
    response = english.post(reverse("debtor:propose", args=[case.pk]), {**PLAN, "instalment_count": "5"})
    assert response.status_code == 302
    assert Proposal.objects.get(case=case).above_affordable_reason == ""


def test_a_debtor_cannot_file_a_statement_on_another_persons_case(world, english):
    mine = mediation_case(world)
    other = mediation_case(world)
    identify(english, mine)
    assert english.get(reverse("debtor:statement", args=[other.pk])).status_code == 404
    assert english.post(reverse("debtor:statement", args=[other.pk]), STATEMENT).status_code == 404
    assert english.get(reverse("debtor:cure", args=[other.pk])).status_code == 404
    assert not FinancialStatement.objects.exists()


def test_an_objection_about_ability_to_pay_leads_to_the_statement(world, english):
    case = mediation_case(world)
    identify(english, case)
    response = english.post(
        reverse("debtor:object", args=[case.pk]), {"ground": "cannot_pay_now", "statement": "失业"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("debtor:statement", args=[case.pk])
    case.refresh_from_db()
    assert not case.on_hold


@pytest.fixture
def frozen(monkeypatch):
    def freeze(day: date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: day)

    return freeze


def test_the_debtor_re_schedules_a_missed_instalment_once_and_the_case_stays_in_performance(
    world, english, frozen, tmp_path, settings
):
    settings.PUBLIC_BASE_URL = "https://platform.example"
    CureLimits.objects.create(creditor=world.bank, max_extra_instalments=2, min_instalment=Decimal("1000"))
    case = performing(world, total="9000.00", count=3, first_due=date(2026, 9, 30))
    identify(english, case)
    frozen(date(2026, 10, 13))  # the last day of grace (Oct 1-7 are holidays)
    page = english.get(reverse("debtor:cases")).content.decode()
    assert "data-cure-offer" in page and reverse("debtor:cure", args=[case.pk]) in page
    form = english.get(reverse("debtor:cure", args=[case.pk])).content.decode()
    assert "1 to 5" in form
    too_many = english.post(reverse("debtor:cure", args=[case.pk]), {"count": "6", "first_due": "2026-10-20"})
    assert too_many.status_code == 200 and not PlanCure.objects.exists()
    done = english.post(reverse("debtor:cure", args=[case.pk]), {"count": "5", "first_due": "2026-10-20"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.PERFORMING and PlanCure.objects.filter(case=case).count() == 1
    page = english.get(reverse("debtor:cases")).content.decode()
    assert "data-cure-offer" not in page and "2026-10-20" in page
    assert english.get(reverse("debtor:cure", args=[case.pk])).status_code == 302  # once only


def test_no_re_scheduling_the_day_after_the_grace_period(world, english, frozen):
    CureLimits.objects.create(creditor=world.bank)
    case = performing(world, total="9000.00", count=3, first_due=date(2026, 9, 30))
    identify(english, case)
    frozen(date(2026, 10, 14))
    assert "data-cure-offer" not in english.get(reverse("debtor:cases")).content.decode()
    response = english.post(reverse("debtor:cure", args=[case.pk]), {"count": "3", "first_due": "2026-10-20"})
    assert response.status_code == 302 and not PlanCure.objects.exists()
