"""Notices: the only place that creates, renders, sends and records them. Tasks and views call these.

Each step is idempotent: a notice is rendered once per (case, kind, template version); a delivery attempt
row is committed before a channel backend is called, and a channel that has a sent attempt is never
called again, so a retried task never sends twice.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case, EventAction
from cases.permissions import actor_reaches_case
from cases.selectors import cases_visible_to
from cases.services import case_event_record, cases_change_bulk
from core.actors import SYSTEM, Actor, actor_role
from core.identifiers import mask_phone
from core.models import Centre, Role

from . import conf, documents, links, registry, rendering
from .channels.base import ChannelError, PermanentChannelError, SendResult, TemporaryChannelError
from .channels.email import send_email
from .channels.post import PostItem, merged_pdf
from .channels.sms import sms_backend
from .models import (
    Channel,
    DeliveryAttempt,
    Kind,
    Notice,
    NoticeBatch,
    NoticeTemplate,
    PostBatch,
)

logger = logging.getLogger(__name__)
S = Notice.Status
SERVED = (S.SENT, S.DELIVERED, S.OPENED)
# Why: an attempt still "started" after this long belongs to a worker that died mid-send.
ATTEMPT_STALE_AFTER = timedelta(minutes=10)
# Notices per print batch: one merged PDF the print shop can handle (and this process can hold in memory).
POST_BATCH_MAX = 500

# Who may send which kind (a creditor its own letters, mediators the mediation papers, courts their own).
KIND_SENDER_ROLES: dict[str, frozenset[str]] = {
    Kind.MEDIATION_NOTICE: frozenset({Role.MEDIATOR, Role.CENTRE_ADMIN}),
    Kind.LITIGATION_RISK: frozenset({Role.CREDITOR_STAFF, Role.MEDIATOR, Role.CENTRE_ADMIN}),
    Kind.DEBT_COLLECTION: frozenset({Role.CREDITOR_STAFF, Role.MEDIATOR, Role.CENTRE_ADMIN}),
    Kind.SETTLEMENT_AGREEMENT: frozenset({Role.MEDIATOR, Role.CENTRE_ADMIN}),
    Kind.CONFIRMATION_RULING: frozenset({Role.JUDGE, Role.CLERK}),
    Kind.PAYMENT_ORDER: frozenset({Role.JUDGE, Role.CLERK}),
    Kind.JUDGMENT: frozenset({Role.JUDGE, Role.CLERK}),
    Kind.ENFORCEMENT_NOTICE: frozenset({Role.JUDGE, Role.CLERK}),
    Kind.CREDIT_REPAIR_CERTIFICATE: frozenset({Role.JUDGE, Role.CLERK, Role.CENTRE_ADMIN}),
    Kind.PROOF_OF_SERVICE: frozenset(),  # produced on demand for a served notice, never sent
}


class NoticeError(Exception):
    """A request about notices that cannot be carried out; ``message`` is shown to the user."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# --- domain rules --------------------------------------------------------------------------------------


def electronic_service_allowed(case: Case) -> bool:
    """Electronic service only with the recipient's consent; otherwise post (CPL 90)."""
    return bool(case.e_service_consent)


def notice_channels(case: Case) -> list[str]:
    """The channels a notice to this case goes by: post without consent; SMS and/or e-mail with it."""
    if not electronic_service_allowed(case):
        return [Channel.POST.value]
    present = ((Channel.SMS.value, case.phone_masked), (Channel.EMAIL.value, case.email))
    return [channel for channel, address in present if address] or [Channel.POST.value]


# Collection hours: no collection message 22:00-08:00 Beijing time, on EVERY channel, the platform's own
# automated SMS and e-mail included (中国银行业协会 个人消费类贷款催收工作指引 2026): held until 08:00. A debt
# platform's message to a debtor at night reads as collection, so every notice waits, court papers too.
COLLECTION_QUIET_FROM = time(22, 0)
COLLECTION_QUIET_UNTIL = time(8, 0)
COLLECTION_HOURS_ZONE = ZoneInfo("Asia/Shanghai")


def in_collection_quiet_hours(at: datetime) -> bool:
    local = at.astimezone(COLLECTION_HOURS_ZONE).time()
    return not COLLECTION_QUIET_UNTIL <= local < COLLECTION_QUIET_FROM


def collection_send_not_before(now: datetime) -> datetime | None:
    """The 08:00 (Beijing) a message planned at ``now`` waits for; None outside the quiet hours."""
    if not in_collection_quiet_hours(now):
        return None
    local = now.astimezone(COLLECTION_HOURS_ZONE)
    day = local.date() if local.time() < COLLECTION_QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, COLLECTION_QUIET_UNTIL, tzinfo=COLLECTION_HOURS_ZONE)


# Whether the debtor of a case agreed to contact in the quiet hours: f(case_id) -> bool, filled by mediation
# (which records the consent) in its AppConfig.ready.
LATE_CONTACT_CONSENTS: list[Callable[[int], bool]] = []


def notice_send_not_before(*, case_id: int, now: datetime) -> datetime | None:
    """When a message to this case's debtor planned at ``now`` may leave: at once (None), or at 08:00."""
    eta = collection_send_not_before(now)
    if eta is not None and any(consented(case_id) for consented in LATE_CONTACT_CONSENTS):
        return None
    return eta


def kinds_sendable_by(actor: Actor) -> list[str]:
    role = actor_role(actor)
    return [kind for kind, roles in KIND_SENDER_ROLES.items() if role in roles]


def _check_sender(actor: Actor, kind: str) -> None:
    if kind not in Kind.values or kind == Kind.PROOF_OF_SERVICE:
        raise NoticeError(_("There is no such kind of notice."))
    role = actor_role(actor)
    if role != "system" and role not in KIND_SENDER_ROLES[kind]:
        raise NoticeError(_("Your role may not send this kind of notice."))


def _actor_id(actor: Actor) -> int | None:
    return None if actor is None or actor is SYSTEM else actor.pk


# --- templates -----------------------------------------------------------------------------------------


def notice_template_active(*, centre_id: int, kind: str) -> NoticeTemplate | None:
    return NoticeTemplate.objects.filter(centre_id=centre_id, kind=kind, is_active=True).first()


def notice_template_check(*, kind: str, body: str, css: str = "") -> None:
    """Compile and render a template with sample values; raises NoticeError with the reason."""
    try:
        html = documents.document_html(
            doc=documents.sample_document_context(centre_name="—", kind=kind), body_source=body
        )
        rendering.render_pdf(html, extra_css=css)
    except Exception as exc:  # a template error or a WeasyPrint error: both mean "fix the template"
        raise NoticeError(_("The template does not render: %(error)s") % {"error": str(exc)[:300]}) from exc


@transaction.atomic
def notice_template_publish(
    *, centre: Centre, kind: str, body: str, css: str = "", note: str = "", actor: Actor
) -> NoticeTemplate:
    """A new version of a centre's template, checked and made active; older versions stay as they are."""
    notice_template_check(kind=kind, body=body, css=css)
    Centre.objects.select_for_update().get(pk=centre.pk)
    latest = NoticeTemplate.objects.filter(centre=centre, kind=kind).aggregate(v=Max("version"))["v"] or 0
    NoticeTemplate.objects.filter(centre=centre, kind=kind, is_active=True).update(is_active=False)
    return NoticeTemplate.objects.create(
        centre=centre,
        kind=kind,
        version=latest + 1,
        body=body,
        css=css,
        note=note[:200],
        is_active=True,
        created_by_id=_actor_id(actor),
    )


@transaction.atomic
def notice_template_activate(*, template: NoticeTemplate) -> NoticeTemplate:
    """Make an earlier version the active one again (or pass the default back with ``deactivate``)."""
    Centre.objects.select_for_update().get(pk=template.centre_id)
    NoticeTemplate.objects.filter(centre_id=template.centre_id, kind=template.kind, is_active=True).update(
        is_active=False
    )
    NoticeTemplate.objects.filter(pk=template.pk).update(is_active=True)
    template.refresh_from_db()
    return template


def notice_template_deactivate(*, centre_id: int, kind: str) -> int:
    """Go back to the shipped default (version 0) for this kind."""
    return NoticeTemplate.objects.filter(centre_id=centre_id, kind=kind, is_active=True).update(
        is_active=False
    )


def notice_template_preview(*, centre: Centre, kind: str, body: str | None = None, css: str = "") -> bytes:
    """A PDF of the template with made-up values (no real person's data in a preview)."""
    doc = documents.sample_document_context(centre_name=centre.name, kind=kind)
    html = documents.document_html(
        doc=doc, body_source=documents.default_body(kind) if body is None else body
    )
    return rendering.render_pdf(html, extra_css=css).data


# --- queueing ------------------------------------------------------------------------------------------


def _version_for(centre_id: int, kind: str) -> tuple[int, NoticeTemplate | None]:
    template = notice_template_active(centre_id=centre_id, kind=kind)
    return (template.version, template) if template else (0, None)


def _queue_on_commit(notice_ids: Sequence[int], batch_id: int | None = None) -> None:
    from . import tasks

    ids = list(notice_ids)
    if not ids:
        return
    now = timezone.now()
    if batch_id is None:  # planned in the quiet hours: leaves at 08:00, unless the debtor agreed
        case_ids = dict(Notice.objects.filter(pk__in=ids).values_list("pk", "case_id"))
        etas = {pk: notice_send_not_before(case_id=case_ids[pk], now=now) for pk in ids}
        transaction.on_commit(lambda: [tasks.notice_process.apply_async((pk,), eta=etas[pk]) for pk in ids])
        return
    eta = collection_send_not_before(now)  # a bulk send holds every letter in the quiet hours
    size = conf.bulk_chunk_size()
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    transaction.on_commit(
        lambda: [tasks.notices_process_chunk.apply_async((batch_id, chunk), eta=eta) for chunk in chunks]
    )


@transaction.atomic
def notice_send(*, case: Case, kind: str, actor: Actor, subject: str = "") -> Notice:
    """Queue one notice for one case; the same (case, kind, version, subject) again returns the existing
    notice. ``subject`` names what the document is about when a case can have several of its kind
    ("confirmation_ruling:12": each court decision its own ruling).

    A failed notice is queued again (its attempts are kept); a sent one is not sent twice.
    """
    _check_sender(actor, kind)
    if not actor_reaches_case(actor, case):
        raise NoticeError(_("This case is out of your reach."))
    if kind in COURT_DOCUMENT_KINDS and not subject:
        subject = court_document_subject(case=case, kind=kind)
    version, template = _version_for(case.centre_id, kind)
    existing = Notice.objects.filter(case=case, kind=kind, template_version=version, subject=subject)
    if actor is not None and actor is not SYSTEM and not existing.exists():
        _check_complete(case=case, kind=kind, subject=subject)
    notice, created = Notice.objects.get_or_create(
        case=case,
        kind=kind,
        template_version=version,
        subject=subject,
        defaults={
            "template": template,
            "channel": notice_channels(case)[0],
            "created_by_id": _actor_id(actor),
            "issuer": documents.issuer_organisation(case, kind),
        },
    )
    if created:
        case_event_record(
            case=case,
            action=EventAction.NOTICE_QUEUED,
            actor=actor,
            data={
                "notice": notice.pk,
                "kind": kind,
                "version": version,
                **({"subject": subject} if subject else {}),
            },
        )
    elif notice.status == S.FAILED:
        Notice.objects.filter(pk=notice.pk).update(status=S.QUEUED, failure_reason="", failed_at=None)
        notice.refresh_from_db()
    else:
        return notice
    _queue_on_commit([notice.pk])
    return notice


def _check_complete(*, case: Case, kind: str, subject: str) -> None:
    """A person issuing a court document: refused while a required element of its form is empty (a
    decision's automatic rendering is the platform's, and prints what there is)."""
    missing = registry.document_kind(kind).missing
    labels = missing(case=case, kind=kind, subject=subject) if missing is not None else []
    if labels:
        raise NoticeError(
            _("The document is incomplete; fill in first: %(elements)s") % {"elements": "、".join(labels)}
        )


# Court documents carry one decision each: a ruling, an order, a judgment.
COURT_DOCUMENT_KINDS = frozenset({Kind.CONFIRMATION_RULING, Kind.PAYMENT_ORDER, Kind.JUDGMENT})


def court_document_subject(*, case: Case, kind: str) -> str:
    """The subject of a court document sent by hand: the case's latest decision of that kind, so that the
    judge's "send" serves the document already rendered for it instead of a second copy. Refused when the
    court has decided nothing of that kind on the case (a blank ruling or judgment is no document)."""
    latest = documents.court_decisions(case, kind).values_list("pk", flat=True).first()
    if latest is None:
        raise NoticeError(_("The court has not decided this on the case yet: there is no document to send."))
    return f"{kind}:{latest}"


def notices_send_bulk(*, case_ids: Iterable[int], kind: str, actor: Actor) -> NoticeBatch:
    """Queue one kind of notice for a selection of cases, set-based, in chunks, with a progress record.

    Cases out of the actor's reach are ignored; cases that already have this notice (not failed) are skipped.
    Court documents go one decision at a time, from the case (``notice_send``).
    """
    _check_sender(actor, kind)
    if kind in COURT_DOCUMENT_KINDS:
        raise NoticeError(_("Court documents are sent from the case, each with its decision."))
    membership = getattr(actor, "membership", None)
    if membership is None:
        raise NoticeError(_("Only staff with a role can send notices."))
    centre_id = membership.organisation.centre_id
    with transaction.atomic():
        cases = list(
            cases_visible_to(actor)
            .filter(pk__in=list(case_ids))
            .select_related("committee", "court", "creditor")
            .defer("phone")  # not needed here: no decryption of every row
            .order_by("pk")
        )
        centre_org = documents.centre_organisation(centre_id)
        version, template = _version_for(centre_id, kind)
        existing = dict(
            Notice.objects.filter(
                case__in=cases, kind=kind, template_version=version, subject=""
            ).values_list("case_id", "status")
        )
        batch = NoticeBatch.objects.create(centre_id=centre_id, kind=kind, created_by_id=_actor_id(actor))
        new = [
            Notice(
                case=c,
                kind=kind,
                template_version=version,
                template=template,
                batch=batch,
                channel=notice_channels(c)[0],
                created_by_id=_actor_id(actor),
                issuer=documents.issuer_organisation(c, kind, centre_org=centre_org),
            )
            for c in cases
            if c.pk not in existing
        ]
        Notice.objects.bulk_create(new, batch_size=1000)
        retry_ids = [pk for pk, status in existing.items() if status == S.FAILED]
        Notice.objects.filter(case_id__in=retry_ids, kind=kind, template_version=version, subject="").update(
            status=S.QUEUED, failure_reason="", failed_at=None, batch=batch
        )
        queued_case_ids = [n.case_id for n in new] + retry_ids
        cases_change_bulk(
            case_ids=queued_case_ids,
            action=EventAction.NOTICE_QUEUED,
            actor=actor,
            data={"kind": kind, "version": version, "batch": batch.pk},
        )
        notice_ids = list(Notice.objects.filter(batch=batch).order_by("pk").values_list("pk", flat=True))
        NoticeBatch.objects.filter(pk=batch.pk).update(
            total=len(notice_ids), skipped=len(existing) - len(retry_ids)
        )
        if not notice_ids:
            NoticeBatch.objects.filter(pk=batch.pk).update(finished_at=timezone.now())
        _queue_on_commit(notice_ids, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


# --- rendering -----------------------------------------------------------------------------------------


def notice_render(*, notice_id: int) -> Notice:
    """Render and store the PDF once; a second call (a retried task) returns the stored one."""
    notice = Notice.objects.select_related("case__debtor", "case__creditor", "case__centre", "template").get(
        pk=notice_id
    )
    if notice.sha256:
        return notice
    body = notice.template.body if notice.template else documents.default_body(notice.kind)
    css = notice.template.css if notice.template else ""
    issuer = notice.issuer or documents.issuer_organisation(notice.case, notice.kind)
    doc = documents.document_context(
        case=notice.case, kind=notice.kind, issuer=issuer, subject=notice.subject
    )
    pdf = rendering.render_pdf(documents.document_html(doc=doc, body_source=body), extra_css=css)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice_id)
        if notice.sha256:  # another worker stored it meanwhile: keep theirs
            return notice
        case = notice.case
        folder = f"{case.centre.code}/{timezone.localdate():%Y/%m}"
        name = f"{folder}/{case.code}-{notice.kind}-v{notice.template_version}.pdf"
        notice.pdf.save(name, ContentFile(pdf.data), save=False)
        notice.sha256, notice.size, notice.pages = pdf.sha256, len(pdf.data), pdf.pages
        notice.rendered_at = timezone.now()
        if notice.status == S.QUEUED:
            notice.status = S.RENDERED
        notice.save(update_fields=["pdf", "sha256", "size", "pages", "rendered_at", "status", "updated_at"])
    return notice


def notice_pdf_bytes(notice: Notice) -> bytes:
    with notice.pdf.open("rb") as f:
        return f.read()


def proof_of_service_pdf(*, notice: Notice) -> bytes:
    """The proof of service (送达回证) for one notice, from the centre's template, as it stands now."""
    case = notice.case
    _version, template = _version_for(case.centre_id, Kind.PROOF_OF_SERVICE)
    body = template.body if template else documents.default_body(Kind.PROOF_OF_SERVICE)
    issuer = documents.issuer_organisation(case, Kind.PROOF_OF_SERVICE)
    doc = documents.document_context(case=case, kind=Kind.PROOF_OF_SERVICE, issuer=issuer, served=notice)
    return rendering.render_pdf(
        documents.document_html(doc=doc, body_source=body), extra_css=template.css if template else ""
    ).data


# --- delivery ------------------------------------------------------------------------------------------


class Outcome(Enum):
    SENT = "sent"
    ALREADY = "already"  # a sent attempt exists, or another worker is sending right now
    TEMPORARY = "temporary"
    PERMANENT = "permanent"


@dataclass
class ChannelOutcome:
    channel: str
    outcome: Outcome
    result: SendResult | None = None
    error: str = ""


def _recipient_masked(case: Case, channel: str) -> str:
    addresses: dict[str, str] = {Channel.SMS: case.phone_masked, Channel.EMAIL: case.email}
    return addresses.get(channel, case.address)


def _attempt_start(notice_id: int, channel: str) -> tuple[DeliveryAttempt | None, str]:
    """Commit a 'started' attempt before the backend is called, or say why no call must be made."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update().select_related("case").get(pk=notice_id)
        attempts = list(notice.attempts.filter(channel=channel).order_by("seq"))
        if any(a.status == DeliveryAttempt.Status.SENT for a in attempts):
            return None, ""
        last = attempts[-1] if attempts else None
        if last is not None and last.status == DeliveryAttempt.Status.STARTED:
            if timezone.now() - last.started_at < ATTEMPT_STALE_AFTER:
                return None, ""
            # The worker died between calling the provider and recording the answer: the message may have
            # gone out. Never send again automatically; a person checks the provider and resends.
            error = "interrupted: the outcome is unknown; check the provider's log before resending"
            DeliveryAttempt.objects.filter(pk=last.pk).update(
                status=DeliveryAttempt.Status.FAILED, error=error, finished_at=timezone.now()
            )
            return None, error
        seq = last.seq + 1 if last else 1
        try:
            with transaction.atomic():
                attempt = DeliveryAttempt.objects.create(
                    notice=notice,
                    channel=channel,
                    seq=seq,
                    idempotency_key=f"n{notice.pk}-{channel}-{seq}",
                    recipient_masked=_recipient_masked(notice.case, channel),
                )
        except IntegrityError:  # a concurrent worker took this seq (SQLite has no row lock)
            return None, ""
        return attempt, ""


def _attempt_finish(attempt: DeliveryAttempt, *, result: SendResult | None, error: str = "") -> None:
    status = DeliveryAttempt.Status.SENT if result else DeliveryAttempt.Status.FAILED
    DeliveryAttempt.objects.filter(pk=attempt.pk).update(
        status=status,
        provider_id=result.provider_id if result else "",
        error=error[:1000],
        finished_at=timezone.now(),
    )


def _message_texts(notice: Notice) -> dict[str, str]:
    """SMS text, e-mail subject and body, in the platform's language (Chinese) whatever the caller's."""
    case = notice.case
    title = documents.DOCUMENT_TITLES[Kind(notice.kind)]
    issuer = notice.issuer.name if notice.issuer else case.centre.name
    values = {
        "issuer": issuer,
        "title": title,
        "code": case.code,
        "link": links.notice_link_url(notice.pk),
        "days": conf.link_max_age_days(),
        "name": case.debtor.name,
    }
    with translation.override(settings.LANGUAGE_CODE):
        return {
            "sms": _(
                "[%(issuer)s] %(title)s for case %(code)s has been served on you electronically. "
                "Read it within %(days)s days at %(link)s (you will be asked to identify yourself)."
            )
            % values,
            "subject": _("%(title)s (case %(code)s)") % values,
            "body": _(
                "Dear %(name)s,\n\n%(issuer)s serves on you the attached %(title)s for case %(code)s, "
                "with your consent to electronic service.\n\nYou can also read it, and record that you "
                "have, within %(days)s days at:\n%(link)s\n\nYou will be asked for your ID number and a "
                "code sent to your phone.\n"
            )
            % values,
        }


def _call_channel(notice: Notice, channel: str, attempt: DeliveryAttempt, pdf: bytes) -> SendResult:
    texts = _message_texts(notice)
    if channel == Channel.SMS:
        # Sending needs the full number (decrypted by the model field); it is never logged.
        return sms_backend().send(
            to=notice.case.phone, text=texts["sms"], idempotency_key=attempt.idempotency_key
        )
    if channel == Channel.EMAIL:
        return send_email(
            to=notice.case.email,
            subject=texts["subject"],
            body=texts["body"],
            attachment_name=f"{notice.case.code}-{notice.kind}.pdf",
            pdf=pdf,
            idempotency_key=attempt.idempotency_key,
        )
    raise PermanentChannelError(f"not an electronic channel: {channel}")


def _deliver_channel(notice: Notice, channel: str, pdf: bytes) -> ChannelOutcome:
    attempt, problem = _attempt_start(notice.pk, channel)
    if attempt is None:
        return ChannelOutcome(channel, Outcome.PERMANENT if problem else Outcome.ALREADY, error=problem)
    try:
        result = _call_channel(notice, channel, attempt, pdf)
    except ChannelError as exc:
        _attempt_finish(attempt, result=None, error=str(exc))
        return ChannelOutcome(
            channel, Outcome.TEMPORARY if exc.temporary else Outcome.PERMANENT, error=str(exc)
        )
    except Exception as exc:
        # An unexpected failure: recorded as permanent so that a person sees it (never silently dropped).
        logger.exception("notice %s: %s backend failed", notice.pk, channel)
        _attempt_finish(attempt, result=None, error=f"{type(exc).__name__}: {exc}")
        return ChannelOutcome(channel, Outcome.PERMANENT, error=f"{type(exc).__name__}: {exc}")
    _attempt_finish(attempt, result=result)
    return ChannelOutcome(channel, Outcome.SENT, result=result)


def notice_deliver(*, notice_id: int, final_try: bool = False) -> Notice:
    """Hand a rendered notice to its channels (consent checked again now). Post waits for a print batch.

    Raises TemporaryChannelError when a channel may work later and this is not the final try.
    """
    notice = Notice.objects.select_related("case__debtor", "case__centre", "issuer").get(pk=notice_id)
    if notice.status == S.FAILED or not notice.sha256:
        return notice
    channels = notice_channels(notice.case)
    if channels != [Channel.POST] and notice.channel == Channel.POST and notice.post_batch_id:
        channels = [Channel.POST]  # already in a print batch: stays on paper
    if channels[0] != notice.channel:
        Notice.objects.filter(pk=notice.pk).update(channel=channels[0])
    if channels == [Channel.POST]:
        return Notice.objects.get(pk=notice.pk)
    pdf = notice_pdf_bytes(notice)
    outcomes = [_deliver_channel(notice, channel, pdf) for channel in channels]
    _record_outcomes(notice.pk, outcomes, final_try=final_try)
    temporary = [o for o in outcomes if o.outcome == Outcome.TEMPORARY]
    if temporary and not final_try:
        raise TemporaryChannelError("; ".join(f"{o.channel}: {o.error}" for o in temporary))
    return Notice.objects.get(pk=notice.pk)


@transaction.atomic
def _record_outcomes(notice_id: int, outcomes: list[ChannelOutcome], *, final_try: bool) -> None:
    notice = Notice.objects.select_for_update().select_related("case").get(pk=notice_id)
    sent = [o for o in outcomes if o.outcome == Outcome.SENT]
    served_before = notice.status in SERVED
    now = timezone.now()
    errors = "; ".join(f"{o.channel}: {o.error}" for o in outcomes if o.error)
    any_sent_ever = (
        served_before or sent or notice.attempts.filter(status=DeliveryAttempt.Status.SENT).exists()
    )
    if any_sent_ever:
        if not served_before:
            notice.status, notice.sent_at = S.SENT, now
            case_event_record(
                case=notice.case,
                action=EventAction.NOTICE_SENT,
                actor=SYSTEM,
                data={
                    "notice": notice.pk,
                    "kind": notice.kind,
                    "sha256": notice.sha256,
                    "channels": [o.channel for o in sent],
                },
            )
        if any(o.result and o.result.delivered for o in sent):
            _mark_delivered(notice, now)
        notice.failure_reason = errors if final_try else notice.failure_reason
        notice.save(update_fields=["status", "sent_at", "delivered_at", "failure_reason", "updated_at"])
        return
    pending = [o for o in outcomes if o.outcome == Outcome.TEMPORARY]
    if pending and not final_try:
        notice.failure_reason = errors  # shown while the retries run
        notice.save(update_fields=["failure_reason", "updated_at"])
        return
    if all(o.outcome == Outcome.ALREADY for o in outcomes):
        return
    _fail(notice, errors or "no channel accepted the notice")


def _mark_delivered(notice: Notice, at: datetime) -> None:
    if notice.delivered_at is None:
        notice.delivered_at = at
        if notice.status in (S.SENT, S.RENDERED, S.QUEUED):
            notice.status = S.DELIVERED
        case_event_record(
            case=notice.case,
            action=EventAction.NOTICE_DELIVERED,
            actor=SYSTEM,
            data={"notice": notice.pk, "kind": notice.kind},
        )
        _electronic_service_record(notice, at)


def _electronic_service_record(notice: Notice, at: datetime) -> None:
    """CPL 90¶2; Interp. 135: with consent, the date the channel records delivery is the service of the
    decision the document carries (payment orders included); the owning app records it (registry)."""
    if notice.channel == Channel.POST or not electronic_service_allowed(notice.case):
        return
    entry = registry.KINDS.get(str(notice.kind))
    if entry is None or entry.served is None:
        return
    decision = documents.court_decision(notice.case, notice.kind, notice.subject)
    if decision is not None:
        with transaction.atomic():  # a savepoint: the delivery stays recorded if the service step refuses
            entry.served(decision=decision, served_on=timezone.localdate(at))


def _fail(notice: Notice, reason: str) -> None:
    notice.status, notice.failure_reason, notice.failed_at = S.FAILED, reason[:2000], timezone.now()
    notice.save(update_fields=["status", "failure_reason", "failed_at", "updated_at"])
    case_event_record(
        case=notice.case,
        action=EventAction.NOTICE_FAILED,
        actor=SYSTEM,
        reason=reason[:500],
        data={"notice": notice.pk, "kind": notice.kind},
    )


@transaction.atomic
def notice_fail(*, notice_id: int, reason: str) -> Notice:
    notice = Notice.objects.select_for_update().select_related("case").get(pk=notice_id)
    if notice.status not in SERVED and notice.status != S.FAILED:
        _fail(notice, reason)
    return notice


def notice_process(*, notice_id: int, final_try: bool = False) -> Notice:
    """Render (once), then deliver (once per channel). What a task runs; safe to run again."""
    try:
        notice = notice_render(notice_id=notice_id)
    except rendering.RenderError as exc:
        notice = notice_fail(notice_id=notice_id, reason=f"render: {exc}")
    else:
        try:
            notice = notice_deliver(notice_id=notice_id, final_try=final_try)
        finally:
            _batch_refresh_of(notice_id)
        return notice
    _batch_refresh_of(notice_id)
    return notice


def _batch_refresh_of(notice_id: int) -> None:
    batch_id = Notice.objects.filter(pk=notice_id).values_list("batch_id", flat=True).first()
    if batch_id:
        notice_batch_refresh(batch_id=batch_id)


def notice_batch_refresh(*, batch_id: int) -> NoticeBatch:
    """Recount a batch's progress from its notices (a retried notice is never counted twice)."""
    counts = Notice.objects.filter(batch_id=batch_id).aggregate(
        total=Count("id"),
        rendered=Count("id", filter=~Q(sha256="")),
        sent=Count("id", filter=Q(status__in=SERVED)),
        post_queued=Count("id", filter=Q(status=S.RENDERED, channel=Channel.POST)),
        failed=Count("id", filter=Q(status=S.FAILED)),
    )
    done = counts["sent"] + counts["post_queued"] + counts["failed"] >= counts["total"]
    NoticeBatch.objects.filter(pk=batch_id).update(
        rendered=counts["rendered"],
        sent=counts["sent"],
        post_queued=counts["post_queued"],
        failed=counts["failed"],
        updated_at=timezone.now(),
    )
    if done:
        NoticeBatch.objects.filter(pk=batch_id, finished_at__isnull=True).update(finished_at=timezone.now())
    return NoticeBatch.objects.get(pk=batch_id)


@transaction.atomic
def notice_mark_delivered(*, notice: Notice, actor: Actor, at: datetime | None = None) -> Notice:
    """Record arrival reported later: a provider's receipt, or a postal return receipt entered by staff."""
    notice = Notice.objects.select_for_update().select_related("case").get(pk=notice.pk)
    if notice.status not in SERVED:
        raise NoticeError(_("Only a sent notice can be marked as delivered."))
    _mark_delivered(notice, at or timezone.now())
    notice.save(update_fields=["status", "delivered_at", "updated_at"])
    return notice


# --- post ----------------------------------------------------------------------------------------------


def post_batch_build(*, centre: Centre, actor: Actor) -> PostBatch | None:
    """Collect the centre's rendered notices to be posted (up to POST_BATCH_MAX) into one merged PDF."""
    with transaction.atomic():
        Centre.objects.select_for_update().get(pk=centre.pk)
        notices = list(
            Notice.objects.select_related("case__debtor", "case__centre", "issuer")
            .filter(case__centre=centre, channel=Channel.POST, status=S.RENDERED, post_batch__isnull=True)
            .order_by("case__address", "pk")[:POST_BATCH_MAX]
        )
        if not notices:
            return None
        items = []
        for n in notices:
            head = (
                documents.issuer_context(n.issuer)
                if n.issuer
                else {"name_line": centre.name, "address_line": ""}
            )
            items.append(
                PostItem(
                    debtor_name=n.case.debtor.name,
                    address=n.case.address,
                    case_code=n.case.code,
                    title=documents.DOCUMENT_TITLES[Kind(n.kind)],
                    sender_name=head["name_line"],
                    sender_address=head["address_line"],
                    pdf=notice_pdf_bytes(n),
                    pages=n.pages or 1,
                )
            )
        batch = PostBatch.objects.create(centre=centre, count=len(notices), created_by_id=_actor_id(actor))
        data = merged_pdf(items, batch_label=f"#{batch.pk}")
        batch.pdf.save(f"{centre.code}/post-{batch.pk}.pdf", ContentFile(data), save=False)
        batch.sha256 = rendering.RenderedPdf(data=data, pages=0).sha256
        batch.save(update_fields=["pdf", "sha256", "updated_at"])
        Notice.objects.filter(pk__in=[n.pk for n in notices]).update(post_batch=batch)
    return batch


@transaction.atomic
def post_batch_mark_mailed(*, batch: PostBatch, actor: Actor) -> PostBatch:
    """The print shop has posted the batch: each notice in it is sent (served when the receipt returns)."""
    batch = PostBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == PostBatch.Status.MAILED:
        return batch
    now = timezone.now()
    notices = Notice.objects.filter(post_batch=batch, status=S.RENDERED)
    case_ids = list(notices.values_list("case_id", flat=True))
    batch_ids = set(notices.exclude(batch__isnull=True).values_list("batch_id", flat=True))
    cases_change_bulk(  # the cases first (their events), then the notices that belong to them
        case_ids=case_ids,
        action=EventAction.NOTICE_SENT,
        actor=actor,
        data={"channels": [Channel.POST], "post_batch": batch.pk},
    )
    notices.update(status=S.SENT, sent_at=now, updated_at=now)
    batch.status, batch.mailed_at = PostBatch.Status.MAILED, now
    batch.save(update_fields=["status", "mailed_at", "updated_at"])
    for batch_id in batch_ids:
        notice_batch_refresh(batch_id=batch_id)
    return batch


# --- the debtor opens a notice -------------------------------------------------------------------------
# Identification is the debtor portal's one flow (debtor_portal.services); a notice only records that its
# identified debtor opened it.


@transaction.atomic
def notice_record_opened(*, notice: Notice, ip: str | None, user_agent: str) -> Notice:
    """The identified debtor opened the notice: recorded once (time, IP, browser), with a case event."""
    notice = Notice.objects.select_for_update().select_related("case").get(pk=notice.pk)
    if notice.opened_at is not None:
        return notice
    now = timezone.now()
    notice.opened_at, notice.opened_ip, notice.opened_user_agent = now, ip, user_agent[:300]
    _mark_delivered(notice, now)  # opening proves arrival (CPL 90: the record is the proof)
    notice.status = S.OPENED
    notice.save(
        update_fields=["opened_at", "opened_ip", "opened_user_agent", "status", "delivered_at", "updated_at"]
    )
    case_event_record(
        case=notice.case,
        action=EventAction.NOTICE_OPENED,
        actor=SYSTEM,
        data={"notice": notice.pk, "kind": notice.kind, "ip": ip or ""},
    )
    if notice.batch_id:
        transaction.on_commit(lambda: notice_batch_refresh(batch_id=notice.batch_id))  # type: ignore[arg-type]
    return notice


# --- mediation sessions ----------------------------------------------------------------------------


@dataclass
class SessionMessages:
    """What one attempt at telling the parties of a session did."""

    sent: dict[str, str]  # recipient -> how (masked), for the case's event
    done: list[str]  # the messages' keys that went out or were refused for good: never send them again
    retry: list[str]  # the keys a provider could not take for now


def notice_session_scheduled(*, session: Any, done: Iterable[str] = ()) -> SessionMessages:
    """Tell both parties of a scheduled mediation session: the debtor by SMS (else e-mail) with the time,
    the place or the meeting link and the debtor pages' address; the creditor's staff by e-mail.

    Each message has a key (session and recipient); the keys in ``done`` are not sent again, so a task
    retried after one provider's temporary failure sends only what did not go. A debtor with neither phone
    nor e-mail, or a refused address, is reported, not retried.
    """
    from core.models import Membership

    case = Case.objects.select_related("creditor").get(pk=session.case_id)
    local = timezone.localtime(session.scheduled_at)
    with translation.override(settings.LANGUAGE_CODE):
        where = session.meeting_link or session.location or _("by phone")
        text = _(
            "Case %(code)s: a %(kind)s mediation session is scheduled for %(when)s, %(where)s. "
            "Your case and the mediator's messages: %(url)s"
        ) % {
            "code": case.code,
            "kind": session.get_kind_display(),
            "when": local.strftime("%Y-%m-%d %H:%M"),
            "where": where,
            "url": conf.public_base_url() + "/debtor/",
        }
        subject = _("Mediation session for case %(code)s") % {"code": case.code}
    key = f"session-{session.pk}"
    messages: list[tuple[str, str, Any]] = []  # (recipient, key, send)
    if case.phone:
        messages.append(
            (
                "debtor",
                f"{key}-debtor",
                lambda k: sms_backend().send(to=case.phone, text=text, idempotency_key=k),
            )
        )
    elif case.email:
        messages.append(
            (
                "debtor",
                f"{key}-debtor",
                lambda k: send_email(to=case.email, subject=subject, body=text, idempotency_key=k),
            )
        )
    staff = Membership.objects.filter(
        organisation_id=case.creditor_id, role=Role.CREDITOR_STAFF, user__is_active=True
    ).exclude(user__email="")
    for uid, email in staff.values_list("user_id", "user__email"):
        messages.append(
            (
                f"staff {uid}",
                f"{key}-staff-{uid}",
                lambda k, to=email: send_email(to=to, subject=subject, body=text, idempotency_key=k),
            )
        )
    result = SessionMessages(sent={}, done=[], retry=[])
    if not case.phone and not case.email:
        result.sent["debtor"] = "no phone number or e-mail address"
    skip = set(done)
    for recipient, message_key, send in messages:
        if message_key in skip:
            continue
        try:
            send(message_key)
        except PermanentChannelError as exc:
            result.sent[recipient] = f"refused: {exc}"[:200]
        except TemporaryChannelError:
            result.retry.append(message_key)
            continue
        else:
            result.sent[recipient] = (
                ("sms " + mask_phone(case.phone))
                if message_key.endswith("-debtor") and case.phone
                else "e-mail"
            )
        result.done.append(message_key)
    return result
