"""Staff case pages: each view parses the request, calls one selector or service, and renders."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from cases.templatetags.case_tags import action_label
from core.actors import staff_actor
from core.models import Role
from core.views import StaffRequiredMixin

from . import selectors, services
from .errors import CaseActionError
from .forms import REVEAL_ID_NUMBER, CaseFilterForm, RevealForm, TransitionForm
from .models import OPEN_STAGES, Case, Colour, Deadline, Stage

PAGE_SIZE = 50
# Who may see a full ID or phone number on screen (PIPL 28-29: only where the work needs it).
REVEAL_ROLES = frozenset({Role.MEDIATOR, Role.JUDGE, Role.CLERK, Role.CENTRE_ADMIN})
# Short column heads for the overview; the full Colour labels explain each colour.
COLOUR_HEADS = [
    (Colour.GREEN, gettext_lazy("Green")),
    (Colour.YELLOW, gettext_lazy("Yellow")),
    (Colour.RED, gettext_lazy("Red")),
    ("", gettext_lazy("Not triaged")),
]


def stage_counts(qs: QuerySet[Case]) -> list[dict[str, Any]]:
    """Cases per stage, in funnel order, leaving out empty stages."""
    by_stage = dict(qs.order_by().values_list("stage").annotate(n=Count("id")))
    return [{"stage": s, "label": s.label, "n": by_stage[s]} for s in Stage if by_stage.get(s)]


def stage_colour_table(qs: QuerySet[Case]) -> dict[str, Any]:
    """Cases per stage and colour (a centre's overview), with row and column totals."""
    cells = {
        (r["stage"], r["colour"]): r["n"]
        for r in qs.order_by().values("stage", "colour").annotate(n=Count("id"))
    }
    colours = [c for c, _label in COLOUR_HEADS]
    rows = [{"stage": s, "cells": [(c, cells.get((s, c), 0)) for c in colours],
             "total": sum(cells.get((s, c), 0) for c in colours)} for s in Stage]  # fmt: skip
    totals = [(c, sum(cells.get((s, c), 0) for s in Stage)) for c in colours]
    return {"heads": COLOUR_HEADS, "rows": rows, "totals": totals, "total": sum(cells.values())}


def creditor_counts(qs: QuerySet[Case]) -> QuerySet[Any]:
    return (
        qs.order_by("creditor__name")
        .values("creditor__code", "creditor__name")
        .annotate(total=Count("id"), open=Count("id", filter=Q(stage__in=OPEN_STAGES)))
    )


def case_queue(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Open cases, the one whose nearest open deadline comes first at the top."""
    open_due = Min("deadlines__due_on", filter=Q(deadlines__status=Deadline.Status.OPEN))
    return (
        qs.filter(stage__in=OPEN_STAGES)
        .annotate(next_due_on=open_due)
        .order_by(F("next_due_on").asc(nulls_last=True), "-created_at", "-id")
    )


class CaseListView(StaffRequiredMixin, TemplateView):
    template_name = "cases/case_list.html"
    queue = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        # A creditor's staff see one creditor only: no creditor filter, no creditor column.
        show_creditor = self.role != Role.CREDITOR_STAFF
        form = CaseFilterForm(self.request.GET, show_creditor=show_creditor)
        filters = form.filters()
        qs = selectors.case_list(user=user, filters=filters)
        if self.queue:
            qs = case_queue(qs)
        sorts = {**selectors.CASE_SORTS, **({"next_due": F("next_due_on")} if self.queue else {})}
        if not show_creditor:
            del sorts["creditor"]
        sort = selectors.case_sort_key(filters.get("sort"), sorts)
        qs = selectors.cases_sorted(qs, sort, sorts)
        page = Paginator(qs, PAGE_SIZE).get_page(self.request.GET.get("page"))
        counts_qs = selectors.case_list(user=user, filters={k: v for k, v in filters.items() if k != "stage"})
        return super().get_context_data(
            form=form, page=page, queue=self.queue, stage_counts=stage_counts(counts_qs),
            current_stage=filters.get("stage", ""), show_creditor=show_creditor, sort=sort, **kwargs,
        )  # fmt: skip


def _detail(request: HttpRequest, case: Case, *, status: int = 200, **extra: Any) -> HttpResponse:
    role = request.membership.role  # type: ignore[attr-defined]
    context = {
        "case": case,
        "transitions": services.case_available_transitions(
            case=case, actor=staff_actor(request.user), generic=True
        ),
        "events": selectors.case_events(case=case),
        "deadlines": selectors.case_open_deadlines(case=case),
        "holds": selectors.case_active_holds(case=case),
        "may_reveal": role in REVEAL_ROLES,
        "reveal_form": RevealForm(),
        **extra,
    }
    return render(request, "cases/case_detail.html", context, status=status)


@method_decorator(never_cache, name="dispatch")
class CaseDetailView(StaffRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _detail(request, selectors.case_get(user=request.user, pk=pk))


class CaseTransitionView(StaffRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_get(user=request.user, pk=pk)
        form = TransitionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("There is no such action."))
            return redirect("cases:detail", pk=case.pk)
        name, reason = form.cleaned_data["name"], form.cleaned_data["reason"]
        try:
            services.case_transition_generic(
                case=case, transition=name, actor=staff_actor(request.user), reason=reason
            )
        except CaseActionError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": action_label(name)})
        return redirect("cases:detail", pk=case.pk)


@method_decorator(never_cache, name="dispatch")
class CaseRevealView(StaffRequiredMixin, View):
    """Shows a full ID or phone number once, in this response only; the service logs the reading."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = selectors.case_get(user=request.user, pk=pk)
        if self.role not in REVEAL_ROLES:
            messages.error(request, _("Your role may not view full personal numbers."))
            return _detail(request, case, status=403)
        form = RevealForm(request.POST)
        if not form.is_valid():
            return _detail(request, case, status=400, reveal_form=form)
        field, purpose = form.cleaned_data["field"], form.cleaned_data["purpose_text"]
        if field == REVEAL_ID_NUMBER:
            value = services.debtor_reveal_id_number(
                debtor=case.debtor, actor=staff_actor(request.user), purpose=purpose
            )
        else:
            value = services.case_reveal_phone(case=case, actor=staff_actor(request.user), purpose=purpose)
        label = dict(form.fields["field"].choices)[field]  # type: ignore[attr-defined]
        return _detail(request, case, revealed={"field": field, "label": label, "value": value})


class CentreOverviewView(StaffRequiredMixin, TemplateView):
    """A centre admin's overview: cases per stage and colour, and per creditor, linking to the lists."""

    template_name = "core/centre_overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if self.role != Role.CENTRE_ADMIN:
            raise PermissionDenied
        qs = selectors.case_list(user=self.request.user)
        return super().get_context_data(table=stage_colour_table(qs), creditors=creditor_counts(qs), **kwargs)
