"""Affordability on staff pages: the mediator's case panel and the judge's confirmation page.

{% load affordability_tags %}
{% affordability case %}                 the person's statement, totals and the latest plan
{% affordability case settlement %}      the same, for the plan that became this settlement
"""

from typing import Any

from django import template

from cases.models import Case

from ..affordability import CATEGORIES
from ..models import Proposal, Settlement
from ..statements import person_overview, statement_affordability, statement_latest

register = template.Library()
LABELS = dict(CATEGORIES)


@register.filter
def spending_label(key: str) -> Any:
    return LABELS.get(key, key)


@register.inclusion_tag("mediation/_affordability.html")
def affordability(case: Case, settlement: Settlement | None = None) -> dict[str, Any]:
    proposals = Proposal.objects.filter(case=case)
    if settlement is not None:
        proposals = proposals.filter(settlement=settlement)
    proposal = proposals.order_by("-pk").first()
    statement = proposal.statement if proposal and proposal.statement_id else None
    statement = statement or statement_latest(debtor_id=case.debtor_id)
    return {
        "case": case,
        "proposal": proposal,
        "statement": statement,
        "checked": statement_affordability(statement, centre_id=case.centre_id) if statement else None,
        "overview": person_overview(debtor_id=case.debtor_id),
        "for_settlement": settlement is not None,
    }


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
