"""Staff reads of the debtor's requests, scoped like cases (cases.selectors): what waits for whom."""

from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404

from cases.models import Case, Stage
from cases.selectors import cases_visible_to
from core.actors import actor_role
from core.models import Membership, Role
from core.queries import SubqueryCount
from mediation.models import (
    ComeForwardRequest,
    ContactAttempt,
    EvidenceFile,
    HardshipRequest,
    Objection,
    Proposal,
    Settlement,
)


# What waits, as plain filters over the cases a user sees: the lists below add what their pages print, the
# counts on every queue view take them bare (a select_related, prefetch and order cost the count nothing
# in the database, but their building on every page view did).
def _objections_open(cases: QuerySet[Case]) -> QuerySet[Objection]:
    return Objection.objects.filter(case__in=cases, status=Objection.Status.UNDER_REVIEW)


def _proposals_open(cases: QuerySet[Case]) -> QuerySet[Proposal]:
    return Proposal.objects.filter(case__in=cases, status=Proposal.Status.OPEN, party=Proposal.Party.DEBTOR)


def _hardship_open(cases: QuerySet[Case]) -> QuerySet[HardshipRequest]:
    return HardshipRequest.objects.filter(case__in=cases, status=HardshipRequest.Status.PENDING)


def objections_waiting(user: Any) -> QuerySet[Objection]:
    return (
        _objections_open(cases_visible_to(user))
        .select_related("case", "case__creditor", "case__debtor", "reviewer")
        .prefetch_related("evidence")
        .defer("case__phone", "case__debtor__id_number", "case__debtor__phone")
        .order_by(F("review_due_on").asc(nulls_last=True), "created_at", "pk")
    )


def proposals_waiting(user: Any) -> QuerySet[Proposal]:
    """Debtors' plans no one has answered yet."""
    return (
        _proposals_open(cases_visible_to(user))
        .select_related("case", "case__creditor", "case__debtor")
        .defer("case__phone", "case__debtor__id_number", "case__debtor__phone")
        .order_by("created_at", "pk")
    )


def hardship_waiting(user: Any) -> QuerySet[HardshipRequest]:
    return (
        _hardship_open(cases_visible_to(user))
        .select_related("case", "case__creditor", "case__debtor")
        .defer("case__phone", "case__debtor__id_number", "case__debtor__phone")
        .order_by("created_at", "pk")
    )


def come_forward_visible_to(user: Any) -> QuerySet[ComeForwardRequest]:
    """Requests to settle at the centre admin's centre (nobody else's business)."""
    membership = getattr(user, "membership", None)
    if actor_role(user) != Role.CENTRE_ADMIN or membership is None:
        return ComeForwardRequest.objects.none()
    return ComeForwardRequest.objects.filter(centre_id=membership.organisation.centre_id).defer("phone")


def come_forward_get(*, user: Any, pk: Any) -> ComeForwardRequest:
    try:
        return come_forward_visible_to(user).get(pk=pk)
    except (ComeForwardRequest.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def debtor_requests_counts(*, user: Any) -> dict[str, int]:
    """What waits on the user, by kind, in one query (the queue shows it on every page view)."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return {"objections": 0, "proposals": 0, "hardship": 0, "come_forward": 0, "total": 0}
    visible = cases_visible_to(user)
    subqueries = {
        "objections": SubqueryCount(_objections_open(visible)),
        "proposals": SubqueryCount(_proposals_open(visible)),
        "hardship": SubqueryCount(_hardship_open(visible)),
        "come_forward": SubqueryCount(
            come_forward_visible_to(user).filter(status=ComeForwardRequest.Status.RECORDED)
        ),
    }
    row = Membership.objects.filter(pk=membership.pk).annotate(**subqueries).values(*subqueries).get()
    counts = {kind: n or 0 for kind, n in row.items()}  # a kind the user never sees counts as NULL
    return {**counts, "total": sum(counts.values())}


def case_debtor_requests(*, case: Case) -> dict[str, Any]:
    """A case's objections, plan negotiation and hardship requests, oldest first, with their evidence."""
    evidence = Prefetch("evidence", queryset=EvidenceFile.objects.order_by("pk"))
    return {
        "objections": list(
            case.objections.select_related("decided_by", "payment_order_objection")
            .prefetch_related(evidence)
            .order_by("created_at", "pk")
        ),
        "proposals": list(case.proposals.select_related("created_by").order_by("created_at", "pk")),
        "hardship": list(
            case.hardship_requests.select_related("decided_by")
            .prefetch_related(evidence)
            .order_by("created_at", "pk")
        ),
        "settlement": case.settlements.exclude(status=Settlement.Status.VOID).order_by("-created_at").first(),
    }


def case_debtor_requests_open(*, case: Case) -> dict[str, int]:
    """What waits on one case (for the mediator's case panel)."""
    return {
        "objections": case.objections.filter(status=Objection.Status.UNDER_REVIEW).count(),
        "proposals": case.proposals.filter(status=Proposal.Status.OPEN, party=Proposal.Party.DEBTOR).count(),
        "hardship": case.hardship_requests.filter(status=HardshipRequest.Status.PENDING).count(),
    }


# A debtor who came forward waits in mediation until someone contacts them.
CAME_FORWARD_STAGES = (Stage.RECEIVED, Stage.TRIAGED, Stage.IN_MEDIATION, Stage.COURT_MEDIATION)


def _came_forward_of(case_ref: Any) -> QuerySet[ComeForwardRequest]:
    """The requests to settle that found this case (same centre, same keyed ID hash), latest first."""
    return ComeForwardRequest.objects.filter(
        centre_id=OuterRef(f"{case_ref}centre_id"),
        id_hash=OuterRef(f"{case_ref}debtor__id_hash"),
        status__in=(ComeForwardRequest.Status.MATCHED, ComeForwardRequest.Status.HANDLED),
    ).order_by("-created_at", "-pk")


def came_forward_waiting(user: Any) -> list[dict[str, Any]]:
    """Cases whose debtor came forward to settle and whom nobody has contacted since, with the debtor's
    note, oldest first: one query, the request found by a semi-join on the keyed ID hash."""
    requests = _came_forward_of("")
    cases = (
        cases_visible_to(user)
        .filter(stage__in=CAME_FORWARD_STAGES)
        .filter(Exists(requests))
        .annotate(
            came_forward_at=Subquery(requests.values("created_at")[:1]),
            came_forward_note=Subquery(requests.values("note")[:1]),
        )
        .exclude(
            Exists(
                ContactAttempt.objects.filter(
                    case_id=OuterRef("pk"), created_at__gte=OuterRef("came_forward_at")
                )
            )
        )
        .select_related("creditor", "debtor")
        .defer("phone", "debtor__id_number", "debtor__phone")
        .order_by("came_forward_at", "pk")[:200]
    )
    return [{"case": c, "created_at": c.came_forward_at, "note": c.came_forward_note} for c in cases]


def case_came_forward(*, case: Case) -> list[ComeForwardRequest]:
    """The debtor's requests to settle that found this case, latest first (for the mediation panel)."""
    return list(
        ComeForwardRequest.objects.filter(
            centre_id=case.centre_id,
            id_hash=case.debtor.id_hash,
            status__in=(ComeForwardRequest.Status.MATCHED, ComeForwardRequest.Status.HANDLED),
        )
        .only("pk", "created_at", "note", "status")
        .order_by("-created_at", "-pk")[:3]
    )
