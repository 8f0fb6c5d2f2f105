"""Creditor portal: upload a batch, watch it import, read and download its report; export, withdraw cases."""

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache

from cases import selectors as case_selectors
from cases.errors import CaseActionError
from cases.forms import CaseFilterForm
from cases.models import Batch
from cases.services import cases_bulk_transition
from core.actors import staff_actor
from core.db import primary_pin, read_db
from core.models import Role
from core.views import StaffRequiredMixin

from . import export, selectors, services, template
from .reader import COLUMN_BY_KEY, FileRefused, max_bytes
from .rejected import rejected_rows_file
from .validation import error_message

# A running import that has not reported for this long is shown as stalled.
STALLED_AFTER_SECONDS = 120
DONE_PERCENT = 100

FIRST_ERRORS = 50
WITHDRAW_MAX = 500
UPLOAD_ROLES = frozenset({Role.CREDITOR_STAFF})
BATCH_ROLES = frozenset({Role.CREDITOR_STAFF, Role.CENTRE_ADMIN})
WITHDRAW_ROLES = frozenset({Role.CREDITOR_STAFF, Role.CENTRE_ADMIN})


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Batch file (.xlsx, .csv or .tsv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.tsv,.txt"}),
    )


class WithdrawForm(forms.Form):
    cases = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, case_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(pk, pk) for pk in case_ids]  # type: ignore[attr-defined]


class _Base(StaffRequiredMixin, View):
    roles: frozenset[str] = BATCH_ROLES

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        membership = getattr(request.user, "membership", None) if request.user.is_authenticated else None
        if membership is not None and membership.role not in self.roles:
            raise PermissionDenied(_("Your role may not use this page."))
        if request.method == "POST":  # an upload or a withdrawal: the user's next export must show it
            primary_pin(request)
        return super().dispatch(request, *args, **kwargs)


def batch_context(batch: Batch) -> dict[str, Any]:
    """What the batch page and its polled status fragment show."""
    finished = batch.status not in (Batch.Status.QUEUED, Batch.Status.RUNNING)
    errors = []
    if finished:
        for e in selectors.batch_errors(batch=batch)[:FIRST_ERRORS]:
            column = COLUMN_BY_KEY.get(e.column)
            errors.append(
                {
                    "row": e.row,
                    "column": e.column,
                    "header": column.header if column else e.column,
                    "code": e.code,
                    "message": error_message(e.message),
                    "value": e.value_masked,
                }
            )
    stale = (
        batch.status == Batch.Status.RUNNING
        and (timezone.now() - batch.updated_at).total_seconds() > STALLED_AFTER_SECONDS
    )
    return {
        "batch": batch,
        "finished": finished,
        "errors": errors,
        "more_errors": batch.error_count > len(errors),
        "message": selectors.batch_message_text(batch),
        "may_retry": batch.status == Batch.Status.FAILED or stale,
        "rows_kept": finished and batch.rejected > 0 and batch.rejected_rows.exists(),
        "writing": batch.status == Batch.Status.RUNNING and batch.progress_percent >= DONE_PERCENT,
    }


@method_decorator(never_cache, name="dispatch")
class BatchListView(_Base):
    """上传案件批次: the upload form, the template downloads and the past batches with their counts."""

    def get(self, request: HttpRequest, form: UploadForm | None = None, status: int = 200) -> HttpResponse:
        page = Paginator(selectors.batch_list(user=request.user), 20).get_page(request.GET.get("page"))
        return render(
            request,
            "batches/batch_list.html",
            {
                "form": form or UploadForm(),
                "page": page,
                "may_upload": self.role in UPLOAD_ROLES,
                "max_mb": max_bytes() // (1024 * 1024),
            },
            status=status,
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if self.role not in UPLOAD_ROLES:
            raise PermissionDenied(_("Only creditor staff upload batches."))
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        try:
            batch = services.batch_upload(user=request.user, uploaded=form.cleaned_data["file"])
        except FileRefused as exc:
            form.add_error("file", str(exc.message))
            return self.get(request, form=form, status=400)
        return redirect("batches:detail", pk=batch.pk)


@method_decorator(never_cache, name="dispatch")
class BatchDetailView(_Base):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = selectors.batch_get(user=request.user, pk=pk)
        return render(request, "batches/batch_detail.html", batch_context(batch))


@method_decorator(never_cache, name="dispatch")
class BatchStatusView(_Base):
    """The fragment htmx polls while the batch imports; once it is finished the fragment stops polling."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = selectors.batch_get(user=request.user, pk=pk)
        return render(request, "batches/_batch_status.html", batch_context(batch))


class BatchRetryView(_Base):
    roles = UPLOAD_ROLES

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = selectors.batch_get(user=request.user, pk=pk)
        try:
            services.batch_retry(batch=batch)
        except FileRefused as exc:
            messages.error(request, str(exc.message))
        return redirect("batches:detail", pk=batch.pk)


class BatchErrorsExportView(_Base):
    """The full error list: row, column, code, message in the reader's language, masked value."""

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
        batch = selectors.batch_get(user=request.user, pk=pk)
        headers = [_("Row"), _("Column"), _("English key"), _("Code"), _("Message"), _("Value")]

        def rows() -> Any:
            for e in selectors.batch_errors(batch=batch).iterator(chunk_size=5000):
                column = COLUMN_BY_KEY.get(e.column)
                yield [
                    e.row,
                    column.header if column else e.column,
                    e.column,
                    e.code,
                    error_message(e.message),
                    e.value_masked,
                ]

        name = f"batch-{batch.pk}-errors.{fmt}"
        if fmt == "xlsx":
            return export.xlsx_response(name, headers, rows(), sheet_title=_("Errors"))
        return export.csv_response(name, headers, rows())


class BatchRejectedRowsView(_Base):
    """Only the rejected rows, as uploaded, with what is wrong in each: fix them and upload the file again."""

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
        batch = selectors.batch_get(user=request.user, pk=pk)
        found = rejected_rows_file(batch=batch)
        if found is None:
            raise Http404
        headers, rows = found
        stem = Path(batch.filename).stem or f"batch-{batch.pk}"
        name = f"{stem}-rejected-{batch.pk}.{fmt}"
        if fmt == "xlsx":
            return export.xlsx_response(name, headers, rows, sheet_title=_("Rejected rows"))
        return export.csv_response(name, headers, rows)


class TemplateDownloadView(_Base):
    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt == "xlsx":
            response = HttpResponse(template.template_xlsx(), content_type=export.XLSX_TYPE)
        else:
            response = HttpResponse(template.template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="case-batch-template.{fmt}"'
        return response


# --- the creditor's case list: export the selection, withdraw in bulk ---


def _filtered_cases(request: HttpRequest, role: str) -> Any:
    form = CaseFilterForm(request.GET, show_creditor=role != Role.CREDITOR_STAFF)
    filters = form.filters()
    cases = case_selectors.case_list(user=request.user, filters=filters).order_by("-created_at", "-id")
    return case_selectors.cases_sorted(cases, case_selectors.case_sort_key(filters.get("sort")))


class CaseExportView(_Base):
    """The case list as filtered on screen (GET parameters), ID numbers and phones masked; read from the
    replica when one is usable (core.db), unless the user has just changed cases."""

    roles = WITHDRAW_ROLES

    def get(self, request: HttpRequest, fmt: str) -> HttpResponseBase:
        alias = read_db(request)
        # One annotated query on the chosen database (core.db), also while a CSV streams.
        headers, rows = export.case_export(_filtered_cases(request, self.role).using(alias))
        name = f"cases-{timezone.localdate():%Y%m%d}.{fmt}"
        if fmt == "xlsx":
            return export.xlsx_response(name, headers, rows, sheet_title=_("Cases"))
        return export.csv_response(name, headers, rows)


@method_decorator(never_cache, name="dispatch")
class CaseWithdrawView(_Base):
    """Withdraw the selected cases with a reason; the report lists those not withdrawn and why."""

    roles = WITHDRAW_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        # Nothing is ticked: withdrawing is irreversible, so every case is chosen on purpose.
        cases = list(_filtered_cases(request, self.role).select_related("debtor")[:WITHDRAW_MAX])
        form = WithdrawForm(case_ids=[c.pk for c in cases])
        return render(
            request,
            "batches/case_withdraw.html",
            {
                "cases": cases,
                "form": form,
                "limit": WITHDRAW_MAX,
                "query": request.GET.urlencode(),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(v) for v in request.POST.getlist("cases") if v.isdigit()]
        form = WithdrawForm(request.POST, case_ids=ids)
        if not ids or not form.is_valid():
            messages.error(request, _("Select at least one case and give a reason."))
            return redirect(f"{request.path}?{request.GET.urlencode()}")
        visible = case_selectors.cases_visible_to(request.user)
        if request.POST.get("confirmed") != "1":
            chosen = list(
                visible.filter(pk__in=form.cleaned_data["cases"]).select_related("debtor").order_by("pk")
            )
            return render(
                request,
                "batches/case_withdraw_confirm.html",
                {"cases": chosen, "count": len(chosen), "reason": form.cleaned_data["reason"],
                 "query": request.GET.urlencode()},
            )  # fmt: skip
        try:
            result = cases_bulk_transition(
                case_ids=form.cleaned_data["cases"],
                transition="withdraw",
                actor=staff_actor(request.user),
                reason=form.cleaned_data["reason"],
                visible=visible,
            )
        except CaseActionError as exc:
            messages.error(request, str(exc.message))
            return redirect(f"{request.path}?{request.GET.urlencode()}")
        codes = dict(visible.filter(pk__in=list(result.skipped)).values_list("pk", "code"))
        skipped = [
            {"code": codes.get(pk) or _("(not found)"), "reason": _skip_reason(why)}
            for pk, why in result.skipped.items()
        ]
        return render(
            request,
            "batches/case_withdraw_report.html",
            {
                "withdrawn": len(result.done),
                "skipped": skipped,
                "reason": form.cleaned_data["reason"],
            },
        )


def _skip_reason(why: str) -> str:
    return _("No such case, or it is out of your reach.") if why == "not found" else why
