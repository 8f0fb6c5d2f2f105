"""Pure predicates used by transitions. Each also has a Q form so bulk transitions select the same cases."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from .rules import CONFIRMATION_APPLICATION_DAYS


@dataclass(frozen=True)
class Condition:
    name: str
    predicate: Callable[[Any], bool]
    q: Callable[[], Q]
    message: str

    def __call__(self, case: Any) -> bool:
        return self.predicate(case)


no_active_hold = Condition(
    name="no_active_hold",
    predicate=lambda case: not case.on_hold,
    q=lambda: Q(on_hold=False),
    message="the case is on hold",
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
    message="the 30-day window to apply for judicial confirmation has passed",
)

# Enforcement needs an enforceable title: a confirmed settlement, an effective payment order or judgment.
has_enforceable_title = Condition(
    name="has_enforceable_title",
    predicate=lambda case: case.enforceable_title != "",
    q=lambda: ~Q(enforceable_title=""),
    message="there is no enforceable title (confirmation ruling, effective payment order or judgment)",
)

has_settlement = Condition(
    name="has_settlement",
    predicate=lambda case: case.settlement_effective_on is not None,
    q=lambda: Q(settlement_effective_on__isnull=False),
    message="no effective settlement agreement",
)


def failed_conditions(case: Any, conditions: list[Condition]) -> list[Condition]:
    return [c for c in conditions if not c(case)]
