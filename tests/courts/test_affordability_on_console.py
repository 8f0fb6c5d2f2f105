"""The judge sees, beside the settlement to confirm, what the debtor can afford and why a plan above it was
agreed (the recorded reason), never the debtor's ID number."""

from decimal import Decimal

import pytest
from django.utils import translation

from courts import services as court
from mediation import debtor_services
from mediation.models import Proposal
from tests.courts.test_console import case_url, in_mediation, judge_of
from tests.factories import PASSWORD
from tests.mediation.factories import SettlementFactory
from tests.mediation.test_affordability import file_statement, monthly_plan

pytestmark = pytest.mark.django_db


def test_the_judge_reads_affordability_and_the_reason_before_confirming(client, world):
    case = in_mediation(world)
    file_statement(case)  # affordable: 6,000 - 2,500 - 500 = 3,000 a month
    proposal = debtor_services.proposal_submit(
        case=case, plan=monthly_plan("30010", 10), above_affordable_reason="My brother pays half"
    )
    settlement = SettlementFactory(case=case, actor=case.mediator, total=Decimal("30010.00"), signed=True)
    Proposal.objects.filter(pk=proposal.pk).update(settlement=settlement)
    court.confirmation_apply(case=case, actor=case.mediator)
    judge = judge_of(world, case)
    assert client.login(username=judge.username, password=PASSWORD)

    with translation.override("en"):
        html = client.get(case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "My brother pays half" in html
    assert "¥3,000.00" in html and "¥3,001.00" in html
    assert case.debtor.id_number not in html
