"""What an identified debtor may read: their own cases at this centre, and nothing else (404 otherwise)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import OPEN_STAGES, Case, Deadline, Debtor, Stage, deadline_days_left
from core.models import Organisation
from mediation.debtor_services import PROPOSAL_STAGES
from mediation.models import HardshipRequest, Instalment, Objection, Proposal, Settlement, TriageResult

S = Stage
K = Deadline.Kind

# Each stage in plain words, for a person who has never dealt with a court.
STAGE_EXPLAINED = {
    S.RECEIVED: _(
        "The creditor has passed your case to the dispute centre. Nothing has been decided yet. "
        "The centre will try to help you settle it by agreement."
    ),
    S.TRIAGED: _(
        "The centre has looked at your case and is giving it to a mediator, who will contact you. "
        "You can already propose a repayment plan here."
    ),
    S.IN_MEDIATION: _(
        "A people's mediator is helping you and the creditor agree on how to repay. "
        "Mediation is free and voluntary."
    ),
    S.COURT_MEDIATION: _(
        "A mediator working with the court is trying to help you agree before any lawsuit. "
        "It is still free. If it fails, the creditor may go to court."
    ),
    S.SETTLED: _(
        "You and the creditor have an agreement. Pay as agreed. A court can confirm the agreement, "
        "which makes it enforceable."
    ),
    S.CONFIRMATION_REQUESTED: _("The court has been asked to confirm your agreement. Keep paying as agreed."),
    S.CONFIRMED: _(
        "The court has confirmed your agreement. If the payments are not made, the creditor can ask "
        "the court to enforce it."
    ),
    S.PAYMENT_ORDER: _(
        "The creditor has asked the court for a payment order. Once it is served on you, you have "
        "15 days to pay or to object in writing."
    ),
    S.IN_LITIGATION: _(
        "The creditor has sued. The court will hear the case and decide. You can still settle."
    ),
    S.ENFORCEABLE: _(
        "A court decision or order on this debt can now be enforced. Pay what is owed, or contact the "
        "court or the creditor, to avoid enforcement."
    ),
    S.PERFORMING: _("You are paying under the agreement or the decision. Keep paying on time."),
    S.IN_ENFORCEMENT: _(
        "The court is enforcing the debt, for example by freezing accounts. "
        "Contact the court to arrange payment."
    ),
    S.ENFORCEMENT_SUSPENDED: _(
        "Enforcement is paused because no assets were found. The creditor can ask to resume it at any time."
    ),
    S.PERFORMED: _("The debt has been paid in full. Your credit record will be repaired."),
    S.CREDIT_REPAIR: _(
        "The debt is paid. Your name is being removed from the list of dishonest debtors and your "
        "credit record corrected."
    ),
    S.CLOSED: _("This case is closed."),
    S.WITHDRAWN: _("The creditor has withdrawn this case."),
}

# The limits that matter to the debtor, each with what it means for them.
DEADLINE_EXPLAINED: dict[str, Any] = {
    K.MEDIATION_WINDOW: _("Mediation is open until this day. Propose a plan before then."),
    K.CONFIRMATION_APPLICATION: _("Last day to ask the court to confirm the agreement."),
    K.CONFIRMATION_DECISION: _("The court decides on the confirmation by this day."),
    K.PAYMENT_ORDER_OBJECTION: _(
        "Last day to object to the payment order in writing. After it, the order can be enforced."
    ),
    K.SUIT_DECLINE: _("Until this day the creditor may decide not to sue; otherwise the case goes to court."),
    K.ENFORCEMENT_APPLICATION: _("The creditor may apply for enforcement until this day."),
    K.RECORD_REMOVAL: _("Your name must be off the list of dishonest debtors by this day."),
    K.CREDIT_OBJECTION_ANSWER: _("Your objection to your credit record must be answered by this day."),
}
# The mediation window once no plan can be proposed here (the debtor has signed; the mediator signs next).
WINDOW_NO_PROPOSAL = _("Mediation is open until this day.")
SERVED = ("sent", "delivered", "opened")
INSTALMENTS_SHOWN = 3
# The centre's service promise to the debtor: an objection is reviewed within this many days of filing.
OBJECTION_REVIEW_DAYS = 15


@dataclass
class Contact:
    """Who to call where the page says "contact your mediator": the case's mediator and committee, or
    the centre's own line while no mediator has the case."""

    mediator: str
    organisation: str
    phone: str
    hours: str


def case_contact(case: Case) -> Contact:
    committee = case.committee if case.committee_id else None
    mediator = case.mediator if case.mediator_id else None
    centre = Organisation.objects.filter(centre_id=case.centre_id, kind=Organisation.Kind.CENTRE).first()
    # The committee's line when it has one; otherwise the centre's.
    line = next((org for org in (committee, centre) if org is not None and org.phone), None)
    return Contact(
        mediator=(mediator.get_full_name() or mediator.username) if mediator is not None else "",
        organisation=(line or committee or case.centre).name,
        phone=line.phone if line is not None else "",
        hours=line.hours if line is not None else "",
    )


@dataclass
class CaseView:
    """One case as its debtor sees it."""

    case: Case
    explained: Any
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    instalments: list[Instalment] = field(default_factory=list)
    notices: list[Any] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    objections: list[Objection] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    hardship: list[HardshipRequest] = field(default_factory=list)
    settlement: Settlement | None = None
    order_window: date | None = None
    contact: Contact | None = None

    @property
    def open(self) -> bool:
        return self.case.stage in OPEN_STAGES

    @property
    def can_object(self) -> bool:
        return self.open and not any(o.status == Objection.Status.UNDER_REVIEW for o in self.objections)

    @property
    def can_ask_relief(self) -> bool:
        return self.open and not any(h.status == HardshipRequest.Status.PENDING for h in self.hardship)

    @property
    def agreement_waiting(self) -> bool:
        return self.settlement is not None and self.settlement.status == Settlement.Status.AWAITING_DEBTOR

    @property
    def signed_by_debtor(self) -> bool:
        """The debtor has signed; the agreement waits for the mediator's signature."""
        return self.settlement is not None and self.settlement.status == Settlement.Status.AWAITING_MEDIATOR

    @property
    def can_propose(self) -> bool:
        """A plan, or a counter-proposal to an agreement not yet signed (which declines it); not once the
        debtor has signed (mediation.debtor_services.proposal_submit)."""
        return self.case.stage in PROPOSAL_STAGES and not self.signed_by_debtor

    @property
    def objection_review(self) -> Objection | None:
        """The objection under review that holds the case: signing waits for its decision."""
        return next(
            (
                o
                for o in self.objections
                if o.status == Objection.Status.UNDER_REVIEW
                and o.hold is not None
                and o.hold.lifted_at is None
            ),
            None,
        )

    @property
    def objection_review_days(self) -> int:
        objection = self.objection_review
        if objection is not None and objection.review_due_on is not None:
            # Working days on the centre's calendar, told in calendar days from the filing.
            return (objection.review_due_on - timezone.localdate(objection.created_at)).days
        return OBJECTION_REVIEW_DAYS

    @property
    def objection_review_by(self) -> date | None:
        objection = self.objection_review
        if objection is None:
            return None
        if objection.review_due_on is not None:  # triaged: the reviewer's due date in working days
            return objection.review_due_on
        return timezone.localdate(objection.created_at) + timedelta(days=OBJECTION_REVIEW_DAYS)

    @property
    def proposal_waiting(self) -> Proposal | None:
        """The debtor's own plan the mediator has not answered yet."""
        last = self.proposals[-1] if self.proposals else None
        if last and last.party == Proposal.Party.DEBTOR and last.status == Proposal.Status.OPEN:
            return last
        return None

    @cached_property
    def cure(self) -> Any:
        """The once-only re-scheduling open after a missed instalment, within the grace period."""
        if self.case.stage != Stage.PERFORMING:
            return None
        from credit_repair.services import cure_offer

        return cure_offer(case=self.case)

    @property
    def counter_offer(self) -> Proposal | None:
        """The mediator's counter-offer waiting for the debtor's answer."""
        last = self.proposals[-1] if self.proposals else None
        if last and last.party == Proposal.Party.MEDIATOR and last.status == Proposal.Status.OPEN:
            return last
        return None


def debtor_cases(*, debtor: Debtor, case_ids: list[int]) -> QuerySet[Case]:
    """The cases of this person the session may see (debtor_portal.session.session_case_ids)."""
    return (
        Case.objects.filter(debtor_id=debtor.pk, centre_id=debtor.centre_id, pk__in=case_ids)
        .select_related("creditor", "centre", "committee", "mediator")
        .defer("phone")
        .order_by("-created_at", "-pk")
    )


def debtor_case_get(*, debtor: Debtor, case_ids: list[int], pk: Any) -> Case:
    """One of the session's cases, or 404 (a case the session has not proven does not exist for it)."""
    try:
        return debtor_cases(debtor=debtor, case_ids=case_ids).get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _deadlines(case: Case) -> list[dict[str, Any]]:
    today = timezone.localdate()
    rows = case.deadlines.filter(status=Deadline.Status.OPEN, kind__in=list(DEADLINE_EXPLAINED)).order_by(
        "due_on"
    )
    return [
        {
            "kind": d.kind,
            "label": d.get_kind_display(),
            "due_on": d.due_on,
            "days_left": deadline_days_left(d.due_on, today),
            "paused": d.paused_since is not None,
            "explained": DEADLINE_EXPLAINED[d.kind],
        }
        for d in rows
    ]


def case_view(case: Case) -> CaseView:
    """Everything one case card shows: figures, stage in plain words, limits, papers, requests."""
    from courts.models import PaymentOrder

    triage = TriageResult.objects.filter(case=case).order_by("-created_at", "-pk").first()
    settlement = (
        case.settlements.exclude(status=Settlement.Status.VOID)
        .prefetch_related("instalments")
        .order_by("-created_at")
        .first()
    )
    today = timezone.localdate()
    instalments = []
    # Only a signed agreement in force has due dates: a draft or an offer waiting for signatures has none.
    if settlement is not None and settlement.status == Settlement.Status.EFFECTIVE:
        instalments = [i for i in settlement.instalments.all() if i.due_on >= today][:INSTALMENTS_SHOWN]
    deadlines = _deadlines(case)
    order_served = case.payment_orders.filter(status=PaymentOrder.Status.SERVED).exists()
    window = next((d["due_on"] for d in deadlines if d["kind"] == K.PAYMENT_ORDER_OBJECTION), None)
    view = CaseView(
        case=case,
        explained=STAGE_EXPLAINED.get(case.stage, ""),
        deadlines=deadlines,
        instalments=instalments,
        notices=list(case.notices.filter(status__in=SERVED).exclude(sha256="").order_by("-sent_at", "-pk")),
        reasons=[r.get("debtor", "") for r in (triage.reasons if triage else []) if r.get("debtor")],
        objections=list(
            case.objections.order_by("created_at", "pk").select_related("hold").prefetch_related("evidence")
        ),
        proposals=list(case.proposals.order_by("created_at", "pk")),
        hardship=list(case.hardship_requests.order_by("created_at", "pk").prefetch_related("evidence")),
        settlement=settlement,
        order_window=window if order_served else None,
        contact=case_contact(case),
    )
    if not view.can_propose:
        for d in view.deadlines:
            if d["kind"] == K.MEDIATION_WINDOW:
                d["explained"] = WINDOW_NO_PROPOSAL
    return view


def debtor_overview(*, debtor: Debtor, case_ids: list[int]) -> list[CaseView]:
    return [case_view(case) for case in debtor_cases(debtor=debtor, case_ids=case_ids)]


def notice_of_case(*, case: Case, pk: Any) -> Any:
    """A served notice of this case (the debtor's own), or 404."""
    try:
        return case.notices.filter(status__in=SERVED).exclude(sha256="").get(pk=pk)
    except (case.notices.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def settlement_waiting(*, case: Case) -> Settlement:
    """The agreement waiting for this debtor's signature, or 404."""
    settlement = (
        case.settlements.filter(status=Settlement.Status.AWAITING_DEBTOR)
        .prefetch_related("instalments")
        .order_by("-created_at")
        .first()
    )
    if settlement is None:
        raise Http404
    return settlement


def proposal_of_case(*, case: Case, pk: Any) -> Proposal:
    try:
        return case.proposals.get(pk=pk)
    except (Proposal.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
