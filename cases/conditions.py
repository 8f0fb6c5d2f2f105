"""Pure predicates used by transitions. Each also has a Q form so bulk transitions select the same cases."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Condition:
    name: str
    predicate: Callable[[Any], bool]
    q: Callable[[], Q]
    message: Any
    # The message for one case, naming what stands in the way (None: the message above).
    describe: Callable[[Any], Any] | None = None

    def explain(self, case: Any) -> Any:
        return self.describe(case) if self.describe is not None else self.message

    def __call__(self, case: Any) -> bool:
        return self.predicate(case)


no_active_hold = Condition(
    name="no_active_hold",
    predicate=lambda case: not case.on_hold,
    q=lambda: Q(on_hold=False),
    message=_("the case is on hold"),
)


def confirmation_application_due_on(case: Any) -> Any:
    """The last day to apply jointly for confirmation: the case's deadline row (holds included) or, without
    one, the one due-date function from the day the agreement took effect (CPL 205 (201); CPL 85)."""
    from .deadlines import due_date_for_centre
    from .models import Deadline

    if case.settlement_effective_on is None:
        return None
    row = (
        Deadline.objects.filter(
            case_id=case.pk,
            kind=Deadline.Kind.CONFIRMATION_APPLICATION,
            starts_on=case.settlement_effective_on,
        )
        .exclude(status=Deadline.Status.CANCELLED)
        .order_by("-pk")
        .values_list("due_on", flat=True)
        .first()
    )
    if row is not None:
        return row
    return due_date_for_centre(
        centre_id=case.centre_id,
        kind=Deadline.Kind.CONFIRMATION_APPLICATION,
        start=case.settlement_effective_on,
    ).due_on


def _confirmation_window_q() -> Q:
    """The same test for many cases: the deadline row when there is one, else the computed last day."""
    from core.models import Centre
    from core.workdays import WorkingCalendar

    from .deadlines import earliest_start_still_due
    from .models import Deadline

    today = timezone.localdate()
    rows = Deadline.objects.filter(
        case_id=OuterRef("pk"),
        kind=Deadline.Kind.CONFIRMATION_APPLICATION,
        starts_on=OuterRef("settlement_effective_on"),
    ).exclude(status=Deadline.Status.CANCELLED)
    computed = Q(pk__in=[])
    for centre_id in Centre.objects.values_list("pk", flat=True):
        earliest = earliest_start_still_due(
            kind=Deadline.Kind.CONFIRMATION_APPLICATION,
            today=today,
            work_calendar=WorkingCalendar.for_centre(centre_id),
        )
        computed |= Q(centre_id=centre_id, settlement_effective_on__gte=earliest)
    return Q(settlement_effective_on__isnull=False) & (
        Q(Exists(rows.filter(due_on__gte=today))) | (~Q(Exists(rows)) & computed)
    )


# CPL 205 (201): joint application within 30 days of the agreement taking effect; CPL 85 counts the days.
confirmation_window_open = Condition(
    name="confirmation_window_open",
    predicate=lambda case: (
        case.settlement_effective_on is not None
        and timezone.localdate() <= confirmation_application_due_on(case)
    ),
    q=_confirmation_window_q,
    message=_("the 30-day window to apply for judicial confirmation has passed"),
)

# CPL 205 (201), Interp. 351: judicial confirmation is applied for jointly by both parties (not by the
# mediator or a clerk alone): each side's consent is recorded before the court sees the application.
both_parties_apply = Condition(
    name="both_parties_apply",
    predicate=lambda case: (
        case.confirmation_consent_debtor_at is not None and case.confirmation_consent_creditor_at is not None
    ),
    q=lambda: Q(confirmation_consent_debtor_at__isnull=False, confirmation_consent_creditor_at__isnull=False),
    message=_("both parties must consent to apply jointly for judicial confirmation"),
)

# Enforcement needs an enforceable title: a confirmed settlement, an effective payment order or judgment.
has_enforceable_title = Condition(
    name="has_enforceable_title",
    predicate=lambda case: case.enforceable_title != "",
    q=lambda: ~Q(enforceable_title=""),
    message=_("there is no enforceable title (confirmation ruling, effective payment order or judgment)"),
)


# CPL 250 (246) and Interp. 481: an enforcement application after the 2 years is still accepted; the court
# warns (courts.enforcement_figures.enforcement_application_warning), so the period is not a condition here.

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


def _open_blocking_findings(case_id: Any) -> Any:
    from .models import Finding

    return Finding.objects.filter(
        case_id=case_id, blocking=True, status__in=[Finding.Status.OPEN, Finding.Status.ANSWERED]
    )


def _describe_open_findings(case: Any) -> Any:
    from .legality import rule_title

    rules = sorted(set(_open_blocking_findings(case.pk).values_list("rule", flat=True)))
    titles = "; ".join(str(rule_title(code)) for code in rules)
    return _("the legality screen has findings the judge has not decided: %(rules)s") % {"rules": titles}


# Issue #20: a case with open blocking findings of the legality screen (cases.legality) goes from court
# mediation to no payment order and no suit until the judge has recorded a decision on each. A payment order
# that becomes a suit on an objection (CPL 228) passed this gate when it was applied for.
GATED_STAGE = "court_mediation"
legality_findings_decided = Condition(
    name="legality_findings_decided",
    predicate=lambda case: case.stage != GATED_STAGE or not _open_blocking_findings(case.pk).exists(),
    q=lambda: ~Q(stage=GATED_STAGE) | ~Q(Exists(_open_blocking_findings(OuterRef("pk")))),
    message=_("the legality screen has findings the judge has not decided"),
    describe=_describe_open_findings,
)


def failed_conditions(case: Any, conditions: list[Condition]) -> list[Condition]:
    return [c for c in conditions if not c(case)]
