"""Court actions on the case page: one small form each, one service each, shown when they apply."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.models import Stage
from core.actors import actor_role
from core.money import format_yuan
from courts import forms as court_forms
from courts import services as court
from courts.bulk import court_offers
from courts.models import PaymentOrder, RefusalGround

from .previews import PREVIEWS
from .read_models import CourtFile
from .site import COURT_ROLES, JUDGES

if TYPE_CHECKING:
    from .cases import CourtCaseAdmin

PO = PaymentOrder.Status


def _checked_order(f: CourtFile, status: str) -> PaymentOrder:
    why = court.payment_order_review(f.case, f.order, status)
    if why:
        raise court.CourtError(why)
    assert f.order is not None
    return f.order


# --- court actions: one small form each, one service each -------------------------------------------


class Caution(str):
    """What an action reports when it was carried out but the user should look twice (a warning)."""


def _confirmation_apply(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    filing = court.confirmation_apply(case=f.case, actor=user)
    return gettext("Filed for judicial confirmation under %(number)s.") % {"number": filing.number}


def _confirm(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    decision = court.confirmation_decide(case=f.case, actor=user, confirmed=True, reasons=data["reasons"])
    return gettext("Settlement confirmed (%(number)s); the ruling is being prepared.") % {
        "number": decision.filing.number
    }


def _reject(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    decision = court.confirmation_decide(
        case=f.case,
        actor=user,
        confirmed=False,
        ground=data["ground"],
        reasons=data["reasons"],
        next_step=data["next_step"],
    )
    return gettext("Confirmation refused (%(number)s): %(ground)s.") % {
        "number": decision.filing.number,
        "ground": RefusalGround(decision.ground).label,
    }


def _po_apply(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    accept_flags = data.get("accept_flags", False)
    order = court.payment_order_apply(case=f.case, actor=user, accept_flags=accept_flags)
    return gettext("Payment order applied for: %(amount)s.") % {"amount": format_yuan(order.amount)}


def _po_accept(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    order = court.payment_order_accept(order=_checked_order(f, PO.APPLIED), actor=user)
    assert order.filing is not None
    return gettext("Application accepted under %(number)s; issue the order within 15 days.") % {
        "number": order.filing.number
    }


def _po_reject(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.order is not None
    court.payment_order_reject(order=f.order, actor=user, reason=data["reason"])
    return gettext("Payment-order application rejected.")


def _po_issue(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    court.payment_order_issue(order=_checked_order(f, PO.ACCEPTED), actor=user)
    return gettext("Payment order issued; it must be served within 30 days.")


def _po_service(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.order is not None
    order = court.payment_order_record_service(order=f.order, actor=user, served_on=data["served_on"])
    window = court.objection_window(order)
    return gettext("Service recorded; the objection window ends on %(date)s.") % {
        "date": window.due_on.isoformat() if window else "-"
    }


def _po_objection(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.order is not None
    objection = court.payment_order_object(
        order=f.order,
        form=data["form"],
        filed_on=data["filed_on"],
        posted_on=data.get("posted_on"),
        statement=data["statement"],
        only_ability_to_pay=data["only_ability_to_pay"],
        actor=user,
    )
    if objection.valid:
        return gettext(
            "Objection recorded: it counts. The order has lapsed; the case becomes a suit unless the "
            "creditor declines within 7 days of receiving the termination ruling."
        )
    return Caution(
        gettext("Objection recorded, but it does not count: %(why)s.") % {"why": objection.invalid_reason}
    )


def _po_ruling_received(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.order is not None
    court.payment_order_termination_ruling_received(
        order=f.order, actor=user, received_on=data["received_on"]
    )
    return gettext("Receipt of the termination ruling recorded; the creditor has 7 days to decline the suit.")


def _po_decline(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    court.payment_order_decline_suit(case=f.case, actor=user, reason=data["reason"])
    return gettext("The creditor declined the suit; the case is withdrawn.")


def _suit_file(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    suit = court.suit_file(
        case=f.case,
        actor=user,
        procedure=data["procedure"] or None,
        parties_agree_small_claims=data.get("parties_agree_small_claims", False),
    )
    return gettext("Suit filed under %(number)s (%(procedure)s), to be decided by %(date)s.") % {
        "number": suit.filing.number,
        "procedure": suit.get_procedure_display(),
        "date": suit.decide_by.isoformat(),
    }


def _suit_hearing(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.suit is not None
    court.suit_schedule_hearing(suit=f.suit, actor=user, hearing_at=data["hearing_at"])
    return gettext("Hearing scheduled for %(at)s.") % {
        "at": timezone.localtime(data["hearing_at"]).strftime("%Y-%m-%d %H:%M")
    }


def _suit_judgment(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.suit is not None
    suit = court.suit_record_judgment(
        suit=f.suit, actor=user, amount=data["amount"], performance_days=data["performance_days"]
    )
    assert suit.performance_due_on is not None
    return gettext("Judgment recorded: %(amount)s, to be performed by %(date)s.") % {
        "amount": format_yuan(data["amount"]),
        "date": suit.performance_due_on.isoformat(),
    }


def _enf_apply(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    enforcement = court.enforcement_apply(case=f.case, actor=user, amount=data["amount"])
    return gettext("Enforcement filed under %(number)s.") % {"number": enforcement.filing.number}


def _enf_measure(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.enforcement is not None
    measure = court.enforcement_measure_log(
        enforcement=f.enforcement,
        actor=user,
        kind=data["kind"],
        note=data["note"],
        amount_received=data["amount_received"] or Decimal("0.00"),
        taken_on=data["taken_on"],
    )
    return gettext("Measure logged: %(kind)s.") % {"kind": measure.get_kind_display()}


def _enf_dishonest(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.enforcement is not None
    court.enforcement_list_dishonest(enforcement=f.enforcement, actor=user, grounds=data["grounds"])
    return gettext("The debtor is on the dishonest judgment-debtor list.")


def _enf_suspend(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.enforcement is not None
    court.enforcement_suspend(enforcement=f.enforcement, actor=user, reason=data["reason"])
    return gettext("The current round is terminated (终本); re-check every 6 months.")


def _enf_resume(f: CourtFile, data: dict[str, Any], user: Any) -> str:
    assert f.enforcement is not None
    court.enforcement_resume(enforcement=f.enforcement, actor=user, reason=data["reason"])
    return gettext("Enforcement resumed.")


def _no_initial(f: CourtFile) -> dict[str, Any]:
    return {}


def _omit_nothing(f: CourtFile) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class CourtAction:
    name: str
    panel: str
    title: Any
    submit: Any
    form: type[forms.Form]
    roles: frozenset[str]
    shows: Callable[[CourtFile], bool]
    run: Callable[[CourtFile, dict[str, Any], Any], str]
    initial: Callable[[CourtFile], dict[str, Any]] = _no_initial
    transition: str = ""
    danger: bool = False
    help: Any = ""
    omit: Callable[[CourtFile], tuple[str, ...]] = _omit_nothing  # fields that do not apply to this case

    def make_form(self, f: CourtFile, data: Any = None) -> forms.Form:
        form = self.form(data, prefix=self.name, initial=self.initial(f))
        for name in self.omit(f):
            form.fields.pop(name, None)
        return form


def _can(transition: str) -> Callable[[CourtFile], bool]:
    """Offered when this user may take that transition on this case now (django-fsm decides)."""
    return lambda f: transition in f.names


def _can_with_enforcement(transition: str) -> Callable[[CourtFile], bool]:
    return lambda f: transition in f.names and f.enforcement is not None


def _order_is(*statuses: str) -> Callable[[CourtFile], bool]:
    return lambda f: f.order_in(*statuses)


def _unless_unagreed_interest(f: CourtFile) -> tuple[str, ...]:
    """The principal-only choice is offered only where interest or fees lack an agreed rate."""
    return () if any(e["flag"] == "unagreed_interest" for e in f.eligibility) else ("accept_flags",)


def _objection_open(f: CourtFile) -> bool:
    """Recorded even while a hold is on; after the window made the order effective, one posted in time may
    still arrive (CPL 85¶4)."""
    if f.order is None:
        return False
    return f.order.status == PO.SERVED or (
        f.order.status == PO.EFFECTIVE and f.case.stage == Stage.ENFORCEABLE
    )


def _ruling_receipt_open(f: CourtFile) -> bool:
    return (
        f.order is not None
        and f.order.status == PO.OBJECTED
        and f.order.termination_ruling_received_on is None
    )


def _decline_open(f: CourtFile) -> bool:
    return f.decline_window is not None and services.has_transition_perm_ignoring_conditions(
        f.case, "withdraw", f.user
    )


def _suit_to_file(f: CourtFile) -> bool:
    unrecorded = f.case.stage == Stage.IN_LITIGATION and not f.suits and not f.case.on_hold
    return "file_suit" in f.names or unrecorded


def _suit_pending(f: CourtFile) -> bool:
    return (
        f.case.stage == Stage.IN_LITIGATION
        and f.suit is not None
        and f.suit.judgment_on is None
        and not f.case.on_hold
    )


def _judgment_due(f: CourtFile) -> bool:
    return "judgment_effective" in f.names and f.suit is not None and f.suit.judgment_on is None


def _enforcing(f: CourtFile) -> bool:
    return f.case.stage == Stage.IN_ENFORCEMENT and f.enforcement is not None and not f.case.on_hold


def _listable(f: CourtFile) -> bool:
    enforcement = f.enforcement
    in_enforcement = f.case.stage in (Stage.IN_ENFORCEMENT, Stage.ENFORCEMENT_SUSPENDED)
    return (
        in_enforcement
        and enforcement is not None
        and not enforcement.dishonest_listed_on
        and not f.case.on_hold
    )


F_ = court_forms
ACTION_LIST = [
    CourtAction("confirmation_apply", "confirmation", _("File the joint application"), _("File"),
                F_.EmptyForm, COURT_ROLES, _can("request_confirmation"), _confirmation_apply,
                transition="request_confirmation",
                help=_("Gives the case a 民特 number; the court decides within 30 days (CPL 187).")),
    CourtAction("confirm", "confirmation", _("Confirm the settlement"), _("Confirm"), F_.ConfirmForm,
                JUDGES, _can("confirm"), _confirm, transition="confirm",
                help=_("The agreement becomes an enforceable ruling (CPL 206).")),
    CourtAction("reject", "confirmation", _("Refuse confirmation"), _("Refuse"), F_.RejectForm, JUDGES,
                _can("reject_confirmation"), _reject, transition="reject_confirmation", danger=True),
    CourtAction("po_apply", "payment_order", _("Apply for a payment order"), _("Apply"),
                F_.PaymentOrderApplyForm, COURT_ROLES, _can("apply_payment_order"), _po_apply,
                transition="apply_payment_order", omit=_unless_unagreed_interest),
    CourtAction("po_accept", "payment_order", _("Accept the application"), _("Accept"), F_.EmptyForm,
                COURT_ROLES, _order_is(PO.APPLIED), _po_accept,
                help=_("Within 5 days of the application (CPL 226); gives the 民督 number.")),
    CourtAction("po_issue", "payment_order", _("Issue the payment order"), _("Issue"), F_.EmptyForm,
                JUDGES, _order_is(PO.ACCEPTED), _po_issue,
                help=_("Within 15 days of acceptance (CPL 227); the order is rendered as a PDF.")),
    CourtAction("po_reject", "payment_order", _("Reject the application"), _("Reject"), F_.ReasonForm,
                JUDGES, _order_is(PO.APPLIED, PO.ACCEPTED), _po_reject, transition="order_lapse",
                danger=True),
    CourtAction("po_service", "payment_order", _("Record service"), _("Record"), F_.ServiceForm,
                COURT_ROLES, _order_is(PO.ISSUED), _po_service,
                help=_("The debtor has 15 days from service to object in writing (CPL 227).")),
    CourtAction("po_objection", "payment_order", _("Record an objection"), _("Record"), F_.ObjectionForm,
                COURT_ROLES, _objection_open, _po_objection,
                help=_("Only a written objection within the window, not merely about the ability to pay, "
                       "counts (Interp. 431, 436).")),
    CourtAction("po_ruling_received", "payment_order", _("Record receipt of the termination ruling"),
                _("Record"), F_.RulingReceivedForm, COURT_ROLES, _ruling_receipt_open, _po_ruling_received,
                help=_("The creditor's 7 days to decline the suit run from receiving the ruling "
                       "(CPL 228; Interp. 438-439).")),
    CourtAction("po_decline", "payment_order", _("Creditor declines the suit"), _("Record"), F_.ReasonForm,
                COURT_ROLES, _decline_open, _po_decline, danger=True),
    CourtAction("suit_file", "suit", _("File the suit"), _("File"), F_.SuitFileForm, COURT_ROLES,
                _suit_to_file, _suit_file, transition="file_suit"),
    CourtAction("suit_hearing", "suit", _("Schedule the hearing"), _("Schedule"), F_.HearingForm,
                COURT_ROLES, _suit_pending, _suit_hearing),
    CourtAction("suit_judgment", "suit", _("Record the judgment"), _("Record"), F_.JudgmentForm, JUDGES,
                _judgment_due, _suit_judgment, initial=lambda f: {"amount": f.case.claimed_total},
                transition="judgment_effective",
                help=_("The case becomes enforceable once the judgment is recorded.")),
    CourtAction("enf_apply", "enforcement", _("File the enforcement"), _("File"), F_.EnforcementApplyForm,
                COURT_ROLES, _can("apply_enforcement"), _enf_apply,
                initial=lambda f: {"amount": f.suggested_enforcement_amount}, transition="apply_enforcement",
                help=_("Within 2 years of the end of the performance period (CPL 250).")),
    CourtAction("enf_measure", "enforcement", _("Log a measure"), _("Log"), F_.MeasureForm, COURT_ROLES,
                _enforcing, _enf_measure),
    CourtAction("enf_dishonest", "enforcement", _("Put on the dishonest list"), _("List"),
                F_.DishonestForm, JUDGES, _listable, _enf_dishonest, danger=True),
    CourtAction("enf_suspend", "enforcement", _("Terminate the current round (终本)"), _("Terminate"),
                F_.ReasonForm, JUDGES, _can_with_enforcement("suspend_enforcement"), _enf_suspend,
                transition="suspend_enforcement", danger=True,
                help=_("Only after an asset search and more than 3 months from filing (Interp. 517).")),
    CourtAction("enf_resume", "enforcement", _("Resume enforcement"), _("Resume"), F_.OptionalReasonForm,
                COURT_ROLES, _can_with_enforcement("resume_enforcement"), _enf_resume,
                transition="resume_enforcement"),
]  # fmt: skip
ACTIONS = {a.name: a for a in ACTION_LIST}
# Transitions the court takes through an action's form (and its service), never as a bare button.
TRANSITION_ACTIONS: dict[str, str | None] = {a.transition: a.name for a in ACTION_LIST if a.transition}
TRANSITION_ACTIONS["order_effective"] = None  # the objection window's deadline does it
TRANSITION_ACTIONS["order_effect_undone"] = None  # an objection posted in time does it (po_objection)


def console_offers(case: Any, transition: str) -> bool:
    """Whether the console offers this generic transition on a case in its current stage."""
    return court_offers(case.stage, transition)


PANELS = [
    ("confirmation", _("Judicial confirmation")),
    ("payment_order", _("Payment order")),
    ("suit", _("Suit")),
    ("enforcement", _("Enforcement")),
]


def action_panels(f: CourtFile, model_admin: "CourtCaseAdmin", bound: dict[str, forms.Form]) -> list[dict]:
    """The forms this user can use on this case now, grouped by panel."""
    role = actor_role(f.user)
    available = [a for a in ACTION_LIST if role in a.roles and a.shows(f)]
    panels = []
    for key, title in PANELS:
        actions = [
            {
                "action": a,
                "form": bound.get(a.name) or a.make_form(f),
                "url": reverse(
                    "court:cases_case_preview" if a.name in PREVIEWS else "court:cases_case_act",
                    args=[f.case.pk, a.name],
                    current_app=model_admin.admin_site.name,
                ),
                "previewed": a.name in PREVIEWS,
                "document": a.name in PREVIEWS and bool(PREVIEWS[a.name].kind),
            }
            for a in available
            if a.panel == key
        ]
        panels.append({"key": key, "title": title, "actions": actions})
    return panels
