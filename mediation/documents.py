"""Mediation's documents: the notice of mediation, the settlement agreement, and the terms of an effective
settlement as a court's ruling recites them. Registered with notices from MediationConfig.ready."""

from datetime import date
from decimal import Decimal
from typing import Any

from cases.models import Case
from notices.documents import amount, chinese_date
from notices.models import Kind
from notices.registry import register_document

from .selectors import effective_settlement

SETTLEMENT_KINDS = {"lump_sum": "一次性还款", "instalments": "分期还款"}


def settlement_context(case: Case) -> dict[str, Any] | None:
    """The effective agreement's terms as a ruling recites them: total, waivers, schedule, other terms."""
    settlement = effective_settlement(case)
    if settlement is None:
        return None
    return {
        "kind": SETTLEMENT_KINDS.get(settlement.kind, ""),
        "effective_on": chinese_date(settlement.effective_on),
        "total": amount(settlement.total),
        "waived_interest": amount(settlement.waived_interest) if settlement.waived_interest else None,
        "waived_fees": amount(settlement.waived_fees) if settlement.waived_fees else None,
        "instalments": [
            {"seq": i.seq, "due_on": chinese_date(i.due_on), "amount": amount(i.amount)}
            for i in settlement.instalments.all()
        ],
        "terms": settlement.terms,
    }


def sample_settlement_context(today: date) -> dict[str, Any]:
    """Made-up terms for previewing a template that recites a settlement."""
    return {
        "kind": SETTLEMENT_KINDS["instalments"],
        "effective_on": chinese_date(today),
        "total": amount(Decimal("9600.00")),
        "waived_interest": amount(Decimal("523.45")),
        "waived_fees": amount(Decimal("100.00")),
        "instalments": [
            {"seq": n, "due_on": f"{today.year + 1}年{n}月1日", "amount": amount(Decimal("3200.00"))}
            for n in (1, 2, 3)
        ],
        "terms": "",
    }


def register() -> None:
    register_document(Kind.MEDIATION_NOTICE, title="调解通知书", issuers=("committee", "centre"))
    register_document(Kind.SETTLEMENT_AGREEMENT, title="调解协议书", issuers=("committee", "centre"))
