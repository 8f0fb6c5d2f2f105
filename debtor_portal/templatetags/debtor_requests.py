"""Hooks for staff pages: what debtors asked (queue, case panel)."""

from typing import Any

from django import template

from cases.models import Case
from debtor_portal import staff_selectors

register = template.Library()


@register.inclusion_tag("debtor_portal/staff/_debtor_waiting_link.html", takes_context=True)
def debtor_requests_waiting(context: template.Context) -> dict[str, Any]:
    """A link to the debtors' requests with the number waiting: {% debtor_requests_waiting %}."""
    return {"counts": staff_selectors.debtor_requests_counts(user=context["request"].user)}


@register.inclusion_tag("debtor_portal/staff/_debtor_case_summary.html")
def debtor_requests_for(case: Case) -> dict[str, Any]:
    """What waits on one case, with a link to answer it: {% debtor_requests_for case %}."""
    return {
        "case": case,
        "open": staff_selectors.case_debtor_requests_open(case=case),
        "came_forward": staff_selectors.case_came_forward(case=case),
    }
