"""What a debtor can afford each month: a standard financial statement compared with reference figures.

Pure functions and the dated default reference set; the models (FinancialStatement, ReferenceFigure) and
the services that store them live in models.py and affordability_services.py.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# Essential spending categories of the statement (the NBS consumption groups, regrouped for a household).
CATEGORIES: tuple[tuple[str, Any], ...] = (
    ("housing", _("Housing (rent, mortgage)")),
    ("food", _("Food")),
    ("transport", _("Transport and phone")),
    ("utilities", _("Water, power and gas")),
    ("education", _("Education")),
    ("medical", _("Medical care")),
    ("other", _("Other essentials")),
)
CATEGORY_KEYS = tuple(key for key, _label in CATEGORIES)

# A category is flagged for the mediator when the declared amount exceeds the reference by more than half
# (project rule: declared spending is used as it is, the mediator asks about what stands out).
FLAG_ABOVE_REFERENCE_RATIO = Decimal("1.5")
# Each further household member costs this share of the first (a simple equivalence scale, like the
# modified OECD scale's 0.5-0.7; a project default, S).
EXTRA_MEMBER_SHARE = Decimal("0.7")
# Instalments per month by frequency (52 weeks / 12 months).
PER_MONTH = {"monthly": Decimal("1"), "biweekly": Decimal("26") / 12, "weekly": Decimal("52") / 12}

# DEFAULT reference set, per person per month, yuan: the 2024 national per-capita consumption expenditure
# of residents (NBS, 国家统计局《2024年居民收入和消费支出情况》, 2025-01-17: food 8,411; housing 6,263, of
# which utilities taken as one fifth; transport and communication 3,976; education, culture and recreation
# 3,189; health care 2,547; clothing, household goods and other 3,841) divided by 12. A default only:
# each centre configures its region's figures (ReferenceFigure rows, by region-code prefix and date).
DEFAULT_REFERENCE_SOURCE = (
    "NBS 2024 national per-capita consumption expenditure (default; configure per centre)"
)
DEFAULT_REFERENCE_VALID_FROM = date(2025, 1, 17)
DEFAULT_REFERENCE_PER_PERSON: dict[str, Decimal] = {
    "housing": Decimal("417.53"),  # 6,263 × 4/5 / 12
    "food": Decimal("700.92"),  # 8,411 / 12
    "transport": Decimal("331.33"),  # 3,976 / 12
    "utilities": Decimal("104.38"),  # 6,263 / 5 / 12
    "education": Decimal("265.75"),  # 3,189 / 12
    "medical": Decimal("212.25"),  # 2,547 / 12
    "other": Decimal("320.08"),  # 3,841 / 12
}


def household_scale(household_size: int) -> Decimal:
    """1 for one person, then EXTRA_MEMBER_SHARE for each further member."""
    return Decimal(1) + EXTRA_MEMBER_SHARE * max(0, household_size - 1)


def reference_for_household(per_person: Mapping[str, Decimal], household_size: int) -> dict[str, Decimal]:
    scale = household_scale(household_size)
    return {
        k: (Decimal(per_person.get(k, ZERO)) * scale).quantize(CENT, ROUND_HALF_UP) for k in CATEGORY_KEYS
    }


@dataclass(frozen=True)
class Affordability:
    income: Decimal
    essential: Decimal
    other_debts: Decimal
    affordable: Decimal  # per month, never below zero
    reference: dict[str, Decimal] = field(default_factory=dict)
    flagged: tuple[str, ...] = ()  # categories declared far above the reference


def affordability(
    *,
    income: Iterable[Decimal],
    spending: Mapping[str, Decimal],
    other_debt_payments: Iterable[Decimal],
    household_size: int,
    reference_per_person: Mapping[str, Decimal],
) -> Affordability:
    """Monthly affordable amount = income - declared essential spending - other debts' monthly payments.

    Declared spending is used as declared; categories above FLAG_ABOVE_REFERENCE_RATIO × the household's
    reference are flagged for the mediator to ask about.
    """
    total_income = sum((Decimal(x) for x in income), ZERO)
    essential = sum((Decimal(spending.get(k) or ZERO) for k in CATEGORY_KEYS), ZERO)
    debts = sum((Decimal(x) for x in other_debt_payments), ZERO)
    reference = reference_for_household(reference_per_person, household_size)
    flagged = tuple(
        k
        for k in CATEGORY_KEYS
        if reference[k] > 0 and Decimal(spending.get(k) or ZERO) > reference[k] * FLAG_ABOVE_REFERENCE_RATIO
    )
    left = (total_income - essential - debts).quantize(CENT, ROUND_HALF_UP)
    return Affordability(
        income=total_income.quantize(CENT),
        essential=essential.quantize(CENT),
        other_debts=debts.quantize(CENT),
        affordable=max(ZERO, left),
        reference=reference,
        flagged=flagged,
    )


def monthly_equivalent(instalment: Decimal, frequency: str) -> Decimal:
    """What an instalment at this frequency costs per month."""
    return (Decimal(instalment) * PER_MONTH.get(frequency, Decimal(1))).quantize(CENT, ROUND_HALF_UP)


def plan_exceeds(*, monthly_total: Decimal, affordable: Decimal) -> bool:
    """A plan is above what the debtor can afford when everything they would pay each month, across all
    their cases at the centre, exceeds the affordable amount by at least a fen."""
    return Decimal(monthly_total) > Decimal(affordable)
