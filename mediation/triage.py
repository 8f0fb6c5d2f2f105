"""Triage: a centre's versioned rules give each case a colour, a track and reasons, set-based."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from cases.models import Case, CaseEvent, Colour, EventAction, Hold, Track
from core.models import Centre

from .models import TriageRule, TriageRuleSet

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
    pass


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except Exception as exc:
        raise RuleError(f"not a number: {value!r}") from exc


def condition_q(condition: dict[str, Any], *, today: Any) -> Q:
    """One rule condition as a filter on cases annotated by `annotate_for_triage`."""
    field, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    if field == "amount":
        return _compare("claimed_total", op, _number(value))
    if field == "overdue_days":
        # overdue_days > n  <=>  overdue_since < today - n
        days = int(_number(value))
        cutoff = today - timedelta(days=days)
        mirrored = {"gt": "lt", "gte": "lte", "lt": "gt", "lte": "gte", "eq": "exact"}
        if op not in mirrored:
            raise RuleError(f"operator {op} does not apply to days overdue")
        return Q(**{f"overdue_since__{mirrored[op]}": cutoff})
    if field == "other_cases":
        return _compare("triage_other_cases", op, int(_number(value)))
    if field == "product":
        values = value if isinstance(value, list) else [value]
        return Q(product__in=values) if op in ("in", "eq") else _bad(field, op)
    if field == "e_service_consent":
        return Q(e_service_consent=bool(value)) if op == "eq" else _bad(field, op)
    if field == "hardship":
        return Q(triage_hardship__gt=0) if bool(value) else Q(triage_hardship=0)
    if field == "region":
        prefixes = value if isinstance(value, list) else [value]
        q = Q()
        for prefix in prefixes:
            q |= Q(debtor__region_code__startswith=str(prefix))
        return q if op in ("prefix", "in", "eq") else _bad(field, op)
    raise RuleError(f"unknown field {field!r}")


def _bad(field: Any, op: Any) -> Q:
    raise RuleError(f"operator {op} does not apply to {field}")


def _compare(column: str, op: Any, value: Any) -> Q:
    lookups = {"lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte", "eq": "exact"}
    if op not in lookups:
        raise RuleError(f"operator {op} does not apply here")
    return Q(**{f"{column}__{lookups[op]}": value})


def validate_conditions(conditions: Any) -> None:
    if not isinstance(conditions, list):
        raise RuleError("conditions must be a list")
    for condition in conditions:
        if not isinstance(condition, dict):
            raise RuleError("each condition is an object with field, op and value")
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


def evaluate(case_ids: Iterable[int], *, centre: Centre) -> dict[int, tuple[str, str, list[dict[str, str]]]]:
    """Colour, track and reasons for each case: one query per rule, not one per case."""
    ids = list(case_ids)
    ruleset = active_ruleset(centre)
    rules = list(ruleset.rules.all()) if ruleset else []
    today = timezone.localdate()
    base = annotate_for_triage(Case.objects.filter(pk__any_of=ids))
    matched: dict[int, list[TriageRule]] = defaultdict(list)
    for rule in rules:
        q = Q()
        for condition in rule.conditions:
            q &= condition_q(condition, today=today)
        for pk in base.filter(q).values_list("pk", flat=True):
            matched[pk].append(rule)
    amounts = dict(Case.objects.filter(pk__any_of=ids).values_list("pk", F("claimed_total")))
    flagged = _group_risk_marked(ids)
    results = {}
    for pk in ids:
        rules_hit = matched.get(pk, [])
        colour: str = Colour.GREEN
        track = ""
        for rule in rules_hit:
            if SEVERITY[rule.colour] > SEVERITY[colour]:
                colour = rule.colour
            if rule.track and not track:
                track = rule.track
        if not track:
            # Quick mechanism: disputes up to the centre's ceiling take the fast track (Longyan practice).
            track = Track.FAST if amounts.get(pk, Decimal(0)) <= centre.fast_track_ceiling else Track.SLOW
        reasons = [{"rule": r.name, "staff": r.staff_reason, "debtor": r.debtor_reason} for r in rules_hit]
        if pk in flagged:
            colour = Colour.RED
            reasons.append(GROUP_RISK_REASON)
        results[pk] = (str(colour), str(track), reasons or [NO_RISK_REASON])
    return results
