"""The court's documents: the ruling on a settlement, the payment order, the judgment and the enforcement
notice. What each states beyond the case comes from the decision it carries (a notice's subject such as
"payment_order:12" names one, else the case's latest). Registered with notices from CourtsConfig.ready."""

from datetime import date
from typing import Any

from django.db.models import QuerySet

from cases.models import Case
from cases.rules import PAYMENT_ORDER_OBJECTION_DAYS
from mediation.documents import sample_settlement_context, settlement_context
from notices.documents import amount, chinese_date, court_decision
from notices.models import Kind
from notices.registry import register_document

from .models import ConfirmationDecision, PaymentOrder, Suit

# Interp. 358: the grounds on which a settlement is not confirmed, as the ruling states them, with their item.
REFUSAL_GROUNDS = {
    "mandatory_law": ("一", "违反法律强制性规定"),
    "public_interest": ("二", "损害国家利益、社会公共利益、他人合法权益"),
    "public_order": ("三", "违背公序良俗"),
    "not_voluntary": ("四", "违反自愿原则"),
    "unclear": ("五", "内容不明确"),
}
# The procedure as the judgment names it (CPL 165 small claims; 160 summary; ordinary).
PROCEDURES = {"small_claims": "小额诉讼程序", "summary": "简易程序", "ordinary": "普通程序"}


def rulings(case: Case) -> QuerySet[ConfirmationDecision]:
    found = ConfirmationDecision.objects.filter(case=case)
    return found.select_related("filing", "decided_by").order_by("-pk")


def payment_orders(case: Case) -> QuerySet[PaymentOrder]:
    found = PaymentOrder.objects.filter(case=case, filing__isnull=False)
    return found.select_related("filing").order_by("-pk")


def judgments(case: Case) -> QuerySet[Suit]:
    return Suit.objects.filter(case=case, judgment_on__isnull=False).select_related("filing").order_by("-pk")


def ruling_context(decision: Any) -> dict[str, Any] | None:
    """A decision on the settlement: its 民特 number, the outcome and the ground."""
    if decision is None:
        return None
    clause, ground = REFUSAL_GROUNDS.get(decision.ground, ("", ""))
    return {
        "number": decision.filing.number,
        "filed_on": chinese_date(decision.filing.filed_on),
        "confirmed": decision.confirmed,
        "ground": ground,
        "ground_clause": clause,
        "reasons": decision.reasons,
        "decided_on": chinese_date(decision.decided_on),
        "judge": decision.decided_by.get_full_name() or decision.decided_by.username,
    }


def payment_order_context(order: Any) -> dict[str, Any] | None:
    """A numbered payment order: its 民督 number, the amount ordered, the objection period."""
    if order is None:
        return None
    return {
        "number": order.filing.number,
        "amount": amount(order.amount),
        "principal_only": "unagreed_interest" in order.flags,
        "applied_on": chinese_date(order.applied_on),
        "issued_on": chinese_date(order.issued_on),
        "objection_days": PAYMENT_ORDER_OBJECTION_DAYS,
    }


def judgment_context(suit: Any) -> dict[str, Any] | None:
    """A recorded judgment: its 民初 number, the procedure, the amount and the performance period."""
    if suit is None or suit.judgment_amount is None:
        return None
    return {
        "number": suit.filing.number,
        "procedure": PROCEDURES.get(suit.procedure, ""),
        "small_claims": suit.procedure == "small_claims",
        "filed_on": chinese_date(suit.filed_on),
        "judgment_on": chinese_date(suit.judgment_on),
        "amount": amount(suit.judgment_amount),
        "performance_due_on": chinese_date(suit.performance_due_on),
    }


def ruling_document(*, case: Case, subject: str = "") -> dict[str, Any]:
    return {
        "ruling": ruling_context(court_decision(case, Kind.CONFIRMATION_RULING, subject)),
        "settlement": settlement_context(case),
    }


def payment_order_document(*, case: Case, subject: str = "") -> dict[str, Any]:
    return {"order": payment_order_context(court_decision(case, Kind.PAYMENT_ORDER, subject))}


def judgment_document(*, case: Case, subject: str = "") -> dict[str, Any]:
    return {"judgment": judgment_context(court_decision(case, Kind.JUDGMENT, subject))}


def sample_ruling(*, today: date, doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "ruling": {
            "number": f"({today.year})闽0502民特1号",
            "filed_on": chinese_date(today),
            "confirmed": True,
            "ground": "",
            "ground_clause": "",
            "reasons": "",
            "decided_on": chinese_date(today),
            "judge": "王审判",
        },
        "settlement": sample_settlement_context(today),
    }


def sample_payment_order(*, today: date, doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "order": {
            "number": f"({today.year})闽0502民督1号",
            "amount": doc["total"],
            "principal_only": False,
            "applied_on": chinese_date(today),
            "issued_on": chinese_date(today),
            "objection_days": 15,
        }
    }


def sample_judgment(*, today: date, doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "judgment": {
            "number": f"({today.year})闽0502民初1号",
            "procedure": PROCEDURES["small_claims"],
            "small_claims": True,
            "filed_on": chinese_date(today),
            "judgment_on": chinese_date(today),
            "amount": doc["total"],
            "performance_due_on": chinese_date(today),
        }
    }


def register() -> None:
    from . import services

    court = ("court", "centre")
    register_document(
        Kind.CONFIRMATION_RULING,
        title="民事裁定书（司法确认）",
        issuers=court,
        context=ruling_document,
        sample=sample_ruling,
        decisions=rulings,
    )
    register_document(
        Kind.PAYMENT_ORDER,
        title="支付令",
        issuers=court,
        context=payment_order_document,
        sample=sample_payment_order,
        decisions=payment_orders,
        served=services.payment_order_served_by_delivery,
    )
    register_document(
        Kind.JUDGMENT,
        title="民事判决书",
        issuers=court,
        context=judgment_document,
        sample=sample_judgment,
        decisions=judgments,
    )
    register_document(Kind.ENFORCEMENT_NOTICE, title="执行通知书", issuers=court)
