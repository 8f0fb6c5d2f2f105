"""The mediator's pages: the queue with bulk actions, and a case's mediation panel."""

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View

from cases.errors import CaseActionError
from cases.models import Colour, Stage, Track, deadline_days_left
from cases.rules import MEDIATION_WINDOW_DAYS
from cases.selectors import case_get, cases_visible_to
from cases.templatetags.case_tags import STAGE_PHASES
from core.models import Membership, Role
from core.money import format_yuan
from core.redirects import redirect_next
from core.views import StaffRequiredMixin

from . import selectors, services
from .forms import (
    BulkForm,
    CallForm,
    ConsentForm,
    ContactForm,
    CreditorSignForm,
    ExtensionForm,
    QueueFilterForm,
    ReasonForm,
    RefusalForm,
    ScheduleEditForm,
    SessionForm,
    SessionRecordForm,
    SettlementForm,
    TriageRuleForm,
    TriageRuleFormSet,
    TriageRulesForm,
    TriageRulesNoteForm,
)
from .models import MediationSession, Settlement, TriageRule
from .triage import RuleError, RulesPreview, rules_preview

SOON_DAYS = 5  # a window with this few days left is highlighted
RANGE_PARTS = 2

PAGE_SIZE = 50
MEDIATORS_CACHE_SECONDS = 300
MEDIATION_ROLES = frozenset({Role.MEDIATOR, Role.CENTRE_ADMIN})


class MediationMixin(StaffRequiredMixin):
    def check_role(self) -> None:
        if self.role not in MEDIATION_ROLES:
            raise PermissionDenied(_("The mediation pages are for mediators and centre administrators."))


class CountedPaginator(Paginator):
    """Pages of one queryset counted on another (the pages list ids, the count needs no order), or on a
    number already known (the queue's own tile counts the unfiltered queue)."""

    def __init__(self, object_list: Any, per_page: int, *, counted: Any) -> None:
        super().__init__(object_list, per_page)
        self.counted = counted

    @cached_property
    def count(self) -> int:
        return self.counted if isinstance(self.counted, int) else self.counted.count()


def committee_mediators(user: Any, *, cached: bool = False) -> list[tuple[int, str]]:
    """The centre's mediators for the reassign select: plain values, no model objects per mediator.

    ``cached``: as kept for the queue's select (the same list on every page view of a centre, forgotten
    when a membership, user or organisation of the centre changes, and after MEDIATORS_CACHE_SECONDS at
    most); a reassignment is checked against the list read afresh."""
    centre_id = user.membership.organisation.centre_id
    key = selectors.committee_mediators_key(centre_id)
    if cached and (rows := cache.get(key)) is not None:
        return cast(list[tuple[int, str]], rows)
    values = (
        Membership.objects.filter(role=Role.MEDIATOR, organisation__centre_id=centre_id, user__is_active=True)
        .order_by("organisation__name", "user__username")
        .values_list("user_id", "user__first_name", "user__last_name", "user__username", "organisation__name")
    )
    rows = [
        (uid, f"{(first + ' ' + last).strip() or username} · {org}")
        for uid, first, last, username, org in values
    ]
    cache.set(key, rows, MEDIATORS_CACHE_SECONDS)
    return rows


class QueueView(MediationMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_role()
        form = QueueFilterForm(request.GET or None)
        filters = form.filters() if request.GET else {}
        pool = request.GET.get("pool") == "1"
        cases: Any = selectors.mediator_queue(user=request.user, filters=filters, pool=pool)
        counts = selectors.queue_counts(user=request.user)
        # My queue unfiltered (only sorted) has as many cases as its "My cases" tile: no second count.
        narrowed = pool or any(key != "sort" for key in filters)
        page = CountedPaginator(
            cases.values_list("pk", flat=True), PAGE_SIZE, counted=cases if narrowed else counts["total"]
        ).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "page": page,
            "rows": queue_rows(selectors.queue_page_values(list(page.object_list))),
            "pool": pool,
            "counts": counts,
            "bulk_form": BulkForm(mediators=committee_mediators(request.user, cached=True)),
            "window_days": MEDIATION_WINDOW_DAYS,
        }
        return render(request, "mediation/queue.html", context)


def queue_rows(values: Any) -> list[dict[str, Any]]:
    """The page's rows ready to print: labels translated once per page, days left counted here."""
    stages, colours, tracks = ({k: str(v) for k, v in choices.choices} for choices in (Stage, Colour, Track))
    today = timezone.localdate()
    rows = []
    for row in values:
        due, starts = row["window_due"], row["window_starts"]
        left = deadline_days_left(due, today) if due else None
        # Days beyond the 30 of the header: the last day moved to a working day, or the parties extended it.
        beyond = (due - starts).days - MEDIATION_WINDOW_DAYS if due and starts else 0
        rows.append(
            {
                **row,
                "url": reverse("mediation:case", args=[row["pk"]]),
                "amount": format_yuan(row["amount"]),
                "stage_label": stages.get(row["stage"], row["stage"]),
                "phase": STAGE_PHASES.get(row["stage"], "intake"),
                "colour_label": colours.get(row["colour"], ""),
                "track_label": tracks.get(row["track"], ""),
                "days_left": left,
                "days_beyond": max(beyond, 0),
                "days_class": ""
                if left is None
                else "overdue"
                if left < 0
                else "soon"
                if left <= SOON_DAYS
                else "",
                "contact_due": row["contact_due"].isoformat() if row["contact_due"] else "—",
            }
        )
    return rows


class BulkView(MediationMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        self.check_role()
        form = BulkForm(request.POST, mediators=committee_mediators(request.user))
        ids = [int(x) for x in request.POST.getlist("case_ids") if x.isdigit()]
        if not form.is_valid() or not ids:
            messages.error(
                request, _("Choose cases and complete the action's fields.") + _format_errors(form)
            )
            return redirect_next(request, "mediation:queue")
        data, visible, user = form.cleaned_data, cases_visible_to(request.user), request.user
        try:
            done, skipped = _bulk(data, ids, user, visible)
        except CaseActionError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("mediation:queue"))
        messages.success(request, _("%(done)d cases done.") % {"done": done})
        for pk, why in list(skipped.items())[:20]:
            messages.warning(request, _("Case %(id)s skipped: %(why)s") % {"id": pk, "why": why})
        return redirect_next(request, "mediation:queue")


def _format_errors(form: BulkForm) -> str:
    return " " + " ".join(str(e) for errors in form.errors.values() for e in errors) if form.errors else ""


def _bulk(data: dict[str, Any], ids: list[int], user: Any, visible: Any) -> tuple[int, dict[int, str]]:
    action = data["action"]
    if action == "schedule":
        return services.cases_schedule_contact(
            case_ids=ids, actor=user, due_on=data["due_on"], visible=visible
        ), {}
    if action == "unreachable":
        return services.cases_mark_unreachable(
            case_ids=ids, actor=user, reason=data["reason"], visible=visible
        ), {}
    if action == "reassign":
        mediator = get_object_or_404(Membership, user_id=int(data["mediator"]), role=Role.MEDIATOR).user
        result = services.cases_assign(
            case_ids=ids, mediator=mediator, actor=user, visible=visible, reason=data.get("reason", "")
        )
    else:
        result = services.cases_escalate(case_ids=ids, actor=user, reason=data["reason"], visible=visible)
    return len(result.done), result.skipped


class CasePanelView(MediationMixin, View):
    """Everything a mediator does on one case: contacts, sessions, the settlement."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.check_role()
        return render_panel(request, case_get(user=request.user, pk=pk))


def render_panel(
    request: HttpRequest, case: Any, call: services.CallReveal | None = None, **forms: Any
) -> HttpResponse:
    """The panel, with the forms that failed validation shown again with their errors (and, right after
    the mediator asked for it, the number to call: shown in this response only, never stored)."""
    panel = selectors.case_mediation_panel(case=case)
    settlement = panel["settlement"]
    context = {
        "case": case,
        **panel,
        "contact_form": forms.get("contact_form") or ContactForm(initial=_contact_initial(call)),
        "consent_form": ConsentForm(),
        "session_form": forms.get("session_form") or SessionForm(),
        "record_form": SessionRecordForm(),
        "settlement_form": forms.get("settlement_form")
        or SettlementForm(initial={"total": case.claimed_total, "count": 1, "frequency": "monthly"}),
        "schedule_form": ScheduleEditForm(initial={"schedule": _schedule_text(settlement)}),
        "reason_form": ReasonForm(),
        "refusal_form": RefusalForm(),
        "extension_form": ExtensionForm(),
        "is_mine": case.mediator_id == request.user.pk,
        "has_consent": hasattr(case, "late_contact_consent"),
        "call_form": CallForm(),
        "call": call,
        "unanswered_today": services.unanswered_calls_today(case=case),
        "max_unanswered": services.MAX_UNANSWERED_PER_DAY,
    }
    return render(request, "mediation/case_panel.html", context, status=400 if forms else 200)


def _contact_initial(call: services.CallReveal | None) -> dict[str, Any]:
    """After a reveal-and-call the contact form is ready for the call's outcome."""
    if call is None:
        return {}
    return {"channel": "phone"}


def _schedule_text(settlement: Settlement | None) -> str:
    if settlement is None:
        return ""
    return "\n".join(f"{i.due_on:%Y-%m-%d} {i.amount}" for i in settlement.instalments.all())


def _parse_schedule(text: str) -> list[tuple[date, Decimal]]:
    rows = []
    for line in text.strip().splitlines():
        parts = line.split()
        if len(parts) != RANGE_PARTS:
            raise ValueError(line)
        try:
            rows.append(
                (date.fromisoformat(parts[0]), Decimal(parts[1].replace(",", "")).quantize(Decimal("0.01")))
            )
        except (ValueError, InvalidOperation) as exc:
            raise ValueError(line) from exc
    return rows


class CaseActionView(MediationMixin, View):
    """POST one mediation action on a case; errors come back as messages, never a server error."""

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        self.check_role()
        case = case_get(user=request.user, pk=pk)
        handler = getattr(self, f"do_{action}", None)
        if handler is None:
            raise PermissionDenied
        try:
            response = handler(request, case)
        except CaseActionError as exc:
            messages.error(request, exc.message)
            return redirect("mediation:case", pk=case.pk)
        return response or redirect("mediation:case", pk=case.pk)

    def do_contact(self, request: HttpRequest, case: Any) -> HttpResponse | None:
        form = ContactForm(request.POST)
        if not form.is_valid():
            return render_panel(request, case, contact_form=form)
        _attempt, warnings = services.contact_log(case=case, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Contact attempt logged."))
        for warning in warnings:
            messages.warning(request, warning)
        return None

    def do_call(self, request: HttpRequest, case: Any) -> HttpResponse | None:
        form = CallForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose why you call from the list."))
            return None
        call = services.case_call_reveal(case=case, actor=request.user, purpose=form.cleaned_data["purpose"])
        for warning in call.warnings:
            messages.warning(request, warning)
        return render_panel(request, case, call=call)

    def do_consent(self, request: HttpRequest, case: Any) -> None:
        form = ConsentForm(request.POST)
        if form.is_valid():
            services.late_contact_consent_record(
                case=case, actor=request.user, note=form.cleaned_data["note"]
            )
            messages.success(request, _("Consent to contact in the quiet hours recorded."))

    def do_session(self, request: HttpRequest, case: Any) -> HttpResponse | None:
        form = SessionForm(request.POST)
        if not form.is_valid():
            return render_panel(request, case, session_form=form)
        services.session_schedule(case=case, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Session scheduled; both parties will be notified."))
        return None

    def do_session_record(self, request: HttpRequest, case: Any) -> None:
        session = get_object_or_404(MediationSession, pk=request.POST.get("session"), case=case)
        form = SessionRecordForm(request.POST)
        if form.is_valid():
            services.session_record(session=session, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Session record saved."))

    def do_settlement(self, request: HttpRequest, case: Any) -> HttpResponse | None:
        form = SettlementForm(request.POST)
        if not form.is_valid():
            return render_panel(request, case, settlement_form=form)
        services.settlement_draft(case=case, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Settlement drafted. Check the schedule, then offer it to the debtor."))
        return None

    def do_schedule(self, request: HttpRequest, case: Any) -> None:
        settlement = get_object_or_404(Settlement, pk=request.POST.get("settlement"), case=case)
        try:
            rows = _parse_schedule(request.POST.get("schedule", ""))
        except ValueError as exc:
            messages.error(request, _("Cannot read this line: %(line)s") % {"line": exc})
            return
        services.settlement_schedule_edit(settlement=settlement, actor=request.user, rows=rows)
        messages.success(request, _("Schedule saved."))

    def do_offer(self, request: HttpRequest, case: Any) -> None:
        settlement = get_object_or_404(Settlement, pk=request.POST.get("settlement"), case=case)
        services.settlement_offer(settlement=settlement, actor=request.user)
        messages.success(
            request, _("The agreement is waiting for the debtor's acceptance on the debtor pages.")
        )

    def do_sign(self, request: HttpRequest, case: Any) -> None:
        settlement = get_object_or_404(Settlement, pk=request.POST.get("settlement"), case=case)
        settlement = services.settlement_mediator_sign(
            settlement=settlement, actor=request.user, seal=bool(request.POST.get("seal"))
        )
        self._signed(request, settlement)

    def do_seal(self, request: HttpRequest, case: Any) -> None:
        settlement = get_object_or_404(Settlement, pk=request.POST.get("settlement"), case=case)
        self._signed(request, services.settlement_seal(settlement=settlement, actor=request.user))

    @staticmethod
    def _signed(request: HttpRequest, settlement: Settlement) -> None:
        if settlement.status == Settlement.Status.EFFECTIVE:
            messages.success(
                request,
                _("Signed. The settlement is effective; apply for judicial confirmation within 30 days."),
            )
        else:
            messages.success(
                request,
                _("Signed. Before the settlement takes effect: %(waiting)s.")
                % {"waiting": settlement.get_status_display()},
            )

    def do_refusal(self, request: HttpRequest, case: Any) -> None:
        form = RefusalForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say how the debtor refused mediation."))
            return
        services.mediation_refusal_record(case=case, actor=request.user, how=form.cleaned_data["how"])
        messages.success(request, _("Refusal recorded: mediation on this case has ended."))

    def do_extension(self, request: HttpRequest, case: Any) -> None:
        form = ExtensionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("An extension is a whole number of days, at least 1."))
            return
        extension = services.mediation_extension_consent(
            case=case, party="debtor", actor=request.user, days=form.cleaned_data["days"]
        )
        messages.success(request, _extension_message(extension))

    def do_escalate(self, request: HttpRequest, case: Any) -> None:
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason."))
            return
        result = services.cases_escalate(
            case_ids=[case.pk],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            visible=cases_visible_to(request.user),
        )
        if result.done:
            messages.success(request, _("Escalated to court mediation."))
        else:
            messages.error(request, "; ".join(result.skipped.values()))


def _extension_message(extension: Any) -> str:
    if extension.applied_at:
        return _("Every party consented: the mediation period now ends on %(day)s.") % {
            "day": f"{extension.new_due_on:%Y-%m-%d}"
        }
    return _("Consent recorded; the period is extended when the other party consents too.")


class CreditorCaseView(StaffRequiredMixin, View):
    """The creditor's side of mediation on one of its cases: signing the settlement (with its consent to any
    waiver), consenting to the joint application for confirmation and to an extension of the period."""

    def _case(self, request: HttpRequest, pk: int) -> Any:
        if self.role != Role.CREDITOR_STAFF:
            raise PermissionDenied
        case = case_get(user=request.user, pk=pk)
        if case.creditor_id != request.membership.organisation_id:  # type: ignore[attr-defined]
            raise PermissionDenied
        return case

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._case(request, pk))

    def _render(self, request: HttpRequest, case: Any) -> HttpResponse:
        settlement = services.open_settlement(case)
        context = {
            "case": case,
            "settlement": settlement,
            "sign_form": CreditorSignForm(
                initial={"document_sha256": settlement.document_sha256 if settlement else ""}
            ),
            "extension_form": ExtensionForm(),
            "extensions": case.mediation_extensions.all(),
            "refused": services.mediation_refused(case),
        }
        return render(request, "mediation/creditor_case.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self._case(request, pk)
        action = request.POST.get("action")
        try:
            if action == "sign":
                self._sign(request, case)
            elif action == "confirmation_consent":
                services.settlement_confirmation_consent(
                    case=case, party="creditor", actor=request.user, how="creditor pages"
                )
                messages.success(request, _("Your consent to the joint application is recorded."))
            elif action == "extension":
                form = ExtensionForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("An extension is a whole number of days, at least 1."))
                else:
                    extension = services.mediation_extension_consent(
                        case=case, party="creditor", actor=request.user, days=form.cleaned_data["days"]
                    )
                    messages.success(request, _extension_message(extension))
            else:
                raise PermissionDenied
        except CaseActionError as exc:
            messages.error(request, exc.message)
        return redirect("mediation:creditor-case", pk=case.pk)

    def _sign(self, request: HttpRequest, case: Any) -> None:
        form = CreditorSignForm(request.POST)
        settlement = services.open_settlement(case)
        if settlement is None or not form.is_valid():
            messages.error(request, _("There is no agreement to sign."))
            return
        settlement = services.settlement_creditor_sign(
            settlement=settlement, actor=request.user, **form.cleaned_data
        )
        messages.success(request, _("The creditor's signature is recorded."))


RULE_KEYS = ("name", "name_en", "conditions", "colour", "track", "staff_reason", "staff_reason_en",
             "debtor_reason", "debtor_reason_en")  # fmt: skip


def _rules_json(ruleset: Any) -> str:
    return json.dumps(
        [{k: getattr(r, k) for k in RULE_KEYS} for r in ruleset.rules.all()], ensure_ascii=False, indent=2
    )


class TriageRulesView(StaffRequiredMixin, View):
    """The centre admin's triage rules: a form-based builder with a preview of what each rule changes,
    the JSON as export and import, the version history, bulk re-triage and assignment."""

    def _centre(self, request: HttpRequest) -> Any:
        if self.role != Role.CENTRE_ADMIN:
            raise PermissionDenied(_("Only the centre administrator edits the triage rules."))
        return cast(Any, request.user).membership.organisation.centre

    def get(
        self,
        request: HttpRequest,
        *,
        form: TriageRulesForm | None = None,
        builder: Any = None,
        note_form: TriageRulesNoteForm | None = None,
        preview: RulesPreview | None = None,
        previewed: dict[int, int] | None = None,
    ) -> HttpResponseBase:
        centre = self._centre(request)
        active = services.triage_ruleset_ensure_default(centre)
        if request.GET.get("format") == "json":
            response = HttpResponse(_rules_json(active), content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="triage-rules-v{active.version}.json"'
            return response
        builder = builder or TriageRuleFormSet(
            prefix="rule", initial=[TriageRuleForm.initial_of(r) for r in active.rules.all()]
        )
        form = form or TriageRulesForm(initial={"rules": _rules_json(active)})
        pool = services.cases_waiting_for_mediator(centre=centre)
        invalid = bool(form.errors) or (builder.is_bound and not builder.is_valid())
        context = {
            "active": active,
            "versions": centre.triage_rulesets.order_by("-version")[:20],
            "form": form,
            "builder": builder,
            "note_form": note_form or TriageRulesNoteForm(),
            "preview": preview,
            "rule_forms": [(f, (previewed or {}).get(id(f))) for f in builder.forms],
            "centre": centre,
            "pool_count": pool.count(),
        }
        return render(request, "mediation/triage_rules.html", context, status=400 if invalid else 200)

    def post(self, request: HttpRequest) -> HttpResponseBase:
        centre = self._centre(request)
        action = request.POST.get("action", "")
        if action == "retriage":
            changed = services.cases_retriage(centre=centre, actor=request.user)
            messages.success(
                request, _("Open cases re-triaged with the active rules: %(n)d changed.") % {"n": changed}
            )
            return redirect("mediation:rules")
        if action == "auto_assign":
            services.centre_auto_assign_set(centre=centre, on=request.POST.get("auto_assign") == "1")
            messages.success(
                request,
                _("New cases are assigned automatically.")
                if request.POST.get("auto_assign") == "1"
                else _("New cases wait in the committee pools until someone assigns them."),
            )
            return redirect("mediation:rules")
        if action == "assign_pool":
            given = services.cases_assign_auto(centre=centre, actor=request.user)
            messages.success(
                request,
                _("%(n)d cases assigned to %(m)d mediators.") % {"n": sum(given.values()), "m": len(given)},
            )
            return redirect("mediation:rules")
        if action in ("preview", "publish"):
            return self._build(request, centre, publish=action == "publish")
        return self._import(request, centre)

    def _build(self, request: HttpRequest, centre: Any, *, publish: bool) -> HttpResponseBase:
        builder = TriageRuleFormSet(request.POST, prefix="rule")
        note_form = TriageRulesNoteForm(request.POST)
        if not builder.is_valid() or not note_form.is_valid():
            return self.get(request, builder=builder, note_form=note_form)
        # The rules in order: a blank extra form and a ticked "delete" leave nothing.
        kept = [f for f in builder.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        rules = [f.rule() for f in kept]
        if not rules:
            messages.error(request, _("Keep at least one rule."))
            return self.get(request, builder=builder, note_form=note_form)
        if not publish:
            preview = rules_preview(centre=centre, rules=[TriageRule(**r) for r in rules])
            previewed = {id(f): n for f, n in zip(kept, preview.matches, strict=True)}
            return self.get(
                request, builder=builder, note_form=note_form, preview=preview, previewed=previewed
            )
        ruleset = services.triage_ruleset_publish(
            centre=centre, rules=rules, actor=request.user, note=note_form.cleaned_data["note"]
        )
        messages.success(request, _("Version %(v)d of the rules is now active.") % {"v": ruleset.version})
        return redirect("mediation:rules")

    def _import(self, request: HttpRequest, centre: Any) -> HttpResponseBase:
        form = TriageRulesForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        try:
            ruleset = services.triage_ruleset_publish(
                centre=centre,
                rules=form.cleaned_data["rules"],
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except RuleError as exc:
            form.add_error("rules", _("A rule cannot be used: %(error)s") % {"error": exc})
            return self.get(request, form=form)
        except (KeyError, TypeError, AttributeError):
            form.add_error(
                "rules", _("A rule has a part missing or of the wrong kind: compare it with the export.")
            )
            return self.get(request, form=form)
        messages.success(request, _("Version %(v)d of the rules is now active.") % {"v": ruleset.version})
        return redirect("mediation:rules")
