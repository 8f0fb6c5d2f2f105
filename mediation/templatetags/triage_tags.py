"""Hooks for staff pages: why a case has its colour (case page)."""

from typing import Any

from django import template

from cases.models import Case

register = template.Library()


@register.inclusion_tag("mediation/_triage_reasons.html")
def triage_reasons(case: Case) -> dict[str, Any]:
    """The case's latest triage result, its rule version and reasons, for staff: {% triage_reasons case %}."""
    return {"triage": case.triage_results.order_by("-created_at", "-pk").first()}


@register.simple_tag
def reason_text(reason: dict[str, Any], key: str) -> str:
    """A stored triage reason ("staff", "debtor" or "rule") in the reader's language."""
    from django.utils import translation

    english = reason.get(f"{key}_en") if key != "rule" else reason.get("rule_en")
    if english and (translation.get_language() or "").startswith("en"):
        return str(english)
    text = reason.get(key, "")
    return translation.gettext(text) if text else ""


@register.simple_tag
def condition_text(condition: dict[str, Any]) -> str:
    """A rule condition in words: "Claimed total (yuan) > 100000", "Product one of 信用卡"."""
    from django.utils.translation import pgettext

    from cases.models import Product
    from mediation.models import TriageRule

    field, op, value = condition.get("field", ""), condition.get("op", ""), condition.get("value")
    field_label = TriageRule.Field(field).label if field in TriageRule.Field.values else field
    op_label = TriageRule.Op(op).label if op in TriageRule.Op.values else op
    if isinstance(value, bool):
        shown = pgettext("rule value", "yes") if value else pgettext("rule value", "no")
    elif isinstance(value, list):
        products = dict(Product.choices)
        shown = "、".join(str(products.get(v, v)) for v in value)
    else:
        shown = str(value)
    return f"{field_label} {op_label} {shown}"
