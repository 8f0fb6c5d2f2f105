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

from . import registry
from .models import Channel, Kind, Letterhead, Notice

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
# The legal names of the documents as printed on them, and who issues each kind in order of preference
# ("centre" is the centre's own organisation): registered per kind, by the app that owns it (registry.py).
DOCUMENT_TITLES = registry.TITLES
ISSUERS = registry.ISSUERS
CHANNEL_NAMES: dict[str, str] = {
    Channel.SMS: "电子送达（短信）",
    Channel.EMAIL: "电子送达（电子邮件）",
    Channel.POST: "邮寄送达",
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
    for role in ISSUERS[kind]:
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
        "title": DOCUMENT_TITLES[notice.kind],
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


# --- what a kind states beyond the case: registered by the app that owns the kind ----------------------


def court_decisions(case: Case, kind: str) -> QuerySet[Any]:
    """The decisions a court document of this kind carries, newest first: rulings on the settlement,
    numbered payment orders, recorded judgments. A notice's subject ("payment_order:12") names one."""
    decisions = registry.document_kind(kind).decisions
    if decisions is None:
        raise KeyError(f"{kind} carries no court decision")
    return decisions(case)


def court_decision(case: Case, kind: str, subject: str = "") -> Any:
    """The decision a document carries: the one its subject names, else the case's latest (None if none)."""
    decisions = court_decisions(case, kind)
    _kind, _sep, pk = subject.partition(":")
    return decisions.filter(pk=int(pk)).first() if pk.isdigit() else decisions.first()


def kind_context(case: Case, kind: str, subject: str = "") -> dict[str, Any]:
    """The kind's own part of the document (a court's decision, a repair record), as its template reads it."""
    builder = registry.document_kind(kind).context
    return builder(case=case, subject=subject) if builder is not None else {}


def document_context(
    *, case: Case, kind: str, issuer: Organisation, served: Notice | None = None, subject: str = ""
) -> dict[str, Any]:
    doc = case_context(case)
    doc.update(
        kind=kind,
        title=DOCUMENT_TITLES[kind],
        issuer=issuer_context(issuer),
        issued_on=chinese_date(timezone.localdate()),
        generated_at=chinese_date(timezone.now()),
        reply_days=REPLY_DAYS,
    )
    doc.update(kind_context(case, kind, subject))
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
        "title": DOCUMENT_TITLES[kind],
        "issued_on": chinese_date(today),
        "generated_at": chinese_date(timezone.now()),
        "reply_days": REPLY_DAYS,
        "issuer": {"name_line": centre_name, "address_line": "", "seal_url": "", "name": centre_name},
        **{k: amount(v) for k, v in money.items()},
        "total": amount(sum(money.values(), Decimal("0.00"))),
    }
    sample = registry.document_kind(kind).sample
    if sample is not None:
        doc.update(sample(today=today, doc=doc))
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


def register_own_kinds() -> None:
    """The letters notices sends on its own account, and the proof of service of any of them."""
    registry.register_document(Kind.LITIGATION_RISK, title="诉讼风险告知函", issuers=("centre",))
    registry.register_document(Kind.DEBT_COLLECTION, title="债务清收函", issuers=("creditor",))
    registry.register_document(Kind.PROOF_OF_SERVICE, title="送达回证", issuers=("court", "centre"))


# --- documents that are not letters on a case (a judicial suggestion to a creditor) -------------------


def page_html(kind: str, *, context: dict[str, Any]) -> str:
    """A whole-page document of a registered kind: its own template, in the platform's language."""
    from django.template.loader import render_to_string

    entry = registry.document_kind(kind)
    if not entry.template:
        raise KeyError(f"{kind} has no page template")
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(entry.template, {"title": entry.title, **context})


def page_pdf(kind: str, *, context: dict[str, Any], extra_css: str = "") -> Any:
    """The PDF of a whole-page document (rendering.RenderedPdf: data, pages, sha256)."""
    from .rendering import render_pdf

    return render_pdf(page_html(kind, context=context), extra_css=extra_css)
