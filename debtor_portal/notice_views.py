"""The page a notice's signed link leads to (SMS, e-mail or PDF). There is one identification flow: a
visitor whose session has not proven the notice's case is sent to the debtor pages' notice start
(`debtor:notice`: the ID number, then a code sent to the phone that case's creditor holds); once the
case has joined the session, this page shows the notice and records its opening.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from core.clients import client_ip
from notices import links, services
from notices.documents import DOCUMENT_TITLES, amount
from notices.models import Kind, Notice
from notices.views import pdf_response

from .session import debtor_from_session, session_case_ids

# --- debtor --------------------------------------------------------------------------------------------


def _client_ip(request: HttpRequest) -> str | None:
    return client_ip(request)


def _session_sees(request: HttpRequest, notice: Notice) -> bool:
    """Whether this browser's debtor session has proven the notice's case (debtor_portal.session)."""
    debtor = debtor_from_session(request)
    return debtor is not None and notice.case_id in session_case_ids(request, debtor)


def _to_identification(token: str) -> HttpResponse:
    return redirect(reverse("debtor:notice", args=[token]))


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
    return notice, None


def _debtor_page(
    request: HttpRequest, template: str, notice: Notice, token: str, **context: Any
) -> HttpResponse:
    context.update(notice=notice, token=token, title=DOCUMENT_TITLES[Kind(notice.kind)])
    return render(request, f"debtor_portal/notices/{template}", context)


@method_decorator(never_cache, name="dispatch")
class NoticeOpenView(View):
    """The page a signed link leads to: the notice, once its case has joined the debtor's session."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        notice, refusal = _notice_for(request, token)
        if refusal or notice is None:
            return refusal  # type: ignore[return-value]
        if not _session_sees(request, notice):
            return _to_identification(token)
        notice = services.notice_record_opened(
            notice=notice, ip=_client_ip(request), user_agent=request.headers.get("User-Agent", "")
        )
        return _debtor_page(request, "notice.html", notice, token, doc=_summary(notice))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        notice, refusal = _notice_for(request, token)
        if refusal or notice is None:
            return refusal  # type: ignore[return-value]
        return _to_identification(token)


@method_decorator(never_cache, name="dispatch")
class NoticeOpenPdfView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponseBase:
        notice, refusal = _notice_for(request, token)
        if refusal or notice is None:
            return refusal  # type: ignore[return-value]
        if not _session_sees(request, notice):
            return _to_identification(token)
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
