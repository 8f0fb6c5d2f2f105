"""What a legal document says: its context (plain values, never model objects) and its HTML.

Document bodies are Chinese legal text: content a centre edits as versioned records (NoticeTemplate), with
the defaults shipped in templates/notices/kinds/. They are rendered by a restricted template engine that
sees only the prepared ``doc`` dictionary, so an edited template cannot reach a decrypted ID number.
"""

import functools
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template import Context, Engine
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from cases.models import Case
from core.models import Organisation
from core.money import format_yuan, yuan_in_chinese_capitals

from .models import Channel, Kind, Letterhead, Notice

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
# The legal names of the documents as printed on them (document content, not interface text).
DOCUMENT_TITLES = {
    Kind.MEDIATION_NOTICE: "调解通知书",
    Kind.LITIGATION_RISK: "诉讼风险告知函",
    Kind.DEBT_COLLECTION: "债务清收函",
    Kind.SETTLEMENT_AGREEMENT: "调解协议书",
    Kind.CONFIRMATION_RULING: "民事裁定书（司法确认）",
    Kind.PAYMENT_ORDER: "支付令",
    Kind.JUDGMENT: "民事判决书",
    Kind.ENFORCEMENT_NOTICE: "执行通知书",
    Kind.CREDIT_REPAIR_CERTIFICATE: "信用修复证明",
    Kind.PROOF_OF_SERVICE: "送达回证",
}
CHANNEL_NAMES: dict[str, str] = {
    Channel.SMS: "电子送达（短信）",
    Channel.EMAIL: "电子送达（电子邮件）",
    Channel.POST: "邮寄送达",
}
# Who issues each kind, in order of preference; "centre" is the centre's own organisation.
ISSUERS = {
    Kind.MEDIATION_NOTICE: ("committee", "centre"),
    Kind.LITIGATION_RISK: ("centre",),
    Kind.DEBT_COLLECTION: ("creditor",),
    Kind.SETTLEMENT_AGREEMENT: ("committee", "centre"),
    Kind.CONFIRMATION_RULING: ("court", "centre"),
    Kind.PAYMENT_ORDER: ("court", "centre"),
    Kind.JUDGMENT: ("court", "centre"),
    Kind.ENFORCEMENT_NOTICE: ("court", "centre"),
    Kind.CREDIT_REPAIR_CERTIFICATE: ("centre",),
    Kind.PROOF_OF_SERVICE: ("court", "centre"),
}
# Days the debtor is given to answer a letter (contact, pay or object); CPL 227 for the payment order.
REPLY_DAYS = 15


@functools.cache
def engine() -> Engine:
    """Only the templates folder, no template libraries beyond the built-ins, cached compiled files."""
    loaders = [("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])]
    return Engine(dirs=[str(TEMPLATES_DIR)], loaders=loaders, libraries={}, autoescape=True)


@functools.lru_cache(maxsize=64)
def compiled(source: str) -> Any:
    return engine().from_string(source)


def default_body(kind: str) -> str:
    return (TEMPLATES_DIR / "notices" / "kinds" / f"{kind}.html").read_text(encoding="utf-8")


def chinese_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M:%S}"
    return f"{value.year}年{value.month}月{value.day}日"


def amount(value: Decimal) -> dict[str, str]:
    """An amount in figures and in Chinese capitals, as printed side by side."""
    return {"figures": format_yuan(value), "capitals": "人民币" + yuan_in_chinese_capitals(value)}


def centre_organisation(centre_id: int) -> Organisation | None:
    return Organisation.objects.filter(centre_id=centre_id, kind=Organisation.Kind.CENTRE).first()


def issuer_organisation(case: Case, kind: str, *, centre_org: Organisation | None = None) -> Organisation:
    """The organisation that issues this kind of document on this case (its letterhead and seal)."""
    for role in ISSUERS[Kind(kind)]:
        org = (centre_org or centre_organisation(case.centre_id)) if role == "centre" else getattr(case, role)
        if org is not None:
            return org
    raise LookupError(f"centre {case.centre_id} has no organisation of its own")


def issuer_context(org: Organisation) -> dict[str, str]:
    head = Letterhead.objects.filter(organisation=org).first()
    seal_url = Path(head.seal.path).as_uri() if head and head.seal else ""
    return {
        "name_line": head.name_line if head else (org.letterhead or org.name),
        "address_line": head.address_line if head else "",
        "seal_url": seal_url,
        "name": org.name,
    }


def case_context(case: Case) -> dict[str, Any]:
    with translation.override(settings.LANGUAGE_CODE):
        product = str(case.get_product_display())
    return {
        "case_code": case.code,
        "external_ref": case.external_ref,
        "product": product,
        "debtor_name": case.debtor.name,
        "debtor_id_masked": case.debtor.id_number_masked,
        "debtor_phone_masked": case.phone_masked,
        "debtor_address": case.address,
        "debtor_email": case.email,
        "creditor_name": case.creditor.name,
        "creditor_uscc": case.creditor.uscc,
        "centre_name": case.centre.name,
        "committee_name": case.committee.name if case.committee else "",
        "court_name": case.court.name if case.court else "",
        "mediator_name": (case.mediator.get_full_name() or case.mediator.username) if case.mediator else "",
        "principal": amount(case.principal),
        "interest": amount(case.interest),
        "fees": amount(case.fees),
        "total": amount(case.principal + case.interest + case.fees),
        "annual_rate": f"{case.annual_rate.normalize()}%" if case.annual_rate is not None else "",
        "overdue_since": chinese_date(case.overdue_since),
        "contract_date": chinese_date(case.contract_date),
        "settlement_effective_on": chinese_date(case.settlement_effective_on),
        "performance_due_on": chinese_date(case.performance_due_on),
        "performed_on": chinese_date(case.performed_on),
    }


def served_context(notice: Notice) -> dict[str, Any]:
    """What the proof of service states about one served notice: when, how, to whom, and its hash."""
    case = notice.case
    recipient: dict[str, str] = {
        Channel.SMS: case.phone_masked,
        Channel.EMAIL: case.email,
        Channel.POST: case.address,
    }
    attempts = [
        {
            "channel": CHANNEL_NAMES.get(a.channel, a.channel),
            "seq": a.seq,
            "status": a.status,
            "recipient": a.recipient_masked,
            "started_at": chinese_date(a.started_at),
            "finished_at": chinese_date(a.finished_at),
            "provider_id": a.provider_id,
            "error": a.error,
        }
        for a in notice.attempts.order_by("started_at", "seq")
    ]
    return {
        "title": DOCUMENT_TITLES[Kind(notice.kind)],
        "notice_id": notice.pk,
        "sha256": notice.sha256,
        "size": notice.size or 0,
        "pages": notice.pages or 0,
        "channel": CHANNEL_NAMES[Channel(notice.channel)],
        "electronic": notice.channel != Channel.POST,
        "recipient": recipient.get(notice.channel, ""),
        "status": notice.status,
        "queued_at": chinese_date(notice.queued_at),
        "rendered_at": chinese_date(notice.rendered_at),
        "sent_at": chinese_date(notice.sent_at),
        "delivered_at": chinese_date(notice.delivered_at),
        "opened_at": chinese_date(notice.opened_at),
        "opened_ip": notice.opened_ip or "",
        "opened_user_agent": notice.opened_user_agent,
        "attempts": attempts,
    }


# --- court documents: the ruling on a settlement and the payment order ------------------------------

# Interp. 358: the grounds on which a settlement is not confirmed, as the ruling states them, with their item.
REFUSAL_GROUNDS = {
    "mandatory_law": ("一", "违反法律强制性规定"),
    "public_interest": ("二", "损害国家利益、社会公共利益、他人合法权益"),
    "public_order": ("三", "违背公序良俗"),
    "not_voluntary": ("四", "违反自愿原则"),
    "unclear": ("五", "内容不明确"),
}
SETTLEMENT_KINDS = {"lump_sum": "一次性还款", "instalments": "分期还款"}


def settlement_context(case: Case) -> dict[str, Any] | None:
    """The effective agreement's terms as a ruling recites them: total, waivers, schedule, other terms."""
    from mediation.models import Settlement

    settlement = (
        Settlement.objects.filter(case=case, status=Settlement.Status.EFFECTIVE)
        .prefetch_related("instalments")
        .order_by("-effective_on", "-pk")
        .first()
    )
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


def court_decisions(case: Case, kind: str) -> QuerySet[Any]:
    """The decisions a court document of this kind carries, newest first: rulings on the settlement,
    numbered payment orders, recorded judgments. A notice's subject ("payment_order:12") names one."""
    from courts.models import ConfirmationDecision, PaymentOrder, Suit

    decisions: dict[str, QuerySet[Any]] = {
        Kind.CONFIRMATION_RULING: ConfirmationDecision.objects.filter(case=case).select_related(
            "filing", "decided_by"
        ),
        Kind.PAYMENT_ORDER: PaymentOrder.objects.filter(case=case, filing__isnull=False).select_related(
            "filing"
        ),
        Kind.JUDGMENT: Suit.objects.filter(case=case, judgment_on__isnull=False).select_related("filing"),
    }
    return decisions[kind].order_by("-pk")


def court_decision(case: Case, kind: str, subject: str = "") -> Any:
    """The decision a document carries: the one its subject names, else the case's latest (None if none)."""
    decisions = court_decisions(case, kind)
    _kind, _sep, pk = subject.partition(":")
    return decisions.filter(pk=int(pk)).first() if pk.isdigit() else decisions.first()


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
    from cases.rules import PAYMENT_ORDER_OBJECTION_DAYS

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


# The procedure as the judgment names it (CPL 165 small claims; 160 summary; ordinary).
PROCEDURES = {"small_claims": "小额诉讼程序", "summary": "简易程序", "ordinary": "普通程序"}


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


COURT_CONTEXTS: dict[str, tuple[str, Any]] = {
    Kind.CONFIRMATION_RULING: ("ruling", ruling_context),
    Kind.PAYMENT_ORDER: ("order", payment_order_context),
    Kind.JUDGMENT: ("judgment", judgment_context),
}


def court_context(case: Case, kind: str, subject: str = "") -> dict[str, Any]:
    """The decision the document carries (the notice's subject, else the latest), as the template reads it."""
    if kind not in COURT_CONTEXTS:
        return {}
    key, context = COURT_CONTEXTS[kind]
    doc = {key: context(court_decision(case, kind, subject))}
    if kind == Kind.CONFIRMATION_RULING:
        doc["settlement"] = settlement_context(case)
    return doc


def document_context(
    *, case: Case, kind: str, issuer: Organisation, served: Notice | None = None, subject: str = ""
) -> dict[str, Any]:
    doc = case_context(case)
    doc.update(
        kind=kind,
        title=DOCUMENT_TITLES[Kind(kind)],
        issuer=issuer_context(issuer),
        issued_on=chinese_date(timezone.localdate()),
        generated_at=chinese_date(timezone.now()),
        reply_days=REPLY_DAYS,
    )
    doc.update(court_context(case, kind, subject))
    if kind == Kind.CREDIT_REPAIR_CERTIFICATE:
        from credit_repair.selectors import certificate_document_context

        # The verification code and link, what was repaired, and the 5-year retention rule.
        doc["repair"] = certificate_document_context(case=case)
    if served is not None:
        doc["served"] = served_context(served)
    return doc


def document_html(*, doc: dict[str, Any], body_source: str) -> str:
    """The full HTML: letterhead and references around the kind's body."""
    with translation.override(settings.LANGUAGE_CODE):
        body = compiled(body_source).render(Context({"doc": doc}))
        return (
            engine()
            .get_template("notices/document.html")
            .render(Context({"doc": doc, "body": mark_safe(body)}))  # noqa: S308 - our engine's autoescaped output
        )


def sample_document_context(*, centre_name: str, kind: str) -> dict[str, Any]:
    """Made-up values for previewing a template: no real person's data in a preview."""
    money = {"principal": Decimal("10000.00"), "interest": Decimal("523.45"), "fees": Decimal("100.00")}
    today = timezone.localdate()
    doc: dict[str, Any] = {
        "case_code": "SAMPLE2345",
        "external_ref": "HT-2024-000123",
        "product": "信用卡",
        "debtor_name": "张三",
        "debtor_id_masked": "3505**********123X",
        "debtor_phone_masked": "139****0000",
        "debtor_address": "福建省泉州市鲤城区示例路1号",
        "debtor_email": "zhangsan@example.com",
        "creditor_name": "示范银行股份有限公司",
        "creditor_uscc": "91350500MA00000000",
        "centre_name": centre_name,
        "committee_name": "示范人民调解委员会",
        "court_name": "示范人民法院",
        "mediator_name": "李调解",
        "annual_rate": "18%",
        "overdue_since": "2025年6月1日",
        "contract_date": "2023年3月15日",
        "settlement_effective_on": chinese_date(today),
        "performance_due_on": "2026年12月31日",
        "performed_on": chinese_date(today),
        "kind": kind,
        "title": DOCUMENT_TITLES[Kind(kind)],
        "issued_on": chinese_date(today),
        "generated_at": chinese_date(timezone.now()),
        "reply_days": REPLY_DAYS,
        "issuer": {"name_line": centre_name, "address_line": "", "seal_url": "", "name": centre_name},
        **{k: amount(v) for k, v in money.items()},
        "total": amount(sum(money.values(), Decimal("0.00"))),
    }
    if kind == Kind.CONFIRMATION_RULING:
        doc["ruling"] = {
            "number": f"({today.year})闽0502民特1号",
            "filed_on": chinese_date(today),
            "confirmed": True,
            "ground": "",
            "ground_clause": "",
            "reasons": "",
            "decided_on": chinese_date(today),
            "judge": "王审判",
        }
        doc["settlement"] = {
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
    if kind == Kind.PAYMENT_ORDER:
        doc["order"] = {
            "number": f"({today.year})闽0502民督1号",
            "amount": doc["total"],
            "principal_only": False,
            "applied_on": chinese_date(today),
            "issued_on": chinese_date(today),
            "objection_days": 15,
        }
    if kind == Kind.JUDGMENT:
        doc["judgment"] = {
            "number": f"({today.year})闽0502民初1号",
            "procedure": PROCEDURES["small_claims"],
            "small_claims": True,
            "filed_on": chinese_date(today),
            "judgment_on": chinese_date(today),
            "amount": doc["total"],
            "performance_due_on": chinese_date(today),
        }
    if kind == Kind.CREDIT_REPAIR_CERTIFICATE:
        from credit_repair.selectors import sample_certificate_document_context

        doc["repair"] = sample_certificate_document_context()
    if kind == Kind.PROOF_OF_SERVICE:
        doc["served"] = {
            "title": DOCUMENT_TITLES[Kind.DEBT_COLLECTION],
            "notice_id": 0,
            "sha256": "0" * 64,
            "size": 0,
            "pages": 1,
            "channel": CHANNEL_NAMES[Channel.SMS],
            "electronic": True,
            "recipient": "139****0000",
            "status": "opened",
            "queued_at": doc["generated_at"],
            "rendered_at": doc["generated_at"],
            "sent_at": doc["generated_at"],
            "delivered_at": doc["generated_at"],
            "opened_at": doc["generated_at"],
            "opened_ip": "127.0.0.1",
            "opened_user_agent": "Mozilla/5.0",
            "attempts": [],
        }
    return doc
