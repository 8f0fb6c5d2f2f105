"""The page a notice's signed link leads to (SMS or e-mail), behind a minimal identification: the ID
number, then a code. The identification and the record of opening are notices' services.

Views parse, call one selector or service, and render.
"""

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from notices import links, services
from notices.channels.base import ChannelError
from notices.documents import DOCUMENT_TITLES, amount
from notices.models import Kind, Notice
from notices.views import pdf_response

from .notice_forms import CodeForm, IdNumberForm

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
    return render(request, "debtor_portal/notices/refused.html", {"message": message}, status=status)


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
    return render(request, f"debtor_portal/notices/{template}", context)


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
        return pdf_response(notice.pdf.open("rb"), f"{notice.case.code}-{notice.kind}.pdf")


def _summary(notice: Notice) -> dict[str, Any]:
    """What the debtor's page shows of the notice, next to the PDF."""
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
