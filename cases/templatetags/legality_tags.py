"""The legality screen on a page: a case's findings (court and case pages) and a batch's (creditor)."""

from typing import Any

from django import template

from core.actors import actor_role
from core.models import Role

from ..legality import RULES, RULES_BY_CODE, batch_finding_counts, finding_lines, findings_visible_to
from ..models import Finding

register = template.Library()
BATCH_LIST_LIMIT = 200


def _rows(findings: Any, user: Any) -> list[dict[str, Any]]:
    role = actor_role(user)
    court_or_centre = role in (Role.JUDGE, Role.CLERK, Role.CENTRE_ADMIN)
    rows = []
    for f in findings:
        rule = RULES_BY_CODE.get(f.rule)
        rows.append(
            {
                "finding": f,
                "title": rule.title if rule else f.rule,
                "source": rule.source if rule else "",
                "lines": finding_lines(f, show_other_cases=court_or_centre),
                "may_answer": role == Role.CREDITOR_STAFF and not f.decided,
                "may_decide": role == Role.JUDGE and not f.decided,
            }
        )
    return rows


@register.simple_tag(takes_context=True)
def case_legality(context: Any, case: Any) -> dict[str, Any]:
    """The findings of one case the viewer may see, with the forms their role may use."""
    user = context["request"].user
    findings = findings_visible_to(user).filter(case_id=case.pk).select_related("case")
    rows = _rows(findings, user)
    return {
        "rows": rows,
        "blocking_open": any(r["finding"].blocking and not r["finding"].decided for r in rows),
    }


@register.simple_tag(takes_context=True)
def batch_legality(context: Any, batch: Any) -> dict[str, Any]:
    """Per rule, how many of the batch's cases it found; the first findings, to answer one by one."""
    user = context["request"].user
    findings = (
        findings_visible_to(user).filter(batch=batch).select_related("case").order_by("rule", "case__code")
    )
    counts = batch_finding_counts(batch)
    total = sum(c["found"] for c in counts)
    return {
        "counts": counts,
        "total": total,
        "rows": _rows(findings[:BATCH_LIST_LIMIT], user),
        "more": max(0, total - BATCH_LIST_LIMIT),
        "rules": RULES,
        "may_rescreen": actor_role(user) == Role.CENTRE_ADMIN,
        "statuses": Finding.Status,
    }
