"""Template helpers for the staff pages: money, labels of stored codes, query strings."""

from decimal import Decimal
from functools import cache
from typing import Any

from django import template
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cases.models import Case, Stage
from core.models import Role
from core.money import format_yuan

register = template.Library()

# Badge colour groups: where a stage sits in the funnel 调 -> 诉 -> 执 -> 消.
STAGE_PHASES = {
    Stage.RECEIVED: "intake", Stage.TRIAGED: "intake",
    Stage.IN_MEDIATION: "mediate", Stage.COURT_MEDIATION: "mediate", Stage.SETTLED: "mediate",
    Stage.CONFIRMATION_REQUESTED: "court", Stage.CONFIRMED: "court", Stage.PAYMENT_ORDER: "court",
    Stage.IN_LITIGATION: "court", Stage.ENFORCEABLE: "enforce", Stage.PERFORMING: "enforce",
    Stage.IN_ENFORCEMENT: "enforce", Stage.ENFORCEMENT_SUSPENDED: "enforce",
    Stage.PERFORMED: "repair", Stage.CREDIT_REPAIR: "repair", Stage.CLOSED: "done", Stage.WITHDRAWN: "done",
}  # fmt: skip

# Event actions that are not transitions of the state machine.
OTHER_ACTIONS = {
    "received": _("Case received"),
    "hold_placed": _("Hold placed"),
    "hold_lifted": _("Hold lifted"),
    "deadline_confirmed": _("Deadline confirmed by a person"),
}


@cache
def _transition_labels() -> dict[str, Any]:
    transitions = Case._meta.get_field("stage").get_all_transitions(Case)  # type: ignore[attr-defined]
    return {t.name: t.custom.get("label", t.name) for t in transitions}


@register.filter
def yuan(value: Decimal | None) -> str:
    return "" if value is None else format_yuan(value)


@register.filter
def absolute(value: int) -> int:
    return abs(value)


@register.filter
def stage_label(value: str) -> Any:
    return Stage(value).label if value in Stage.values else value


@register.filter
def stage_phase(value: str) -> str:
    return STAGE_PHASES.get(value, "intake")  # type: ignore[call-overload]


@register.filter
def role_label(value: str) -> Any:
    if value == "system":
        return _("Platform")
    return Role(value).label if value in Role.values else value


@register.filter
def action_label(value: str) -> Any:
    return OTHER_ACTIONS.get(value) or _transition_labels().get(value, value)


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination keeps the filters)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return "?" + query.urlencode()
