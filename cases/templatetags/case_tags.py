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


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, key: str, label: str, css: str = "") -> str:
    """A column head that sorts the list by its column: ascending first, again for descending.

    The link keeps the filters of the query string and goes back to page 1; aria-sort tells a screen
    reader which way the list is sorted now.
    """
    from django.utils.html import format_html
    from django.utils.translation import gettext

    current = context.get("sort") or ""
    query = context["request"].GET.copy()
    direction = "none"
    if current == key:
        direction, query["sort"] = "ascending", f"-{key}"
    elif current == f"-{key}":
        direction, query["sort"] = "descending", key
    else:
        query["sort"] = key
    query["page"] = "1"
    arrow = {"ascending": " ▲", "descending": " ▼"}.get(direction, "")
    hint = gettext("Sort by %(column)s") % {"column": label}
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a class="sort-link" href="?{}" title="{}" '
        'data-sort="{}">{}{}</a></th>',
        css,
        direction,
        query.urlencode(),
        hint,
        key,
        label,
        arrow,
    )
