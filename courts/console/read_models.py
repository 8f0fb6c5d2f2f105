"""What the console reads and shows: a case's court file, facts, documents and events; limits as days left."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cases import services
from cases.models import (
    Case,
    CaseEvent,
    Deadline,
    Stage,
    closed_reason_label,
    event_action_label,
    event_reason_label,
)
from cases.selectors import case_events
from core.models import Role
from core.money import format_yuan
from courts import services as court
from courts.models import ConfirmationDecision, Enforcement, PaymentOrder, Suit
from mediation.models import Settlement

K = Deadline.Kind
PO = PaymentOrder.Status
SOON_DAYS = 7

# --- small display helpers ------------------------------------------------------------------------


def days_left_html(due: date | None, today: date | None = None) -> Any:
    """Days to a limit: red once it has passed, amber within a week."""
    if due is None:
        return "-"
    days = (due - (today or timezone.localdate())).days
    if days < 0:
        text = ngettext("%(days)d day overdue", "%(days)d days overdue", -days) % {"days": -days}
        return format_html('<span class="court-overdue">{}</span>', text)
    if days <= SOON_DAYS:
        return format_html('<span class="court-soon">{}</span>', days)
    return str(days)


def due_html(due: date | None, today: date | None = None) -> Any:
    if due is None:
        return "-"
    css = "court-overdue" if due < (today or timezone.localdate()) else ""
    return format_html('<span class="{}">{}</span>', css, due.isoformat())


def open_deadline_due(kinds: Iterable[str]) -> Subquery:
    """The nearest open limit of these kinds on the outer case (any kind when none is named)."""
    deadlines = Deadline.objects.filter(case=OuterRef("pk"), status=Deadline.Status.OPEN)
    kinds = list(kinds)
    if kinds:
        deadlines = deadlines.filter(kind__in=kinds)
    return Subquery(deadlines.order_by("due_on").values("due_on")[:1])


# --- what a case holds at the court -----------------------------------------------------------------


@dataclass
class CourtFile:
    """The court's records of one case, read once per page or action."""

    case: Case
    user: Any
    transitions: list[dict[str, Any]]
    orders: list[PaymentOrder]
    suits: list[Suit]
    enforcements: list[Enforcement]
    decisions: list[ConfirmationDecision]
    decline_window: Deadline | None
    names: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, case: Case, user: Any) -> "CourtFile":
        transitions = services.case_available_transitions(case=case, actor=user)
        today = timezone.localdate()
        orders = list(
            case.payment_orders.select_related("filing").prefetch_related("objections").order_by("-pk")
        )
        for order in orders:
            order.flag_messages = [court.ELIGIBILITY_MESSAGES.get(f, f) for f in order.flags]  # type: ignore[attr-defined]
        suits = list(case.suits.select_related("filing").order_by("-pk"))
        for suit in suits:
            suit.days_left = (suit.decide_by - today).days  # type: ignore[attr-defined]
        return cls(
            case=case,
            user=user,
            transitions=transitions,
            orders=orders,
            suits=suits,
            enforcements=list(
                case.enforcements.select_related("filing").prefetch_related("measures").order_by("-pk")
            ),
            decisions=list(
                case.confirmation_decisions.select_related("filing", "decided_by").order_by("-pk")
            ),
            decline_window=case.deadlines.filter(kind=K.SUIT_DECLINE, status=Deadline.Status.OPEN).first(),
            names={t["name"] for t in transitions},
        )

    @property
    def order(self) -> PaymentOrder | None:
        return self.orders[0] if self.orders else None

    @property
    def suit(self) -> Suit | None:
        return self.suits[0] if self.suits else None

    @property
    def enforcement(self) -> Enforcement | None:
        return self.enforcements[0] if self.enforcements else None

    def order_in(self, *statuses: str) -> bool:
        return self.order is not None and self.order.status in statuses and not self.case.on_hold

    @cached_property
    def eligibility(self) -> list[dict[str, Any]]:
        return [
            {"flag": f, "message": court.ELIGIBILITY_MESSAGES[f]}
            for f in court.payment_order_eligibility(self.case)
        ]

    @cached_property
    def figures(self) -> court.EnforcementFigures | None:
        return court.enforcement_figures(self.enforcement) if self.enforcement else None

    @cached_property
    def settlement(self) -> Settlement | None:
        return (
            self.case.settlements.filter(status=Settlement.Status.EFFECTIVE)
            .prefetch_related("instalments")
            .order_by("-effective_on", "-pk")
            .first()
        )

    @property
    def filings(self) -> QuerySet:
        return self.case.filings.order_by("filed_on", "pk")

    @property
    def suggested_enforcement_amount(self) -> Any:
        if self.suit and self.suit.judgment_amount is not None:
            return self.suit.judgment_amount
        settlement = self.settlement
        if settlement is not None and self.case.enforceable_title == "confirmation":
            return settlement.total
        return self.case.claimed_total


# --- what the case page shows ---------------------------------------------------------------------


def transition_label(action: str) -> str:
    return event_action_label(action)


def case_facts(case: Case) -> list[tuple[Any, Any]]:
    """The case file as label/value pairs; identifiers masked (PIPL 28), money in yuan."""
    f = Case._meta.get_field

    def label(name: str) -> Any:
        return getattr(f(name), "verbose_name", name)

    facts: list[tuple[Any, Any]] = [
        (label("code"), case.code),
        (label("external_ref"), case.external_ref),
        (_("Creditor"), case.creditor.name),
        (_("debtor"), case.debtor.name),
        (_("ID number"), case.debtor.id_number_masked),
        (label("phone"), case.phone_masked),
        (label("address"), case.address),
        (label("product"), case.get_product_display()),
        (label("principal"), format_yuan(case.principal)),
        (label("interest"), format_yuan(case.interest)),
        (label("fees"), format_yuan(case.fees)),
        (label("claimed_total"), format_yuan(case.claimed_total)),
        (label("annual_rate"), f"{case.annual_rate}%" if case.annual_rate is not None else ""),
        (label("contract_date"), case.contract_date),
        (label("overdue_since"), case.overdue_since),
        (label("e_service_consent"), gettext("Yes") if case.e_service_consent else gettext("No")),
        (label("stage"), case.get_stage_display()),
        (label("stage_entered_at"), case.stage_entered_at),
        (label("colour"), case.get_colour_display()),
        (label("track"), case.get_track_display()),
        (_("Mediation committee"), case.committee.name if case.committee else ""),
        (_("Mediator"), (case.mediator.get_full_name() or case.mediator.username) if case.mediator else ""),
        (label("settlement_effective_on"), case.settlement_effective_on),
        (label("performance_due_on"), case.performance_due_on),
        (label("performed_on"), case.performed_on),
        (label("closed_reason"), closed_reason_label(case.closed_reason)),
    ]
    return [(name, value) for name, value in facts if value not in (None, "")]


def case_documents(case: Case) -> list[Any]:
    """The case's notices and rulings, each with its PDF once rendered (served by the notices app, scoped)."""
    from notices.selectors import notices_of_case

    return list(notices_of_case(case=case))


def event_rows(case: Case) -> list[dict[str, Any]]:
    stages = dict(Stage.choices)
    roles = dict(Role.choices)
    rows = []
    event: CaseEvent
    for event in case_events(case=case):
        actor = event.actor
        rows.append(
            {
                "seq": event.seq,
                "at": event.created_at,
                "action": transition_label(event.action),
                "from": stages.get(event.from_stage, ""),
                "to": stages.get(event.to_stage, ""),
                "moved": event.from_stage != event.to_stage,
                "actor": (actor.get_full_name() or actor.username) if actor else gettext("Platform"),
                "role": roles.get(event.actor_role, ""),
                "reason": event_reason_label(event.reason),
            }
        )
    return rows
