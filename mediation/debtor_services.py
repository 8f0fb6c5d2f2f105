"""The debtor's requests and their review: objections, repayment proposals and counter-offers, hardship
relief, coming forward.

Debtors have no account: what they do is recorded with the platform as actor and the debtor named in the
event's data (party, debtor id, IP). Staff decide through debtor_portal/staff_views.py. Every step is a
CaseEvent on the case's chain, in the same transaction as the change.
"""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.errors import MESSAGES as CASE_MESSAGES
from cases.errors import ActionForbidden, CaseActionError
from cases.models import OPEN_STAGES, Case, EventAction, Hold, Stage
from cases.permissions import actor_reaches_case
from cases.services import (
    case_event_record,
    case_transition,
    has_transition_perm_ignoring_conditions,
    hold_lift,
    hold_place,
)
from core.actors import SYSTEM, actor_role
from core.crypto import keyed_hash
from core.identifiers import mask_id_number, mask_phone
from core.models import Centre, PiiAccessLog, Role

from .evidence import CheckedFile, evidence_store
from .instalments import instalment_schedule
from .models import ComeForwardRequest, HardshipRequest, Objection, Proposal, Settlement
from .services import (
    cases_retriage,
    mediation_request_from_debtor,
    settlement_draft,
    settlement_offer,
    settlement_schedule_edit,
)

# Stages in which a repayment plan is still negotiated by a mediator (before any court step).
PROPOSAL_STAGES = [Stage.RECEIVED, Stage.TRIAGED, Stage.IN_MEDIATION, Stage.COURT_MEDIATION]
REVIEW_ROLES = frozenset({Role.MEDIATOR, Role.JUDGE, Role.CENTRE_ADMIN})
MAX_INSTALMENTS = 60

MESSAGES = {
    "stage": gettext_lazy("This is not possible at the case's present stage."),
    "objection_open": gettext_lazy("An objection on this case is already under review."),
    "hardship_open": gettext_lazy("A hardship request on this case is already waiting for a decision."),
    "agreement_waiting": gettext_lazy("An agreement on this case is already waiting to be signed."),
    "plan": gettext_lazy("The plan does not add up: %(why)s"),
    "decided": gettext_lazy("This request has already been answered."),
    "reasons": gettext_lazy("Give the reasons for the decision: the debtor reads them."),
    "upheld_how": gettext_lazy("An upheld objection corrects the amounts or closes the case: choose one."),
    "close_role": gettext_lazy("Only a judge or the centre administrator may close a case as invalid."),
    "not_mediator": gettext_lazy("Only the mediator of this case may do this."),
    "no_mediator": gettext_lazy("No mediator has this case yet; the centre will assign one."),
    "pause_until": gettext_lazy("Give the date until which collection is paused."),
    "amounts": gettext_lazy("Amounts cannot be negative, and the total must be above zero."),
    "above_affordable": gettext_lazy(
        "This plan costs %(monthly)s yuan a month with your other plans at the centre, more than the "
        "%(affordable)s yuan your financial statement leaves you: lower the instalments, or say why you can "
        "keep it."
    ),
    "above_affordable_staff": gettext_lazy(
        "This plan costs %(monthly)s yuan a month across the person's cases, more than the %(affordable)s "
        "yuan they can afford: record the reason."
    ),
}


class DebtorRequestError(CaseActionError):
    code = "debtor_request_refused"

    def __init__(self, message: Any, *, code: str | None = None) -> None:
        super().__init__(message, code=code)  # a lazy text: shown in the reader's language


def _debtor_data(case: Case, ip: str | None) -> dict[str, Any]:
    return {"party": "debtor", "debtor": case.debtor_id, "ip": ip or ""}


def _in_chinese(text: Any) -> str:
    """Text for the court's and the case's record, in the platform's default language."""
    from django.conf import settings

    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _may_review(actor: Any, case: Case) -> None:
    if actor_role(actor) not in REVIEW_ROLES or not actor_reaches_case(actor, case):
        raise ActionForbidden(str(CASE_MESSAGES["forbidden"]))


# --- objections -----------------------------------------------------------------------------------------


# What a debtor's objection also is before a court, filled in by courts (CourtsConfig.ready): on a served
# payment order, the written objection to it (CPL 227). Each filer takes (case=, statement=,
# only_ability_to_pay=) and returns the court's record of the objection, or None when it does not apply.
OBJECTION_COURT_FILERS: list[Callable[..., Any]] = []


def objection_only_about_ability_to_pay(ground: str) -> bool:
    """Interp. 436: the debtor admits the debt and only pleads inability to pay, more time or instalments."""
    return ground == Objection.Ground.CANNOT_PAY_NOW


# Objections on the merits go to one person, who decides within this many working days (project rule,
# issue #20: a reasoned answer within a working week).
OBJECTION_REVIEW_WORKING_DAYS = 5


def objection_reviewer(case: Case) -> Any:
    """Who decides an objection on the merits: the case's mediator; else a judge of its court; else the
    centre's administrator (the lowest user id, so the choice is stable)."""
    from core.models import Membership

    if case.mediator_id is not None:
        return case.mediator
    staff = Membership.objects.filter(user__is_active=True).select_related("user").order_by("user_id")
    judge = staff.filter(organisation_id=case.court_id, role=Role.JUDGE).first() if case.court_id else None
    admin = judge or staff.filter(organisation__centre_id=case.centre_id, role=Role.CENTRE_ADMIN).first()
    return admin.user if admin is not None else None


def objection_review_due_on(*, case: Case, filed_on: date) -> date:
    from core.workdays import WorkingCalendar

    calendar = WorkingCalendar.for_centre(case.centre_id)
    return calendar.add_working_days(filed_on, OBJECTION_REVIEW_WORKING_DAYS).due


def _payment_order_objection(case: Case, objection: Objection) -> Any:
    """A served payment order: the objection is also the debtor's written objection to it (CPL 227)."""
    statement = f"{_in_chinese(objection.get_ground_display())}: {objection.statement}"
    for filer in OBJECTION_COURT_FILERS:
        filed = filer(
            case=case,
            statement=statement,
            only_ability_to_pay=objection_only_about_ability_to_pay(objection.ground),
        )
        if filed is not None:
            return filed
    return None


@transaction.atomic
def objection_file(
    *, case: Case, ground: str, statement: str, evidence: list[CheckedFile], ip: str | None
) -> Objection:
    """The debtor objects: the case is held while it is reviewed (identity theft has its own hold kind).

    On a served payment order it is also the written objection to the order; one that does not count
    (late) places no hold, because the 15-day window cannot be stretched by the debtor (Interp. 431).
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.stage not in OPEN_STAGES:
        raise DebtorRequestError(MESSAGES["stage"], code="stage")
    if case.objections.filter(status=Objection.Status.UNDER_REVIEW).exists():
        raise DebtorRequestError(MESSAGES["objection_open"], code="objection_open")
    objection = Objection.objects.create(
        case=case, debtor_id=case.debtor_id, ground=ground, statement=statement, ip=ip
    )
    files = evidence_store(case=case, files=evidence, objection=objection)
    case_event_record(
        case=case,
        action=EventAction.OBJECTION_FILED,
        actor=SYSTEM,
        reason=statement[:300],
        data={
            **_debtor_data(case, ip),
            "objection": objection.pk,
            "ground": ground,
            "evidence": [{"id": f.pk, "sha256": f.sha256} for f in files],
        },
    )
    order_objection = _payment_order_objection(case, objection)
    identity = ground == Objection.Ground.NOT_MY_DEBT
    if order_objection is not None:
        objection.payment_order_objection = order_objection
    fields = ["payment_order_objection", "hold", "updated_at"]
    if objection_only_about_ability_to_pay(ground):
        # Not a dispute of the debt: no hold; the debtor is sent to the statement, plan and hardship pages,
        # and a mediator hears of it (Interp. 436 keeps it on a payment order's record for the judge).
        objection.status, objection.decided_at = Objection.Status.TO_PLAN, timezone.now()
        objection.save(update_fields=[*fields, "status", "decided_at"])
        if case.stage in PROPOSAL_STAGES:
            with contextlib.suppress(CaseActionError):
                mediation_request_from_debtor(case=case, note=_in_chinese(objection.get_ground_display()))
        return objection
    if order_objection is None or order_objection.valid or identity:
        objection.hold = hold_place(
            case=case,
            kind=Hold.Kind.IDENTITY_THEFT if identity else Hold.Kind.OBJECTION,
            actor=SYSTEM,
            reason=_in_chinese(objection.get_ground_display()),
        )
    objection.reviewer = objection_reviewer(case)
    objection.review_due_on = objection_review_due_on(case=case, filed_on=timezone.localdate())
    objection.save(update_fields=[*fields, "reviewer", "review_due_on"])
    return objection


def _case_amounts_correct(case: Case, actor: Any, amounts: dict[str, Decimal], reason: str) -> dict[str, Any]:
    new = {k: Decimal(amounts[k]).quantize(Decimal("0.01")) for k in ("principal", "interest", "fees")}
    if any(v < 0 for v in new.values()) or sum(new.values()) <= 0:
        raise DebtorRequestError(MESSAGES["amounts"], code="amounts")
    old = {k: str(getattr(case, k)) for k in new}
    Case.objects.filter(pk=case.pk).update(**new, updated_at=timezone.now())
    change = {"before": old, "after": {k: str(v) for k, v in new.items()}}
    case_event_record(
        case=case, action=EventAction.AMOUNTS_CORRECTED, actor=actor, reason=reason[:300], data=change
    )
    return change


@transaction.atomic
def objection_review(
    *,
    objection: Objection,
    actor: Any,
    upheld: bool,
    reasons: str,
    amounts: dict[str, Decimal] | None = None,
    close: bool = False,
) -> Objection:
    """The mediator's or judge's reasoned decision, which the debtor reads. The hold is lifted; an upheld
    objection corrects the case's amounts or closes it as an invalid claim."""
    case = Case.objects.select_for_update().get(pk=objection.case_id)
    _may_review(actor, case)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != Objection.Status.UNDER_REVIEW:
        raise DebtorRequestError(MESSAGES["decided"], code="decided")
    if not reasons.strip():
        raise DebtorRequestError(MESSAGES["reasons"], code="reasons")
    if (upheld and not (close or amounts)) or (close and amounts):
        raise DebtorRequestError(MESSAGES["upheld_how"], code="upheld_how")
    if upheld and close and not has_transition_perm_ignoring_conditions(case, "close_invalid", actor):
        raise ActionForbidden(str(MESSAGES["close_role"]))
    if objection.hold is not None:
        hold_lift(hold=objection.hold, actor=actor, reason=reasons[:300])
    outcome = Objection.Outcome.NONE
    if upheld and amounts:
        objection.corrected_amounts = _case_amounts_correct(case, actor, amounts, reasons)
        outcome = Objection.Outcome.CORRECTED
    elif upheld and close:
        case_transition(case=case, transition="close_invalid", actor=actor, reason=reasons)
        outcome = Objection.Outcome.CLOSED
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.REJECTED
    objection.outcome, objection.decision_reasons = outcome, reasons
    objection.decided_by, objection.decided_at = actor, timezone.now()
    objection.save()
    case_event_record(
        case=case,
        action=EventAction.OBJECTION_DECIDED,
        actor=actor,
        reason=reasons[:300],
        data={"objection": objection.pk, "status": objection.status, "outcome": outcome},
    )
    return objection


# --- proposals and counter-offers -----------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A repayment plan: something now, the rest in instalments."""

    total: Decimal
    amount_now: Decimal
    instalment_count: int
    frequency: str = "monthly"
    first_due: date | None = None

    def checked(self) -> "Plan":
        count = self.instalment_count
        if self.total <= 0:
            why = _("the total must be above zero")
        elif not Decimal(0) <= self.amount_now <= self.total:
            why = _("the amount now must lie between zero and the total")
        elif self.amount_now < self.total and count < 1:
            why = _("say in how many instalments the rest is paid")
        elif count > MAX_INSTALMENTS:
            why = _("at most %(n)d instalments") % {"n": MAX_INSTALMENTS}
        elif count and (self.total - self.amount_now) / count < Decimal("0.01"):
            why = _("too many instalments for this amount")
        else:
            return Plan(
                total=self.total,
                amount_now=self.amount_now,
                instalment_count=count if self.amount_now < self.total else 0,
                frequency=self.frequency,
                first_due=self.first_due,
            )
        raise DebtorRequestError(MESSAGES["plan"] % {"why": why}, code="plan")


def _plan_fields(plan: Plan) -> dict[str, Any]:
    return {
        "total": plan.total,
        "amount_now": plan.amount_now,
        "instalment_count": plan.instalment_count,
        "frequency": plan.frequency,
        "first_due": plan.first_due,
    }


def _plan_data(proposal: Proposal) -> dict[str, Any]:
    return {
        "proposal": proposal.pk,
        "party": proposal.party,
        "total": str(proposal.total),
        "amount_now": str(proposal.amount_now),
        "instalments": proposal.instalment_count,
        "frequency": proposal.frequency,
    }


def _affordability_fields(case: Case, plan: Plan, reason: str, message: Any) -> dict[str, Any]:
    """What the plan costs each month across the person's cases, against their latest statement; a plan
    above the affordable amount needs a reason."""
    from .statements import plan_affordability

    instalment = (
        ((plan.total - plan.amount_now) / plan.instalment_count).quantize(Decimal("0.01"))
        if plan.instalment_count
        else Decimal("0.00")
    )
    check = plan_affordability(case=case, instalment=instalment, frequency=plan.frequency)
    if check.exceeds and not reason.strip():
        raise DebtorRequestError(
            message % {"monthly": check.monthly_total, "affordable": check.affordable},
            code="above_affordable",
        )
    return {
        "statement": check.statement,
        "affordable_monthly": check.affordable,
        "monthly_total": check.monthly_total,
        "above_affordable_reason": reason.strip() if check.exceeds else "",
    }


def _agreement_signed_by_debtor(case: Case) -> bool:
    """The debtor has signed; only the mediator's signature is missing: no new plan can replace it."""
    return case.settlements.filter(status=Settlement.Status.AWAITING_MEDIATOR).exists()


def _offer_declined(case: Case) -> Settlement | None:
    """An agreement offered and not yet signed by the debtor is declined by their counter-proposal: it
    binds nobody until both have signed (People's Mediation Law 29-31), so it becomes void."""
    offered = case.settlements.select_for_update().filter(status=Settlement.Status.AWAITING_DEBTOR).first()
    if offered is not None:
        offered.status = Settlement.Status.VOID
        offered.save(update_fields=["status", "updated_at"])
    return offered


@transaction.atomic
def proposal_submit(
    *,
    case: Case,
    plan: Plan,
    monthly_income: Decimal | None = None,
    dependants: int | None = None,
    other_debts: Decimal | None = None,
    note: str = "",
    ip: str | None = None,
    above_affordable_reason: str = "",
) -> Proposal:
    """The debtor proposes a plan (or answers the mediator's counter-offer with one of their own).

    While an agreement waits for the debtor's signature, a plan of their own is a counter-proposal: the
    unsigned agreement is declined (void) and the mediator answers the new plan. Once the debtor has
    signed, the agreement waits for the mediator and no plan replaces it.
    A case no mediator holds yet goes straight to one, as when a debtor comes forward.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.stage not in PROPOSAL_STAGES:
        raise DebtorRequestError(MESSAGES["stage"], code="stage")
    if _agreement_signed_by_debtor(case):
        raise DebtorRequestError(MESSAGES["agreement_waiting"], code="agreement_waiting")
    plan = plan.checked()
    affordable = _affordability_fields(case, plan, above_affordable_reason, MESSAGES["above_affordable"])
    declined = _offer_declined(case)
    previous = case.proposals.filter(status=Proposal.Status.OPEN).order_by("-pk").first()
    parent = declined.proposals.order_by("-pk").first() if declined is not None else None
    if previous is not None:
        countering = previous.party == Proposal.Party.MEDIATOR
        parent = previous if countering else previous.parent
        previous.status = Proposal.Status.COUNTERED if countering else Proposal.Status.SUPERSEDED
        previous.answered_at = timezone.now()
        previous.save(update_fields=["status", "answered_at", "updated_at"])
    proposal = Proposal.objects.create(
        case=case,
        parent=parent,
        party=Proposal.Party.DEBTOR,
        monthly_income=monthly_income,
        dependants=dependants,
        other_debts=other_debts,
        note=note,
        **affordable,
        **_plan_fields(plan),
    )
    case_event_record(
        case=case,
        action=EventAction.PROPOSAL_MADE,
        actor=SYSTEM,
        reason=note[:300],
        data={
            **_debtor_data(case, ip),
            **_plan_data(proposal),
            **({"declines_settlement": declined.pk} if declined is not None else {}),
        },
    )
    if case.stage in (Stage.RECEIVED, Stage.TRIAGED) or case.mediator_id is None:
        # On hold, say: the proposal waits in the queue like any other.
        with contextlib.suppress(CaseActionError):
            mediation_request_from_debtor(
                case=case, note=_in_chinese(_("Repayment proposal")) + f" #{proposal.pk}"
            )
    return proposal


def _proposal_locked(proposal: Proposal, party: str) -> tuple[Case, Proposal]:
    case = Case.objects.select_for_update().get(pk=proposal.case_id)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.OPEN or proposal.party != party:
        raise DebtorRequestError(MESSAGES["decided"], code="decided")
    return case, proposal


def _is_case_mediator(actor: Any, case: Case) -> None:
    if case.mediator_id is None or case.mediator_id != getattr(actor, "pk", None):
        raise DebtorRequestError(MESSAGES["not_mediator"], code="not_mediator")


@transaction.atomic
def proposal_counter(
    *, proposal: Proposal, actor: Any, plan: Plan, note: str = "", above_affordable_reason: str = ""
) -> Proposal:
    """The mediator answers the debtor's plan with another; the debtor accepts it or counters again."""
    case, proposal = _proposal_locked(proposal, Proposal.Party.DEBTOR)
    _is_case_mediator(actor, case)
    plan = plan.checked()
    affordable = _affordability_fields(
        case, plan, above_affordable_reason, MESSAGES["above_affordable_staff"]
    )
    proposal.status, proposal.answered_at = Proposal.Status.COUNTERED, timezone.now()
    proposal.save(update_fields=["status", "answered_at", "updated_at"])
    counter = Proposal.objects.create(
        case=case,
        parent=proposal,
        party=Proposal.Party.MEDIATOR,
        created_by=actor,
        note=note,
        **affordable,
        **_plan_fields(plan),
    )
    case_event_record(
        case=case,
        action=EventAction.PROPOSAL_COUNTERED,
        actor=actor,
        reason=note[:300],
        data=_plan_data(counter),
    )
    return counter


@transaction.atomic
def proposal_decline(*, proposal: Proposal, actor: Any, note: str) -> Proposal:
    """The mediator declines the debtor's plan with a reason the debtor reads."""
    case, proposal = _proposal_locked(proposal, Proposal.Party.DEBTOR)
    _is_case_mediator(actor, case)
    if not note.strip():
        raise DebtorRequestError(MESSAGES["reasons"], code="reasons")
    proposal.status, proposal.answered_at, proposal.answer_note = (
        Proposal.Status.DECLINED,
        timezone.now(),
        note,
    )
    proposal.save(update_fields=["status", "answered_at", "answer_note", "updated_at"])
    case_event_record(
        case=case,
        action=EventAction.PROPOSAL_DECLINED,
        actor=actor,
        reason=note[:300],
        data={"proposal": proposal.pk},
    )
    return proposal


def _waivers(case: Case, total: Decimal) -> tuple[Decimal, Decimal]:
    """What the agreed total leaves out of the claim: fees first, then interest."""
    short = max(Decimal("0.00"), case.claimed_total - total)
    fees = min(case.fees, short)
    return min(case.interest, short - fees), fees


def _settlement_from(case: Case, proposal: Proposal, mediator: Any) -> Settlement:
    """The accepted plan becomes the settlement, drafted and offered by the mediator, for the debtor to
    sign with a one-time code."""
    today = timezone.localdate()
    first_due = proposal.first_due or today
    waived_interest, waived_fees = _waivers(case, proposal.total)
    terms = _in_chinese(
        _("Repayment plan agreed in mediation (proposal #%(n)s).") % {"n": proposal.pk}
        if proposal.instalment_count
        else _("Payment in one sum, agreed in mediation (proposal #%(n)s).") % {"n": proposal.pk}
    )
    common = {"case": case, "actor": mediator, "total": proposal.total, "terms": terms}
    common |= {"waived_interest": waived_interest, "waived_fees": waived_fees}
    if not proposal.instalment_count:
        settlement = settlement_draft(kind=Settlement.Kind.LUMP_SUM, first_due=first_due, **common)
    else:
        now = proposal.amount_now
        settlement = settlement_draft(
            kind=Settlement.Kind.INSTALMENTS,
            first_due=first_due,
            frequency=proposal.frequency,
            count=proposal.instalment_count + (1 if now else 0),
            **common,
        )
        if now:
            rest = instalment_schedule(
                total=proposal.total - now,
                first_due=first_due,
                frequency=proposal.frequency,
                count=proposal.instalment_count,
            )
            rows = [(today, now)] + [(p.due_on, p.amount) for p in rest]
            settlement_schedule_edit(settlement=settlement, actor=mediator, rows=rows)
    return settlement_offer(settlement=settlement, actor=mediator)


def _accept(case: Case, proposal: Proposal, mediator: Any, actor: Any, data: dict[str, Any]) -> Proposal:
    settlement = _settlement_from(case, proposal, mediator)
    proposal.status, proposal.answered_at, proposal.settlement = (
        Proposal.Status.ACCEPTED,
        timezone.now(),
        settlement,
    )
    proposal.save(update_fields=["status", "answered_at", "settlement", "updated_at"])
    case_event_record(
        case=case,
        action=EventAction.PROPOSAL_ACCEPTED,
        actor=actor,
        data={**data, "proposal": proposal.pk, "settlement": settlement.pk},
    )
    return proposal


@transaction.atomic
def proposal_accept_by_mediator(*, proposal: Proposal, actor: Any) -> Proposal:
    """The mediator accepts the debtor's plan: it becomes the agreement the debtor is asked to sign."""
    case, proposal = _proposal_locked(proposal, Proposal.Party.DEBTOR)
    _is_case_mediator(actor, case)
    return _accept(case, proposal, actor, actor, {"party": "mediator"})


@transaction.atomic
def proposal_accept_by_debtor(*, proposal: Proposal, ip: str | None) -> Proposal:
    """The debtor accepts the mediator's counter-offer: the mediator's own terms become the agreement."""
    case, proposal = _proposal_locked(proposal, Proposal.Party.MEDIATOR)
    if case.mediator is None:
        raise DebtorRequestError(MESSAGES["no_mediator"], code="no_mediator")
    return _accept(case, proposal, case.mediator, SYSTEM, _debtor_data(case, ip))


# --- hardship relief ------------------------------------------------------------------------------------


@transaction.atomic
def hardship_request_file(
    *, case: Case, kind: str, statement: str, evidence: list[CheckedFile], ip: str | None
) -> HardshipRequest:
    """The debtor asks for relief: the case is held and flagged to the mediator (and triaged as sensitive)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.stage not in OPEN_STAGES:
        raise DebtorRequestError(MESSAGES["stage"], code="stage")
    if case.hardship_requests.filter(status=HardshipRequest.Status.PENDING).exists():
        raise DebtorRequestError(MESSAGES["hardship_open"], code="hardship_open")
    request = HardshipRequest.objects.create(
        case=case, debtor_id=case.debtor_id, kind=kind, statement=statement, ip=ip
    )
    files = evidence_store(case=case, files=evidence, hardship=request)
    case_event_record(
        case=case,
        action=EventAction.HARDSHIP_REQUESTED,
        actor=SYSTEM,
        reason=_in_chinese(request.get_kind_display()),
        data={
            **_debtor_data(case, ip),
            "request": request.pk,
            "kind": kind,
            "evidence": [{"id": f.pk, "sha256": f.sha256} for f in files],
        },
    )
    request.hold = hold_place(
        case=case, kind=Hold.Kind.HARDSHIP, actor=SYSTEM, reason=_in_chinese(request.get_kind_display())
    )
    request.save(update_fields=["hold", "updated_at"])
    cases_retriage(centre=case.centre, actor=SYSTEM, case_ids=[case.pk])
    return request


@transaction.atomic
def hardship_decide(
    *,
    request: HardshipRequest,
    actor: Any,
    outcome: str,
    note: str,
    waived_interest: Decimal = Decimal("0.00"),
    waived_fees: Decimal = Decimal("0.00"),
    plan_months: int | None = None,
    pause_until: date | None = None,
) -> HardshipRequest:
    """Record the relief given (or refused) with reasons; a pause keeps the hold until it is resumed."""
    case = Case.objects.select_for_update().get(pk=request.case_id)
    _may_review(actor, case)
    request = HardshipRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != HardshipRequest.Status.PENDING:
        raise DebtorRequestError(MESSAGES["decided"], code="decided")
    if not note.strip():
        raise DebtorRequestError(MESSAGES["reasons"], code="reasons")
    pausing = outcome == HardshipRequest.Outcome.PAUSE
    if pausing and (pause_until is None or pause_until <= timezone.localdate()):
        raise DebtorRequestError(MESSAGES["pause_until"], code="pause_until")
    if waived_interest < 0 or waived_fees < 0:
        raise DebtorRequestError(MESSAGES["amounts"], code="amounts")
    if request.hold is not None and not pausing:
        hold_lift(hold=request.hold, actor=actor, reason=note[:300])
    request.status, request.outcome, request.decision_note = HardshipRequest.Status.DECIDED, outcome, note
    request.waived_interest, request.waived_fees = waived_interest, waived_fees
    request.plan_months, request.pause_until = plan_months, pause_until if pausing else None
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save()
    case_event_record(
        case=case,
        action=EventAction.HARDSHIP_DECIDED,
        actor=actor,
        reason=note[:300],
        data={
            "request": request.pk,
            "outcome": outcome,
            "waived_interest": str(waived_interest),
            "waived_fees": str(waived_fees),
            "plan_months": plan_months,
            "pause_until": str(pause_until) if pausing else "",
        },
    )
    return request


@transaction.atomic
def hardship_pause_end(*, request: HardshipRequest, actor: Any) -> HardshipRequest:
    """Collection resumes after a pause: the hardship hold is lifted and the deadlines run again."""
    case = Case.objects.select_for_update().get(pk=request.case_id)
    _may_review(actor, case)
    if request.hold is not None:
        hold_lift(hold=request.hold, actor=actor, reason=_in_chinese(_("End of the hardship pause")))
    return request


# --- coming forward -------------------------------------------------------------------------------------


@transaction.atomic
def come_forward_submit(
    *, centre: Centre, name: str, id_number: str, phone: str, note: str, ip: str | None
) -> ComeForwardRequest:
    """A person asks to settle before being contacted. Their open cases at the centre, found by the keyed
    hash of the ID number, go straight to a mediator with the note; otherwise the centre keeps the request.

    The caller answers the same either way: whether someone has debts is nobody else's business.
    """
    id_hash = keyed_hash(id_number)
    cases = list(
        Case.objects.filter(centre=centre, debtor__id_hash=id_hash, stage__in=OPEN_STAGES).order_by(
            "created_at", "pk"
        )
    )
    request = ComeForwardRequest.objects.create(
        centre=centre,
        name=name,
        id_hash=id_hash,
        id_number_masked=mask_id_number(id_number),
        phone=phone,
        phone_masked=mask_phone(phone),
        note=note,
        status=ComeForwardRequest.Status.MATCHED if cases else ComeForwardRequest.Status.RECORDED,
        matched_case=cases[0] if cases else None,
        matched_count=len(cases),
        ip=ip,
    )
    text = _in_chinese(_("Came forward to settle")) + (f": {note}" if note else "")
    for case in cases:
        # A held case keeps its stage; the request is on its record all the same.
        with contextlib.suppress(CaseActionError):
            mediation_request_from_debtor(case=case, note=text[:500])
    return request


def _centre_admin_of(actor: Any, request: ComeForwardRequest) -> None:
    membership = getattr(actor, "membership", None)
    if (
        actor_role(actor) != Role.CENTRE_ADMIN
        or membership is None
        or membership.organisation.centre_id != request.centre_id
    ):
        raise ActionForbidden(str(CASE_MESSAGES["forbidden"]))


@transaction.atomic
def come_forward_mark_handled(*, request: ComeForwardRequest, actor: Any, note: str) -> ComeForwardRequest:
    _centre_admin_of(actor, request)
    request = ComeForwardRequest.objects.select_for_update().get(pk=request.pk)
    request.status, request.handled_by, request.handled_at = (
        ComeForwardRequest.Status.HANDLED,
        actor,
        timezone.now(),
    )
    request.handled_note = note[:300]
    request.save(update_fields=["status", "handled_by", "handled_at", "handled_note", "updated_at"])
    return request


def come_forward_reveal_phone(*, request: ComeForwardRequest, actor: Any, purpose: str) -> str:
    """The full number, to call the person back; every reading is logged (PIPL 28-29)."""
    _centre_admin_of(actor, request)
    PiiAccessLog.objects.create(
        user=actor, subject=f"come_forward:{request.pk}", field="phone", purpose=purpose[:120]
    )
    return ComeForwardRequest.objects.get(pk=request.pk).phone
