"""Notice pages. Staff: a case's notices, sending, PDFs, proof of service, bulk sends, the delivery report.
Debtors: the page a signed link leads to, behind a minimal identification (ID number, then a code).

Views parse, call one selector or service, and render.
"""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from cases.selectors import case_get, case_list
from core.models import Role
from core.redirects import safe_next
from core.views import StaffRequiredMixin

from . import links, selectors, services
from .channels.base import ChannelError
from .documents import DOCUMENT_TITLES
from .forms import BulkSendForm, CodeForm, IdNumberForm, SendForm
from .models import Channel, Kind, Notice, PostBatch

# --- staff ---------------------------------------------------------------------------------------------


def _pdf_response(data_or_file: Any, filename: str, *, inline: bool = True) -> FileResponse:
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
        form = SendForm(request.POST, kinds=services.kinds_sendable_by(request.user))
        if not form.is_valid():
            messages.error(request, _("Your role may not send this kind of notice."))
        else:
            try:
                notice = services.notice_send(case=case, kind=form.cleaned_data["kind"], actor=request.user)
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
        return _pdf_response(
            notice.pdf.open("rb"), f"{notice.case.code}-{notice.kind}-v{notice.template_version}.pdf"
        )


class ProofOfServiceView(StaffRequiredMixin, View):
    """The proof of service (送达回证) of one notice, for the court, as the record stands now."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        notice = selectors.notice_get(user=request.user, pk=pk)
        data = services.proof_of_service_pdf(notice=notice)
        return _pdf_response(iter([data]), f"{notice.case.code}-proof-of-service-{notice.pk}.pdf")


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
        batch = services.post_batch_build(centre=request.membership.organisation.centre, actor=request.user)  # type: ignore[attr-defined]
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
        return _pdf_response(batch.pdf.open("rb"), f"post-batch-{batch.pk}.pdf", inline=False)


class PostBatchMailedView(StaffRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        batch = services.post_batch_mark_mailed(batch=_post_batch_or_404(request, pk), actor=request.user)
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
            k for k in services.kinds_sendable_by(request.user) if k not in services.COURT_DOCUMENT_KINDS
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
                case_ids=ids, kind=form.cleaned_data["kind"], actor=request.user
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


# --- debtor --------------------------------------------------------------------------------------------

SESSION_KEY = "notice_access"
# How long an identification holds in this browser before the debtor must identify again.
IDENTIFIED_FOR = timedelta(minutes=30)


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _access(request: HttpRequest, notice_id: int) -> dict[str, Any]:
    return dict(request.session.get(SESSION_KEY, {}).get(str(notice_id), {}))


def _set_access(request: HttpRequest, notice_id: int, **values: Any) -> None:
    state = dict(request.session.get(SESSION_KEY, {}))
    state[str(notice_id)] = {**state.get(str(notice_id), {}), **values}
    request.session[SESSION_KEY] = state


def _identified(request: HttpRequest, notice_id: int) -> bool:
    until = _access(request, notice_id).get("until", 0)
    return bool(until) and until > timezone.now().timestamp()


def _session_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return str(request.session.session_key)


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "notices/debtor/refused.html", {"message": message}, status=status)


def _notice_for(request: HttpRequest, token: str) -> tuple[Notice | None, HttpResponse | None]:
    """The notice a link points to, or the refusal page: 400 when altered, 403 when expired."""
    try:
        notice_id = links.notice_link_read(token)
    except links.LinkExpired:
        return None, _refused(
            request, _("This link has expired. Please contact the sender of the notice for a new one."), 403
        )
    except links.LinkInvalid:
        return None, _refused(
            request,
            _(
                "This link is not valid: it may have been altered or copied "
                "incompletely. Open the link exactly as you received it."
            ),
            400,
        )
    notice = (
        Notice.objects.select_related("case__debtor", "case__creditor", "issuer").filter(pk=notice_id).first()
    )
    if notice is None or not notice.sha256 or notice.status == Notice.Status.FAILED:
        return None, _refused(request, _("This notice is not available. Please contact its sender."), 404)
    if not _identified(request, notice.pk) and services.identification_locked(notice=notice):
        return None, _refused(
            request,
            _(
                "Too many wrong entries. For your security this notice is locked for an "
                "hour; try again later."
            ),
            429,
        )
    return notice, None


def _debtor_page(
    request: HttpRequest, template: str, notice: Notice, token: str, **context: Any
) -> HttpResponse:
    context.update(notice=notice, token=token, title=DOCUMENT_TITLES[Kind(notice.kind)])
    return render(request, f"notices/debtor/{template}", context)


@method_decorator(never_cache, name="dispatch")
class NoticeOpenView(View):
    """The page a signed link leads to: identify (ID number, then a code), then the notice."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        notice, refusal = _notice_for(request, token)
        if refusal or notice is None:
            return refusal  # type: ignore[return-value]
        if _identified(request, notice.pk):
            notice = services.notice_record_opened(
                notice=notice, ip=_client_ip(request), user_agent=request.headers.get("User-Agent", "")
            )
            return _debtor_page(request, "notice.html", notice, token, doc=_summary(notice))
        if _access(request, notice.pk).get("id_ok"):
            return _debtor_page(request, "code.html", notice, token, form=CodeForm())
        return _debtor_page(request, "identify.html", notice, token, form=IdNumberForm())

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        notice, refusal = _notice_for(request, token)
        if refusal or notice is None:
            return refusal  # type: ignore[return-value]
        step = request.POST.get("step")
        if step == "code" and _access(request, notice.pk).get("id_ok"):
            return self._code(request, notice, token)
        if step == "resend" and _access(request, notice.pk).get("id_ok"):
            return self._send_code(request, notice, token)
        return self._id_number(request, notice, token)

    def _id_number(self, request: HttpRequest, notice: Notice, token: str) -> HttpResponse:
        form = IdNumberForm(request.POST)
        if form.is_valid() and services.debtor_identify(
            notice=notice, id_number=form.cleaned_data["id_number"], ip=_client_ip(request)
        ):
            _set_access(request, notice.pk, id_ok=True)
            return self._send_code(request, notice, token)
        if form.is_valid():
            form.add_error("id_number", _("This ID number does not match the addressee of the notice."))
        return _debtor_page(request, "identify.html", notice, token, form=form)

    def _send_code(self, request: HttpRequest, notice: Notice, token: str) -> HttpResponse:
        try:
            sent_to = services.one_time_code_send(notice=notice, session_key=_session_key(request))
        except ChannelError:
            return _debtor_page(
                request,
                "code.html",
                notice,
                token,
                form=CodeForm(),
                error=_("The code could not be sent just now. Please try again in a minute."),
            )
        return _debtor_page(request, "code.html", notice, token, form=CodeForm(), sent_to=sent_to)

    def _code(self, request: HttpRequest, notice: Notice, token: str) -> HttpResponse:
        form = CodeForm(request.POST)
        if form.is_valid() and services.one_time_code_verify(
            notice=notice,
            session_key=_session_key(request),
            code=form.cleaned_data["code"],
            ip=_client_ip(request),
        ):
            _set_access(request, notice.pk, until=(timezone.now() + IDENTIFIED_FOR).timestamp())
            return redirect("notices:open", token=token)
        if form.is_valid():
            form.add_error("code", _("This code is wrong or has expired."))
        return _debtor_page(request, "code.html", notice, token, form=form)


@method_decorator(never_cache, name="dispatch")
class NoticeOpenPdfView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponseBase:
        notice, refusal = _notice_for(request, token)
        if refusal or notice is None:
            return refusal  # type: ignore[return-value]
        if not _identified(request, notice.pk):
            return redirect("notices:open", token=token)
        services.notice_record_opened(
            notice=notice, ip=_client_ip(request), user_agent=request.headers.get("User-Agent", "")
        )
        return _pdf_response(notice.pdf.open("rb"), f"{notice.case.code}-{notice.kind}.pdf")


def _summary(notice: Notice) -> dict[str, Any]:
    """What the debtor's page shows of the notice, next to the PDF."""
    from .documents import amount

    case = notice.case
    return {
        "case_code": case.code,
        "creditor": case.creditor.name,
        "issuer": notice.issuer.name if notice.issuer else "",
        "issued_at": notice.rendered_at,
        "total": amount(case.principal + case.interest + case.fees),
        "principal": amount(case.principal),
        "interest": amount(case.interest),
        "fees": amount(case.fees),
    }
