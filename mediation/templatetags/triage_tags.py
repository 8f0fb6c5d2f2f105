"""Hooks for staff pages: why a case has its colour (case page)."""

from typing import Any

from django import template

from cases.models import Case

register = template.Library()


@register.inclusion_tag("mediation/_triage_reasons.html")
def triage_reasons(case: Case) -> dict[str, Any]:
    """The case's latest triage result, its rule version and reasons, for staff: {% triage_reasons case %}."""
    return {"triage": case.triage_results.order_by("-created_at", "-pk").first()}
