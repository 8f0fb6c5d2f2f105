"""See before you sign: the court document an action issues, rendered as it will be, before the signing step.

The document is rendered through the notices machinery (the centre's active template of the kind, else the
default, with the letterhead), from the case as it stands and a draft of the decision the action will make:
the 民特 number the filing gave, today's date, this judge, the reasons typed. Nothing is stored.
"""

from collections.abc import Callable
from copy import copy
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from courts.documents import COURT_KINDS, court_document_html, court_document_missing
from courts.models import ConfirmationDecision, FilingType
from notices import documents, rendering
from notices.models import Kind
from notices.services import notice_template_active

from .read_models import CourtFile


@dataclass(frozen=True)
class Draft:
    """A decision not yet recorded, as the document will state it, and the judge's unsaved values."""

    decision: Any
    overrides: dict[str, Any]


def document_html(case: Case, kind: str, *, actor: Any, draft: Draft | None = None) -> str:
    """The whole HTML of a document of this kind on this case, as the PDF will show it: a court document in
    court form (the draft's decision, else the case's latest), any other kind from the case as it stands."""
    template = notice_template_active(centre_id=case.centre_id, kind=kind)
    if kind in COURT_KINDS:
        html = court_document_html(
            kind,
            case,
            actor=actor,
            decision=draft.decision if draft else None,
            overrides=draft.overrides if draft else None,
        )
    else:
        issuer = documents.issuer_organisation(case, kind)
        doc = documents.document_context(case=case, kind=kind, issuer=issuer)
        body = template.body if template else documents.default_body(kind)
        html = documents.document_html(doc=doc, body_source=body)
    # The print stylesheet and the centre's own, as the PDF renderer applies them (fonts: the browser's).
    css = rendering.PRINT_CSS.read_text(encoding="utf-8") + (template.css if template else "")
    return html.replace("</head>", f"<style>{css}</style></head>", 1)


def _signer(filing: Any, user: Any) -> dict[str, Any]:
    """The judge who signs: the filing's own, else the judge at the keyboard (as the service records it)."""
    return {} if filing is None or filing.judge_id else {"judge": user.pk}


def _draft_ruling(f: CourtFile, data: dict[str, Any], *, confirmed: bool = True) -> Draft | None:
    filing = f.case.filings.filter(filing_type=FilingType.CONFIRMATION).order_by("-pk").first()
    if filing is None:
        return None
    decision = ConfirmationDecision(
        case=f.case,
        filing=filing,
        confirmed=confirmed,
        ground="" if confirmed else data.get("ground") or "",
        reasons=data.get("reasons", ""),
        decided_on=timezone.localdate(),
        decided_by=f.user,
    )
    return Draft(decision, _signer(filing, f.user))


def _draft_refusal(f: CourtFile, data: dict[str, Any]) -> Draft | None:
    return _draft_ruling(f, data, confirmed=False)


def _no_document(f: CourtFile, data: dict[str, Any]) -> Draft | None:
    return None


def _draft_order(f: CourtFile, data: dict[str, Any]) -> Draft | None:
    order = copy(f.order)
    if order is None or order.filing is None:
        return None
    order.issued_on = timezone.localdate()
    return Draft(order, _signer(order.filing, f.user))


def _draft_judgment(f: CourtFile, data: dict[str, Any]) -> Draft | None:
    suit = copy(f.suit)
    if suit is None:
        return None
    today = timezone.localdate()
    suit.judgment_on = today
    suit.judgment_amount = data.get("amount") or f.case.claimed_total
    # The period's last day as the service will count it (working days and holidays) is on the judgment
    # itself once recorded; the draft shows the calendar count.
    suit.performance_due_on = today + timedelta(days=int(data.get("performance_days") or 0))
    return Draft(suit, _signer(suit.filing, f.user))


@dataclass(frozen=True)
class Preview:
    kind: str  # the document the action issues ("" for an irreversible act that issues none here)
    draft: Callable[[CourtFile, dict[str, Any]], Draft | None]
    what: Any  # what signing (or going ahead) does, in one sentence
    sign: Any  # the signing button


PREVIEWS: dict[str, Preview] = {
    "confirm": Preview(
        Kind.CONFIRMATION_RULING,
        _draft_ruling,
        _(
            "Signing confirms the settlement: the ruling below is issued under your name and the agreement "
            "becomes enforceable (CPL 206). This cannot be undone in the console."
        ),
        _("Sign and confirm"),
    ),
    "reject": Preview(
        Kind.CONFIRMATION_RULING,
        _draft_refusal,
        _(
            "Signing refuses confirmation on the ground stated: the ruling below is issued under your name "
            "and the case goes to the next step chosen (mediation again or a suit)."
        ),
        _("Sign and refuse"),
    ),
    "po_issue": Preview(
        Kind.PAYMENT_ORDER,
        _draft_order,
        _(
            "Signing issues the payment order below; it must be served within 30 days and the debtor then "
            "has 15 days to object (CPL 227)."
        ),
        _("Sign and issue"),
    ),
    "suit_judgment": Preview(
        Kind.JUDGMENT,
        _draft_judgment,
        _(
            "Signing records the judgment below: the case becomes enforceable once the performance period "
            "ends unpaid."
        ),
        _("Sign and record"),
    ),
    "po_reject": Preview(
        "",
        _no_document,
        _("The application is rejected and the payment order lapses; the case goes back to court mediation."),
        _("Reject the application"),
    ),
    "po_decline": Preview(
        "",
        _no_document,
        _("The creditor's refusal of the suit is recorded and the case is withdrawn."),
        _("Record and withdraw the case"),
    ),
    "enf_dishonest": Preview(
        "",
        _no_document,
        _(
            "The debtor is put on the dishonest judgment-debtor list, with the grounds given; they are taken "
            "off within 3 working days of performing."
        ),
        _("Put on the list"),
    ),
    "enf_suspend": Preview(
        "",
        _no_document,
        _("The current round of enforcement is terminated (终本); the case is re-checked every 6 months."),
        _("Terminate the round"),
    ),
}


def preview_html(f: CourtFile, action: str, data: dict[str, Any]) -> str:
    """The document the action will issue ("" when it issues none here)."""
    preview = PREVIEWS[action]
    draft = preview.draft(f, data) if preview.kind else None
    if draft is None:
        return ""
    return document_html(f.case, preview.kind, actor=f.user, draft=draft)


def preview_missing(f: CourtFile, action: str, data: dict[str, Any]) -> list[str]:
    """The labels of the required elements the document would still lack (court form, 要素式)."""
    preview = PREVIEWS[action]
    draft = preview.draft(f, data) if preview.kind else None
    if draft is None:
        return []
    missing = court_document_missing(preview.kind, f.case, decision=draft.decision, overrides=draft.overrides)
    return [str(e.element.label) for e in missing]


# Documents a judge may open from the case page even before any notice of the kind was sent.
VIEWABLE: dict[str, Callable[[CourtFile], bool]] = {
    Kind.SETTLEMENT_AGREEMENT: lambda f: f.settlement is not None,
    Kind.CONFIRMATION_RULING: lambda f: bool(f.decisions),
    Kind.PAYMENT_ORDER: lambda f: any(o.filing_id for o in f.orders),
    Kind.JUDGMENT: lambda f: any(s.judgment_on for s in f.suits),
}


def viewable_documents(f: CourtFile) -> list[tuple[str, Any]]:
    """(kind, label) of each document the case has, newest decision of each kind."""
    labels = dict(Kind.choices)
    return [(kind, labels[kind]) for kind, has in VIEWABLE.items() if has(f)]
