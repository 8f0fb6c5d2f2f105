"""The rules a new centre starts with; its admin edits them into new versions."""

from typing import Any

from django.utils.translation import gettext_noop as _

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "name": _("Repeat debtor"),
        "conditions": [{"field": "other_cases", "op": "gte", "value": 3}],
        "colour": "red",
        "staff_reason": _("Debtor has 3 or more other cases at the centre: group risk"),
        "debtor_reason": _("You have several debts at this centre; a mediator will look at them together."),
    },
    {
        "name": _("Stated hardship"),
        "conditions": [{"field": "hardship", "op": "eq", "value": True}],
        "colour": "red",
        "staff_reason": _("Debtor stated hardship: handle with care, consider relief"),
        "debtor_reason": _("You told us about hardship; your case is handled with care."),
    },
    {
        "name": _("Long overdue"),
        "conditions": [{"field": "overdue_days", "op": "gt", "value": 730}],
        "colour": "yellow",
        "staff_reason": _("Overdue more than 2 years: check limitation and enforceability"),
        "debtor_reason": _("Your debt has been overdue for a long time; we check the claim carefully."),
    },
    {
        "name": _("Large claim"),
        "conditions": [{"field": "amount", "op": "gt", "value": "100000"}],
        "colour": "yellow",
        "track": "slow",
        "staff_reason": _("Claim above 100,000 yuan: slow track"),
        "debtor_reason": _("Your claim is large, so it follows the standard procedure."),
    },
    {
        "name": _("No electronic service"),
        "conditions": [{"field": "e_service_consent", "op": "eq", "value": False}],
        "colour": "green",
        "staff_reason": _("No consent to electronic service: notices go by post"),
        "debtor_reason": _("Notices will be sent to you by post."),
    },
]
