"""Judicial suggestions and group-risk flags: lists, review, issue, answer, apply or dismiss.

Views parse the request, call one selector or service, and render. The pages keep their place under
/dashboards/ and their URL names in the "dashboards" namespace (dashboards.urls includes these).
"""

from collections.abc import Collection
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from cases.errors import CaseActionError
from core.actors import staff_actor
from core.models import Role
from core.uploads import stored_file_response
from core.views import StaffRequiredMixin

from . import selectors, services
from .forms import AnswerForm, SuggestionForm
from .models import JudicialSuggestion

CASES_PER_PAGE = 50


def _require(role: str, allowed: Collection[str]) -> None:
    if role not in allowed:
        raise PermissionDenied


# --- judicial suggestions ----------------------------------------------------------------------------------

STAFF = {Role.CENTRE_ADMIN, Role.JUDGE}


@method_decorator(never_cache, name="dispatch")
class SuggestionListView(StaffRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        _require(self.role, STAFF | {Role.CREDITOR_STAFF})
        suggestions = selectors.suggestions_visible_to(request.user).order_by("status", "-created_at")
        return render(
            request,
            "oversight/suggestion_list.html",
            {"suggestions": suggestions, "may_review": self.role in STAFF, "role": self.role},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        _require(self.role, STAFF)
        drafts = services.suggestions_generate(centre=request.membership.organisation.centre)  # type: ignore[attr-defined]
        messages.success(request, _("%(n)d draft(s) ready for review.") % {"n": len(drafts)})
        return redirect("dashboards:suggestions")


@method_decorator(never_cache, name="dispatch")
class SuggestionDetailView(StaffRequiredMixin, View):
    def _render(
        self, request: HttpRequest, s: JudicialSuggestion, status: int = 200, **forms: Any
    ) -> HttpResponse:
        from .rules import finding_view

        may_review = self.role in STAFF and s.status == JudicialSuggestion.Status.DRAFT
        may_answer = self.role == Role.CREDITOR_STAFF and s.status == JudicialSuggestion.Status.ISSUED
        context = {
            "s": s,
            "findings": [finding_view(f) for f in s.findings],
            "form": forms.get("form")
            or (SuggestionForm(initial={"title": s.title, "body": s.body}) if may_review else None),
            "answer_form": forms.get("answer_form") or (AnswerForm() if may_answer else None),
            "overdue": s.is_overdue(),
            "role": self.role,
        }
        return render(request, "oversight/suggestion_detail.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, selectors.suggestion_get(user=request.user, pk=pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        s = selectors.suggestion_get(user=request.user, pk=pk)
        action = request.POST.get("action", "")
        try:
            if action == "answer":
                answer = AnswerForm(request.POST, request.FILES)
                if not answer.is_valid():
                    return self._render(request, s, 400, answer_form=answer)
                services.suggestion_answer(
                    suggestion=s,
                    actor=staff_actor(request.user),
                    answer=answer.cleaned_data["answer"],
                    attachment=answer.cleaned_data.get("attachment"),
                )
                messages.success(request, _("Your answer was sent."))
            elif action == "discard":
                services.suggestion_discard(suggestion=s, actor=staff_actor(request.user))
                messages.success(request, _("The draft was discarded."))
                return redirect("dashboards:suggestions")
            elif action in ("save", "issue"):
                form = SuggestionForm(request.POST)
                if not form.is_valid():
                    return self._render(request, s, 400, form=form)
                title, body = form.cleaned_data["title"], form.cleaned_data["body"]
                if action == "save":
                    services.suggestion_edit(
                        suggestion=s, actor=staff_actor(request.user), title=title, body=body
                    )
                    messages.success(request, _("The draft was saved."))
                else:
                    services.suggestion_issue(
                        suggestion=s, actor=staff_actor(request.user), title=title, body=body
                    )
                    messages.success(request, _("The suggestion was issued to the creditor."))
            else:
                raise Http404
        except CaseActionError as exc:
            messages.error(request, str(exc.message))
        return redirect("dashboards:suggestion", pk=s.pk)


def _private_file(field: Any, filename: str) -> FileResponse:
    """A stored file, served by the type its bytes prove (core.uploads), never by its name."""
    if not field:
        raise Http404
    return stored_file_response(field.open("rb"), filename=filename)


class SuggestionPdfView(StaffRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        s = selectors.suggestion_get(user=request.user, pk=pk)
        return _private_file(s.pdf, f"judicial-suggestion-{s.year}-{s.seq}.pdf")


class SuggestionAttachmentView(StaffRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        s = selectors.suggestion_get(user=request.user, pk=pk)
        return _private_file(s.answer_file, s.answer_file_name or "attachment")


# --- group risk --------------------------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class RiskListView(StaffRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        _require(self.role, {Role.CENTRE_ADMIN})
        return render(
            request, "oversight/risk_list.html", {"flags": selectors.flags_visible_to(request.user)}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        _require(self.role, {Role.CENTRE_ADMIN})
        flags = services.group_risks_detect(centre=request.membership.organisation.centre)  # type: ignore[attr-defined]
        messages.success(request, _("%(n)d cluster(s) found.") % {"n": len(flags)})
        return redirect("dashboards:risks")


@method_decorator(never_cache, name="dispatch")
class RiskDetailView(StaffRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        flag = selectors.flag_get(user=request.user, pk=pk)
        cases = selectors.flag_cases(flag=flag, user=request.user)
        page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
        return render(request, "oversight/risk_detail.html", {"flag": flag, "page": page})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        flag = selectors.flag_get(user=request.user, pk=pk)
        action = request.POST.get("action")
        try:
            if action == "apply":
                n = services.group_risk_flag_apply(flag=flag, actor=staff_actor(request.user))
                messages.success(request, _("%(n)d case(s) marked red.") % {"n": n})
            elif action == "dismiss":
                services.group_risk_flag_dismiss(flag=flag, actor=staff_actor(request.user))
                messages.success(request, _("The flag was dismissed."))
            else:
                raise Http404
        except CaseActionError as exc:
            messages.error(request, str(exc.message))
        return redirect("dashboards:risk", pk=flag.pk)
