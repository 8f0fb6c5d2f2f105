"""The legality screen's forms: the creditor answers a finding with evidence, the judge decides, either reads
the evidence. Each view parses, calls one service of cases.legality, and sends the user back."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views import View

from core.actors import staff_actor
from core.redirects import redirect_next
from core.uploads import UploadRefused, stored_file_response
from core.views import StaffRequiredMixin

from .errors import CaseActionError
from .legality import finding_answer, finding_decide, findings_visible_to


class FindingAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    evidence = forms.FileField(label=_("Evidence (PDF, JPEG or PNG)"), required=False)


class FindingDecideForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Upheld: the claim must be corrected or withdrawn")), ("0", _("Dismissed"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class _FindingView(StaffRequiredMixin, View):
    def finding(self, request: HttpRequest, pk: int) -> Any:
        return get_object_or_404(findings_visible_to(request.user).select_related("case"), pk=pk)


class FindingAnswerView(_FindingView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        finding = self.finding(request, pk)
        form = FindingAnswerForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Write your answer."))
            return redirect_next(request, "batches:list")
        try:
            finding_answer(
                finding=finding,
                actor=staff_actor(request.user),
                answer=form.cleaned_data["answer"],
                evidence=form.cleaned_data["evidence"],
            )
        except (CaseActionError, UploadRefused) as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your answer was recorded; the judge will decide."))
        return redirect_next(request, "batches:list")


class FindingDecideView(_FindingView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        finding = self.finding(request, pk)
        form = FindingDecideForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason for this action."))
            return redirect_next(request, "cases:list")
        try:
            finding_decide(
                finding=finding,
                actor=staff_actor(request.user),
                upheld=form.cleaned_data["upheld"],
                note=form.cleaned_data["note"],
            )
        except CaseActionError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your decision was recorded."))
        return redirect_next(request, "cases:list")


class FindingEvidenceView(_FindingView):
    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        finding = self.finding(request, pk)
        if not finding.evidence:
            raise Http404
        return stored_file_response(finding.evidence.open("rb"), filename=finding.evidence_name or "evidence")


class BatchScreenView(StaffRequiredMixin, View):
    """A centre administrator runs the legality screen over a batch again, as of today."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from core.models import Role

        from .batches.selectors import batch_get
        from .legality import batch_legality_screen

        if self.role != Role.CENTRE_ADMIN:
            raise PermissionDenied(_("Your role may not use this page."))
        batch = batch_get(user=request.user, pk=pk)
        counts = batch_legality_screen(batch=batch)
        messages.success(
            request, _("The batch was screened again: %(n)s findings.") % {"n": sum(counts.values())}
        )
        return redirect_next(request, "batches:list")
