"""Triage: a centre's versioned rules give each case a colour, a track and reasons, set-based."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, NoReturn

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from cases.models import Case, CaseEvent, Colour, EventAction, Hold, Stage, Track
from core.models import Centre

from .models import TriageRule, TriageRuleSet

# The open cases a re-triage looks at again (services.cases_retriage), and so the preview too.
RETRIAGE_STAGES = [Stage.TRIAGED, Stage.IN_MEDIATION, Stage.COURT_MEDIATION]

SEVERITY: dict[str, int] = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}
NO_RISK_REASON = {
    "rule": "",
    "staff": gettext_noop("No risk factor found: suitable for mediation"),
    "debtor": gettext_noop("Your case is suitable for a quick settlement by mediation."),
}

# Cases the centre marked red as one cluster (dashboards: group risk) stay red whatever the rules say.
GROUP_RISK_REASON = {
    "rule": "group_risk",
    "staff": gettext_noop("Marked red by the centre: part of a group-risk cluster"),
    "debtor": gettext_noop(
        "Your case is one of several similar cases; a mediator will look at them together."
    ),
}


class RuleError(ValueError):
    """A rule the triage cannot apply; its message is translated when shown."""

    def __init__(self, message: Any, **params: Any) -> None:
        self.template, self.params = message, params
        super().__init__(str(message))

    def __str__(self) -> str:
        return (
            str(self.template) % {k: str(v) for k, v in self.params.items()}
            if self.params
            else str(self.template)
        )


def _field_label(field: Any) -> str:
    return str(TriageRule.Field(field).label) if field in TriageRule.Field.values else str(field)


def _op_label(op: Any) -> str:
    return str(TriageRule.Op(op).label) if op in TriageRule.Op.values else str(op)


def _number(value: Any, field: Any = "") -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except Exception as exc:
        raise RuleError(
            _("%(field)s: “%(value)s” is not a number."), field=_field_label(field), value=value
        ) from exc
    if not number.is_finite():
        raise RuleError(_("%(field)s: “%(value)s” is not a number."), field=_field_label(field), value=value)
    return number


def condition_q(condition: dict[str, Any], *, today: Any) -> Q:
    """One rule condition as a filter on cases annotated by `annotate_for_triage`."""
    field, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    if field == "amount":
        return _compare("claimed_total", field, op, _number(value, field))
    if field == "overdue_days":
        # overdue_days > n  <=>  overdue_since < today - n
        days = int(_number(value, field))
        cutoff = today - timedelta(days=days)
        mirrored = {"gt": "lt", "gte": "lte", "lt": "gt", "lte": "gte", "eq": "exact"}
        if op not in mirrored:
            _bad(field, op)
        return Q(**{f"overdue_since__{mirrored[op]}": cutoff})
    if field == "other_cases":
        return _compare("triage_other_cases", field, op, int(_number(value, field)))
    if field == "product":
        values = value if isinstance(value, list) else [value]
        return Q(product__in=values) if op in ("in", "eq") else _bad(field, op)
    if field == "e_service_consent":
        return Q(e_service_consent=_yes(value)) if op == "eq" else _bad(field, op)
    if field == "hardship":
        return Q(triage_hardship__gt=0) if _yes(value) else Q(triage_hardship=0)
    if field == "region":
        prefixes = value if isinstance(value, list) else [value]
        q = Q()
        for prefix in prefixes:
            q |= Q(debtor__region_code__startswith=str(prefix))
        return q if op in ("prefix", "in", "eq") else _bad(field, op)
    raise RuleError(_("There is no field “%(field)s” to test."), field=field)


def _yes(value: Any) -> bool:
    """A yes/no value as JSON (true/false) or as a form gives it ("1", "0", "true", "false")."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "是")
    return bool(value)


def _bad(field: Any, op: Any) -> NoReturn:
    raise RuleError(
        _("The operator “%(op)s” does not apply to %(field)s."), op=_op_label(op), field=_field_label(field)
    )


def _compare(column: str, field: Any, op: Any, value: Any) -> Q:
    lookups = {"lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte", "eq": "exact"}
    if op not in lookups:
        _bad(field, op)
    return Q(**{f"{column}__{lookups[op]}": value})


def rule_q(conditions: list[dict[str, Any]], *, today: Any) -> Q:
    """All conditions of one rule as one filter: the triage and its preview use this same translation."""
    q = Q()
    for condition in conditions:
        q &= condition_q(condition, today=today)
    return q


def validate_conditions(conditions: Any) -> None:
    if not isinstance(conditions, list):
        raise RuleError(_("The conditions must be a list."))
    for condition in conditions:
        if not isinstance(condition, dict):
            raise RuleError(_("Each condition has a field, an operator and a value."))
        condition_q(condition, today=timezone.localdate())


def annotate_for_triage(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Add what rules look at beyond the case row: the debtor's other cases, hardship holds."""
    others = (
        Case.objects.filter(debtor_id=OuterRef("debtor_id"))
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("debtor_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    hardship = (
        Hold.objects.filter(case_id=OuterRef("pk"), kind=Hold.Kind.HARDSHIP)
        .order_by()
        .values("case_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        triage_other_cases=Coalesce(Subquery(others), Value(0)),
        triage_hardship=Coalesce(Subquery(hardship), Value(0)),
    )


def _reason(rule: TriageRule) -> dict[str, str]:
    """What a case keeps of a rule it met; the English texts only where the rule has them."""
    reason = {"rule": rule.name, "staff": rule.staff_reason, "debtor": rule.debtor_reason}
    for key, field in (
        ("rule_en", "name_en"),
        ("staff_en", "staff_reason_en"),
        ("debtor_en", "debtor_reason_en"),
    ):
        if getattr(rule, field, ""):
            reason[key] = getattr(rule, field)
    return reason


def _group_risk_marked(ids: list[int]) -> set[int]:
    """Which of these cases the centre marked red as part of a group-risk cluster (dashboards)."""
    if not hasattr(Case, "group_risk_flags"):  # the dashboards app is not installed
        return set()
    # The cases the centre coloured (each has the event) stay red, also while a new case joining the
    # cluster has re-opened the flag for review; a dismissed flag no longer holds them.
    events = CaseEvent.objects.filter(case_id__in=ids, action=EventAction.GROUP_RISK_FLAGGED)
    coloured = set(events.values_list("case_id", flat=True))
    if not coloured:
        return set()
    dismissed = Case.objects.filter(pk__any_of=list(coloured), group_risk_flags__status="dismissed")
    return coloured - set(dismissed.values_list("pk", flat=True))


def active_ruleset(centre: Centre | int) -> TriageRuleSet | None:
    centre_id = centre if isinstance(centre, int) else centre.pk
    return TriageRuleSet.objects.filter(centre_id=centre_id, is_active=True).order_by("-version").first()


def evaluate(
    case_ids: Iterable[int], *, centre: Centre, rules: list[TriageRule] | None = None
) -> dict[int, tuple[str, str, list[dict[str, str]]]]:
    """Colour, track and reasons for each case: one query per rule, not one per case.

    The rules are the centre's active ones, or a draft (unsaved TriageRule objects) for a preview.
    """
    ids = list(case_ids)
    if rules is None:
        ruleset = active_ruleset(centre)
        rules = list(ruleset.rules.all()) if ruleset else []
    today = timezone.localdate()
    base = annotate_for_triage(Case.objects.filter(pk__any_of=ids))
    matched: dict[int, list[TriageRule]] = defaultdict(list)
    for rule in rules:
        for pk in base.filter(rule_q(rule.conditions, today=today)).values_list("pk", flat=True):
            matched[pk].append(rule)
    amounts = dict(Case.objects.filter(pk__any_of=ids).values_list("pk", F("claimed_total")))
    flagged = _group_risk_marked(ids)
    results = {}
    for pk in ids:
        fast = amounts.get(pk, Decimal(0)) <= centre.fast_track_ceiling
        results[pk] = triage_decision(matched.get(pk, []), fast=fast, flagged=pk in flagged)
    return results


def triage_decision(
    rules_hit: list[TriageRule], *, fast: bool, flagged: bool
) -> tuple[str, str, list[dict[str, str]]]:
    """Colour, track and reasons from the rules a case met (in order): the most severe colour, the first
    rule's track; without one, the quick mechanism's fast track up to the centre's ceiling (Longyan
    practice); a group-risk mark makes it red."""
    colour: str = Colour.GREEN
    track = ""
    for rule in rules_hit:
        if SEVERITY[rule.colour] > SEVERITY[colour]:
            colour = rule.colour
        if rule.track and not track:
            track = rule.track
    if not track:
        track = Track.FAST if fast else Track.SLOW
    reasons = [_reason(r) for r in rules_hit]
    if flagged:
        colour = Colour.RED
        reasons.append(GROUP_RISK_REASON)
    return str(colour), str(track), reasons or [NO_RISK_REASON]


# --- what a new version of the rules would do, before it is published ---------------------------------------

PREVIEW_CHUNK = 5000


@dataclass(frozen=True)
class RulesPreview:
    matches: list[int]  # per rule, in order: the open cases it matches (one COUNT each)
    changes: int  # the open cases whose colour or track these rules would change: what a re-triage changes


def retriage_candidates(centre: Centre | int) -> QuerySet[Case]:
    centre_id = centre if isinstance(centre, int) else centre.pk
    return Case.objects.filter(centre_id=centre_id, stage__in=RETRIAGE_STAGES)


def rules_preview(*, centre: Centre, rules: list[TriageRule]) -> RulesPreview:
    """Counts for a draft of the rules, through the same condition->filter translation the triage uses.

    The changes are counted the way cases_retriage decides them: each open case evaluated under the
    draft (one query per rule per chunk of cases) against the colour and track it has now.
    """
    today = timezone.localdate()
    candidates = retriage_candidates(centre)
    base = annotate_for_triage(candidates)
    matches = [base.filter(rule_q(rule.conditions, today=today)).count() for rule in rules]
    now = {pk: (colour, track) for pk, colour, track in candidates.values_list("pk", "colour", "track")}
    ids = sorted(now)
    changes = 0
    for start in range(0, len(ids), PREVIEW_CHUNK):
        results = evaluate(ids[start : start + PREVIEW_CHUNK], centre=centre, rules=rules)
        changes += sum(1 for pk, (colour, track, _r) in results.items() if (colour, track) != now[pk])
    return RulesPreview(matches, changes)
