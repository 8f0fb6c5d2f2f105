"""The rules a new centre starts with; its admin edits them into new versions."""

from typing import Any

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "name": "Repeat debtor",
        "conditions": [{"field": "other_cases", "op": "gte", "value": 3}],
        "colour": "red",
        "staff_reason": "Debtor has 3 or more other cases at the centre: group risk",
        "debtor_reason": "You have several debts at this centre; a mediator will look at them together.",
    },
    {
        "name": "Stated hardship",
        "conditions": [{"field": "hardship", "op": "eq", "value": True}],
        "colour": "red",
        "staff_reason": "Debtor stated hardship: handle with care, consider relief",
        "debtor_reason": "You told us about hardship; your case is handled with care.",
    },
    {
        "name": "Long overdue",
        "conditions": [{"field": "overdue_days", "op": "gt", "value": 730}],
        "colour": "yellow",
        "staff_reason": "Overdue more than 2 years: check limitation and enforceability",
        "debtor_reason": "Your debt has been overdue for a long time; we check the claim carefully.",
    },
    {
        "name": "Large claim",
        "conditions": [{"field": "amount", "op": "gt", "value": "100000"}],
        "colour": "yellow",
        "track": "slow",
        "staff_reason": "Claim above 100,000 yuan: slow track",
        "debtor_reason": "Your claim is large, so it follows the standard procedure.",
    },
    {
        "name": "No electronic service",
        "conditions": [{"field": "e_service_consent", "op": "eq", "value": False}],
        "colour": "green",
        "staff_reason": "No consent to electronic service: notices go by post",
        "debtor_reason": "Notices will be sent to you by post.",
    },
]
