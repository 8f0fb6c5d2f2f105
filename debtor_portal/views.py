"""The debtor pages: identify (case code or notice link, ID number, SMS code), then the debtor's cases, an
objection, a repayment plan, hardship relief, the agreement to sign; and coming forward unasked.

Views parse, call one selector or service, and render; every page works without JavaScript.
"""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from cases.errors import CaseActionError
from cases.models import Case, Debtor
from core.clients import client_ip
from core.uploads import stored_file_response
from mediation import debtor_services, evidence
from mediation.services import settlement_debtor_accept
from notices import links
from notices.models import Notice
from notices.services import notice_record_opened

from . import selectors, services
from .forms import (
    CodeForm,
    ComeForwardForm,
    CreditObjectionForm,
    CureForm,
    HardshipForm,
    IdentifyForm,
    IdNumberForm,
    ObjectionForm,
    ProposalForm,
    SignForm,
    StatementForm,
)
from .session import (
    PENDING_KEY,
    SIGN_KEY,
    debtor_from_session,
    debtor_session_end,
    debtor_session_join,
    idle_seconds,
    pending_clear,
    pending_get,
    pending_set,
    session_binding,
    session_case_ids,
)

IDENTIFY = "identify"


def _ip(request: HttpRequest) -> str | None:
    return client_ip(request)


def _locked(request: HttpRequest, wait: int) -> HttpResponse:
    return render(request, "debtor_portal/locked.html", {"minutes": services.wait_minutes(wait)}, status=429)


def _cases_url(case: Case | None = None) -> str:
    url = reverse("debtor:cases")
    return f"{url}#case-{case.pk}" if case is not None else url


# --- identification -------------------------------------------------------------------------------------


def _code_sent(request: HttpRequest, case_id: int, key: str, purpose: str) -> str | None:
    """Send a code and keep its hash in the session; the error to show, if any."""
    try:
        sent = services.one_time_code_send(
            case_id=case_id, purpose=purpose, binding=session_binding(request), ip=_ip(request)
        )
    except services.CodeNotSent as exc:
        return exc.message
    pending_set(
        request, key, code_hash=sent.code_hash, expires_at=sent.expires_at, tries=0, sent_to=sent.sent_to
    )
    return None


def _identified(
    request: HttpRequest, result: services.Identified, *, notice: Notice | None = None
) -> HttpResponse | None:
    """After the ID number: locked, or on to the code; None when the details did not match."""
    if result.wait:
        return _locked(request, result.wait)
    if not result.ok:
        return None
    pending_clear(request)
    pending_set(request, case=result.case_id, notice=notice.pk if notice else None)
    error = _code_sent(request, result.case_id, PENDING_KEY, IDENTIFY)  # type: ignore[arg-type]
    if error:
        messages.error(request, error)
    return redirect("debtor:code")


MISMATCH = "mismatch"


@method_decorator(never_cache, name="dispatch")
class StartView(View):
    """Case code (printed on every notice) and ID number; the same answer whether or not the case exists."""

    def get(self, request: HttpRequest) -> HttpResponse:
        context = {"form": IdentifyForm(), "signed_in": debtor_from_session(request) is not None}
        return render(request, "debtor_portal/start.html", context)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = IdentifyForm(request.POST)
        if form.is_valid():
            result = services.debtor_identify_by_code(
                case_code=form.cleaned_data["case_code"],
                id_number=form.cleaned_data["id_number"],
                ip=_ip(request),
            )
            response = _identified(request, result)
            if response is not None:
                return response
            # Never echo the ID number; the case code as typed is the person's own input.
            form = IdentifyForm(initial={"case_code": form.cleaned_data["case_code"]})
            return render(request, "debtor_portal/start.html", {"form": form, "error": MISMATCH})
        return render(request, "debtor_portal/start.html", {"form": form})


def _notice_from(token: str) -> tuple[Notice | None, str]:
    try:
        notice_id = links.notice_link_read(token)
    except links.LinkExpired:
        return None, "expired"
    except links.LinkInvalid:
        return None, "invalid"
    notice = (
        Notice.objects.select_related("case")
        .filter(pk=notice_id)
        .exclude(sha256="")
        .exclude(status=Notice.Status.FAILED)
        .first()
    )
    return notice, "" if notice else "missing"


@method_decorator(never_cache, name="dispatch")
class NoticeStartView(View):
    """From a notice's signed link: the link names the case, so only the ID number and the code are asked."""

    def _refused(self, request: HttpRequest, why: str) -> HttpResponse:
        status = {"expired": 403, "invalid": 400}.get(why, 404)
        return render(request, "debtor_portal/refused.html", {"why": why}, status=status)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        notice, why = _notice_from(token)
        if notice is None:
            return self._refused(request, why)
        debtor = debtor_from_session(request)
        if debtor is not None and notice.case_id in session_case_ids(request, debtor):
            notice_record_opened(
                notice=notice, ip=_ip(request), user_agent=request.headers.get("User-Agent", "")
            )
            return redirect(f"{reverse('debtor:cases')}#notice-{notice.pk}")
        return render(request, "debtor_portal/notice_start.html", {"form": IdNumberForm(), "notice": notice})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        notice, why = _notice_from(token)
        if notice is None:
            return self._refused(request, why)
        form = IdNumberForm(request.POST)
        if form.is_valid():
            result = services.debtor_identify_by_case(
                case=notice.case, id_number=form.cleaned_data["id_number"], ip=_ip(request)
            )
            response = _identified(request, result, notice=notice)
            if response is not None:
                return response
            form, error = IdNumberForm(), MISMATCH
        else:
            error = ""
        return render(
            request, "debtor_portal/notice_start.html", {"form": form, "notice": notice, "error": error}
        )


@method_decorator(never_cache, name="dispatch")
class CodeView(View):
    """The code sent by SMS to the phone on file; right, and this browser is bound to the debtor."""

    def _page(
        self, request: HttpRequest, pending: dict[str, Any], form: CodeForm, error: str = ""
    ) -> HttpResponse:
        return render(
            request,
            "debtor_portal/code.html",
            {
                "form": form,
                "sent_to": pending.get("sent_to"),
                "error": error,
                "minutes": services.code_max_age_seconds() // 60,
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        pending = pending_get(request)
        if not pending.get("case"):
            return redirect("debtor:start")
        return self._page(request, pending, CodeForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        pending = pending_get(request)
        if not pending.get("case"):
            return redirect("debtor:start")
        if request.POST.get("step") == "resend":
            error = _code_sent(request, pending["case"], PENDING_KEY, IDENTIFY)
            if error:
                messages.error(request, error)
            else:
                messages.success(request, _("A new code has been sent."))
            return redirect("debtor:code")
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self._page(request, pending, form)
        checked = services.one_time_code_check(
            case_id=pending["case"],
            purpose=IDENTIFY,
            binding=session_binding(request),
            code=form.cleaned_data["code"],
            pending=pending,
            ip=_ip(request),
        )
        if checked.wait:
            return _locked(request, checked.wait)
        if not checked.ok:
            changes: dict[str, Any] = {"tries": int(pending.get("tries", 0)) + 1}
            if checked.void:
                changes |= {"code_hash": "", "expires_at": 0}
            pending_set(request, PENDING_KEY, **changes)
            error = "void" if checked.void else "wrong"
            return self._page(request, pending_get(request), CodeForm(), error=error)
        return self._bind(request, pending)

    def _bind(self, request: HttpRequest, pending: dict[str, Any]) -> HttpResponse:
        case = Case.objects.select_related("debtor").get(pk=pending["case"])
        debtor_session_join(request, case=case, phone=services.phone_of_case(case.pk))
        services.failures_clear(case.code, _ip(request))
        notice_id = int(pending.get("notice") or 0)
        notice = Notice.objects.filter(pk=notice_id, case=case).first() if notice_id else None
        if notice is not None:
            notice_record_opened(
                notice=notice, ip=_ip(request), user_agent=request.headers.get("User-Agent", "")
            )
            # Who came by a notice's link lands on that notice (its summary and PDF).
            return redirect("notices:open", token=links.notice_link_token(notice.pk))
        return redirect(_cases_url(case))


class SignOutView(View):
    def post(self, request: HttpRequest) -> HttpResponse:
        debtor_session_end(request)
        messages.success(request, _("You have left your case pages."))
        return redirect("debtor:start")


# --- the debtor's pages ---------------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class DebtorView(View):
    """A page for an identified debtor only; otherwise back to identification."""

    debtor: Debtor
    case_ids: list[int]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        debtor = debtor_from_session(request)
        if debtor is None:
            messages.info(request, _("For your security, please identify yourself again."))
            return redirect("debtor:start")
        self.debtor = debtor
        self.case_ids = session_case_ids(request, debtor)
        return super().dispatch(request, *args, **kwargs)

    def case(self, pk: Any) -> Case:
        return selectors.debtor_case_get(debtor=self.debtor, case_ids=self.case_ids, pk=pk)

    def render(self, request: HttpRequest, template: str, **context: Any) -> HttpResponse:
        context.setdefault("debtor", self.debtor)
        return render(request, f"debtor_portal/{template}", context)


class CasesView(DebtorView):
    """All of the debtor's cases at this centre, whichever creditor brought them."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(
            request,
            "cases.html",
            views=selectors.debtor_overview(debtor=self.debtor, case_ids=self.case_ids),
            credit_objection=services.credit_objection_service() is not None,
            idle_minutes=idle_seconds() // 60,
        )


def _refused(request: HttpRequest, exc: CaseActionError, case: Case) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect(_cases_url(case))


class ObjectionView(DebtorView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.case(pk)
        return self.render(request, "objection.html", view=selectors.case_view(case), form=ObjectionForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.case(pk)
        form = ObjectionForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, "objection.html", view=selectors.case_view(case), form=form)
        try:
            objection = debtor_services.objection_file(
                case=case,
                ground=form.cleaned_data["ground"],
                statement=form.cleaned_data["statement"],
                evidence=form.cleaned_data["evidence"],
                ip=_ip(request),
            )
        except CaseActionError as exc:
            return _refused(request, exc, case)
        order = objection.payment_order_objection
        if objection.status == objection.Status.TO_PLAN:
            messages.info(
                request,
                _(
                    "You do not dispute the debt but cannot pay it now: fill in your financial statement and "
                    "propose a plan you can keep, or ask for hardship relief."
                ),
            )
            if selectors.case_view(case).can_propose:
                return redirect("debtor:statement", pk=case.pk)
            return redirect(_cases_url(case))
        if order is not None and order.valid:
            messages.success(
                request,
                _(
                    "Your objection is filed. It is also your written objection to the payment order, "
                    "in time: the order no longer stands."
                ),
            )
        elif order is not None:
            messages.warning(
                request,
                _(
                    "Your objection is filed and will be reviewed, but it does not count against "
                    "the payment order: %(why)s."
                )
                % {"why": order.invalid_reason},
            )
        else:
            messages.success(
                request,
                _("Your objection is filed. The case is paused while a mediator or judge reviews it."),
            )
        return redirect(_cases_url(case))


def _affordability(case: Case) -> dict[str, Any]:
    """The person's latest statement and what their live plans at the centre cost each month."""
    from mediation.statements import person_overview, statement_affordability, statement_latest

    statement = statement_latest(debtor_id=case.debtor_id)
    checked = statement_affordability(statement, centre_id=case.centre_id) if statement else None
    return {"statement": statement, "checked": checked, "overview": person_overview(debtor_id=case.debtor_id)}


class StatementView(DebtorView):
    """The standard financial statement: one for all of the person's cases at the centre."""

    def _page(self, request: HttpRequest, case: Case, form: StatementForm) -> HttpResponse:
        return self.render(request, "statement.html", view=selectors.case_view(case), form=form)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from mediation.statements import statement_latest

        case = self.case(pk)
        latest = statement_latest(debtor_id=case.debtor_id)
        initial: dict[str, Any] = {}
        if latest is not None:
            income = {line["label"]: line["amount"] for line in latest.income}
            initial = {
                "household_size": latest.household_size,
                "dependants": latest.dependants,
                "wages": income.get("wages"),
                "other_income": income.get("other"),
                "other_debts_monthly": sum(Decimal(d["monthly"]) for d in latest.other_debts) or None,
                **{f"spend_{k}": v for k, v in latest.spending.items() if Decimal(v)},
            }
        return self._page(request, case, StatementForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from mediation.statements import statement_file

        case = self.case(pk)
        form = StatementForm(request.POST)
        if not form.is_valid():
            return self._page(request, case, form)
        statement = statement_file(case=case, ip=_ip(request), **form.statement())
        messages.success(
            request,
            _(
                "Your statement is saved for all your cases here. "
                "You can afford about %(amount)s yuan a month."
            )
            % {"amount": statement.affordable_monthly},
        )
        return redirect("debtor:propose", pk=case.pk)


class ProposalView(DebtorView):
    def _page(
        self, request: HttpRequest, case: Case, form: ProposalForm, *, needs_reason: bool = False
    ) -> HttpResponse:
        return self.render(
            request,
            "proposal.html",
            view=selectors.case_view(case),
            form=form,
            afford=_affordability(case),
            needs_reason=needs_reason or bool(form.data.get("above_affordable_reason")),
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.case(pk)
        return self._page(
            request, case, ProposalForm(initial={"total": case.claimed_total, "frequency": "monthly"})
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.case(pk)
        form = ProposalForm(request.POST)
        if not form.is_valid():
            return self._page(request, case, form)
        data = form.cleaned_data
        try:
            debtor_services.proposal_submit(
                case=case,
                plan=form.plan(),
                monthly_income=data.get("monthly_income"),
                dependants=data.get("dependants"),
                other_debts=data.get("other_debts"),
                note=data.get("note") or "",
                ip=_ip(request),
                above_affordable_reason=data.get("above_affordable_reason") or "",
            )
        except CaseActionError as exc:
            form.add_error(None, exc.message)
            return self._page(request, case, form, needs_reason=exc.code == "above_affordable")
        messages.success(request, _("Your proposal has been sent to the mediator, who will answer here."))
        return redirect(_cases_url(case))


class ProposalAcceptView(DebtorView):
    """The debtor accepts the mediator's counter-offer; the agreement is then read and signed."""

    def post(self, request: HttpRequest, pk: int, proposal: int) -> HttpResponse:
        case = self.case(pk)
        offer = selectors.proposal_of_case(case=case, pk=proposal)
        try:
            debtor_services.proposal_accept_by_debtor(proposal=offer, ip=_ip(request))
        except CaseActionError as exc:
            return _refused(request, exc, case)
        messages.success(request, _("You accepted the offer. Read the agreement and sign it with a code."))
        return redirect("debtor:agreement", pk=case.pk)


class CureView(DebtorView):
    """After a missed instalment, within the grace period: re-schedule the rest once, within the creditor's
    limits (credit_repair.services.plan_cure)."""

    def _page(self, request: HttpRequest, case: Case, form: CureForm) -> HttpResponse:
        from credit_repair.services import cure_offer

        offer = cure_offer(case=case)
        if offer is None:
            messages.error(request, _("Re-scheduling online is not open for this case now."))
            return redirect(_cases_url(case))
        return self.render(request, "cure.html", view=selectors.case_view(case), form=form, offer=offer)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.case(pk)
        return self._page(request, case, CureForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from credit_repair.services import plan_cure

        case = self.case(pk)
        form = CureForm(request.POST)
        if not form.is_valid():
            return self._page(request, case, form)
        try:
            plan_cure(
                case=case,
                count=form.cleaned_data["count"],
                first_due=form.cleaned_data["first_due"],
                ip=_ip(request),
            )
        except CaseActionError as exc:
            form.add_error(None, exc.message)
            return self._page(request, case, form)
        messages.success(
            request,
            _(
                "Your new dates are below. The creditor has been told. "
                "A further missed instalment goes to enforcement."
            ),
        )
        return redirect(_cases_url(case))


class HardshipView(DebtorView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.case(pk)
        return self.render(request, "hardship.html", view=selectors.case_view(case), form=HardshipForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.case(pk)
        form = HardshipForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, "hardship.html", view=selectors.case_view(case), form=form)
        try:
            debtor_services.hardship_request_file(
                case=case,
                kind=form.cleaned_data["kind"],
                statement=form.cleaned_data["statement"],
                evidence=form.cleaned_data["evidence"],
                ip=_ip(request),
            )
        except CaseActionError as exc:
            return _refused(request, exc, case)
        messages.success(
            request,
            _("Your request is with the mediator. Collection on this case is paused until it is decided."),
        )
        return redirect(_cases_url(case))


class AgreementView(DebtorView):
    """Read the agreement, get a fresh code, and sign: time, IP and the document's hash are recorded."""

    def _page(
        self, request: HttpRequest, case: Case, settlement: Any, form: SignForm | None = None
    ) -> HttpResponse:
        sign = pending_get(request, SIGN_KEY)
        sent = sign.get("settlement") == settlement.pk and bool(sign.get("code_hash"))
        form = form or SignForm(initial={"sha256": settlement.document_sha256})
        return self.render(
            request,
            "agreement.html",
            case=case,
            view=selectors.case_view(case),
            settlement=settlement,
            instalments=settlement.instalments.all(),
            form=form,
            code_sent=sent,
            sent_to=sign.get("sent_to") if sent else "",
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.case(pk)
        return self._page(request, case, selectors.settlement_waiting(case=case))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.case(pk)
        settlement = selectors.settlement_waiting(case=case)
        if selectors.case_view(case).objection_review is not None:
            # The objection is decided first: no code is sent and nothing is signed meanwhile.
            pending_clear(request, SIGN_KEY)
            return self._page(request, case, settlement)
        purpose = f"sign:{settlement.pk}"
        if request.POST.get("step") == "send":
            pending_clear(request, SIGN_KEY)
            pending_set(request, SIGN_KEY, settlement=settlement.pk)
            error = _code_sent(request, case.pk, SIGN_KEY, purpose)
            if error:
                messages.error(request, error)
            return redirect("debtor:agreement", pk=case.pk)
        form = SignForm(request.POST)
        sign = pending_get(request, SIGN_KEY)
        if not form.is_valid() or sign.get("settlement") != settlement.pk:
            return self._page(request, case, settlement, form)
        checked = services.one_time_code_check(
            case_id=case.pk,
            purpose=purpose,
            binding=session_binding(request),
            code=form.cleaned_data["code"],
            pending=sign,
            ip=_ip(request),
        )
        if checked.wait:
            return _locked(request, checked.wait)
        if not checked.ok:
            pending_set(request, SIGN_KEY, tries=int(sign.get("tries", 0)) + 1)
            if checked.void:
                pending_clear(request, SIGN_KEY)
            form.add_error("code", _("This code is wrong or has expired."))
            return self._page(request, case, settlement, form)
        try:
            settlement_debtor_accept(
                settlement=settlement,
                ip=_ip(request),
                document_sha256=form.cleaned_data["sha256"],
                apply_for_confirmation=form.cleaned_data["apply_for_confirmation"],
            )
        except CaseActionError as exc:
            return _refused(request, exc, case)
        pending_clear(request, SIGN_KEY)
        messages.success(
            request,
            _(
                "You have signed the agreement. It takes effect when the creditor and the mediator have "
                "signed too and the mediation committee's seal is applied."
            ),
        )
        return redirect(_cases_url(case))


class NoticePdfView(DebtorView):
    """A notice of the debtor's own case; opening it here is recorded as proof that it reached them."""

    def get(self, request: HttpRequest, pk: int, notice: int) -> HttpResponseBase:
        case = self.case(pk)
        item = selectors.notice_of_case(case=case, pk=notice)
        notice_record_opened(notice=item, ip=_ip(request), user_agent=request.headers.get("User-Agent", ""))
        response = FileResponse(
            item.pdf.open("rb"), content_type="application/pdf", filename=f"{case.code}-{item.kind}.pdf"
        )
        response["Cache-Control"] = "private, no-store"
        return response


class CreditObjectionView(DebtorView):
    """An objection to the credit record, handled by credit_repair when that app offers it."""

    def _service(self) -> Any:
        service = services.credit_objection_service()
        if service is None:
            raise Http404
        return service

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._service()
        return self.render(request, "credit_objection.html", case=self.case(pk), form=CreditObjectionForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        service, case = self._service(), self.case(pk)
        form = CreditObjectionForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, "credit_objection.html", case=case, form=form)
        try:
            service(
                case=case,
                statement=form.cleaned_data["statement"],
                evidence=[item.upload for item in form.cleaned_data["evidence"]],
            )
        except CaseActionError as exc:
            form.add_error(None, exc.message)
            return self.render(request, "credit_objection.html", case=case, form=form)
        messages.success(
            request, _("Your objection to your credit record is filed. It must be answered within 20 days.")
        )
        return redirect(_cases_url(case))


@method_decorator(never_cache, name="dispatch")
class EvidenceView(View):
    """An evidence file, to its debtor or to staff who reach the case (creditor staff: not hardship files)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        if request.user.is_authenticated and getattr(request.user, "membership", None) is not None:
            item = evidence.evidence_for_staff(user=request.user, pk=pk)
        else:
            debtor = debtor_from_session(request)
            if debtor is None:
                raise Http404
            item = evidence.evidence_of_debtor(
                debtor=debtor, case_ids=session_case_ids(request, debtor), pk=pk
            )
        return stored_file_response(evidence.evidence_open(item), filename=evidence.evidence_filename(item))


# --- coming forward -------------------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class ComeForwardView(View):
    """Ask to settle before anyone has been in touch; the answer is the same whether a case exists or not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "debtor_portal/come_forward.html", {"form": ComeForwardForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        wait = services.attempts_wait(("come_forward_ip", _ip(request)))
        if wait:
            return _locked(request, wait)
        form = ComeForwardForm(request.POST)
        if not form.is_valid():
            return render(request, "debtor_portal/come_forward.html", {"form": form})
        data = form.cleaned_data
        services.attempt_record("come_forward_ip", _ip(request))
        debtor_services.come_forward_submit(
            centre=data["centre"],
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            note=data.get("note") or "",
            ip=_ip(request),
        )
        return redirect("debtor:come_forward_done")


def come_forward_done(request: HttpRequest) -> HttpResponse:
    return render(request, "debtor_portal/come_forward_done.html")
