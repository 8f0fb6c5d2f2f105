"""Staff pages for what debtors ask: objections to review, plans to answer, hardship to decide, and the
requests to settle that found no case. Parse, call one service, redirect; errors come back as messages."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from cases.errors import CaseActionError
from cases.models import Case
from cases.selectors import case_get
from core.models import Role
from core.views import StaffRequiredMixin
from mediation import debtor_services as services
from mediation.models import ComeForwardRequest, HardshipRequest, Objection, Proposal

from . import staff_selectors as selectors
from .staff_forms import (
    CounterForm,
    DeclineForm,
    HandledForm,
    HardshipDecisionForm,
    ObjectionDecisionForm,
    RevealForm,
)

STAFF_ROLES = frozenset({Role.MEDIATOR, Role.JUDGE, Role.CLERK, Role.CENTRE_ADMIN})


class DebtorRequestsMixin(StaffRequiredMixin):
    def check_role(self, roles: frozenset[str] = STAFF_ROLES) -> None:
        if self.role not in roles:
            raise PermissionDenied(_("These pages are for mediators, courts and centre administrators."))


class WaitingView(DebtorRequestsMixin, View):
    """Everything debtors asked that waits for an answer, on the cases this user may see."""

    def get(self, request: HttpRequest) -> HttpResponse:
        self.check_role()
        user = request.user
        context = {
            "objections": selectors.objections_waiting(user)[:200],
            "proposals": selectors.proposals_waiting(user)[:200],
            "hardship": selectors.hardship_waiting(user)[:200],
            "came_forward": selectors.came_forward_waiting(user),
            "counts": selectors.debtor_requests_counts(user=user),
        }
        return render(request, "debtor_portal/staff/debtor_waiting.html", context)


class CaseRequestsView(DebtorRequestsMixin, View):
    def get(self, request: HttpRequest, pk: int, **forms: Any) -> HttpResponse:
        self.check_role()
        case = case_get(user=request.user, pk=pk)
        context = {
            "case": case,
            **selectors.case_debtor_requests(case=case),
            "is_mine": case.mediator_id == request.user.pk,
            "decision_form": forms.get("decision_form") or ObjectionDecisionForm(),
            "counter_form": forms.get("counter_form") or CounterForm(initial={"frequency": "monthly"}),
            "decline_form": DeclineForm(),
            "hardship_form": forms.get("hardship_form") or HardshipDecisionForm(),
            "can_decide": self.role != Role.CLERK,
        }
        return render(request, "debtor_portal/staff/debtor_case.html", context)


class CaseActionView(DebtorRequestsMixin, View):
    """POST one answer to one request of a case."""

    def post(self, request: HttpRequest, pk: int, action: str, item: int) -> HttpResponse:
        self.check_role()
        case = case_get(user=request.user, pk=pk)
        handler = getattr(self, f"do_{action.replace('-', '_')}", None)
        if handler is None:
            raise PermissionDenied
        try:
            response = handler(request, case, item)
        except CaseActionError as exc:
            messages.error(request, exc.message)
            return redirect("mediation_debtor:case", pk=case.pk)
        return response or redirect("mediation_debtor:case", pk=case.pk)

    def _page(self, request: HttpRequest, case: Case, **forms: Any) -> HttpResponse:
        """The case page again with the form's errors (a GET view called from this POST)."""
        page = CaseRequestsView()
        page.setup(request, pk=case.pk)
        page.role = self.role
        return page.get(request, pk=case.pk, **forms)

    def do_decide(self, request: HttpRequest, case: Case, item: int) -> HttpResponse | None:
        objection = get_object_or_404(Objection, pk=item, case=case)
        form = ObjectionDecisionForm(request.POST)
        if not form.is_valid():
            return self._page(request, case, decision_form=form)
        services.objection_review(objection=objection, actor=request.user, **form.service_args())
        messages.success(request, _("Decision recorded; the debtor sees it with your reasons."))
        return None

    def do_counter(self, request: HttpRequest, case: Case, item: int) -> HttpResponse | None:
        proposal = get_object_or_404(Proposal, pk=item, case=case)
        form = CounterForm(request.POST)
        if not form.is_valid():
            return self._page(request, case, counter_form=form)
        services.proposal_counter(
            proposal=proposal,
            actor=request.user,
            plan=form.plan(),
            note=form.cleaned_data.get("note") or "",
            above_affordable_reason=form.cleaned_data.get("above_affordable_reason") or "",
        )
        messages.success(request, _("Counter-offer sent to the debtor."))
        return None

    def do_accept(self, request: HttpRequest, case: Case, item: int) -> None:
        proposal = get_object_or_404(Proposal, pk=item, case=case)
        services.proposal_accept_by_mediator(proposal=proposal, actor=request.user)
        messages.success(request, _("Plan accepted: the agreement waits for the debtor's signature."))

    def do_decline(self, request: HttpRequest, case: Case, item: int) -> None:
        proposal = get_object_or_404(Proposal, pk=item, case=case)
        form = DeclineForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason."))
            return
        services.proposal_decline(proposal=proposal, actor=request.user, note=form.cleaned_data["note"])
        messages.success(request, _("Plan declined; the debtor sees your reason."))

    def do_relief(self, request: HttpRequest, case: Case, item: int) -> HttpResponse | None:
        hardship = get_object_or_404(HardshipRequest, pk=item, case=case)
        form = HardshipDecisionForm(request.POST)
        if not form.is_valid():
            return self._page(request, case, hardship_form=form)
        services.hardship_decide(request=hardship, actor=request.user, **form.service_args())
        messages.success(request, _("Relief decision recorded."))
        return None

    def do_resume(self, request: HttpRequest, case: Case, item: int) -> None:
        hardship = get_object_or_404(HardshipRequest, pk=item, case=case)
        services.hardship_pause_end(request=hardship, actor=request.user)
        messages.success(request, _("The pause has ended; the case's time limits run again."))


class ComeForwardListView(DebtorRequestsMixin, View):
    """Requests to settle that found no case at the centre: the centre administrator follows them up."""

    def get(self, request: HttpRequest, revealed: dict[str, Any] | None = None) -> HttpResponse:
        self.check_role(frozenset({Role.CENTRE_ADMIN}))
        qs = selectors.come_forward_visible_to(request.user).select_related("matched_case")
        status = request.GET.get("status") or ComeForwardRequest.Status.RECORDED
        context = {
            "requests": qs.filter(status=status)[:200]
            if status in ComeForwardRequest.Status.values
            else qs[:200],
            "status": status,
            "statuses": ComeForwardRequest.Status.choices,
            "handled_form": HandledForm(),
            "reveal_form": RevealForm(),
            "revealed": revealed,
        }
        return render(request, "debtor_portal/staff/debtor_come_forward.html", context)


class ComeForwardActionView(DebtorRequestsMixin, View):
    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        self.check_role(frozenset({Role.CENTRE_ADMIN}))
        item = selectors.come_forward_get(user=request.user, pk=pk)
        if action == "handled":
            form = HandledForm(request.POST)
            if form.is_valid():
                services.come_forward_mark_handled(
                    request=item, actor=request.user, note=form.cleaned_data["note"]
                )
                messages.success(request, _("Marked as handled."))
            else:
                messages.error(request, _("Say what was done."))
        elif action == "reveal":
            reveal = RevealForm(request.POST)
            if reveal.is_valid():
                phone = services.come_forward_reveal_phone(
                    request=item, actor=request.user, purpose=reveal.cleaned_data["purpose"]
                )
                # Shown once in this response, never kept in the session or put in a URL.
                page = ComeForwardListView()
                page.setup(request)
                page.role = self.role
                return page.get(request, revealed={"pk": item.pk, "phone": phone})
            messages.error(request, _("Say why you need the full number."))
        else:
            raise PermissionDenied
        return redirect("mediation_debtor:come_forward")
