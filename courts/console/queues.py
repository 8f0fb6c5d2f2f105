"""The court's queues: case lists with the limit that drives each, its filters and bulk actions."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.errors import MESSAGES, CaseActionError
from cases.models import Case, Deadline, Stage, event_action_label
from cases.selectors import cases_visible_to
from core.actors import actor_role
from core.money import format_yuan
from courts import forms as court_forms
from courts import services as court
from courts.bulk import STEPS, bulk_run_start
from courts.models import BulkRun, Enforcement, FilingType, PaymentOrder, Suit

from .cases import CourtCaseListAdmin
from .read_models import days_left_html, due_html
from .runs import run_url
from .site import court_site

K = Deadline.Kind
PO = PaymentOrder.Status


# --- queues -----------------------------------------------------------------------------------------


class QueueAdmin(CourtCaseListAdmin):
    """A case list that is a court's to-do: its own scope, the limit that drives it, its bulk actions."""

    slug = ""
    title: Any = ""
    description: Any = ""
    change_list_template = "court/queue.html"
    actions: Any = ["step_selected"]
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

    # What each bulk action expects of a case; a case that is not so is listed as one that will be skipped.
    bulk_ready_stage: str = ""

    def skip_reason(self, case: Case) -> str:
        """Why a selected case will be skipped ("" when it will be decided); the run checks again."""
        if self.bulk_ready_stage and case.stage != self.bulk_ready_stage:
            return str(MESSAGES["wrong_stage"])
        if case.on_hold:
            return str(MESSAGES["on_hold"])
        return ""

    def bulk_context(self, request: HttpRequest, queryset: QuerySet[Case], ids: list[int]) -> dict[str, Any]:
        cases = list(
            cases_visible_to(request.user)
            .filter(pk__in=ids)
            .select_related("debtor", "creditor")
            .order_by("pk")
        )
        for case in cases:
            case.skip_reason = self.skip_reason(case)  # type: ignore[attr-defined]
        skipping = len([c for c in cases if c.skip_reason])  # type: ignore[attr-defined]
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "queue": self,
            "cases": cases,
            "ids": ids,
            "ready_count": len(cases) - skipping,
            "skip_count": skipping + (len(ids) - len(cases)),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }

    def bulk_step(
        self, request: HttpRequest, queryset: QuerySet[Case], action: str, name: str
    ) -> HttpResponse:
        """Step 1 shows the count and the cases, each that will be skipped with why, and names what will
        happen; step 2 (apply) starts the run and leads to its report."""
        ids = selected_ids(request, queryset)
        if "apply" in request.POST:
            return self.bulk_start(request, action, ids, {})
        context = {
            **self.bulk_context(request, queryset, ids),
            "title": BulkRun.Action(action).label,
            "action_name": name,
            "what": BULK_WHAT[action],
        }
        return TemplateResponse(request, "court/bulk_confirm.html", context)

    @admin.action(description=_("Take a step on the selected cases…"), permissions=["court"])
    def step_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse:
        """One step of the state machine (full performance, credit repair, closing) on many cases: the step
        and its reason chosen on an intermediate page with the count and the cases, then a run."""
        ids = selected_ids(request, queryset)
        form = BulkStepForm(request.user, request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            params = {k: form.cleaned_data[k] for k in ("transition", "reason")}
            return self.bulk_start(request, BulkRun.Action.STEP, ids, params)
        context = {
            **self.bulk_context(request, queryset, ids),
            "title": BulkRun.Action.STEP.label,
            "form": form,
            "bulk": {
                "name": "step",
                "help": gettext(
                    "The same step and reason apply to every case selected; a case where the step is not "
                    "possible is skipped and the report says why."
                ),
                "button": gettext("Take the step"),
                "button_class": "default",
            },
        }
        return TemplateResponse(request, "court/bulk_form.html", context)

    def bulk_start(self, request: HttpRequest, action: str, ids: list[int], params: dict) -> HttpResponse:
        try:
            run = bulk_run_start(action=action, case_ids=ids, actor=request.user, params=params)
        except CaseActionError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return HttpResponseRedirect(self.url())
        return HttpResponseRedirect(run_url(run, self.admin_site.name))


class BulkStepForm(forms.Form):
    transition = forms.ChoiceField(label=_("Step"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = actor_role(user)
        self.needs_reason: set[str] = set()
        choices = []
        for name in STEPS:
            sample = next(iter(getattr(Case, name)._django_fsm.transitions.values()))
            if role in getattr(sample.permission, "roles", frozenset()):
                choices.append((name, event_action_label(name)))
                if sample.custom.get("needs_reason"):
                    self.needs_reason.add(name)
        self.fields["transition"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("transition") in self.needs_reason and not data.get("reason", "").strip():
            self.add_error("reason", str(MESSAGES["reason_required"]))
        return data


BULK_WHAT: dict[str, Any] = {
    BulkRun.Action.CONFIRM: _(
        "Each settlement ready for it is confirmed under your name: a ruling is issued for each and the "
        "agreement becomes enforceable (CPL 206). Cases on hold or no longer awaiting the decision are "
        "skipped."
    ),
    BulkRun.Action.ACCEPT: _(
        "Each application ready for it is accepted and given its 民督 number; the order is then due within "
        "15 days (CPL 227)."
    ),
    BulkRun.Action.ISSUE: _(
        "Each accepted order is issued under your name and rendered as its own PDF; it must then be served "
        "within 30 days."
    ),
}


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
    bulk_ready_stage = Stage.CONFIRMATION_REQUESTED
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
        "joint_application",
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

    @admin.display(description=_("both parties consented on"))
    def joint_application(self, case: Case) -> str:
        """CPL 205 (201): the parties' consents to the joint application, debtor / creditor."""
        return " / ".join(
            timezone.localtime(at).date().isoformat() if at else "-"
            for at in (case.confirmation_consent_debtor_at, case.confirmation_consent_creditor_at)
        )

    @admin.display(description=_("days left of 30"), ordering="due", empty_value="-")
    def days_left_of_30(self, case: Case) -> Any:
        return days_left_html(case.due)  # type: ignore[attr-defined]

    @admin.action(description=_("Confirm the selected settlements"), permissions=["judge"])
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse:
        return self.bulk_step(request, queryset, BulkRun.Action.CONFIRM, "confirm_selected")

    @admin.action(description=_("Refuse confirmation of the selected settlements…"), permissions=["judge"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse:
        """An intermediate page asks for the ground, reasons and next step; then a run decides each case."""
        ids = selected_ids(request, queryset)
        form = court_forms.BulkRejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            params = {k: form.cleaned_data[k] for k in ("ground", "reasons", "next_step")}
            return self.bulk_start(request, BulkRun.Action.REJECT, ids, params)
        context = {
            **self.bulk_context(request, queryset, ids),
            "title": gettext("Refuse confirmation"),
            "form": form,
            "bulk": {
                "name": "reject",
                "help": gettext(
                    "The same ground, reasons and next step apply to every case selected; each gets its own "
                    "ruling."
                ),
                "button": gettext("Refuse confirmation"),
                "button_class": "court-button--danger",
            },
        }
        return TemplateResponse(request, "court/bulk_form.html", context)


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
    def accept_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse:
        return self.bulk_step(request, queryset, BulkRun.Action.ACCEPT, "accept_selected")

    @admin.action(description=_("Issue the selected payment orders"), permissions=["judge"])
    def issue_selected(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse:
        return self.bulk_step(request, queryset, BulkRun.Action.ISSUE, "issue_selected")


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
