"""Template helpers for what a case's stored codes mean: a stage's label and phase, an event's action."""

from functools import cache
from typing import cast

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from cases.models import Case, Stage

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

# Event actions that are not transitions of the state machine.
OTHER_ACTIONS = {
    "received": _("Case received"),
    "hold_placed": _("Hold placed"),
    "hold_lifted": _("Hold lifted"),
}


@cache
def _transition_labels() -> dict[str, str | Promise]:
    transitions = cast(FSMField, Case._meta.get_field("stage")).get_all_transitions(Case)
    return {t.name: t.custom.get("label", t.name) for t in transitions}


@register.filter
def stage_label(value: str) -> str | Promise:
    return Stage(value).label if value in Stage.values else value


@register.filter
def stage_phase(value: str) -> str:
    return STAGE_PHASES.get(value, "intake")


@register.filter
def action_label(value: str) -> str | Promise:
    return OTHER_ACTIONS.get(value) or _transition_labels().get(value, value)
