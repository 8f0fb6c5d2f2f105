"""Notice pages for staff: a case's notices, sending, PDFs, proof of service, bulk sends, the delivery
report. The page a debtor's signed link leads to is in debtor_portal.notice_views.

Views parse, call one selector or service, and render.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from cases.selectors import case_get, case_list
from core.actors import staff_actor
from core.models import Role
from core.redirects import safe_next
from core.views import StaffRequiredMixin

from . import selectors, services
from .forms import BulkSendForm, SendForm
from .models import Channel, Kind, Notice, PostBatch


def pdf_response(data_or_file: Any, filename: str, *, inline: bool = True) -> FileResponse:
    response = FileResponse(
        data_or_file, content_type="application/pdf", as_attachment=not inline, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    return response


def case_notices_context(*, case: Any, user: Any, next_url: str = "") -> dict[str, Any]:
    """What the per-case notices fragment shows (also used by the template tag on the case page)."""
    kinds = services.kinds_sendable_by(user)
    channels = services.notice_channels(case)
    return {
        "case": case,
        "notices": selectors.notices_of_case(case=case),
        "send_form": SendForm(kinds=kinds, auto_id="notice-%s") if kinds else None,
        "by_post": channels == [Channel.POST],
        "channel_names": " + ".join(str(Channel(c).label) for c in channels),
        "next_url": next_url,
    }


@method_decorator(never_cache, name="dispatch")
class CaseNoticesView(StaffRequiredMixin, View):
    """A case's notices; with htmx only the fragment (the case page can refresh it in place)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = case_get(user=request.user, pk=pk)
        context = case_notices_context(case=case, user=request.user, next_url=request.get_full_path())
        if request.headers.get("HX-Request"):
            return render(request, "notices/_case_notices.html", context)
        return render(request, "notices/case_notices.html", context)


class NoticeSendView(StaffRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = case_get(user=request.user, pk=pk)
        form = SendForm(request.POST, kinds=services.kinds_sendable_by(staff_actor(request.user)))
        if not form.is_valid():
            messages.error(request, _("Your role may not send this kind of notice."))
        else:
            try:
                notice = services.notice_send(
                    case=case, kind=form.cleaned_data["kind"], actor=staff_actor(request.user)
                )
            except services.NoticeError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("The %(kind)s is queued (%(status)s).")
                    % {"kind": Kind(notice.kind).label, "status": notice.get_status_display()},
                )
        return redirect(safe_next(request, reverse("notices:case", args=[case.pk])))


class NoticePdfView(StaffRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        notice = selectors.notice_get(user=request.user, pk=pk)
        if not notice.pdf:
            messages.error(request, _("This notice has not been rendered yet."))
            return redirect("notices:case", pk=notice.case_id)
        return pdf_response(
            notice.pdf.open("rb"), f"{notice.case.code}-{notice.kind}-v{notice.template_version}.pdf"
        )


class ProofOfServiceView(StaffRequiredMixin, View):
    """The proof of service (送达回证) of one notice, for the court, as the record stands now."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        notice = selectors.notice_get(user=request.user, pk=pk)
        data = services.proof_of_service_pdf(notice=notice)
        return pdf_response(iter([data]), f"{notice.case.code}-proof-of-service-{notice.pk}.pdf")


@method_decorator(never_cache, name="dispatch")
class DeliveryReportView(StaffRequiredMixin, View):
    """Counts per status and channel, and failures with reasons; a centre admin also sees print batches."""

    def get(self, request: HttpRequest) -> HttpResponse:
        context = selectors.delivery_report(user=request.user)
        context["post_batches"] = selectors.post_batches_visible_to(request.user)[:20]
        context["is_centre_admin"] = self.role == Role.CENTRE_ADMIN
        return render(request, "notices/report.html", context)


class PostBatchBuildView(StaffRequiredMixin, View):
    def post(self, request: HttpRequest) -> HttpResponse:
        if self.role != Role.CENTRE_ADMIN:
            raise PermissionDenied
        centre = request.membership.organisation.centre  # type: ignore[attr-defined]
        batch = services.post_batch_build(centre=centre, actor=staff_actor(request.user))
        if batch is None:
            messages.info(request, _("No notice is waiting for the post."))
        else:
            messages.success(
                request, _("Print batch #%(pk)s: %(count)s notices.") % {"pk": batch.pk, "count": batch.count}
            )
        return redirect("notices:report")


class PostBatchPdfView(StaffRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        batch = _post_batch_or_404(request, pk)
        return pdf_response(batch.pdf.open("rb"), f"post-batch-{batch.pk}.pdf", inline=False)


class PostBatchMailedView(StaffRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = services.post_batch_mark_mailed(
            batch=_post_batch_or_404(request, pk), actor=staff_actor(request.user)
        )
        messages.success(request, _("Print batch #%(pk)s is recorded as mailed.") % {"pk": batch.pk})
        return redirect("notices:report")


def _post_batch_or_404(request: HttpRequest, pk: int) -> PostBatch:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(selectors.post_batches_visible_to(request.user), pk=pk)


@method_decorator(never_cache, name="dispatch")
class BulkSendView(StaffRequiredMixin, View):
    """Send one kind of notice to a selection: the cases matching filters, or ids posted by a list page."""

    def _form(self, request: HttpRequest, data: Any) -> BulkSendForm:
        # Court documents go from the case, each with its decision: not offered in bulk.
        kinds = [
            k
            for k in services.kinds_sendable_by(staff_actor(request.user))
            if k not in services.COURT_DOCUMENT_KINDS
        ]
        if not kinds:
            raise PermissionDenied
        return BulkSendForm(data, kinds=kinds)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.GET or None)
        matched = None
        if form.is_bound and form.is_valid():
            matched = case_list(user=request.user, filters=form.filters()).count()
        return render(request, "notices/bulk.html", {"form": form, "matched": matched})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self._form(request, request.POST)
        if not form.is_valid():
            return render(request, "notices/bulk.html", {"form": form, "matched": None}, status=400)
        ids = form.cleaned_data["case_ids"] or list(
            case_list(user=request.user, filters=form.filters()).values_list("pk", flat=True)
        )
        try:
            batch = services.notices_send_bulk(
                case_ids=ids, kind=form.cleaned_data["kind"], actor=staff_actor(request.user)
            )
        except services.NoticeError as exc:
            messages.error(request, exc.message)
            return render(request, "notices/bulk.html", {"form": form, "matched": None}, status=400)
        return redirect("notices:batch", pk=batch.pk)


@method_decorator(never_cache, name="dispatch")
class BatchView(StaffRequiredMixin, View):
    """A bulk send's progress bar (polled with htmx) and, once done, its summary."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = selectors.notice_batch_get(user=request.user, pk=pk)
        context = {
            "batch": batch,
            "failures": batch.notices.filter(status=Notice.Status.FAILED).select_related("case__debtor"),
        }
        if request.headers.get("HX-Request"):
            return render(request, "notices/_batch_progress.html", context)
        return render(request, "notices/batch.html", context)
