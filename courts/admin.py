"""The court console: a Django admin site for judges and clerks, scoped to their court's cases.

Every list and page reads through cases.selectors; every action goes through cases.services. A case out
of the court's reach is a 404, and only judges and clerks get past the login.
"""

from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Min, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cases import services
from cases.admin import id_number_search_q
from cases.errors import CaseActionError
from cases.models import Case, CaseEvent, Deadline, Stage
from cases.selectors import case_active_holds, case_events, cases_visible_to
from core.actors import actor_role
from core.models import Organisation, Role
from core.money import format_yuan

COURT_ROLES = frozenset({Role.JUDGE, Role.CLERK})
# Event actions that are not transitions.
EVENT_LABELS = {
    "received": _("Case received"),
    "hold_placed": _("Hold placed"),
    "hold_lifted": _("Hold lifted"),
}


def is_court_staff(user: Any) -> bool:
    """An active judge or clerk: the only people the court console lets in."""
    return bool(user and user.is_authenticated and actor_role(user) in COURT_ROLES)


class CourtLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "not_court_staff": _("Only judges and clerks of a court can sign in to the court console."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)  # active users only; no is_staff needed
        if not is_court_staff(user):
            raise ValidationError(self.error_messages["not_court_staff"], code="not_court_staff")


class CourtAdminSite(admin.AdminSite):
    site_header = _("Court console")
    site_title = _("Court console")
    index_title = _("Cases before the court")
    login_form = CourtLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        return is_court_staff(request.user)


court_site = CourtAdminSite(name="court")


class CourtModelAdmin(admin.ModelAdmin):
    """Read-only for everyone: changes are transitions, taken through services from the case page."""

    actions = None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_court_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_court_staff(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        """Out of the court's reach is not found (404), never an empty page or a redirect."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


class CourtCreditorFilter(admin.SimpleListFilter):
    """The creditors of the court's own centre only."""

    title = _("Creditor")
    parameter_name = "creditor"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        user: Any = request.user
        centre_id = user.membership.organisation.centre_id
        creditors = Organisation.objects.filter(centre_id=centre_id, kind=Organisation.Kind.CREDITOR)
        return [(str(org.pk), org.name) for org in creditors.order_by("name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(creditor_id=int(value)) if value and value.isdigit() else queryset


@admin.register(Case, site=court_site)
class CourtCaseAdmin(CourtModelAdmin):
    list_display = [
        "code",
        "external_ref",
        "debtor_name",
        "debtor_id_number",
        "creditor_name",
        "claimed_total_yuan",
        "stage",
        "colour",
        "on_hold",
        "next_due_on",
    ]
    list_filter = ["stage", CourtCreditorFilter, "colour", "track", "on_hold"]
    list_select_related = ["debtor", "creditor"]
    search_fields = ["=code", "=external_ref", "debtor__name"]
    search_help_text = _("Case code, contract number, debtor name or the full ID number.")
    list_per_page = 50
    change_view_template = "court/case_detail.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        open_deadlines = Q(deadlines__status=Deadline.Status.OPEN)
        return (
            cases_visible_to(request.user)
            .select_related("debtor", "creditor")
            .annotate(next_due=Min("deadlines__due_on", filter=open_deadlines))
        )

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

    @admin.display(description=_("Next deadline"), ordering="next_due", empty_value="-")
    def next_due_on(self, case: Case) -> Any:
        return case.next_due  # type: ignore[attr-defined]

    def get_urls(self) -> list:
        transition = self.admin_site.admin_view(require_POST(self.transition_view))
        return [
            path("<path:object_id>/transition/", transition, name="cases_case_transition"),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        case = self.get_object(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{case.code} · {case.debtor.name}",
            "case": case,
            "facts": case_facts(case),
            "transitions": services.case_available_transitions(case=case, actor=request.user),
            "holds": case_active_holds(case=case).select_related("placed_by"),
            "deadlines": case.deadlines.order_by("status", "due_on"),
            "events": event_rows(case),
            "today": timezone.localdate(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.change_view_template, context)

    def transition_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        case = self.get_object(request, object_id)
        name = request.POST.get("transition", "")
        try:
            event = services.case_transition(
                case=case, transition=name, actor=request.user, reason=request.POST.get("reason", "").strip()
            )
        except CaseActionError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                gettext("Done: %(action)s.") % {"action": transition_label(event.action)},
            )
        url = reverse("admin:cases_case_change", args=[case.pk], current_app=self.admin_site.name)
        return HttpResponseRedirect(url)


class DueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("Overdue")), ("week", _("Within 7 days")), ("later", _("Later"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        week = today + timedelta(days=7)
        if self.value() == "overdue":
            return queryset.filter(due_on__lt=today)
        if self.value() == "week":
            return queryset.filter(due_on__gte=today, due_on__lte=week)
        if self.value() == "later":
            return queryset.filter(due_on__gt=week)
        return queryset


@admin.register(Deadline, site=court_site)
class CourtDeadlineAdmin(CourtModelAdmin):
    """The queue: open limits on the court's cases, the nearest first."""

    list_display = [
        "due_on",
        "days_left_display",
        "kind",
        "case_link",
        "debtor_name",
        "case_stage",
        "paused",
        "calendar_warning",
    ]
    list_display_links = None
    list_filter = [DueFilter, "kind", "calendar_warning"]
    list_select_related = ["case", "case__debtor"]
    search_fields = ["=case__code", "case__debtor__name"]
    ordering = ["due_on", "pk"]
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[Deadline]:
        return Deadline.objects.filter(case__in=cases_visible_to(request.user), status=Deadline.Status.OPEN)

    @admin.display(description=_("days left"), ordering="due_on")
    def days_left_display(self, deadline: Deadline) -> int:
        return deadline.days_left()

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


# --- what the case page shows ---------------------------------------------------------------------


def transition_label(action: str) -> str:
    if action in EVENT_LABELS:
        return str(EVENT_LABELS[action])
    method = getattr(Case, action, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        return action
    return str(next(iter(meta.transitions.values())).custom.get("label", action))


def case_facts(case: Case) -> list[tuple[Any, Any]]:
    """The case file as label/value pairs; identifiers masked (PIPL 28), money in yuan."""
    f = Case._meta.get_field

    def label(name: str) -> Any:
        return getattr(f(name), "verbose_name", name)

    facts: list[tuple[Any, Any]] = [
        (label("code"), case.code),
        (label("external_ref"), case.external_ref),
        (_("Creditor"), case.creditor.name),
        (_("debtor"), case.debtor.name),
        (_("ID number"), case.debtor.id_number_masked),
        (label("phone"), case.phone_masked),
        (label("address"), case.address),
        (label("product"), case.get_product_display()),
        (label("principal"), format_yuan(case.principal)),
        (label("interest"), format_yuan(case.interest)),
        (label("fees"), format_yuan(case.fees)),
        (label("claimed_total"), format_yuan(case.claimed_total)),
        (label("annual_rate"), f"{case.annual_rate}%" if case.annual_rate is not None else ""),
        (label("contract_date"), case.contract_date),
        (label("overdue_since"), case.overdue_since),
        (label("e_service_consent"), gettext("Yes") if case.e_service_consent else gettext("No")),
        (label("stage"), case.get_stage_display()),
        (label("stage_entered_at"), case.stage_entered_at),
        (label("colour"), case.get_colour_display()),
        (label("track"), case.get_track_display()),
        (_("Mediation committee"), case.committee.name if case.committee else ""),
        (_("Mediator"), (case.mediator.get_full_name() or case.mediator.username) if case.mediator else ""),
        (label("settlement_effective_on"), case.settlement_effective_on),
        (label("performance_due_on"), case.performance_due_on),
        (label("performed_on"), case.performed_on),
        (label("closed_reason"), case.closed_reason),
    ]
    return [(name, value) for name, value in facts if value not in (None, "")]


def event_rows(case: Case) -> list[dict[str, Any]]:
    stages = dict(Stage.choices)
    roles = dict(Role.choices)
    rows = []
    event: CaseEvent
    for event in case_events(case=case):
        actor = event.actor
        rows.append(
            {
                "seq": event.seq,
                "at": event.created_at,
                "action": transition_label(event.action),
                "from": stages.get(event.from_stage, ""),
                "to": stages.get(event.to_stage, ""),
                "moved": event.from_stage != event.to_stage,
                "actor": (actor.get_full_name() or actor.username) if actor else gettext("Platform"),
                "role": roles.get(event.actor_role, ""),
                "reason": event.reason,
            }
        )
    return rows
