"""Pure predicates used by transitions. Each also has a Q form so bulk transitions select the same cases."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rules import CONFIRMATION_APPLICATION_DAYS, ENFORCEMENT_APPLICATION_YEARS


@dataclass(frozen=True)
class Condition:
    name: str
    predicate: Callable[[Any], bool]
    q: Callable[[], Q]
    message: Any

    def __call__(self, case: Any) -> bool:
        return self.predicate(case)


no_active_hold = Condition(
    name="no_active_hold",
    predicate=lambda case: not case.on_hold,
    q=lambda: Q(on_hold=False),
    message=_("the case is on hold"),
)

# CPL 205 (201): joint application within 30 days of the agreement taking effect.
confirmation_window_open = Condition(
    name="confirmation_window_open",
    predicate=lambda case: (
        case.settlement_effective_on is not None
        and timezone.localdate()
        <= case.settlement_effective_on + timedelta(days=CONFIRMATION_APPLICATION_DAYS)
    ),
    q=lambda: Q(
        settlement_effective_on__gte=timezone.localdate() - timedelta(days=CONFIRMATION_APPLICATION_DAYS)
    ),
    message=_("the 30-day window to apply for judicial confirmation has passed"),
)

# Enforcement needs an enforceable title: a confirmed settlement, an effective payment order or judgment.
has_enforceable_title = Condition(
    name="has_enforceable_title",
    predicate=lambda case: case.enforceable_title != "",
    q=lambda: ~Q(enforceable_title=""),
    message=_("there is no enforceable title (confirmation ruling, effective payment order or judgment)"),
)


def _two_years_before(today: Any) -> Any:
    try:
        return today.replace(year=today.year - ENFORCEMENT_APPLICATION_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ENFORCEMENT_APPLICATION_YEARS, day=28)


# CPL 250 (246): enforcement is applied for within 2 years of the last day of the performance period.
enforcement_application_in_time = Condition(
    name="enforcement_application_in_time",
    predicate=lambda case: (
        case.performance_due_on is None or case.performance_due_on >= _two_years_before(timezone.localdate())
    ),
    q=lambda: (
        Q(performance_due_on__isnull=True)
        | Q(performance_due_on__gte=_two_years_before(timezone.localdate()))
    ),
    message=_("more than 2 years have passed since the performance period ended (CPL 250)"),
)

has_settlement = Condition(
    name="has_settlement",
    predicate=lambda case: case.settlement_effective_on is not None,
    q=lambda: Q(settlement_effective_on__isnull=False),
    message=_("no effective settlement agreement"),
)


def _people_mediation_small_claim(case: Any) -> bool:
    committee = case.committee
    in_peoples_mediation = committee is None or committee.invited_by_court_id is None
    return in_peoples_mediation and case.claimed_total <= case.centre.fast_track_ceiling


# Performance at once, without judicial confirmation, is the creditor's choice for a small claim settled in
# people's mediation (the fast-track ceiling, 100,000 yuan by default); court mediation goes to the court.
peoples_mediation_small_claim = Condition(
    name="peoples_mediation_small_claim",
    predicate=_people_mediation_small_claim,
    q=lambda: (
        (Q(committee__isnull=True) | Q(committee__invited_by_court__isnull=True))
        & Q(claimed_total__lte=F("centre__fast_track_ceiling"))
    ),
    message=_(
        "only a small claim (up to the centre's fast-track ceiling) settled in people's mediation may be "
        "performed without judicial confirmation"
    ),
)


def failed_conditions(case: Any, conditions: list[Condition]) -> list[Condition]:
    return [c for c in conditions if not c(case)]
