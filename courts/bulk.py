"""Bulk decisions of the court console, run in chunks with a progress record.

The console starts a run (BulkRun) for the cases a judge or clerk selected; a worker (inline when Celery
runs eagerly) hands each chunk to the set-based service of the action (confirmations_bulk and the others)
and records after each chunk how far it got, what was done and what was skipped and why. The report page
polls the run.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from cases.errors import MESSAGES, ActionForbidden, CaseActionError, TransitionRefused
from cases.models import Case, Stage
from cases.selectors import cases_visible_to
from cases.services import BulkResult, cases_bulk_transition
from core.actors import actor_role
from core.models import Role

from . import services as court
from .models import BulkRun

RUN_CHUNK = 100  # cases per step: small enough for a moving progress bar, large enough to stay set-based

A = BulkRun.Action
ROLES: dict[str, frozenset[str]] = {
    A.CONFIRM: frozenset({Role.JUDGE}),
    A.REJECT: frozenset({Role.JUDGE}),
    A.ACCEPT: frozenset({Role.JUDGE, Role.CLERK}),
    A.ISSUE: frozenset({Role.JUDGE}),
    A.STEP: frozenset({Role.JUDGE, Role.CLERK}),  # the state machine then decides per transition
}

# Transitions the state machine allows from any open stage, but which the court takes only where they make
# sense: a settlement awaiting the court's decision is confirmed or refused, nothing else; full performance
# is recorded once there is something to perform.
PERFORMANCE_STAGES = frozenset(
    {
        Stage.CONFIRMED,
        Stage.PAYMENT_ORDER,
        Stage.IN_LITIGATION,
        Stage.ENFORCEABLE,
        Stage.PERFORMING,
        Stage.IN_ENFORCEMENT,
        Stage.ENFORCEMENT_SUSPENDED,
    }
)
AWAITING_DECISION = frozenset({Stage.CONFIRMATION_REQUESTED})
# The steps a judge or clerk may take on many cases at once (those without a form of their own).
STEPS = ("record_full_performance", "start_credit_repair", "close", "close_invalid")


def court_offers(stage: str, transition: str) -> bool:
    """Whether the court takes this transition on a case in this stage (the state machine and the role
    having allowed it)."""
    if stage in AWAITING_DECISION:
        return False
    if transition == "record_full_performance":
        return stage in PERFORMANCE_STAGES
    return True


def _court_scope(transition: str) -> Q:
    scope = ~Q(stage__in=AWAITING_DECISION)
    if transition == "record_full_performance":
        scope &= Q(stage__in=PERFORMANCE_STAGES)
    return scope


def _steps(ids: list[int], actor: Any, visible: QuerySet[Case], transition: str, reason: str) -> BulkResult:
    """One transition on many cases, set-based; a case the court does not take it on is skipped."""
    outside = set(visible.filter(pk__in=ids).exclude(_court_scope(transition)).values_list("pk", flat=True))
    result = cases_bulk_transition(
        case_ids=[pk for pk in ids if pk not in outside],
        transition=transition,
        actor=actor,
        visible=visible,
        reason=reason,
    )
    result.skipped.update(dict.fromkeys(outside, str(MESSAGES["wrong_stage"])))
    return result


def _step(run: BulkRun) -> Callable[[list[int], Any, QuerySet[Case]], BulkResult]:
    p = run.params
    steps: dict[str, Callable[[list[int], Any, QuerySet[Case]], BulkResult]] = {
        A.CONFIRM: lambda ids, actor, visible: court.confirmations_bulk(
            case_ids=ids, actor=actor, visible=visible, reasons=p.get("reasons", "")
        ),
        A.REJECT: lambda ids, actor, visible: court.confirmations_reject_bulk(
            case_ids=ids,
            actor=actor,
            visible=visible,
            ground=p.get("ground", ""),
            reasons=p.get("reasons", ""),
            next_step=p.get("next_step", "mediation"),
        ),
        A.ACCEPT: lambda ids, actor, visible: court.payment_orders_accept_bulk(
            case_ids=ids, actor=actor, visible=visible
        ),
        A.ISSUE: lambda ids, actor, visible: court.payment_orders_issue_bulk(
            case_ids=ids, actor=actor, visible=visible
        ),
        A.STEP: lambda ids, actor, visible: _steps(
            ids, actor, visible, p.get("transition", ""), p.get("reason", "")
        ),
    }
    return steps[run.action]


def bulk_run_start(*, action: str, case_ids: Iterable[int], actor: Any, params: dict[str, Any]) -> BulkRun:
    """Record the run and hand it to a worker (run inline when Celery is eager). Only the roles whose
    decision it is may start one; the cases are those the actor can see, checked again by each step."""
    from .tasks import court_bulk_run

    membership = getattr(actor, "membership", None)
    if actor_role(actor) not in ROLES[action] or membership is None:
        raise ActionForbidden(MESSAGES["forbidden"])
    if action == A.STEP and params.get("transition") not in STEPS:
        raise TransitionRefused(MESSAGES["unknown_transition"], code="unknown_transition")
    ids = sorted({int(pk) for pk in case_ids})
    run = BulkRun.objects.create(
        court=membership.organisation,
        actor=actor,
        action=action,
        params=params,
        language=translation.get_language() or "zh-hans",
        case_ids=ids,
        total=len(ids),
    )
    court_bulk_run.delay(run.pk)
    return run


def bulk_run_process(*, run_id: int) -> BulkRun:
    """Work through the run chunk by chunk from where it stopped; each chunk commits with its progress."""
    run = BulkRun.objects.select_related("actor").get(pk=run_id)
    step = _step(run)
    visible = cases_visible_to(run.actor)
    with translation.override(run.language):
        try:
            _work_through(run, step, visible)
        except Exception as exc:  # the chunk under way rolled back; what was done before it stays done
            run.error = f"{type(exc).__name__}: {exc}"[:1000]
            run.finished_at = timezone.now()
            run.save(update_fields=["error", "finished_at", "updated_at"])
            raise
    return run


def _work_through(
    run: BulkRun, step: Callable[[list[int], Any, QuerySet[Case]], BulkResult], visible: Any
) -> None:
    """Each chunk in its own transaction with its progress: a page polling the run sees it move."""
    while run.processed < run.total and run.finished_at is None:
        chunk = run.case_ids[run.processed : run.processed + RUN_CHUNK]
        with transaction.atomic():
            try:
                with transaction.atomic():  # a refused step leaves nothing half-written
                    result = step(chunk, run.actor, visible)
            except CaseActionError as exc:  # the whole step refused (e.g. no ground): each case skipped
                result = BulkResult(skipped={pk: str(exc.message) for pk in chunk})
            run.done_ids = [*run.done_ids, *result.done]
            run.skipped = {**run.skipped, **{str(pk): str(why) for pk, why in result.skipped.items()}}
            run.processed += len(chunk)
            if run.processed >= run.total:
                run.finished_at = timezone.now()
            run.save(update_fields=["done_ids", "skipped", "processed", "finished_at", "updated_at"])
    if run.finished_at is None:  # nothing was selected
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at", "updated_at"])


def bulk_runs_visible_to(user: Any) -> QuerySet[BulkRun]:
    """A run is seen by the judges and clerks of the court that ran it."""
    membership = getattr(user, "membership", None)
    if membership is None or actor_role(user) not in (Role.JUDGE, Role.CLERK):
        return BulkRun.objects.none()
    return BulkRun.objects.filter(court=membership.organisation)
