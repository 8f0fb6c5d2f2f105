"""The court console: a Django admin site for judges and clerks, scoped to their court's cases.

Every list and page reads through cases.selectors; every action goes through cases.services or
courts.services. A case out of the court's reach is a 404, and only judges and clerks get past the login.
The index shows the queues (confirmation, payment orders, suits, enforcement, record removal) with their
counts; each queue is a case list of its own with the limit that drives it, its filters and bulk actions.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from cases import services
from cases.admin import id_number_search_q
from cases.errors import MESSAGES, CaseActionError
from cases.models import Case, CaseEvent, Deadline, Stage, event_action_label
from cases.selectors import case_active_holds, case_events, cases_visible_to
from cases.services import BulkResult
from core.actors import actor_role
from core.models import Organisation, Role
from core.money import AmountError, format_yuan, parse_yuan
from mediation.models import Settlement

from . import forms as court_forms
from . import services as court
from .models import ConfirmationDecision, Enforcement, FilingType, PaymentOrder, RefusalGround, Suit

COURT_ROLES = frozenset({Role.JUDGE, Role.CLERK})
JUDGES = frozenset({Role.JUDGE})
K = Deadline.Kind
PO = PaymentOrder.Status
SOON_DAYS = 7


def is_court_staff(user: Any) -> bool:
    """An active judge or clerk: the only people the court console lets in."""
    return bool(user and user.is_authenticated and actor_role(user) in COURT_ROLES)


def is_judge(user: Any) -> bool:
    return bool(user and user.is_authenticated and actor_role(user) == Role.JUDGE)


class CourtLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "not_court_staff": _("Only judges and clerks of a court can sign in to the court console."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)  # active users only; no is_staff needed
        if not is_court_staff(user):
            raise ValidationError(self.error_messages["not_court_staff"], code="not_court_staff")


# --- small display helpers ------------------------------------------------------------------------


def days_left_html(due: date | None, today: date | None = None) -> Any:
    """Days to a limit: red once it has passed, amber within a week."""
    if due is None:
        return "-"
    days = (due - (today or timezone.localdate())).days
    if days < 0:
        text = ngettext("%(days)d day overdue", "%(days)d days overdue", -days) % {"days": -days}
        return format_html('<span class="court-overdue">{}</span>', text)
    if days <= SOON_DAYS:
        return format_html('<span class="court-soon">{}</span>', days)
    return str(days)


def due_html(due: date | None, today: date | None = None) -> Any:
    if due is None:
        return "-"
    css = "court-overdue" if due < (today or timezone.localdate()) else ""
    return format_html('<span class="{}">{}</span>', css, due.isoformat())


def open_deadline_due(kinds: Iterable[str]) -> Subquery:
    """The nearest open limit of these kinds on the outer case (any kind when none is named)."""
    deadlines = Deadline.objects.filter(case=OuterRef("pk"), status=Deadline.Status.OPEN)
    kinds = list(kinds)
    if kinds:
        deadlines = deadlines.filter(kind__in=kinds)
    return Subquery(deadlines.order_by("due_on").values("due_on")[:1])


# --- the site ---------------------------------------------------------------------------------------


class CourtAdminSite(admin.AdminSite):
    site_header = _("Court console")
    site_title = _("Court console")
    index_title = _("Cases before the court")
    login_form = CourtLoginForm
    index_template = "court/index.html"
    # The queues' tables need the width; the queues are tabs on each list and cards on the index.
    enable_nav_sidebar = False

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        self.queues: list[QueueAdmin] = []

    def has_permission(self, request: HttpRequest) -> bool:
        return is_court_staff(request.user)

    def add_queue(self, queue_class: "type[QueueAdmin]") -> None:
        self.queues.append(queue_class(Case, self))

    def get_urls(self) -> list:
        queue_urls = [q.url_pattern() for q in self.queues]
        return [*queue_urls, *super().get_urls()]

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        today = timezone.localdate()
        cards = []
        for queue in self.queues:
            qs = queue.get_queryset(request)
            cards.append(
                {
                    "queue": queue,
                    "url": queue.url(),
                    "count": qs.count(),
                    "overdue": qs.filter(Q(due__lt=today)).count(),
                    "soon": qs.filter(Q(due__gte=today, due__lte=today + timedelta(days=SOON_DAYS))).count(),
                }
            )
        membership = getattr(request.user, "membership", None)
        context = {
            "cards": cards,
            "court": membership.organisation if membership else None,
            "all_cases_url": reverse("court:cases_case_changelist", current_app=self.name),
            "deadlines_url": reverse("court:cases_deadline_changelist", current_app=self.name),
            **(extra_context or {}),
        }
        return super().index(request, context)


court_site = CourtAdminSite(name="court")
court_site.disable_action("delete_selected")


class CourtModelAdmin(admin.ModelAdmin):
    """Read-only for everyone: changes are transitions and court actions, taken through services."""

    actions: Any = None
    show_facets = admin.ShowFacets.NEVER

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

    def has_judge_permission(self, request: HttpRequest) -> bool:
        """Bulk decisions that are the judge's (confirming, rejecting, issuing)."""
        return is_judge(request.user)

    def has_court_permission(self, request: HttpRequest) -> bool:
        return is_court_staff(request.user)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        """Out of the court's reach is not found (404), never an empty page or a redirect."""
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


# --- list filters -----------------------------------------------------------------------------------


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


class StageFilter(admin.SimpleListFilter):
    """The stages of the list at hand (a queue's own stages, or all of them)."""

    title = _("stage")
    parameter_name = "stage"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        stages = (
            getattr(model_admin, "filter_stages", ()) or getattr(model_admin, "stages", ()) or Stage.values
        )
        return [(s, Stage(s).label) for s in stages]

    def has_output(self) -> bool:
        return len(self.lookup_choices) > 1

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(stage=value) if value in Stage.values else queryset


class CaseDueFilter(admin.SimpleListFilter):
    """The list's own limit (the `due` annotation): overdue, within 7 days, later."""

    title = _("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("Overdue")), ("week", _("Within 7 days")), ("later", _("Later"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        week = today + timedelta(days=SOON_DAYS)
        value = self.value()
        if value == "overdue":
            return queryset.filter(due__lt=today)
        if value == "week":
            return queryset.filter(due__gte=today, due__lte=week)
        if value == "later":
            return queryset.filter(due__gt=week)
        return queryset


class AmountRangeFilter(admin.ListFilter):
    """Claimed total between two amounts in yuan, typed as people type them (¥, commas, 元)."""

    title = _("claimed total (yuan)")
    template = "court/amount_filter.html"
    parameters = ("amount_min", "amount_max")

    def __init__(self, request: HttpRequest, params: dict[str, Any], model: Any, model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                value = params.pop(name)
                self.used_parameters[name] = value[-1] if isinstance(value, list) else value

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str | None]:
        return list(self.parameters)

    def bounds(self) -> tuple[Any, Any]:
        values = []
        for name in self.parameters:
            text = str(self.used_parameters.get(name) or "").strip()
            try:
                values.append(parse_yuan(text) if text else None)
            except AmountError:
                values.append(None)  # an unreadable bound filters nothing rather than failing the page
        return values[0], values[1]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        low, high = self.bounds()
        if low is not None:
            queryset = queryset.filter(claimed_total__gte=low)
        if high is not None:
            queryset = queryset.filter(claimed_total__lte=high)
        return queryset

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:  # type: ignore[override]
        # The other filters, the search and the sort order survive a new amount range.
        keep = [
            (k, v)
            for k, values in changelist.filter_params.items()
            if k not in self.parameters
            for v in values
        ]
        yield {
            "min": self.used_parameters.get("amount_min", ""),
            "max": self.used_parameters.get("amount_max", ""),
            "keep": keep,
            "clear": changelist.get_query_string(remove=list(self.parameters)),
            "active": bool(self.used_parameters),
        }


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
        return [
            path("<path:object_id>/transition/", transition, name="cases_case_transition"),
            path("<path:object_id>/act/<slug:action>/", act, name="cases_case_act"),
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
            "transitions": [t for t in court_file.transitions if t["name"] not in TRANSITION_ACTIONS],
            "panels": panels,
            "panel_has": {p["key"]: bool(p["actions"]) for p in panels},
            "has_court_actions": any(p["actions"] for p in panels),
            "holds": case_active_holds(case=case).select_related("placed_by"),
            "deadlines": deadlines,
            "events": event_rows(case),
            "documents": case_documents(case),
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
                self.perform(request, case, action_name, prefixed)
            return HttpResponseRedirect(self.change_url(case))
        try:
            event = services.case_transition(case=case, transition=name, actor=request.user, reason=reason)
        except CaseActionError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                gettext("Done: %(action)s.") % {"action": transition_label(event.action)},
            )
        return HttpResponseRedirect(self.change_url(case))

    def action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        """One court action from its form on the case page: done -> back to the page; refused -> the page
        again with the form as filled in and the reason."""
        case = self.get_object(request, object_id)
        if action not in ACTIONS:
            raise Http404
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
        if actor_role(request.user) not in action.roles:
            messages.error(request, str(MESSAGES["forbidden"]))
            return False, None
        if not action.shows(court_file):
            messages.error(request, str(MESSAGES["on_hold"] if case.on_hold else MESSAGES["wrong_stage"]))
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


# --- what a case holds at the court -----------------------------------------------------------------


@dataclass
class CourtFile:
    """The court's records of one case, read once per page or action."""

    case: Case
    user: Any
    transitions: list[dict[str, Any]]
    orders: list[PaymentOrder]
    suits: list[Suit]
    enforcements: list[Enforcement]
    decisions: list[ConfirmationDecision]
    decline_window: Deadline | None
    names: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, case: Case, user: Any) -> "CourtFile":
        transitions = services.case_available_transitions(case=case, actor=user)
        today = timezone.localdate()
        orders = list(
            case.payment_orders.select_related("filing").prefetch_related("objections").order_by("-pk")
        )
        for order in orders:
            order.flag_messages = [court.ELIGIBILITY_MESSAGES.get(f, f) for f in order.flags]  # type: ignore[attr-defined]
        suits = list(case.suits.select_related("filing").order_by("-pk"))
        for suit in suits:
            suit.days_left = (suit.decide_by - today).days  # type: ignore[attr-defined]
        return cls(
            case=case,
            user=user,
            transitions=transitions,
            orders=orders,
            suits=suits,
            enforcements=list(
                case.enforcements.select_related("filing").prefetch_related("measures").order_by("-pk")
            ),
            decisions=list(
                case.confirmation_decisions.select_related("filing", "decided_by").order_by("-pk")
            ),
            decline_window=case.deadlines.filter(kind=K.SUIT_DECLINE, status=Deadline.Status.OPEN).first(),
            names={t["name"] for t in transitions},
        )

    @property
    def order(self) -> PaymentOrder | None:
        return self.orders[0] if self.orders else None

    @property
    def suit(self) -> Suit | None:
        return self.suits[0] if self.suits else None

    @property
    def enforcement(self) -> Enforcement | None:
        return self.enforcements[0] if self.enforcements else None

    def order_in(self, *statuses: str) -> bool:
        return self.order is not None and self.order.status in statuses and not self.case.on_hold

    @cached_property
    def eligibility(self) -> list[dict[str, Any]]:
        return [
            {"flag": f, "message": court.ELIGIBILITY_MESSAGES[f]}
            for f in court.payment_order_eligibility(self.case)
        ]

    @cached_property
    def figures(self) -> court.EnforcementFigures | None:
        return court.enforcement_figures(self.enforcement) if self.enforcement else None

    @cached_property
    def settlement(self) -> Settlement | None:
        return (
            self.case.settlements.filter(status=Settlement.Status.EFFECTIVE)
            .prefetch_related("instalments")
            .order_by("-effective_on", "-pk")
            .first()
        )

    @property
    def filings(self) -> QuerySet:
        return self.case.filings.order_by("filed_on", "pk")

    @property
    def suggested_enforcement_amount(self) -> Any:
        if self.suit and self.suit.judgment_amount is not None:
            return self.suit.judgment_amount
        settlement = self.settlement
        if settlement is not None and self.case.enforceable_title == "confirmation":
            return settlement.total
        return self.case.claimed_total


def order_review(case: Case, order: PaymentOrder | None, status: str) -> str | None:
    """Why a payment order cannot take its next step now (None when it can): the bulk pages' skip reasons."""
    if case.on_hold:
        return str(MESSAGES["on_hold"])
    if order is None:
        return gettext("No payment order has been applied for.")
    if order.status != status:
        return gettext("The payment order is %(status)s.") % {"status": order.get_status_display()}
    if status == PO.APPLIED:
        new_flags = [f for f in court.payment_order_eligibility(case) if f not in order.flags]
        if new_flags:
            return " ".join(str(court.ELIGIBILITY_MESSAGES[f]) for f in new_flags)
    return None


def _checked_order(f: CourtFile, status: str) -> PaymentOrder:
    why = order_review(f.case, f.order, status)
    if why:
        raise court.CourtError(why)
    assert f.order is not None
    return f.order


# --- court actions: one small form each, one service each -------------------------------------------


class Caution(str):
    """What an action reports when it was carried out but the user should look twice (a warning)."""


def _confirmation_apply(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    filing = court.confirmation_apply(case=f.case, actor=user)
    return gettext("Filed for judicial confirmation under %(number)s.") % {"number": filing.number}


def _confirm(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    decision = court.confirmation_decide(case=f.case, actor=user, confirmed=True, reasons=data["reasons"])
    return gettext("Settlement confirmed (%(number)s); the ruling is being prepared.") % {
        "number": decision.filing.number
    }


def _reject(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    decision = court.confirmation_decide(
        case=f.case,
        actor=user,
        confirmed=False,
        ground=data["ground"],
        reasons=data["reasons"],
        next_step=data["next_step"],
    )
    return gettext("Confirmation refused (%(number)s): %(ground)s.") % {
        "number": decision.filing.number,
        "ground": RefusalGround(decision.ground).label,
    }


def _po_apply(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    accept_flags = data.get("accept_flags", False)
    order = court.payment_order_apply(case=f.case, actor=user, accept_flags=accept_flags)
    return gettext("Payment order applied for: %(amount)s.") % {"amount": format_yuan(order.amount)}


def _po_accept(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    order = court.payment_order_accept(order=_checked_order(f, PO.APPLIED), actor=user)
    assert order.filing is not None
    return gettext("Application accepted under %(number)s; issue the order within 15 days.") % {
        "number": order.filing.number
    }


def _po_reject(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.order is not None
    court.payment_order_reject(order=f.order, actor=user, reason=data["reason"])
    return gettext("Payment-order application rejected.")


def _po_issue(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    court.payment_order_issue(order=_checked_order(f, PO.ACCEPTED), actor=user)
    return gettext("Payment order issued; it must be served within 30 days.")


def _po_service(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.order is not None
    order = court.payment_order_record_service(order=f.order, actor=user, served_on=data["served_on"])
    window = court.objection_window(order)
    return gettext("Service recorded; the objection window ends on %(date)s.") % {
        "date": window.due_on.isoformat() if window else "-"
    }


def _po_objection(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.order is not None
    objection = court.payment_order_object(
        order=f.order,
        form=data["form"],
        filed_on=data["filed_on"],
        statement=data["statement"],
        only_ability_to_pay=data["only_ability_to_pay"],
        actor=user,
    )
    if objection.valid:
        return gettext(
            "Objection recorded: it counts. The order has lapsed; the case becomes a suit unless the "
            "creditor declines within 7 days."
        )
    return Caution(
        gettext("Objection recorded, but it does not count: %(why)s.") % {"why": objection.invalid_reason}
    )


def _po_decline(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    court.payment_order_decline_suit(case=f.case, actor=user, reason=data["reason"])
    return gettext("The creditor declined the suit; the case is withdrawn.")


def _suit_file(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    suit = court.suit_file(case=f.case, actor=user, procedure=data["procedure"] or None)
    return gettext("Suit filed under %(number)s (%(procedure)s), to be decided by %(date)s.") % {
        "number": suit.filing.number,
        "procedure": suit.get_procedure_display(),
        "date": suit.decide_by.isoformat(),
    }


def _suit_hearing(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.suit is not None
    court.suit_schedule_hearing(suit=f.suit, actor=user, hearing_at=data["hearing_at"])
    return gettext("Hearing scheduled for %(at)s.") % {
        "at": timezone.localtime(data["hearing_at"]).strftime("%Y-%m-%d %H:%M")
    }


def _suit_judgment(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.suit is not None
    suit = court.suit_record_judgment(
        suit=f.suit, actor=user, amount=data["amount"], performance_days=data["performance_days"]
    )
    assert suit.performance_due_on is not None
    return gettext("Judgment recorded: %(amount)s, to be performed by %(date)s.") % {
        "amount": format_yuan(data["amount"]),
        "date": suit.performance_due_on.isoformat(),
    }


def _enf_apply(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    enforcement = court.enforcement_apply(case=f.case, actor=user, amount=data["amount"])
    return gettext("Enforcement filed under %(number)s.") % {"number": enforcement.filing.number}


def _enf_measure(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.enforcement is not None
    measure = court.enforcement_measure_log(
        enforcement=f.enforcement,
        actor=user,
        kind=data["kind"],
        note=data["note"],
        amount_received=data["amount_received"] or Decimal("0.00"),
        taken_on=data["taken_on"],
    )
    return gettext("Measure logged: %(kind)s.") % {"kind": measure.get_kind_display()}


def _enf_dishonest(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.enforcement is not None
    court.enforcement_list_dishonest(enforcement=f.enforcement, actor=user, grounds=data["grounds"])
    return gettext("The debtor is on the dishonest judgment-debtor list.")


def _enf_suspend(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.enforcement is not None
    court.enforcement_suspend(enforcement=f.enforcement, actor=user, reason=data["reason"])
    return gettext("The current round is terminated (终本); re-check every 6 months.")


def _enf_resume(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.enforcement is not None
    court.enforcement_resume(enforcement=f.enforcement, actor=user, reason=data["reason"])
    return gettext("Enforcement resumed.")


def _no_initial(f: CourtFile) -> dict[str, Any]:
    return {}


def _omit_nothing(f: CourtFile) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class CourtAction:
    name: str
    panel: str
    title: Any
    submit: Any
    form: type[forms.Form]
    roles: frozenset[str]
    shows: Callable[[CourtFile], bool]
    run: Callable[[CourtFile, dict[str, Any], Any], str]
    initial: Callable[[CourtFile], dict[str, Any]] = _no_initial
    transition: str = ""
    danger: bool = False
    help: Any = ""
    omit: Callable[[CourtFile], tuple[str, ...]] = _omit_nothing  # fields that do not apply to this case

    def make_form(self, f: CourtFile, data: Any = None) -> forms.Form:
        form = self.form(data, prefix=self.name, initial=self.initial(f))
        for name in self.omit(f):
            form.fields.pop(name, None)
        return form


def _can(transition: str) -> Callable[[CourtFile], bool]:
    """Offered when this user may take that transition on this case now (django-fsm decides)."""
    return lambda f: transition in f.names


def _can_with_enforcement(transition: str) -> Callable[[CourtFile], bool]:
    return lambda f: transition in f.names and f.enforcement is not None


def _order_is(*statuses: str) -> Callable[[CourtFile], bool]:
    return lambda f: f.order_in(*statuses)


def _unless_unagreed_interest(f: CourtFile) -> tuple[str, ...]:
    """The principal-only choice is offered only where interest or fees lack an agreed rate."""
    return () if any(e["flag"] == "unagreed_interest" for e in f.eligibility) else ("accept_flags",)


def _objection_open(f: CourtFile) -> bool:
    return f.order is not None and f.order.status == PO.SERVED  # recorded even while a hold is on


def _decline_open(f: CourtFile) -> bool:
    return f.decline_window is not None and services.has_transition_perm_ignoring_conditions(
        f.case, "withdraw", f.user
    )


def _suit_to_file(f: CourtFile) -> bool:
    unrecorded = f.case.stage == Stage.IN_LITIGATION and not f.suits and not f.case.on_hold
    return "file_suit" in f.names or unrecorded


def _suit_pending(f: CourtFile) -> bool:
    return (
        f.case.stage == Stage.IN_LITIGATION
        and f.suit is not None
        and f.suit.judgment_on is None
        and not f.case.on_hold
    )


def _judgment_due(f: CourtFile) -> bool:
    return "judgment_effective" in f.names and f.suit is not None and f.suit.judgment_on is None


def _enforcing(f: CourtFile) -> bool:
    return f.case.stage == Stage.IN_ENFORCEMENT and f.enforcement is not None and not f.case.on_hold


def _listable(f: CourtFile) -> bool:
    enforcement = f.enforcement
    in_enforcement = f.case.stage in (Stage.IN_ENFORCEMENT, Stage.ENFORCEMENT_SUSPENDED)
    return (
        in_enforcement
        and enforcement is not None
        and not enforcement.dishonest_listed_on
        and not f.case.on_hold
    )


F_ = court_forms
ACTION_LIST = [
    CourtAction("confirmation_apply", "confirmation", _("File the joint application"), _("File"),
                F_.EmptyForm, COURT_ROLES, _can("request_confirmation"), _confirmation_apply,
                transition="request_confirmation",
                help=_("Gives the case a 民特 number; the court decides within 30 days (CPL 187).")),
    CourtAction("confirm", "confirmation", _("Confirm the settlement"), _("Confirm"), F_.ConfirmForm,
                JUDGES, _can("confirm"), _confirm, transition="confirm",
                help=_("The agreement becomes an enforceable ruling (CPL 206).")),
    CourtAction("reject", "confirmation", _("Refuse confirmation"), _("Refuse"), F_.RejectForm, JUDGES,
                _can("reject_confirmation"), _reject, transition="reject_confirmation", danger=True),
    CourtAction("po_apply", "payment_order", _("Apply for a payment order"), _("Apply"),
                F_.PaymentOrderApplyForm, COURT_ROLES, _can("apply_payment_order"), _po_apply,
                transition="apply_payment_order", omit=_unless_unagreed_interest),
    CourtAction("po_accept", "payment_order", _("Accept the application"), _("Accept"), F_.EmptyForm,
                COURT_ROLES, _order_is(PO.APPLIED), _po_accept,
                help=_("Within 5 days of the application (CPL 226); gives the 民督 number.")),
    CourtAction("po_issue", "payment_order", _("Issue the payment order"), _("Issue"), F_.EmptyForm,
                JUDGES, _order_is(PO.ACCEPTED), _po_issue,
                help=_("Within 15 days of acceptance (CPL 227); the order is rendered as a PDF.")),
    CourtAction("po_reject", "payment_order", _("Reject the application"), _("Reject"), F_.ReasonForm,
                JUDGES, _order_is(PO.APPLIED, PO.ACCEPTED), _po_reject, transition="order_lapse",
                danger=True),
    CourtAction("po_service", "payment_order", _("Record service"), _("Record"), F_.ServiceForm,
                COURT_ROLES, _order_is(PO.ISSUED), _po_service,
                help=_("The debtor has 15 days from service to object in writing (CPL 227).")),
    CourtAction("po_objection", "payment_order", _("Record an objection"), _("Record"), F_.ObjectionForm,
                COURT_ROLES, _objection_open, _po_objection,
                help=_("Only a written objection within the window, not merely about the ability to pay, "
                       "counts (Interp. 431, 436).")),
    CourtAction("po_decline", "payment_order", _("Creditor declines the suit"), _("Record"), F_.ReasonForm,
                COURT_ROLES, _decline_open, _po_decline, danger=True),
    CourtAction("suit_file", "suit", _("File the suit"), _("File"), F_.SuitFileForm, COURT_ROLES,
                _suit_to_file, _suit_file, transition="file_suit"),
    CourtAction("suit_hearing", "suit", _("Schedule the hearing"), _("Schedule"), F_.HearingForm,
                COURT_ROLES, _suit_pending, _suit_hearing),
    CourtAction("suit_judgment", "suit", _("Record the judgment"), _("Record"), F_.JudgmentForm, JUDGES,
                _judgment_due, _suit_judgment, initial=lambda f: {"amount": f.case.claimed_total},
                transition="judgment_effective",
                help=_("The case becomes enforceable once the judgment is recorded.")),
    CourtAction("enf_apply", "enforcement", _("File the enforcement"), _("File"), F_.EnforcementApplyForm,
                COURT_ROLES, _can("apply_enforcement"), _enf_apply,
                initial=lambda f: {"amount": f.suggested_enforcement_amount}, transition="apply_enforcement",
                help=_("Within 2 years of the end of the performance period (CPL 250).")),
    CourtAction("enf_measure", "enforcement", _("Log a measure"), _("Log"), F_.MeasureForm, COURT_ROLES,
                _enforcing, _enf_measure),
    CourtAction("enf_dishonest", "enforcement", _("Put on the dishonest list"), _("List"),
                F_.DishonestForm, JUDGES, _listable, _enf_dishonest, danger=True),
    CourtAction("enf_suspend", "enforcement", _("Terminate the current round (终本)"), _("Terminate"),
                F_.ReasonForm, JUDGES, _can_with_enforcement("suspend_enforcement"), _enf_suspend,
                transition="suspend_enforcement", danger=True,
                help=_("Only after an asset search and more than 3 months from filing (Interp. 517).")),
    CourtAction("enf_resume", "enforcement", _("Resume enforcement"), _("Resume"), F_.OptionalReasonForm,
                COURT_ROLES, _can_with_enforcement("resume_enforcement"), _enf_resume,
                transition="resume_enforcement"),
]  # fmt: skip
ACTIONS = {a.name: a for a in ACTION_LIST}
# Transitions the court takes through an action's form (and its service), never as a bare button.
TRANSITION_ACTIONS: dict[str, str | None] = {a.transition: a.name for a in ACTION_LIST if a.transition}
TRANSITION_ACTIONS["order_effective"] = None  # the objection window's deadline does it
PANELS = [
    ("confirmation", _("Judicial confirmation")),
    ("payment_order", _("Payment order")),
    ("suit", _("Suit")),
    ("enforcement", _("Enforcement")),
]


def action_panels(f: CourtFile, model_admin: CourtCaseAdmin, bound: dict[str, forms.Form]) -> list[dict]:
    """The forms this user can use on this case now, grouped by panel."""
    role = actor_role(f.user)
    available = [a for a in ACTION_LIST if role in a.roles and a.shows(f)]
    panels = []
    for key, title in PANELS:
        actions = [
            {
                "action": a,
                "form": bound.get(a.name) or a.make_form(f),
                "url": reverse(
                    "court:cases_case_act", args=[f.case.pk, a.name], current_app=model_admin.admin_site.name
                ),
            }
            for a in available
            if a.panel == key
        ]
        panels.append({"key": key, "title": title, "actions": actions})
    return panels


# --- queues -----------------------------------------------------------------------------------------


class QueueAdmin(CourtCaseListAdmin):
    """A case list that is a court's to-do: its own scope, the limit that drives it, its bulk actions."""

    slug = ""
    title: Any = ""
    description: Any = ""
    change_list_template = "court/queue.html"
    ordering = (F("due").asc(nulls_last=True), "pk")  # type: ignore[assignment]

    def url(self) -> str:
        return reverse(f"court:queue_{self.slug.replace('-', '_')}", current_app=self.admin_site.name)

    def url_pattern(self) -> Any:
        view = self.admin_site.admin_view(self.changelist_view)
        return path(f"queues/{self.slug}/", view, name=f"queue_{self.slug.replace('-', '_')}")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        context = {
            "title": self.title,
            "queue": self,
            "queues": [(q, q.url()) for q in self.admin_site.queues],  # type: ignore[attr-defined]
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    @admin.display(description=_("case"), ordering="code")
    def case_link(self, case: Case) -> Any:
        url = reverse("court:cases_case_change", args=[case.pk], current_app=self.admin_site.name)
        return format_html('<a href="{}">{}</a>', url, case.code)

    def report(self, request: HttpRequest, result: BulkResult, done: str) -> None:
        """What a bulk action did: how many were done, and each skipped case with the reason, grouped."""
        # Codes of the user's own cases only: an id from elsewhere stays a bare number.
        visible = cases_visible_to(request.user).filter(pk__in=list(result.skipped))
        codes = dict(visible.values_list("pk", "code"))
        if result.done:
            self.message_user(request, done % {"count": len(result.done)}, messages.SUCCESS)
        by_reason: dict[str, list[str]] = {}
        for pk, why in result.skipped.items():
            by_reason.setdefault(str(why), []).append(codes.get(pk, f"#{pk}"))
        for why, skipped in by_reason.items():
            text = ngettext(
                "Skipped %(count)d case (%(reason)s): %(cases)s",
                "Skipped %(count)d cases (%(reason)s): %(cases)s",
                len(skipped),
            ) % {"count": len(skipped), "reason": why, "cases": ", ".join(sorted(skipped))}
            self.message_user(request, text, messages.WARNING)


def selected_ids(request: HttpRequest, queryset: QuerySet) -> list[int]:
    """The cases ticked (or all that match, with "select all"), including any no longer in the queue."""
    if request.POST.get("select_across") == "1":
        return list(queryset.values_list("pk", flat=True))
    return [int(v) for v in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME) if v.isdigit()]


def _first_filing(case: Case, filing_type: str) -> str:
    filings = [f for f in case.filings.all() if f.filing_type == filing_type]  # newest first
    return filings[0].number if filings else "-"


class ConfirmationQueue(QueueAdmin):
    slug = "confirmation"
    title = _("Confirmation applications")
    description = _("Settlements awaiting the court's decision: 30 days from filing (CPL 187).")
    stages = (Stage.CONFIRMATION_REQUESTED,)
    deadline_kinds = (K.CONFIRMATION_DECISION,)
    list_display = [
        "case_link",
        "debtor_name",
        "creditor_name",
        "claimed_total_yuan",
        "settlement_effective",
        "filing_number",
        "due_on",
        "days_left_of_30",
    ]
    list_display_links = None
    actions = ["confirm_selected", "reject_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return super().get_queryset(request).prefetch_related("filings")

    @admin.display(description=_("case number"))
    def filing_number(self, case: Case) -> str:
        return _first_filing(case, FilingType.CONFIRMATION)

    @admin.display(description=_("settlement effective on"), ordering="settlement_effective_on")
    def settlement_effective(self, case: Case) -> str:
        return case.settlement_effective_on.isoformat() if case.settlement_effective_on else "-"

    @admin.display(description=_("days left of 30"), ordering="due", empty_value="-")
    def days_left_of_30(self, case: Case) -> Any:
        return days_left_html(case.due)  # type: ignore[attr-defined]

    @admin.action(description=_("Confirm the selected settlements"), permissions=["judge"])
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        result = court.confirmations_bulk(
            case_ids=selected_ids(request, queryset),
            actor=request.user,
            visible=cases_visible_to(request.user),
        )
        self.report(request, result, gettext("Confirmed %(count)d settlements."))

    @admin.action(description=_("Refuse confirmation of the selected settlements…"), permissions=["judge"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> TemplateResponse | None:
        """An intermediate page asks for the ground, reasons and next step; then one decision per case."""
        ids = selected_ids(request, queryset)
        form = court_forms.BulkRejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            result = BulkResult()
            cases = cases_visible_to(request.user).in_bulk(ids)
            for pk in ids:
                if pk not in cases:
                    result.skipped[pk] = gettext("not found")
                    continue
                try:
                    court.confirmation_decide(
                        case=cases[pk],
                        actor=request.user,
                        confirmed=False,
                        ground=form.cleaned_data["ground"],
                        reasons=form.cleaned_data["reasons"],
                        next_step=form.cleaned_data["next_step"],
                    )
                except CaseActionError as exc:
                    result.skipped[pk] = str(exc.message)
                else:
                    result.done.append(pk)
            self.report(request, result, gettext("Refused confirmation of %(count)d settlements."))
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Refuse confirmation"),
            "opts": self.opts,
            "queue": self,
            "form": form,
            "cases": queryset.filter(pk__in=ids),
            "ids": ids,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "court/bulk_reject.html", context)


class PaymentOrderQueueMixin:
    """Columns from the case's active payment order (prefetched as `court_orders`)."""

    order_statuses: tuple[str, ...] = ()
    stages: tuple[str, ...] = (Stage.PAYMENT_ORDER,)

    def restrict(self, qs: QuerySet[Case]) -> QuerySet[Case]:
        active = PaymentOrder.objects.filter(case=OuterRef("pk"), status__in=self.order_statuses)
        orders = PaymentOrder.objects.filter(status__in=self.order_statuses).select_related("filing")
        return qs.filter(Exists(active)).prefetch_related(
            Prefetch("payment_orders", queryset=orders.order_by("-pk"), to_attr="court_orders")
        )

    @staticmethod
    def _order(case: Case) -> PaymentOrder | None:
        orders = getattr(case, "court_orders", [])
        return orders[0] if orders else None

    @admin.display(description=_("order status"))
    def order_status(self, case: Case) -> str:
        order = self._order(case)
        return order.get_status_display() if order else "-"

    @admin.display(description=_("case number"))
    def order_number(self, case: Case) -> str:
        order = self._order(case)
        return order.filing.number if order and order.filing else "-"

    @admin.display(description=_("amount ordered"))
    def order_amount(self, case: Case) -> str:
        order = self._order(case)
        return format_yuan(order.amount) if order else "-"

    @admin.display(description=_("eligibility flags"))
    def order_flags(self, case: Case) -> Any:
        order = self._order(case)
        if not order or not order.flags:
            return "-"
        text = " ".join(str(court.ELIGIBILITY_MESSAGES.get(f, f)) for f in order.flags)
        return format_html('<span class="court-flag" title="{}">⚠ {}</span>', text, len(order.flags))

    @admin.display(description=_("served on"))
    def order_served_on(self, case: Case) -> Any:
        order = self._order(case)
        return order.served_on.isoformat() if order and order.served_on else "-"

    @admin.display(description=_("issued on"))
    def order_issued_on(self, case: Case) -> Any:
        order = self._order(case)
        return order.issued_on.isoformat() if order and order.issued_on else "-"


class PaymentOrderApplicationQueue(PaymentOrderQueueMixin, QueueAdmin):
    slug = "payment-orders"
    title = _("Payment-order applications")
    description = _("Accept within 5 days of the application (CPL 226), issue within 15 days of acceptance.")
    order_statuses = (PO.APPLIED, PO.ACCEPTED)
    deadline_kinds = (K.PAYMENT_ORDER_ACCEPTANCE, K.PAYMENT_ORDER_ISSUANCE)
    list_display = [
        "case_link",
        "debtor_name",
        "creditor_name",
        "order_amount",
        "order_status",
        "order_number",
        "order_flags",
        "due_on",
        "days_left",
    ]
    list_display_links = None
    actions = ["accept_selected", "issue_selected"]

    @admin.action(description=_("Accept the selected applications"), permissions=["court"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        result = self._orders_step(request, queryset, PO.APPLIED, court.payment_order_accept)
        self.report(request, result, gettext("Accepted %(count)d applications."))

    @admin.action(description=_("Issue the selected payment orders"), permissions=["judge"])
    def issue_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        result = self._orders_step(request, queryset, PO.ACCEPTED, court.payment_order_issue)
        self.report(request, result, gettext("Issued %(count)d payment orders."))

    def _orders_step(
        self, request: HttpRequest, queryset: QuerySet[Case], status: str, step: Callable[..., Any]
    ) -> BulkResult:
        """Review each selected case's order first (hold, status, new eligibility flags); the service runs
        only on those that pass, and each one refused is reported with the reason."""
        ids = selected_ids(request, queryset)
        orders = PaymentOrder.objects.filter(status__in=[*self.order_statuses, PO.ISSUED, PO.SERVED])
        cases = (
            cases_visible_to(request.user)
            .prefetch_related(
                Prefetch("payment_orders", queryset=orders.order_by("-pk"), to_attr="court_orders")
            )
            .in_bulk(ids)
        )
        result = BulkResult()
        for pk in ids:
            case = cases.get(pk)
            if case is None:
                result.skipped[pk] = gettext("not found")
                continue
            order = self._order(case)
            why = order_review(case, order, status)
            if why:
                result.skipped[pk] = why
                continue
            try:
                step(order=order, actor=request.user)
            except CaseActionError as exc:
                result.skipped[pk] = str(exc.message)
            else:
                result.done.append(pk)
        return result


class ServiceQueue(PaymentOrderQueueMixin, QueueAdmin):
    slug = "service"
    title = _("Orders to serve")
    description = _("Issued orders lapse unless served within 30 days of issuance (Interp. 430).")
    order_statuses = (PO.ISSUED,)
    deadline_kinds = (K.PAYMENT_ORDER_SERVICE,)
    list_display = [
        "case_link",
        "debtor_name",
        "creditor_name",
        "order_amount",
        "order_number",
        "order_issued_on",
        "due_on",
        "days_left",
    ]
    list_display_links = None


class ObjectionQueue(PaymentOrderQueueMixin, QueueAdmin):
    slug = "objections"
    title = _("Objection windows")
    description = _(
        "Served orders: 15 days for a written objection (CPL 227); after a valid one, 7 days for the "
        "creditor to decline the suit (Interp. 438-439)."
    )
    order_statuses = (PO.SERVED, PO.OBJECTED)
    deadline_kinds = (K.PAYMENT_ORDER_OBJECTION, K.SUIT_DECLINE)
    list_display = [
        "case_link",
        "debtor_name",
        "creditor_name",
        "order_amount",
        "order_number",
        "order_status",
        "order_served_on",
        "due_on",
        "days_left",
    ]
    list_display_links = None

    def restrict(self, qs: QuerySet[Case]) -> QuerySet[Case]:
        open_window = Deadline.objects.filter(
            case=OuterRef("pk"), status=Deadline.Status.OPEN, kind__in=self.deadline_kinds
        )
        return super().restrict(qs).filter(Exists(open_window))


class SuitQueue(QueueAdmin):
    slug = "suits"
    title = _("Suits")
    description = _("Small claims decided within 2 months, summary procedure within 3 (CPL 165, 164).")
    stages = (Stage.IN_LITIGATION,)
    list_display = [
        "case_link",
        "debtor_name",
        "creditor_name",
        "claimed_total_yuan",
        "suit_number",
        "procedure",
        "filed_on",
        "due_on",
        "days_left",
        "hearing",
    ]
    list_display_links = None

    def due_expression(self) -> Any:
        latest = Suit.objects.filter(case=OuterRef("pk")).order_by("-pk")
        return Subquery(latest.values("decide_by")[:1])

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        suits = Suit.objects.select_related("filing").order_by("-pk")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("suits", queryset=suits, to_attr="court_suits"))
        )

    @staticmethod
    def _suit(case: Case) -> Suit | None:
        suits = getattr(case, "court_suits", [])
        return suits[0] if suits else None

    @admin.display(description=_("case number"))
    def suit_number(self, case: Case) -> str:
        suit = self._suit(case)
        return suit.filing.number if suit else "-"

    @admin.display(description=_("procedure"))
    def procedure(self, case: Case) -> str:
        suit = self._suit(case)
        return suit.get_procedure_display() if suit else gettext("not yet filed")

    @admin.display(description=_("filed on"))
    def filed_on(self, case: Case) -> str:
        suit = self._suit(case)
        return suit.filed_on.isoformat() if suit else "-"

    @admin.display(description=_("hearing"))
    def hearing(self, case: Case) -> str:
        suit = self._suit(case)
        if not suit or not suit.hearing_at:
            return "-"
        return timezone.localtime(suit.hearing_at).strftime("%Y-%m-%d %H:%M")


class EnforcementQueue(QueueAdmin):
    slug = "enforcement"
    title = _("Enforcement")
    description = _(
        "Complete within 6 months of filing; a terminated round (终本) is re-checked every 6 months."
    )
    stages = (Stage.IN_ENFORCEMENT, Stage.ENFORCEMENT_SUSPENDED)
    deadline_kinds = (K.ENFORCEMENT_COMPLETION, K.ENFORCEMENT_RECHECK)
    list_display = [
        "case_link",
        "debtor_name",
        "stage_display",
        "enforcement_number",
        "amount",
        "received",
        "unpaid",
        "late_interest",
        "dishonest",
        "next_check",
    ]
    list_display_links = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        enforcements = (
            Enforcement.objects.select_related("filing").prefetch_related("measures").order_by("-pk")
        )
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("enforcements", queryset=enforcements, to_attr="court_enforcements"))
        )

    @staticmethod
    def _figures(case: Case) -> tuple[Enforcement | None, court.EnforcementFigures | None]:
        enforcements = getattr(case, "court_enforcements", [])
        if not enforcements:
            return None, None
        cached = getattr(case, "_court_figures", None)
        if cached is None:
            cached = court.enforcement_figures(enforcements[0])
            case._court_figures = cached  # type: ignore[attr-defined]
        return enforcements[0], cached

    @admin.display(description=_("case number"))
    def enforcement_number(self, case: Case) -> str:
        enforcement, _figures = self._figures(case)
        return enforcement.filing.number if enforcement else "-"

    @admin.display(description=_("amount to enforce"))
    def amount(self, case: Case) -> str:
        _e, figures = self._figures(case)
        return format_yuan(figures.amount) if figures else "-"

    @admin.display(description=_("received"))
    def received(self, case: Case) -> str:
        _e, figures = self._figures(case)
        return format_yuan(figures.received) if figures else "-"

    @admin.display(description=_("unpaid"))
    def unpaid(self, case: Case) -> str:
        _e, figures = self._figures(case)
        return format_yuan(figures.unpaid) if figures else "-"

    @admin.display(description=_("late-performance interest"))
    def late_interest(self, case: Case) -> str:
        _e, figures = self._figures(case)
        return format_yuan(figures.late_interest) if figures else "-"

    @admin.display(description=_("dishonest list"))
    def dishonest(self, case: Case) -> Any:
        enforcement, _figures = self._figures(case)
        if not enforcement or not enforcement.dishonest_listed_on:
            return "-"
        return format_html('<span class="court-flag">{}</span>', enforcement.dishonest_listed_on.isoformat())

    @admin.display(description=_("next re-check or completion"), ordering="due", empty_value="-")
    def next_check(self, case: Case) -> Any:
        due = case.due  # type: ignore[attr-defined]
        if due is None:
            return "-"
        return format_html("{} · {}", due_html(due), days_left_html(due))


class RecordRemovalQueue(QueueAdmin):
    slug = "record-removal"
    title = _("Record removal due")
    description = _("Remove the debtor from the dishonest list within 3 working days of performance.")
    deadline_kinds = (K.RECORD_REMOVAL,)
    filter_stages = (Stage.PERFORMED, Stage.CREDIT_REPAIR, Stage.CLOSED)
    list_display = [
        "case_link",
        "debtor_name",
        "debtor_id_number",
        "creditor_name",
        "stage_display",
        "performed_on",
        "due_on",
        "days_left",
    ]
    list_display_links = None

    def restrict(self, qs: QuerySet[Case]) -> QuerySet[Case]:
        removal = Deadline.objects.filter(
            case=OuterRef("pk"), status=Deadline.Status.OPEN, kind=K.RECORD_REMOVAL
        )
        return qs.filter(Exists(removal))


for _queue in (
    ConfirmationQueue,
    PaymentOrderApplicationQueue,
    ServiceQueue,
    ObjectionQueue,
    SuitQueue,
    EnforcementQueue,
    RecordRemovalQueue,
):
    court_site.add_queue(_queue)


# --- the deadline list --------------------------------------------------------------------------------


class DueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("Overdue")), ("week", _("Within 7 days")), ("later", _("Later"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        week = today + timedelta(days=SOON_DAYS)
        if self.value() == "overdue":
            return queryset.filter(due_on__lt=today)
        if self.value() == "week":
            return queryset.filter(due_on__gte=today, due_on__lte=week)
        if self.value() == "later":
            return queryset.filter(due_on__gt=week)
        return queryset


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
    ]
    list_display_links = None
    list_filter = [DueFilter, "kind", "calendar_warning"]
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


# --- what the case page shows ---------------------------------------------------------------------


def transition_label(action: str) -> str:
    return event_action_label(action)


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


def case_documents(case: Case) -> list[Any]:
    """The case's notices and rulings, each with its PDF once rendered (served by the notices app, scoped)."""
    from notices.selectors import notices_of_case

    return list(notices_of_case(case=case))


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
