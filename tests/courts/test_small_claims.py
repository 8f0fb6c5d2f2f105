"""Small claims: the centre's dated threshold (CPL 165; Interp. 272), up to twice the wage with both parties'
agreement (CPL 165), never when the debtor can only be served by publication (CPL 166), decided within 2
months (CPL 168). A fixed clock where dates count."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from cases.models import Case, Stage
from core.models import Centre
from courts import services
from courts.services import CourtError

WAGE = Decimal("100000.00")  # the centre's figure: small claims up to half of it, 50,000


def claim(world, total: str, **fields) -> Case:
    fields.setdefault("address", "泉州市鲤城区中山路100号")
    case = world.case(principal=Decimal(total), interest=Decimal("0"), fees=Decimal("0"), **fields)
    Centre.objects.filter(pk=case.centre_id).update(
        average_wage=WAGE, average_wage_year=2025, average_wage_source="福建省统计局 2025 年平均工资公报"
    )
    return Case.objects.select_related("centre").get(pk=case.pk)


@pytest.mark.parametrize(
    "missing",
    [
        {"average_wage": None},
        {"average_wage_year": None},
        {"average_wage_source": ""},
    ],
)
def test_no_small_claims_without_a_dated_sourced_wage_figure(world, missing):
    case = claim(world, "1000.00")
    Centre.objects.filter(pk=case.centre_id).update(**missing)
    case = Case.objects.select_related("centre").get(pk=case.pk)

    assert services.suit_procedure_for(case) == "summary"
    with translation.override("en"):
        assert "average wage" in services.small_claims_refusal(case)
    with pytest.raises(CourtError):
        services.suit_file(case=case, actor=world.judge1, procedure="small_claims")


def test_small_claims_up_to_the_centres_dated_threshold(world):
    assert services.suit_procedure_for(claim(world, "50000.00")) == "small_claims"
    assert services.suit_procedure_for(claim(world, "50000.01")) == "summary"


def test_small_claims_above_the_threshold_up_to_twice_the_wage_only_when_both_parties_agree(world):
    assert services.suit_procedure_for(claim(world, "100000.00")) == "summary"
    agreed = {"parties_agree_small_claims": True}
    assert services.suit_procedure_for(claim(world, "200000.00"), **agreed) == "small_claims"
    assert services.suit_procedure_for(claim(world, "200000.01"), **agreed) == "summary"


def test_never_small_claims_when_the_debtor_can_only_be_served_by_publication(world):
    unservable = claim(world, "1000.00", address="", e_service_consent=False)
    assert services.suit_procedure_for(unservable) == "summary"
    Case.objects.filter(pk=unservable.pk).update(stage=Stage.COURT_MEDIATION)
    unservable.refresh_from_db()
    with pytest.raises(CourtError):
        services.suit_file(case=unservable, actor=world.judge1, procedure="small_claims")
    unservable.refresh_from_db()
    assert unservable.stage == Stage.COURT_MEDIATION and not unservable.suits.exists()


def test_small_claims_are_decided_within_2_months(world, monkeypatch):
    """CPL 168: 1 June 2026 + 2 months = Saturday 1 August, so Monday 3 August (CPL 85¶3)."""
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: date(2026, 6, 1))
    case = claim(world, "30000.00")
    Case.objects.filter(pk=case.pk).update(stage=Stage.COURT_MEDIATION)
    case.refresh_from_db()
    suit = services.suit_file(case=case, actor=world.creditor1)
    assert suit.procedure == "small_claims" and suit.filed_on == date(2026, 6, 1)
    assert suit.decide_by == date(2026, 8, 3)


def test_both_parties_agreement_is_recorded_on_the_suit(world):
    case = claim(world, "150000.00")
    Case.objects.filter(pk=case.pk).update(stage=Stage.COURT_MEDIATION)
    case.refresh_from_db()
    with pytest.raises(CourtError):
        services.suit_file(case=case, actor=world.judge1, procedure="small_claims")
    suit = services.suit_file(
        case=case, actor=world.judge1, procedure="small_claims", parties_agree_small_claims=True
    )
    assert suit.procedure == "small_claims" and suit.parties_agreed_small_claims
