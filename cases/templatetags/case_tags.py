"""Template helpers for what a case's stored codes mean: a stage's label and phase, an event's action."""

from django import template
from django.utils.functional import Promise

from cases.models import Stage, closed_reason_label, event_action_label, event_reason_label

register = template.Library()

# Badge colour groups: where a stage sits in the funnel 调 -> 诉 -> 执 -> 消.
STAGE_PHASES: dict[str, str] = {
    Stage.RECEIVED: "intake", Stage.TRIAGED: "intake",
    Stage.IN_MEDIATION: "mediate", Stage.COURT_MEDIATION: "mediate", Stage.SETTLED: "mediate",
    Stage.CONFIRMATION_REQUESTED: "court", Stage.CONFIRMED: "court", Stage.PAYMENT_ORDER: "court",
    Stage.IN_LITIGATION: "court", Stage.ENFORCEABLE: "enforce", Stage.PERFORMING: "enforce",
    Stage.IN_ENFORCEMENT: "enforce", Stage.ENFORCEMENT_SUSPENDED: "enforce",
    Stage.PERFORMED: "repair", Stage.CREDIT_REPAIR: "repair", Stage.CLOSED: "done", Stage.WITHDRAWN: "done",
}  # fmt: skip


@register.filter
def stage_label(value: str) -> str | Promise:
    return Stage(value).label if value in Stage.values else value


@register.filter
def stage_phase(value: str) -> str:
    return STAGE_PHASES.get(value, "intake")


@register.filter
def action_label(value: str) -> str | Promise:
    return event_action_label(value)


@register.filter
def closed_reason(value: str) -> str:
    return closed_reason_label(value)


@register.filter
def event_reason(value: str) -> str:
    return event_reason_label(value)
