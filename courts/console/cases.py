"""All the court's cases, the case page with its transitions and court actions, and the deadline list."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from cases import services
from cases.admin import id_number_search_q
from cases.deadlines import deadline_confirm_by_person
from cases.errors import MESSAGES, CaseActionError
from cases.models import Case, Deadline
from cases.selectors import case_active_holds, cases_visible_to
from core.actors import actor_role, staff_actor
from core.money import format_yuan

from .actions import ACTIONS, TRANSITION_ACTIONS, Caution, action_panels, console_offers
from .filters import AmountRangeFilter, CaseDueFilter, CourtCreditorFilter, DueFilter, StageFilter
from .previews import PREVIEWS, VIEWABLE, document_html, preview_html, preview_missing, viewable_documents
from .read_models import (
    CourtFile,
    case_documents,
    case_facts,
    days_left_html,
    due_html,
    event_rows,
    open_deadline_due,
    transition_label,
)
from .site import CourtModelAdmin, court_site

# --- case lists -------------------------------------------------------------------------------------


class CourtCaseListAdmin(CourtModelAdmin):
    """What every case list of the console shares: scope, search, common columns, filters."""

    stages: tuple[str, ...] = ()
    deadline_kinds: tuple[str, ...] = ()
    list_select_related = ["debtor", "creditor"]
    search_fields = ["=code", "=external_ref", "debtor__name"]
    search_help_text = _("Case code, contract number, debtor name or the full ID number.")
    list_per_page = 50
    list_filter = [StageFilter, CourtCreditorFilter, AmountRangeFilter, CaseDueFilter]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        qs = cases_visible_to(request.user).select_related("debtor", "creditor")
        if self.stages:
            qs = qs.filter(stage__in=self.stages)
        return self.restrict(qs).annotate(due=self.due_expression())

    def restrict(self, qs: QuerySet[Case]) -> QuerySet[Case]:
        return qs

    def due_expression(self) -> Any:
        return open_deadline_due(self.deadline_kinds)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        by_id_number = id_number_search_q(search_term)
        if by_id_number is not None:
            return queryset.filter(by_id_number | Q(external_ref=search_term.strip())), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("debtor"), ordering="debtor__name")
    def debtor_name(self, case: Case) -> str:
        return case.debtor.name

    @admin.display(description=_("Creditor"), ordering="creditor__name")
    def creditor_name(self, case: Case) -> str:
        return case.creditor.name

    @admin.display(description=_("ID number"))
    def debtor_id_number(self, case: Case) -> str:
        return case.debtor.id_number_masked

    @admin.display(description=_("claimed total"), ordering="claimed_total")
    def claimed_total_yuan(self, case: Case) -> str:
        return format_yuan(case.claimed_total)

    @admin.display(description=_("due on"), ordering="due", empty_value="-")
    def due_on(self, case: Case) -> Any:
        return due_html(case.due)  # type: ignore[attr-defined]

    @admin.display(description=_("days left"), ordering="due", empty_value="-")
    def days_left(self, case: Case) -> Any:
        return days_left_html(case.due)  # type: ignore[attr-defined]

    @admin.display(description=_("stage"), ordering="stage")
    def stage_display(self, case: Case) -> Any:
        hold = format_html(' <span class="court-hold">{}</span>', gettext("on hold")) if case.on_hold else ""
        return format_html("{}{}", case.get_stage_display(), hold)


@admin.register(Case, site=court_site)
class CourtCaseAdmin(CourtCaseListAdmin):
    """All the court's cases, and the case page with its transitions and court actions."""

    list_display = [
        "code",
        "external_ref",
        "debtor_name",
        "debtor_id_number",
        "creditor_name",
        "claimed_total_yuan",
        "stage_display",
        "colour",
        "next_due_on",
    ]
    list_filter = [StageFilter, CourtCreditorFilter, AmountRangeFilter, CaseDueFilter, "colour", "on_hold"]
    change_view_template = "court/case_detail.html"

    @admin.display(description=_("Next deadline"), ordering="due", empty_value="-")
    def next_due_on(self, case: Case) -> Any:
        return due_html(case.due)  # type: ignore[attr-defined]

    def get_urls(self) -> list:
        transition = self.admin_site.admin_view(require_POST(self.transition_view))
        act = self.admin_site.admin_view(require_POST(self.action_view))
        preview = self.admin_site.admin_view(self.preview_view)
        document = self.admin_site.admin_view(xframe_options_sameorigin(self.document_view))
        return [
            path("<path:object_id>/transition/", transition, name="cases_case_transition"),
            path("<path:object_id>/act/<slug:action>/", act, name="cases_case_act"),
            path("<path:object_id>/preview/<slug:action>/", preview, name="cases_case_preview"),
            path("<path:object_id>/document/<slug:kind>/", document, name="cases_case_document"),
            *super().get_urls(),
        ]

    def change_url(self, case: Case) -> str:
        return reverse("court:cases_case_change", args=[case.pk], current_app=self.admin_site.name)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        case = self.get_object(request, object_id)
        return self.render_case(request, case, extra_context or {})

    def render_case(
        self,
        request: HttpRequest,
        case: Case,
        extra: dict[str, Any],
        bound: dict[str, forms.Form] | None = None,
    ) -> TemplateResponse:
        court_file = CourtFile.build(case, request.user)
        panels = action_panels(court_file, self, bound or {})
        today = timezone.localdate()
        deadlines = list(case.deadlines.order_by("status", "due_on"))
        for deadline in deadlines:
            deadline.days_left_display = days_left_html(deadline.due_on, today)  # type: ignore[attr-defined]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{case.code} · {case.debtor.name}",
            "case": case,
            "file": court_file,
            "claimed_total": format_yuan(case.claimed_total),
            "facts": case_facts(case),
            "transitions": [
                t
                for t in court_file.transitions
                if t["name"] not in TRANSITION_ACTIONS and console_offers(case, t["name"])
            ],
            "panels": panels,
            "panel_has": {p["key"]: bool(p["actions"]) for p in panels},
            "has_court_actions": any(p["actions"] for p in panels),
            "holds": case_active_holds(case=case).select_related("placed_by"),
            "deadlines": deadlines,
            "events": event_rows(case),
            "documents": case_documents(case),
            "viewable": [
                (kind, label, self.document_url(case, kind)) for kind, label in viewable_documents(court_file)
            ],
            "evidence": case.evidence_files.order_by("uploaded_at", "pk"),
            "today": timezone.localdate(),
            **extra,
        }
        return TemplateResponse(request, self.change_view_template, context)

    def transition_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The generic transition buttons; a transition the court takes through a form goes to that form's
        service, so that numbers, decisions and rulings are never skipped."""
        case = self.get_object(request, object_id)
        name = request.POST.get("transition", "")
        reason = request.POST.get("reason", "").strip()
        if name in TRANSITION_ACTIONS:
            action_name = TRANSITION_ACTIONS[name]
            if action_name is None:
                messages.error(request, gettext("This step follows the payment order's time limits."))
            else:
                fields = ACTIONS[action_name].form.base_fields.items()
                defaults = {
                    k: f.initial for k, f in fields if f.initial is not None and not callable(f.initial)
                }
                data = {**defaults, **request.POST.dict(), "reasons": reason, "reason": reason}
                prefixed = {f"{action_name}-{k}": v for k, v in data.items()}
                if action_name in PREVIEWS:
                    # Signed only from the document's preview, never from a bare button.
                    court_file = CourtFile.build(case, request.user)
                    refusal = self.refusal(request, case, court_file, action_name)
                    form = ACTIONS[action_name].make_form(court_file, prefixed)
                    if not refusal and form.is_valid():
                        return self.render_preview(request, court_file, action_name, form, form.cleaned_data)
                    errors = [str(e) for errs in form.errors.values() for e in errs]
                    messages.error(request, refusal or " ".join(errors))
                else:
                    self.perform(request, case, action_name, prefixed)
            return HttpResponseRedirect(self.change_url(case))
        if not console_offers(case, name):
            messages.error(request, str(MESSAGES["wrong_stage"]))
            return HttpResponseRedirect(self.change_url(case))
        try:
            event = services.case_transition(
                case=case, transition=name, actor=staff_actor(request.user), reason=reason
            )
        except CaseActionError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                gettext("Done: %(action)s.") % {"action": transition_label(event.action)},
            )
        return HttpResponseRedirect(self.change_url(case))

    def document_url(self, case: Case, kind: str) -> str:
        return reverse("court:cases_case_document", args=[case.pk, kind], current_app=self.admin_site.name)

    def preview_url(self, case: Case, action: str) -> str:
        return reverse("court:cases_case_preview", args=[case.pk, action], current_app=self.admin_site.name)

    def document_view(self, request: HttpRequest, object_id: str, kind: str) -> HttpResponse:
        """A document the case has (the signed agreement, the latest ruling, order or judgment), as HTML."""
        case = self.get_object(request, object_id)
        court_file = CourtFile.build(case, request.user)
        if kind not in VIEWABLE or not VIEWABLE[kind](court_file):
            raise Http404
        return HttpResponse(document_html(case, kind, actor=request.user))

    def preview_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """Step 1 of a signing action: the document as it will be rendered, the file one click away, what
        signing does; the signing form posts to the action with the same data."""
        case = self.get_object(request, object_id)
        if action not in PREVIEWS:
            raise Http404
        court_file = CourtFile.build(case, request.user)
        refusal = self.refusal(request, case, court_file, action)
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(self.change_url(case))
        form = ACTIONS[action].make_form(court_file, request.POST if request.method == "POST" else None)
        if form.is_bound and not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
            return self.render_case(request, case, {}, bound={action: form})
        data = form.cleaned_data if form.is_bound else {k: form[k].value() for k in form.fields}
        return self.render_preview(request, court_file, action, form, data)

    def render_preview(
        self, request: HttpRequest, court_file: CourtFile, action: str, form: forms.Form, data: dict
    ) -> TemplateResponse:
        case = court_file.case
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": (
                gettext("Preview before signing: %(action)s")
                if PREVIEWS[action].kind
                else gettext("Before you go ahead: %(action)s")
            )
            % {"action": ACTIONS[action].title},
            "case": case,
            "file": court_file,
            "action": ACTIONS[action],
            "preview": PREVIEWS[action],
            "form": form,
            "document": preview_html(court_file, action, data),
            "missing": preview_missing(court_file, action, data),
            "act_url": reverse(
                "court:cases_case_act", args=[case.pk, action], current_app=self.admin_site.name
            ),
            "case_url": self.change_url(case),
            "viewable": [
                (kind, label, self.document_url(case, kind)) for kind, label in viewable_documents(court_file)
            ],
            "evidence_count": case.evidence_files.count(),
        }
        return TemplateResponse(request, "court/preview.html", context)

    def refusal(self, request: HttpRequest, case: Case, court_file: CourtFile, name: str) -> str:
        """Why this user may not take this action on this case now ("" when they may)."""
        action = ACTIONS[name]
        if actor_role(request.user) not in action.roles:
            return str(MESSAGES["forbidden"])
        if not action.shows(court_file):
            return str(MESSAGES["on_hold"] if case.on_hold else MESSAGES["wrong_stage"])
        return ""

    def action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """One court action from its form on the case page: done -> back to the page; refused -> the page
        again with the form as filled in and the reason. An action that issues a document is signed only
        from its preview: posted without having been previewed, it shows the preview."""
        case = self.get_object(request, object_id)
        if action not in ACTIONS:
            raise Http404
        if action in PREVIEWS and request.POST.get("_previewed") != "1":
            refusal = self.refusal(request, case, CourtFile.build(case, request.user), action)
            if not refusal:
                return self.preview_view(request, object_id, action)
            messages.error(request, refusal)
            return self.render_case(request, case, {})
        done, form = self.perform(request, case, action, request.POST)
        if done:
            return HttpResponseRedirect(f"{self.change_url(case)}#panel-{ACTIONS[action].panel}")
        case.refresh_from_db()
        return self.render_case(request, case, {}, bound={action: form} if form is not None else None)

    def perform(
        self, request: HttpRequest, case: Case, name: str, data: Any
    ) -> tuple[bool, forms.Form | None]:
        """Check role and moment, validate the form, call the service; say what happened either way."""
        action = ACTIONS[name]
        court_file = CourtFile.build(case, request.user)
        refusal = self.refusal(request, case, court_file, name)
        if refusal:
            messages.error(request, refusal)
            return False, None
        form = action.make_form(court_file, data)
        if not form.is_valid():
            texts = [str(e) for errors in form.errors.values() for e in errors]
            messages.error(request, " ".join(texts))
            return False, form
        try:
            text = action.run(court_file, form.cleaned_data, request.user)
        except CaseActionError as exc:
            messages.error(request, str(exc.message))
            return False, form
        messages.add_message(
            request, messages.WARNING if isinstance(text, Caution) else messages.SUCCESS, text
        )
        return True, form


# --- the deadline list --------------------------------------------------------------------------------


@admin.register(Deadline, site=court_site)
class CourtDeadlineAdmin(CourtModelAdmin):
    """Every open limit on the court's cases, the nearest first."""

    list_display = [
        "due_on_display",
        "days_left_display",
        "kind",
        "case_link",
        "debtor_name",
        "case_stage",
        "paused",
        "calendar_warning",
        "needs_review",
        "review_reason",
    ]
    list_display_links = None
    list_filter = ["needs_review", DueFilter, "kind", "calendar_warning"]
    actions = ["confirm_selected"]
    list_select_related = ["case", "case__debtor"]
    search_fields = ["=case__code", "case__debtor__name"]
    ordering = ["due_on", "pk"]
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[Deadline]:
        return Deadline.objects.filter(case__in=cases_visible_to(request.user), status=Deadline.Status.OPEN)

    @admin.display(description=_("due on"), ordering="due_on")
    def due_on_display(self, deadline: Deadline) -> Any:
        return due_html(deadline.due_on)

    @admin.display(description=_("days left"), ordering="due_on")
    def days_left_display(self, deadline: Deadline) -> Any:
        return days_left_html(deadline.due_on)

    @admin.display(description=_("case"), ordering="case__code")
    def case_link(self, deadline: Deadline) -> Any:
        url = reverse("admin:cases_case_change", args=[deadline.case_id], current_app=self.admin_site.name)
        return format_html('<a href="{}">{}</a>', url, deadline.case.code)

    @admin.display(description=_("debtor"))
    def debtor_name(self, deadline: Deadline) -> str:
        return deadline.case.debtor.name

    @admin.display(description=_("stage"))
    def case_stage(self, deadline: Deadline) -> str:
        return deadline.case.get_stage_display()

    @admin.display(description=_("paused by a hold"), boolean=True)
    def paused(self, deadline: Deadline) -> bool:
        return deadline.paused_since is not None

    @admin.action(
        description=_(
            "Confirm the last day of the selected deadlines (checked against the official schedule)"
        ),
        permissions=["court"],
    )
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[Deadline]) -> None:
        """A deadline in a year whose official schedule is not imported waits for a person: after checking
        the last day, the judge or clerk confirms it and the periodic task may act on it."""
        confirmed = 0
        for deadline in queryset.filter(needs_review=True).select_related("case"):
            deadline_confirm_by_person(deadline=deadline, actor=staff_actor(request.user))
            confirmed += 1
        messages.success(request, gettext("Confirmed %(count)d deadlines.") % {"count": confirmed})
