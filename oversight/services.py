"""Writes of oversight: judicial suggestions (drafted by the rules, reviewed, issued as letters, answered)
and group-risk flags (detected, applied or dismissed)."""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.errors import ActionForbidden
from cases.models import OPEN_STAGES, Case, Colour, EventAction
from cases.services import cases_change_bulk
from core.actors import SYSTEM, Actor, actor_role
from core.models import Centre, Organisation, Role
from core.uploads import UploadRefused, upload_check
from notices.documents import chinese_date, page_pdf
from notices.rendering import RenderError

from .documents import CHINESE_NUMERALS, LETTER_CSS, SUGGESTION_KIND, letter_context
from .errors import OversightError
from .models import GroupRiskFlag, JudicialSuggestion, RuleSettings
from .rules import RuleContext, finding_view, findings_for

CHUNK = 5000
# Who reviews and issues judicial suggestions and decides on group-risk flags.
SUGGESTION_ROLES = frozenset({Role.JUDGE, Role.CENTRE_ADMIN})
ANSWER_MAX_BYTES = 10 * 1024 * 1024


def _uid(actor: Actor) -> int | None:
    return None if actor is None or actor is SYSTEM else actor.pk


def _staff_centre(actor: Actor, roles: frozenset[str] = SUGGESTION_ROLES) -> int:
    """The centre of a judge or centre admin acting; anyone else is refused."""
    if actor_role(actor) not in roles:
        raise ActionForbidden(_("Your role may not take this action."))
    return int(getattr(actor, "membership").organisation.centre_id)  # noqa: B009 (a staff User here)


def rule_settings(centre: Centre | int) -> RuleSettings:
    centre_id = centre if isinstance(centre, int) else centre.pk
    found, _created = RuleSettings.objects.get_or_create(centre_id=centre_id)
    return found


# --- judicial suggestions --------------------------------------------------------------------------


def _draft_text(
    creditor: Organisation, found: list[dict[str, Any]], since: date, until: date, answer_days: int
) -> tuple[str, str]:
    """Title and text of a draft letter, in the platform's language (Chinese): the reviewer edits them."""
    with translation.override("zh-hans"):
        title = _("Judicial suggestion on the cases of %(creditor)s") % {"creditor": creditor.name}
        paragraphs = [
            _("%(creditor)s:") % {"creditor": creditor.name},
            _(
                "In handling the cases your institution handed over, received from %(since)s to %(until)s, "
                "we found the following. They are set out with their figures and example cases in the table "
                "attached, and we make these suggestions:"
            )
            % {"since": chinese_date(since), "until": chinese_date(until)},
        ]
        for numeral, item in zip(CHINESE_NUMERALS, found, strict=False):
            view = finding_view(item)
            paragraphs.append(f"{numeral}、{view['title']}。{view['advice']}")
        paragraphs.append(
            _(
                "Please answer in writing within %(days)s days of receiving this letter, "
                "saying what you changed."
            )
            % {"days": answer_days}
        )
    return title, "\n\n".join(paragraphs)


def suggestion_draft_generate(
    *, centre: Centre, creditor: Organisation, today: date | None = None
) -> JudicialSuggestion | None:
    """Run the rules over one creditor's cases and keep its one draft up to date (None: nothing found).

    A draft whose text a person edited keeps that text; only its findings are updated.
    """
    today = today or timezone.localdate()
    settings = rule_settings(centre)
    since = today - timedelta(days=settings.window_days)
    cases = Case.objects.filter(centre=centre, creditor=creditor, created_at__date__gte=since)
    found = findings_for(RuleContext(centre, creditor, settings, cases, today))
    with transaction.atomic():
        draft = (
            JudicialSuggestion.objects.select_for_update()
            .filter(creditor=creditor, status=JudicialSuggestion.Status.DRAFT)
            .first()
        )
        if not found:
            if draft is not None and not draft.body_edited:
                draft.delete()
            return None
        title, body = _draft_text(creditor, found, since, today, settings.answer_days)
        if draft is None:
            return JudicialSuggestion.objects.create(
                centre=centre,
                creditor=creditor,
                title=title,
                body=body,
                findings=found,
                cases_from=since,
                cases_to=today,
            )
        draft.findings, draft.cases_from, draft.cases_to = found, since, today
        if not draft.body_edited:
            draft.title, draft.body = title, body
        draft.save()
        return draft


def suggestions_generate(*, centre: Centre, today: date | None = None) -> list[JudicialSuggestion]:
    creditors = Organisation.objects.filter(centre=centre, kind=Organisation.Kind.CREDITOR).order_by("pk")
    drafts = [suggestion_draft_generate(centre=centre, creditor=c, today=today) for c in creditors]
    return [d for d in drafts if d is not None]


def _own_draft(suggestion: JudicialSuggestion, actor: Actor) -> JudicialSuggestion:
    centre_id = _staff_centre(actor)
    locked = JudicialSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.centre_id != centre_id:
        raise ActionForbidden(_("Your role may not take this action."))
    if locked.status != JudicialSuggestion.Status.DRAFT:
        raise OversightError(_("Only a draft can be changed."), code="not_draft")
    return locked


@transaction.atomic
def suggestion_edit(
    *, suggestion: JudicialSuggestion, actor: Actor, title: str, body: str
) -> JudicialSuggestion:
    draft = _own_draft(suggestion, actor)
    draft.title, draft.body, draft.body_edited = title.strip()[:120], body.strip(), True
    draft.save(update_fields=["title", "body", "body_edited", "updated_at"])
    return draft


@transaction.atomic
def suggestion_discard(*, suggestion: JudicialSuggestion, actor: Actor) -> None:
    _own_draft(suggestion, actor).delete()


@transaction.atomic
def suggestion_issue(
    *, suggestion: JudicialSuggestion, actor: Actor, title: str | None = None, body: str | None = None
) -> JudicialSuggestion:
    """Number the draft, render it as a PDF letter from the actor's organisation, start the answer period."""
    draft = _own_draft(suggestion, actor)
    Centre.objects.select_for_update().get(pk=draft.centre_id)  # numbers are consecutive per centre and year
    if title is not None:
        draft.title = title.strip()[:120] or draft.title
    if body is not None and body.strip():
        draft.body = body.strip()
    now = timezone.now()
    today = timezone.localdate(now)
    last = JudicialSuggestion.objects.filter(centre_id=draft.centre_id, year=today.year).aggregate(
        m=Max("seq")
    )["m"]
    draft.year, draft.seq = today.year, (last or 0) + 1
    draft.issuer = getattr(actor, "membership").organisation  # noqa: B009 (a staff User here)
    draft.answer_due_on = today + timedelta(days=rule_settings(draft.centre_id).answer_days)
    try:
        pdf = page_pdf(
            SUGGESTION_KIND, context=letter_context(draft, draft.issuer, today), extra_css=LETTER_CSS
        )
    except RenderError as exc:
        raise OversightError(_("The letter could not be rendered: %(error)s") % {"error": exc}) from exc
    draft.pdf.save(f"suggestion-{draft.pk}-{draft.year}-{draft.seq}.pdf", ContentFile(pdf.data), save=False)
    draft.sha256 = pdf.sha256
    draft.status, draft.issued_by_id, draft.issued_at = JudicialSuggestion.Status.ISSUED, _uid(actor), now
    draft.save()
    return draft


def _answer_extension(uploaded: UploadedFile) -> str:
    """The attachment's extension from its verified type (core.uploads): a PDF without scripts, a JPEG or
    a PNG, within the size limit; the uploader's file name decides nothing."""
    try:
        checked = upload_check(uploaded, max_bytes=ANSWER_MAX_BYTES)
    except UploadRefused as exc:
        raise OversightError(exc.message, code=f"answer_{exc.code}") from exc
    return f".{checked.extension}"


@transaction.atomic
def suggestion_answer(
    *, suggestion: JudicialSuggestion, actor: Actor, answer: str, attachment: UploadedFile | None = None
) -> JudicialSuggestion:
    """The creditor's written answer to an issued suggestion (text, and a file if it has one)."""
    locked = JudicialSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    membership = getattr(actor, "membership", None)
    if (
        actor_role(actor) != Role.CREDITOR_STAFF
        or membership is None
        or membership.organisation_id != locked.creditor_id
    ):
        raise ActionForbidden(_("Your role may not take this action."))
    if locked.status != JudicialSuggestion.Status.ISSUED:
        raise OversightError(_("This suggestion is not waiting for an answer."), code="not_issued")
    if not answer.strip():
        raise OversightError(_("Write your answer."), code="answer_required")
    if attachment is not None:
        extension = _answer_extension(attachment)
        digest = hashlib.sha256(attachment.read()).hexdigest()[:16]
        attachment.seek(0)
        locked.answer_file.save(f"{locked.pk}-{digest}{extension}", attachment, save=False)
        locked.answer_file_name = (attachment.name or "")[:200]
    locked.answer, locked.answered_by_id, locked.answered_at = answer.strip(), _uid(actor), timezone.now()
    locked.status = JudicialSuggestion.Status.ANSWERED
    locked.save()
    return locked


# --- group risk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    creditor_id: int
    kind: str
    key: str
    case_ids: list[int]


def _district_clusters(open_cases: Any, minimum: int) -> list[Cluster]:
    """Many debtors of one creditor in one district (the debtor's 6-digit region code)."""
    rows = (
        open_cases.exclude(debtor__region_code="")
        .values("creditor_id", "debtor__region_code")
        .annotate(debtors=Count("debtor_id", distinct=True))
        .filter(debtors__gte=minimum)
    )
    return [
        Cluster(
            r["creditor_id"],
            GroupRiskFlag.Kind.DISTRICT,
            r["debtor__region_code"],
            list(
                open_cases.filter(creditor_id=r["creditor_id"], debtor__region_code=r["debtor__region_code"])
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
        )
        for r in rows
    ]


def _launch_clusters(open_cases: Any, minimum: int) -> list[Cluster]:
    """One creditor's product falling overdue in the same month: a launch gone wrong, or mis-selling."""
    rows = (
        open_cases.annotate(overdue_month=TruncMonth("overdue_since"))
        .values("creditor_id", "product", "overdue_month")
        .annotate(n=Count("pk"))
        .filter(n__gte=minimum)
    )
    clusters = []
    for r in rows:
        month = r["overdue_month"]
        ids = open_cases.filter(
            creditor_id=r["creditor_id"],
            product=r["product"],
            overdue_since__year=month.year,
            overdue_since__month=month.month,
        )
        key = f"{r['product']}:{month:%Y-%m}"
        clusters.append(
            Cluster(
                r["creditor_id"],
                GroupRiskFlag.Kind.PRODUCT_LAUNCH,
                key,
                list(ids.order_by("pk").values_list("pk", flat=True)),
            )
        )
    return clusters


def group_risks_detect(*, centre: Centre) -> list[GroupRiskFlag]:
    """Find the clusters among a centre's open cases and keep one flag per cluster up to date.

    A dismissed flag stays dismissed; a flag already applied opens again when open cases of its cluster are
    not red yet. The debtors' employer is not recorded anywhere, so clusters by employer are not searched.
    """
    settings = rule_settings(centre)
    open_cases = Case.objects.filter(centre=centre, stage__in=OPEN_STAGES)
    clusters = _district_clusters(open_cases, settings.district_debtors) + _launch_clusters(
        open_cases, settings.launch_cases
    )
    now = timezone.now()
    flags = []
    for cluster in clusters:
        with transaction.atomic():
            members = Case.objects.filter(pk__in=cluster.case_ids)
            sums = members.aggregate(debtors=Count("debtor_id", distinct=True), claimed=Sum("claimed_total"))
            flag, _created = GroupRiskFlag.objects.select_for_update().get_or_create(
                creditor_id=cluster.creditor_id,
                kind=cluster.kind,
                key=cluster.key,
                defaults={
                    "centre": centre,
                    "case_count": 0,
                    "debtor_count": 0,
                    "claimed": 0,
                    "detected_at": now,
                },
            )
            flag.case_count, flag.debtor_count, flag.claimed = (
                len(cluster.case_ids),
                sums["debtors"],
                sums["claimed"] or 0,
            )
            flag.detected_at = now
            if flag.status == GroupRiskFlag.Status.APPLIED and members.exclude(colour=Colour.RED).exists():
                flag.status = GroupRiskFlag.Status.OPEN
            flag.save()
            through = GroupRiskFlag.cases.through
            through.objects.filter(groupriskflag_id=flag.pk).delete()
            through.objects.bulk_create(
                [through(groupriskflag_id=flag.pk, case_id=pk) for pk in cluster.case_ids], batch_size=CHUNK
            )
        flags.append(flag)
    return flags


def group_risk_flag_apply(*, flag: GroupRiskFlag, actor: Actor) -> int:
    """Colour the flag's open cases red, set-based, each with an event in its chain; returns how many."""
    centre_id = _staff_centre(actor, frozenset({Role.CENTRE_ADMIN}))
    if flag.centre_id != centre_id:
        raise ActionForbidden(_("Your role may not take this action."))
    ids = list(
        flag.cases.filter(stage__in=OPEN_STAGES)
        .exclude(colour=Colour.RED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    kind = GroupRiskFlag.Kind(flag.kind)
    with translation.override("zh-hans"):
        reason = f"{kind.label}: {flag.key}"
    changed = cases_change_bulk(
        case_ids=ids,
        action=EventAction.GROUP_RISK_FLAGGED,
        actor=actor,
        reason=reason,
        data={"flag": flag.pk, "kind": flag.kind, "key": flag.key},
        changes={"colour": Colour.RED},
        filter_q=Q(stage__in=OPEN_STAGES) & ~Q(colour=Colour.RED),
    )
    GroupRiskFlag.objects.filter(pk=flag.pk).update(
        status=GroupRiskFlag.Status.APPLIED, decided_by_id=_uid(actor), decided_at=timezone.now()
    )
    return len(changed)


def group_risk_flag_dismiss(*, flag: GroupRiskFlag, actor: Actor) -> None:
    centre_id = _staff_centre(actor, frozenset({Role.CENTRE_ADMIN}))
    if flag.centre_id != centre_id:
        raise ActionForbidden(_("Your role may not take this action."))
    GroupRiskFlag.objects.filter(pk=flag.pk).update(
        status=GroupRiskFlag.Status.DISMISSED, decided_by_id=_uid(actor), decided_at=timezone.now()
    )
