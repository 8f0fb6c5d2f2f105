"""The court's documents: the ruling on a settlement, the payment order, the judgment and the enforcement
notice. What each states beyond the case comes from the decision it carries (a notice's subject such as
"payment_order:12" names one, else the case's latest). Registered with notices from CourtsConfig.ready.

Court form (要素式): each kind declares its elements (ELEMENTS): the court and number, both parties'
particulars, the reasons, the operative part, the judge's and clerk's lines and the date. Most come from the
data; the judge fills the rest (their own reasons, who signs) on the filing, or passes them as overrides to
a preview. `court_document_missing` names the required elements still empty, so that an incomplete document
is not issued; `court_document_preview` renders the PDF as it would be issued.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.errors import MESSAGES, ActionForbidden
from cases.models import Case
from cases.permissions import actor_reaches_case
from cases.rules import PAYMENT_ORDER_OBJECTION_DAYS
from core.actors import actor_role
from core.models import Organisation
from mediation.documents import sample_settlement_context, settlement_context
from notices.documents import amount, centre_organisation, chinese_date, court_decision
from notices.models import Kind, Letterhead
from notices.registry import register_document

from .models import ConfirmationDecision, Filing, PaymentOrder, Suit

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
    return found.select_related("filing__judge", "filing__clerk", "decided_by").order_by("-pk")


def payment_orders(case: Case) -> QuerySet[PaymentOrder]:
    found = PaymentOrder.objects.filter(case=case, filing__isnull=False)
    return found.select_related("filing__judge", "filing__clerk").order_by("-pk")


def judgments(case: Case) -> QuerySet[Suit]:
    found = Suit.objects.filter(case=case, judgment_on__isnull=False)
    return found.select_related("filing__judge", "filing__clerk").order_by("-pk")


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


def court_document_context(
    kind: str, case: Case, decision: Any, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The kind's own part of the document: its decision's values and the court form (``court``)."""
    part: dict[str, Any] = {}
    settlement = None
    if kind == Kind.CONFIRMATION_RULING:
        settlement = settlement_context(case)
        part.update(ruling=ruling_context(decision), settlement=settlement)
    elif kind == Kind.PAYMENT_ORDER:
        part["order"] = payment_order_context(decision)
    else:
        part["judgment"] = judgment_context(decision)
    part["court"] = court_form(kind, case, decision, overrides, settlement=settlement)
    return part


def ruling_document(*, case: Case, subject: str = "") -> dict[str, Any]:
    kind = Kind.CONFIRMATION_RULING
    return court_document_context(kind, case, court_decision(case, kind, subject))


def payment_order_document(*, case: Case, subject: str = "") -> dict[str, Any]:
    kind = Kind.PAYMENT_ORDER
    return court_document_context(kind, case, court_decision(case, kind, subject))


def judgment_document(*, case: Case, subject: str = "") -> dict[str, Any]:
    kind = Kind.JUDGMENT
    return court_document_context(kind, case, court_decision(case, kind, subject))


# --- court form: parties, reasons, operative part, signatures (要素式) -------------------------------------

COURT_KINDS = (Kind.CONFIRMATION_RULING, Kind.PAYMENT_ORDER, Kind.JUDGMENT)
# The name each document bears at its head, and how it names the parties (creditor, debtor).
FORM_TITLES: dict[str, str] = {
    Kind.CONFIRMATION_RULING: "民事裁定书",
    Kind.PAYMENT_ORDER: "支付令",
    Kind.JUDGMENT: "民事判决书",
}
PARTY_ROLES: dict[str, tuple[str, str]] = {
    Kind.CONFIRMATION_RULING: ("申请人", "申请人"),
    Kind.PAYMENT_ORDER: ("申请人", "被申请人"),
    Kind.JUDGMENT: ("原告", "被告"),
}
# An agent in a suit is an agent ad litem (委托诉讼代理人); in special and payment-order procedure an agent.
AGENT_TITLES: dict[str, str] = {Kind.JUDGMENT: "委托诉讼代理人"}
CN_DIGITS = "〇一二三四五六七八九"
# The 17th digit of a resident ID number: odd for a man, even for a woman (GB 11643).
SEX_DIGIT = 16
ID_NUMBER_LENGTH = 18


def chinese_numeral_date(value: date | None) -> str:
    """A date as a court signs it: 二〇二六年十二月四日."""
    if value is None:
        return ""
    year = "".join(CN_DIGITS[int(d)] for d in str(value.year))
    return f"{year}年{chinese_number(value.month)}月{chinese_number(value.day)}日"


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals: 十, 十二, 二十, 三十一."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")
    return head + (CN_DIGITS[units] if units or not head else "")


def sex_from_id(id_number_masked: str) -> str:
    """男 or 女 from the sex digit, which a court's masking (first 4, last 4) leaves visible."""
    if len(id_number_masked) != ID_NUMBER_LENGTH or not id_number_masked[SEX_DIGIT].isdigit():
        return ""
    return "男" if int(id_number_masked[SEX_DIGIT]) % 2 else "女"


def person_name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def organisation_party(org: Organisation, *, role: str, agent_title: str) -> dict[str, str]:
    """A creditor as the court states it: name, address, credit code, legal representative, agent."""
    return {
        "role": role,
        "name": org.name,
        "address": org.address,
        "uscc": org.uscc,
        "legal_representative": org.legal_representative,
        "legal_representative_title": org.legal_representative_title,
        "agent_title": agent_title,
        "agent_name": org.agent_name,
        "agent_detail": org.agent_detail,
    }


def person_party(case: Case, *, role: str) -> dict[str, str]:
    """A debtor as the court states them: name, sex, birth date, address, ID number masked."""
    debtor = case.debtor
    return {
        "role": role,
        "name": debtor.name,
        "sex": sex_from_id(debtor.id_number_masked),
        "birth_date": chinese_date(debtor.birth_date),
        "address": case.address,
        "id_masked": debtor.id_number_masked,
    }


def seal_url(org: Organisation | None) -> str:
    head = Letterhead.objects.filter(organisation=org).first() if org is not None else None
    return Path(head.seal.path).as_uri() if head and head.seal else ""


def court_seal_url(case: Case) -> str:
    """The court's seal, else the seal the centre's organisation uploaded; no seal, no image."""
    return seal_url(case.court) or seal_url(centre_organisation(case.centre_id))


def _user_name(value: Any) -> str:
    """An override names a signer by user id (a form's choice) or by name as printed."""
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return person_name(get_user_model().objects.filter(pk=int(value)).first())
    return str(value or "").strip()


def decision_date(kind: str, decision: Any) -> date | None:
    if decision is None:
        return None
    if kind == Kind.CONFIRMATION_RULING:
        return decision.decided_on  # type: ignore[no-any-return]
    if kind == Kind.PAYMENT_ORDER:
        return decision.issued_on  # type: ignore[no-any-return]
    return decision.judgment_on  # type: ignore[no-any-return]


def reasons_text(kind: str, case: Case, decision: Any) -> str:
    """The court's standard reasons for this kind and outcome (本院认为...)."""
    if kind == Kind.CONFIRMATION_RULING:
        if decision is not None and not decision.confirmed:
            ground = REFUSAL_GROUNDS.get(decision.ground, ("", ""))[1]
            own = f"（{decision.reasons}）" if decision.reasons else ""
            return f"本院经审查认为，申请人达成的调解协议{ground}{own}，不符合司法确认调解协议的法定条件。"
        return (
            "本院经审查认为，申请人达成的调解协议系双方真实意思表示，内容不违反法律、行政法规的强制性规定，"
            "不损害国家利益、社会公共利益和他人合法权益，不违背公序良俗，符合司法确认调解协议的法定条件。"
        )
    if kind == Kind.PAYMENT_ORDER:
        return "本院经审查认为，申请人的申请符合《中华人民共和国民事诉讼法》第二百二十五条规定的条件。"
    return (
        f"本院经审理查明：被告自{chinese_date(case.overdue_since)}起未按约定履行还款义务。本院认为，"
        "当事人应当按照约定全面履行自己的义务。原告所主张的欠款事实清楚，证据充分，本院予以支持。"
    )


def legal_basis(kind: str, decision: Any) -> str:
    if kind == Kind.CONFIRMATION_RULING:
        if decision is not None and not decision.confirmed:
            clause = REFUSAL_GROUNDS.get(decision.ground, ("", ""))[0]
            return (
                "依照《中华人民共和国民事诉讼法》第二百零六条、《最高人民法院关于适用〈中华人民共和国民事诉讼法〉"
                f"的解释》第三百五十八条第（{clause}）项的规定，裁定如下："
            )
        return "依照《中华人民共和国民事诉讼法》第二百零五条、第二百零六条的规定，裁定如下："
    if kind == Kind.PAYMENT_ORDER:
        return "依照《中华人民共和国民事诉讼法》第二百二十七条的规定，特发出如下支付令："
    return (
        "依照《中华人民共和国民法典》第五百七十七条、第六百七十五条，"
        "《中华人民共和国民事诉讼法》的规定，判决如下："
    )


def operative_items(
    kind: str, case: Case, decision: Any, settlement: dict[str, Any] | None = None
) -> list[str]:
    """The operative part, item by item, from the decision and the settlement (a ruling) or the claim."""
    if decision is None:
        return []
    creditor, debtor = case.creditor.name, case.debtor.name
    if kind == Kind.CONFIRMATION_RULING:
        if not decision.confirmed:
            return [f"驳回申请人{creditor}、{debtor}的司法确认申请。"]
        settlement = settlement or settlement_context(case)
        effective_on = (settlement or {}).get("effective_on") or chinese_date(case.settlement_effective_on)
        on = f"于{effective_on}" if effective_on else ""
        items = [f"确认申请人{creditor}与申请人{debtor}{on}达成的调解协议有效。"]
        if settlement:
            total = settlement["total"]
            items.append(
                f"{debtor}应按上述还款安排向{creditor}支付{total['figures']}（{total['capitals']}）。"
            )
        return items
    if kind == Kind.PAYMENT_ORDER:
        ordered = amount(decision.amount)
        scope = (
            "（本金；合同未约定利率的利息、费用不予支持）" if "unagreed_interest" in decision.flags else ""
        )
        return [
            f"被申请人{debtor}应当自收到本支付令之日起{PAYMENT_ORDER_OBJECTION_DAYS}日内，"
            f"向申请人{creditor}给付{ordered['figures']}（{ordered['capitals']}）{scope}。"
        ]
    if decision.judgment_amount is None:  # a suit not yet decided
        return []
    awarded = amount(decision.judgment_amount)
    due = chinese_date(decision.performance_due_on)
    when = f"于{due}前" if due else "于本判决生效之日起十日内"
    return [f"被告{debtor}应{when}向原告{creditor}支付{awarded['figures']}（{awarded['capitals']}）。"]


def numbered(items: list[str]) -> list[str]:
    """Items of an operative part numbered as a court numbers them (一、二、), a single item bare."""
    if len(items) < 2:  # noqa: PLR2004 - one item is not numbered
        return items
    return [f"{chinese_number(n)}、{item}" for n, item in enumerate(items, start=1)]


def court_form(
    kind: str,
    case: Case,
    decision: Any,
    overrides: dict[str, Any] | None = None,
    *,
    settlement: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the court form of this kind states: every element's value (see ELEMENTS)."""
    overrides = overrides or {}
    filing: Filing | None = decision.filing if decision is not None else None
    creditor_role, debtor_role = PARTY_ROLES[kind]
    judge = filing.judge if filing is not None else None
    if judge is None and kind == Kind.CONFIRMATION_RULING and decision is not None:
        judge = decision.decided_by
    signed_on = decision_date(kind, decision)
    form = {
        "court_name": case.court.name if case.court else "",
        "title": FORM_TITLES[kind],
        "number": filing.number if filing is not None else "",
        "creditor": organisation_party(
            case.creditor, role=creditor_role, agent_title=AGENT_TITLES.get(kind, "委托代理人")
        ),
        "debtor": person_party(case, role=debtor_role),
        "reasons": reasons_text(kind, case, decision),
        "reasons_extra": filing.reasons_extra if filing is not None else "",
        "legal_basis": legal_basis(kind, decision),
        "operative": numbered(operative_items(kind, case, decision, settlement)),
        "judge": person_name(judge),
        "clerk": person_name(filing.clerk if filing is not None else None),
        "date": chinese_numeral_date(signed_on),
        "seal_url": court_seal_url(case),
    }
    if "reasons_extra" in overrides:
        form["reasons_extra"] = str(overrides["reasons_extra"] or "").strip()
    for signer in ("judge", "clerk"):
        if signer in overrides:
            form[signer] = _user_name(overrides[signer])
    return form


@dataclass(frozen=True)
class Element:
    """One element of a court form: where its value is found and whether the document may go without it."""

    key: str  # a path in the court form: "debtor.sex", "operative"
    label: str | Promise  # interface text: what the console shows next to it
    source: str  # "data" (from the case and the decision) or "judge" (filled by the judge)
    required: bool = True


@dataclass(frozen=True)
class ElementValue:
    element: Element
    value: Any

    @property
    def key(self) -> str:
        return self.element.key

    @property
    def missing(self) -> bool:
        return self.element.required and not self.value


DATA, JUDGE = "data", "judge"
# Who may see a court document before it is issued: the court's people (and the platform).
PREVIEW_ROLES = frozenset({"judge", "clerk", "system"})
PARTY_ELEMENTS = (
    Element("creditor.name", _("Creditor's name"), DATA),
    Element("creditor.address", _("Creditor's address"), DATA),
    Element("creditor.legal_representative", _("Creditor's legal representative"), DATA),
    Element("creditor.agent_name", _("Creditor's agent"), DATA, required=False),
    Element("debtor.name", _("Debtor's name"), DATA),
    Element("debtor.sex", _("Debtor's sex"), DATA),
    Element("debtor.birth_date", _("Debtor's birth date"), DATA),
    Element("debtor.id_masked", _("Debtor's ID number (masked)"), DATA),
    Element("debtor.address", _("Debtor's address"), DATA),
)
COMMON_HEAD = (
    Element("court_name", pgettext_lazy("court document", "Court"), DATA),
    Element("number", pgettext_lazy("court document", "Case number"), DATA),
)
COMMON_TAIL = (
    Element("reasons", _("The court's reasons"), DATA),
    Element("reasons_extra", _("The judge's own reasons"), JUDGE, required=False),
    Element("legal_basis", _("Legal basis"), DATA),
    Element("operative", _("Operative part"), DATA),
    Element("judge", pgettext_lazy("court document", "Judge"), JUDGE),
    Element("clerk", pgettext_lazy("court document", "Court clerk"), JUDGE),
    Element("date", pgettext_lazy("court document", "Date"), DATA),
    Element("seal_url", pgettext_lazy("court document", "Court seal"), DATA, required=False),
)
# The elements of each kind, in the order the document states them.
ELEMENTS: dict[str, tuple[Element, ...]] = {
    Kind.CONFIRMATION_RULING: COMMON_HEAD + PARTY_ELEMENTS + COMMON_TAIL,
    Kind.PAYMENT_ORDER: COMMON_HEAD + PARTY_ELEMENTS + COMMON_TAIL,
    Kind.JUDGMENT: COMMON_HEAD + PARTY_ELEMENTS + COMMON_TAIL,
}


def _lookup(form: dict[str, Any], key: str) -> Any:
    value: Any = form
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _decision(kind: str, case: Case, subject: str, decision: Any) -> Any:
    if kind not in ELEMENTS:
        raise KeyError(f"{kind} is not a court document in court form")
    return decision if decision is not None else court_decision(case, kind, subject)


def court_document_elements(
    kind: str,
    case: Case,
    *,
    subject: str = "",
    decision: Any = None,
    overrides: dict[str, Any] | None = None,
) -> list[ElementValue]:
    """Every element of the kind with its value on this case.

    The decision is the one ``subject`` names ("payment_order:12"), else the case's latest; or ``decision``,
    one not yet recorded (an unsaved ConfirmationDecision, PaymentOrder or Suit with its filing and date),
    to see the document before it is signed. ``overrides`` are the judge's unsaved values: reasons_extra,
    judge and clerk (a user id or a name as printed).
    """
    form = court_form(kind, case, _decision(kind, case, subject, decision), overrides)
    return [ElementValue(element, _lookup(form, element.key)) for element in ELEMENTS[kind]]


def court_document_missing(
    kind: str,
    case: Case,
    *,
    subject: str = "",
    decision: Any = None,
    overrides: dict[str, Any] | None = None,
) -> list[ElementValue]:
    """The required elements still empty: a document with any of them is not to be issued."""
    elements = court_document_elements(kind, case, subject=subject, decision=decision, overrides=overrides)
    return [e for e in elements if e.missing]


def court_document_html(
    kind: str,
    case: Case,
    *,
    actor: Any,
    subject: str = "",
    decision: Any = None,
    overrides: dict[str, Any] | None = None,
) -> str:
    """The document's HTML as it would be issued (the centre's active template, else the shipped one), for
    a judge or clerk of the case's court: it states the debtor's particulars."""
    from notices import documents
    from notices.services import notice_template_active

    if actor_role(actor) not in PREVIEW_ROLES or not actor_reaches_case(actor, case):
        raise ActionForbidden(MESSAGES["forbidden"])
    template = notice_template_active(centre_id=case.centre_id, kind=kind)
    issuer = documents.issuer_organisation(case, kind)
    doc = documents.document_context(case=case, kind=kind, issuer=issuer, subject=subject)
    doc.update(court_document_context(kind, case, _decision(kind, case, subject, decision), overrides))
    body = template.body if template else documents.default_body(kind)
    return documents.document_html(doc=doc, body_source=body)


def court_document_preview(
    kind: str,
    case: Case,
    *,
    actor: Any,
    subject: str = "",
    decision: Any = None,
    overrides: dict[str, Any] | None = None,
) -> bytes:
    """The PDF as it would be issued, with the judge's unsaved values: for a preview before signing."""
    from notices.rendering import render_pdf
    from notices.services import notice_template_active

    template = notice_template_active(centre_id=case.centre_id, kind=kind)
    html = court_document_html(
        kind, case, actor=actor, subject=subject, decision=decision, overrides=overrides
    )
    return render_pdf(html, extra_css=template.css if template else "").data


def court_document_missing_labels(*, case: Any, kind: str, subject: str = "") -> list[str]:
    """For notices (registry hook): the labels of the required elements still empty."""
    return [str(e.element.label) for e in court_document_missing(kind, case, subject=subject)]


def sample_court_form(kind: str, today: date, doc: dict[str, Any], operative: list[str]) -> dict[str, Any]:
    creditor_role, debtor_role = PARTY_ROLES[kind]
    return {
        "court_name": doc["court_name"],
        "title": FORM_TITLES[kind],
        "number": "",
        "creditor": {
            "role": creditor_role,
            "name": doc["creditor_name"],
            "address": "福建省泉州市丰泽区示例大街1号",
            "uscc": doc["creditor_uscc"],
            "legal_representative": "赵法人",
            "legal_representative_title": "行长",
            "agent_title": AGENT_TITLES.get(kind, "委托代理人"),
            "agent_name": "钱代理",
            "agent_detail": "该行员工",
        },
        "debtor": {
            "role": debtor_role,
            "name": doc["debtor_name"],
            "sex": "男",
            "birth_date": "1990年1月1日",
            "address": doc["debtor_address"],
            "id_masked": doc["debtor_id_masked"],
        },
        "reasons": "本院经审查认为，……",
        "reasons_extra": "",
        "legal_basis": "依照《中华人民共和国民事诉讼法》的规定，裁定如下：",
        "operative": operative,
        "judge": "王审判",
        "clerk": "陈书记",
        "date": chinese_numeral_date(today),
        "seal_url": "",
    }


def sample_ruling(*, today: date, doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "court": sample_court_form(Kind.CONFIRMATION_RULING, today, doc, ["确认申请人达成的调解协议有效。"]),
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
        "court": sample_court_form(
            Kind.PAYMENT_ORDER,
            today,
            doc,
            [f"被申请人应当自收到本支付令之日起15日内给付{doc['total']['figures']}。"],
        ),
        "order": {
            "number": f"({today.year})闽0502民督1号",
            "amount": doc["total"],
            "principal_only": False,
            "applied_on": chinese_date(today),
            "issued_on": chinese_date(today),
            "objection_days": 15,
        },
    }


def sample_judgment(*, today: date, doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "court": sample_court_form(Kind.JUDGMENT, today, doc, [f"被告应支付{doc['total']['figures']}。"]),
        "judgment": {
            "number": f"({today.year})闽0502民初1号",
            "procedure": PROCEDURES["small_claims"],
            "small_claims": True,
            "filed_on": chinese_date(today),
            "judgment_on": chinese_date(today),
            "amount": doc["total"],
            "performance_due_on": chinese_date(today),
        },
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
        missing=court_document_missing_labels,
    )
    register_document(
        Kind.PAYMENT_ORDER,
        title="支付令",
        issuers=court,
        context=payment_order_document,
        sample=sample_payment_order,
        decisions=payment_orders,
        served=services.payment_order_served_by_delivery,
        missing=court_document_missing_labels,
    )
    register_document(
        Kind.JUDGMENT,
        title="民事判决书",
        issuers=court,
        context=judgment_document,
        sample=sample_judgment,
        decisions=judgments,
        missing=court_document_missing_labels,
    )
    register_document(Kind.ENFORCEMENT_NOTICE, title="执行通知书", issuers=court)
