"""Repair pages: the creditor's payments and repairs, a case's ledger and steps, objections to answer, and
the public certificate check. Each view parses, calls one selector or service, and renders."""

import hashlib
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from cases.errors import ActionForbidden, CaseActionError
from cases.models import Case
from cases.selectors import cases_visible_to
from core.actors import staff_actor
from core.models import Role
from core.uploads import stored_file_response
from core.views import StaffRequiredMixin
from notices.storage import private_storage

from . import selectors, services
from .forms import AnswerForm, CureLimitsForm, PaymentFileForm, PaymentForm, StepForm, VerifyForm
from .importer import TEMPLATE_HEADER
from .models import Payment, PaymentImport, RepairRecord, RepairStep
from .services.repair import PARTY_ROLES, STEP_PARTY

CREDITOR_ROLES = frozenset({Role.CREDITOR_STAFF})
PAGE_SIZE = 50
LIST_LIMIT = 100
STEP_ROLES: dict[str, frozenset[str]] = {kind: PARTY_ROLES[party] for kind, party in STEP_PARTY.items()}


class _Staff(StaffRequiredMixin, View):
    roles: frozenset[str] | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        membership = getattr(request.user, "membership", None) if request.user.is_authenticated else None
        if self.roles is not None and membership is not None and membership.role not in self.roles:
            raise PermissionDenied(_("Your role may not use this page."))
        return super().dispatch(request, *args, **kwargs)


class CureLimitsView(_Staff):
    """The creditor's limits for the once-only online re-scheduling after a missed instalment."""

    roles = CREDITOR_ROLES

    def _render(self, request: HttpRequest, form: CureLimitsForm, status: int = 200) -> HttpResponse:
        return render(request, "credit_repair/cure_limits.html", {"form": form}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        from .models import CureLimits

        membership = getattr(request.user, "membership", None)
        creditor_id = membership.organisation_id if membership is not None else None
        limits = CureLimits.objects.filter(creditor_id=creditor_id).first()
        initial = (
            {"allowed": limits.allowed, "max_extra_instalments": limits.max_extra_instalments,
             "min_instalment": limits.min_instalment}
            if limits
            else {"allowed": False, "max_extra_instalments": 3, "min_instalment": "100.00"}
        )  # fmt: skip
        return self._render(request, CureLimitsForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CureLimitsForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            services.cure_limits_set(actor=request.user, **form.cleaned_data)
        except CaseActionError as exc:
            form.add_error(None, exc.message)
            return self._render(request, form, status=400)
        messages.success(request, _("Re-scheduling limits saved."))
        return redirect("credit_repair:cure_limits")


@method_decorator(never_cache, name="dispatch")
class RepairDashboardView(_Staff):
    """Cases performed, repair steps waiting for this user's side, overdue steps, objections to answer."""

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        today = timezone.localdate()
        page = Paginator(selectors.repairs_visible_to(user), PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "today": today,
            "pending": list(selectors.repairs_pending_for(user)[:LIST_LIMIT]),
            "overdue": list(selectors.repairs_overdue(user, today)[:LIST_LIMIT]),
            "objections": list(selectors.objections_to_answer(user)[:LIST_LIMIT]),
            "breaches": list(selectors.breaches_open(user)[:LIST_LIMIT]),
            "page": page,
            "is_creditor": self.role == Role.CREDITOR_STAFF,
        }
        return render(request, "credit_repair/dashboard.html", context)


def _find_case(user: Any, key: str) -> Case | None:
    key = key.strip()
    visible = cases_visible_to(user)
    return visible.filter(code=key.upper()).first() or visible.filter(external_ref=key).first()


@method_decorator(never_cache, name="dispatch")
class PaymentCreateView(_Staff):
    roles = CREDITOR_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PaymentForm(initial={"case": request.GET.get("case", ""), "paid_on": timezone.localdate()})
        return render(request, "credit_repair/payment_form.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PaymentForm(request.POST)
        if not form.is_valid():
            return render(request, "credit_repair/payment_form.html", {"form": form}, status=400)
        data = form.cleaned_data
        case = _find_case(request.user, data["case"])
        if case is None:
            form.add_error("case", _("None of your cases has this code or contract number."))
            return render(request, "credit_repair/payment_form.html", {"form": form}, status=400)
        try:
            result = services.payment_record(
                case=case,
                paid_on=data["paid_on"],
                amount=data["amount"],
                reference=data["reference"],
                actor=staff_actor(request.user),
                source=Payment.Source.PORTAL,
            )
        except CaseActionError as exc:
            form.add_error(None, str(exc.message))
            return render(request, "credit_repair/payment_form.html", {"form": form}, status=409)
        if not result.created:
            messages.info(request, _("This payment was recorded before; nothing changed."))
        elif result.performed:
            messages.success(
                request, _("Payment recorded. The case is paid in full: credit repair has begun.")
            )
        else:
            messages.success(request, _("Payment recorded."))
        return redirect("credit_repair:case", code=case.code)


@method_decorator(never_cache, name="dispatch")
class PaymentImportView(_Staff):
    roles = CREDITOR_ROLES

    def get(
        self, request: HttpRequest, form: PaymentFileForm | None = None, status: int = 200
    ) -> HttpResponse:
        org = request.membership.organisation  # type: ignore[attr-defined]
        imports = PaymentImport.objects.filter(creditor=org).order_by("-created_at", "-pk")[:20]
        context = {"form": form or PaymentFileForm(), "imports": imports, "header": TEMPLATE_HEADER}
        return render(request, "credit_repair/payment_import.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PaymentFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        record = services.payments_import(user=request.user, uploaded=form.cleaned_data["file"])
        return redirect("credit_repair:payment_import_detail", pk=record.pk)


class PaymentTemplateView(_Staff):
    roles = CREDITOR_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate().isoformat()
        body = ",".join(TEMPLATE_HEADER) + "\r\n" + f",HT-2024-000123,{today},1000.00,TX20260001\r\n"
        response = HttpResponse(("\ufeff" + body).encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="payments-template.csv"'
        return response


@method_decorator(never_cache, name="dispatch")
class PaymentImportDetailView(_Staff):
    roles = CREDITOR_ROLES

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        org = request.membership.organisation  # type: ignore[attr-defined]
        record = get_object_or_404(PaymentImport, pk=pk, creditor=org)
        issues = [
            {"row": i.row, "column": i.column, "code": i.code, "message": _(i.message), "value": i.value}
            for i in record.issues.all()[:1000]
        ]
        message = _(record.message) if record.message else ""
        return render(
            request,
            "credit_repair/payment_import_detail.html",
            {"record": record, "issues": issues, "message": message},
        )


def _case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    role = request.membership.role  # type: ignore[attr-defined]
    record = RepairRecord.objects.filter(case=case).select_related("certificate").first()
    today = timezone.localdate()
    steps = []
    if record is not None:
        for step in record.steps.order_by("pk"):
            may_act = step.status == RepairStep.Status.PENDING and role in STEP_ROLES[step.kind]
            may_act = may_act and step.kind != RepairStep.Kind.CERTIFICATE
            steps.append(
                {
                    "step": step,
                    "overdue": step.status == RepairStep.Status.PENDING
                    and step.due_on
                    and step.due_on < today,
                    "form": StepForm(initial={"done_on": today}, prefix=step.kind) if may_act else None,
                }
            )
    ledger = selectors.case_ledger(case=case, today=today)
    return {
        "case": case,
        "ledger": ledger,
        "record": record,
        "steps": steps,
        "today": today,
        "objections": selectors.credit_objections_of_case(case=case),
        "retention": selectors.credit_report_retention(case=case),
        "is_creditor": role == Role.CREDITOR_STAFF,
        "may_enforce": role == Role.CREDITOR_STAFF and any(b.status == "open" for b in ledger.breaches),
        "code_display": selectors.verification_code_display(record.verification_code) if record else "",
        **extra,
    }


@method_decorator(never_cache, name="dispatch")
class CaseRepairView(_Staff):
    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        case = selectors.case_for_repair(user=request.user, code=code)
        return render(request, "credit_repair/case.html", _case_context(request, case))


class StepCompleteView(_Staff):
    def post(self, request: HttpRequest, code: str, kind: str) -> HttpResponse:
        case = selectors.case_for_repair(user=request.user, code=code)
        if kind not in RepairStep.Kind.values:
            raise Http404
        form = StepForm(request.POST, prefix=kind)
        if not form.is_valid():
            messages.error(request, _("Give the date the step was done."))
            return redirect("credit_repair:case", code=case.code)
        try:
            services.repair_step_complete(
                case=case,
                kind=kind,
                actor=staff_actor(request.user),
                done_on=form.cleaned_data["done_on"],
                reference=form.cleaned_data["reference"],
                note=form.cleaned_data["note"],
            )
        except CaseActionError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Recorded: %(step)s.") % {"step": RepairStep.Kind(kind).label})
        return redirect("credit_repair:case", code=case.code)


class BreachEnforceView(_Staff):
    roles = CREDITOR_ROLES

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        case = selectors.case_for_repair(user=request.user, code=code)
        try:
            enforcement = services.breach_request_enforcement(case=case, actor=staff_actor(request.user))
        except CaseActionError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Enforcement applied for: case number %(number)s.") % {"number": enforcement.filing.number},
            )
        return redirect("credit_repair:case", code=case.code)


@method_decorator(never_cache, name="dispatch")
class ObjectionAnswerView(_Staff):
    def _render(
        self, request: HttpRequest, objection: Any, form: AnswerForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "objection": objection,
            "form": form,
            "today": timezone.localdate(),
            "may_answer": self.role == Role.CREDITOR_STAFF and objection.status == "open",
        }
        return render(request, "credit_repair/objection.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        objection = selectors.objection_get(user=request.user, pk=pk)
        return self._render(request, objection, AnswerForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        objection = selectors.objection_get(user=request.user, pk=pk)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return self._render(request, objection, form, status=400)
        try:
            services.credit_objection_answer(
                objection=objection,
                actor=staff_actor(request.user),
                answer=form.cleaned_data["answer"],
                record_corrected=form.cleaned_data["record_corrected"],
            )
        except ActionForbidden as exc:
            form.add_error(None, str(exc.message))
            return self._render(request, objection, form, status=403)
        except CaseActionError as exc:
            form.add_error(None, str(exc.message))
            return self._render(request, objection, form, status=409)
        messages.success(request, _("Your answer was recorded."))
        return redirect("credit_repair:objection", pk=objection.pk)


class ObjectionEvidenceView(_Staff):
    """An evidence file, only to staff who may see the case; always as a download."""

    def get(self, request: HttpRequest, pk: int, evidence_pk: int) -> FileResponse:
        objection = selectors.objection_get(user=request.user, pk=pk)
        evidence = get_object_or_404(objection.evidence, pk=evidence_pk)
        handle = private_storage().open(evidence.file.name or "", "rb")
        return stored_file_response(handle, filename=evidence.original_name, inline=False)


@method_decorator(never_cache, name="dispatch")
class VerifyView(View):
    """Public: anyone checks a credit-repair certificate by its code, its PDF or the PDF's SHA-256."""

    def _render(self, request: HttpRequest, form: VerifyForm, result: Any, status: int = 200) -> HttpResponse:
        return render(request, "credit_repair/verify.html", {"form": form, "result": result}, status=status)

    def get(self, request: HttpRequest, code: str = "") -> HttpResponse:
        code = code or request.GET.get("code", "")
        form = VerifyForm(
            initial={"code": selectors.verification_code_display(selectors.verification_code_normalise(code))}
        )
        return self._render(request, form, selectors.certificate_check(code=code) if code else None)

    def post(self, request: HttpRequest, code: str = "") -> HttpResponse:
        form = VerifyForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, None, status=400)
        sha256 = form.cleaned_data["sha256"]
        uploaded = form.cleaned_data.get("pdf")
        if uploaded:
            digest = hashlib.sha256()
            for chunk in uploaded.chunks():
                digest.update(chunk)
            sha256 = digest.hexdigest()
        result = selectors.certificate_check(code=form.cleaned_data["code"] or code, sha256=sha256)
        return self._render(request, form, result)
