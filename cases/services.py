"""The only place that changes a case: lock, check, transition, save, event, side effects on commit."""

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_fsm import can_proceed

from core.actors import SYSTEM, Actor, actor_role
from core.models import PiiAccessLog
from core.workdays import WorkingCalendar

from . import events
from .conditions import Condition
from .deadlines import (
    STAGE_DEADLINES,
    SURVIVES_STAGE_EXIT,
    deadlines_due_for_action,
    deadlines_hold_for_person,
    due_date,
)
from .errors import MESSAGES, ActionForbidden, TransitionRefused
from .models import Case, CaseEvent, Deadline, Debtor, EventAction, Hold
from .permissions import actor_reaches_case

logger = logging.getLogger("pii_access")
CHUNK = 5000


def transition_names() -> list[str]:
    return [t.name for t in Case._meta.get_field("stage").get_all_transitions(Case)]


TRANSITIONS = frozenset(transition_names())


def transition_meta(name: str, stage: str) -> Any:
    method = getattr(Case, name)
    return method._django_fsm.get_transition(stage)


class _Unset:
    pass


_UNSET = _Unset()
_STAMPABLE = [
    f.attname for f in Case._meta.concrete_fields if f.attname not in ("id", "stage") and not f.generated
]


def transition_stamps(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """The fields a transition stamps given these params, found by running its body on a blank case.

    Bulk transitions UPDATE many rows with these values, so the transition method stays the one source.
    """
    blank = Case.__new__(Case)
    blank.__dict__.update(dict.fromkeys(_STAMPABLE, _UNSET))
    getattr(Case, name).__wrapped__(blank, **params)
    return {k: v for k, v in blank.__dict__.items() if k in _STAMPABLE and v is not _UNSET}


def _actor_id(actor: Actor) -> int | None:
    return None if actor is None or actor is SYSTEM else actor.pk


def _check(case: Case, name: str, actor: Actor, reason: str) -> None:
    if name not in TRANSITIONS:
        raise TransitionRefused(MESSAGES["unknown_transition"], code="unknown_transition")
    bound = getattr(case, name)
    meta = transition_meta(name, case.stage)
    if meta is None:
        raise TransitionRefused(MESSAGES["wrong_stage"], code="wrong_stage")
    if not has_transition_perm_ignoring_conditions(case, name, actor):
        raise ActionForbidden(MESSAGES["forbidden"])
    if not can_proceed(bound):
        failed = [c for c in meta.conditions if not c(case)]
        if any(c.name == "no_active_hold" for c in failed):
            raise TransitionRefused(MESSAGES["on_hold"], code="on_hold")
        detail = "; ".join(str(c.explain(case)) for c in failed if isinstance(c, Condition))
        raise TransitionRefused(MESSAGES["condition"] % {"detail": detail}, code="condition")
    if meta.custom.get("needs_reason") and not reason.strip():
        raise TransitionRefused(MESSAGES["reason_required"], code="reason_required")


def has_transition_perm_ignoring_conditions(case: Case, name: str, actor: Actor) -> bool:
    meta = transition_meta(name, case.stage)
    return bool(meta and meta.has_perm(case, actor if actor is not None else SYSTEM))


# Transitions that carry records of their own (a settlement, a court number, a decision): a generic button
# or API call either goes through the app's service (TRANSITION_HANDLERS, registered by that app) or, where
# the step needs a form of its own, is refused with where to take it.
DEDICATED_TRANSITIONS: dict[str, Any] = {
    "settle": _("A settlement takes effect when both parties have signed it on the mediation page."),
    "reject_confirmation": _("Refuse confirmation in the court console, with the legal ground."),
    "judgment_effective": _(
        "Record the judgment in the court console, with the amount and performance period."
    ),
    "order_effective": _("A payment order takes effect by its time limits, recorded in the court console."),
    "order_lapse": _("A payment order lapses by its time limits, recorded in the court console."),
    "order_effect_undone": _("Record the objection, with its posting date, in the court console."),
}
# name -> f(case, actor, reason): the app's own service for a transition a generic call may take.
TRANSITION_HANDLERS: dict[str, Callable[[Case, Any, str], Any]] = {}


def case_available_transitions(*, case: Case, actor: Actor, generic: bool = False) -> list[dict[str, Any]]:
    """The actions this actor may take on this case now: drives the buttons a role sees.

    `generic` leaves out those that need their own page (DEDICATED_TRANSITIONS without a handler).
    """
    available = []
    for t in case.get_available_user_stage_transitions(actor):  # type: ignore[attr-defined]  # django-fsm
        if generic and t.name in DEDICATED_TRANSITIONS and t.name not in TRANSITION_HANDLERS:
            continue
        available.append(
            {
                "name": t.name,
                "label": t.custom.get("label", t.name),
                "needs_reason": bool(t.custom.get("needs_reason")),
                "target": t.target,
            }
        )
    return available


class LockedCase(NamedTuple):
    """A case row as cases_lock returns it: what an update and the next event of its chain need."""

    pk: int
    event_seq: int
    event_head: str
    stage: str
    centre_id: int
    colour: str
    track: str


_LOCKED_FIELDS = ("pk", "event_seq", "event_head", "stage", "centre_id", "colour", "track")


def cases_lock(
    *, case_ids: Iterable[int], base: QuerySet[Case] | None = None, filter_q: Q | None = None
) -> list[LockedCase]:
    """Lock these cases (those of `base` matching `filter_q`) in primary-key order; the caller's transaction
    holds the locks. Only the case rows are locked (`of=self`), whatever the filter joins. See
    cases_change_bulk for the lock order."""
    qs = (base if base is not None else Case.objects.all()).filter(pk__any_of=list(case_ids))
    if filter_q is not None:
        qs = qs.filter(filter_q)
    rows = qs.select_for_update(of=("self",)).order_by("pk").values_list(*_LOCKED_FIELDS)
    return [LockedCase(*row) for row in rows]


def _events_append(
    rows: Sequence[LockedCase],
    *,
    action: str,
    actor: Actor,
    reason: str,
    data: dict[str, Any] | None,
    data_per_case: Mapping[int, dict[str, Any]] | None,
    to_stage: Mapping[int, str] | None,
    at: datetime,
    from_stage: str | None = None,
) -> list[CaseEvent]:
    """The one way an event joins a chain (single or bulk): each locked case's next event, heads moved."""
    heads = [
        (
            r.pk,
            r.event_seq,
            r.event_head,
            r.stage if from_stage is None else from_stage,
            to_stage.get(r.pk, r.stage) if to_stage else r.stage,
        )
        for r in rows
    ]
    return events.append_events_bulk(
        heads,
        action=str(action),
        actor_id=_actor_id(actor),
        actor_role=actor_role(actor) or "",
        reason=reason,
        data=data,
        data_per_case=data_per_case,
        at=at,
    )


def _event_on(
    case: Case,
    *,
    action: str,
    actor: Actor,
    reason: str,
    data: dict[str, Any] | None,
    from_stage: str,
    at: datetime | None = None,
) -> CaseEvent:
    """The next event of a case this transaction has locked and saved (a transition, a creation)."""
    row = LockedCase(
        case.pk, case.event_seq, case.event_head, case.stage, case.centre_id, case.colour, case.track
    )
    at = at or case.stage_entered_at or timezone.now()
    (event,) = _events_append(
        [row],
        action=action,
        actor=actor,
        reason=reason,
        data=data,
        data_per_case=None,
        to_stage=None,
        at=at,
        from_stage=from_stage,
    )
    case.event_seq, case.event_head = event.seq, event.hash
    return event


# What a bulk change sets on a locked case: the same for all, or per case (None leaves the case alone:
# no update, no event).
Changes = Mapping[str, Any] | Callable[[LockedCase], Mapping[str, Any] | None]


def cases_change_bulk(
    *,
    case_ids: Iterable[int],
    action: EventAction | str,
    actor: Actor,
    reason: str = "",
    data: dict[str, Any] | None = None,
    data_per_case: Mapping[int, dict[str, Any]] | None = None,
    changes: Changes | None = None,
    base: QuerySet[Case] | None = None,
    filter_q: Q | None = None,
    then: Callable[[list[LockedCase], dict[int, Mapping[str, Any]]], None] | None = None,
    on_commit: Callable[[list[int]], None] | None = None,
) -> list[int]:
    """Change many cases set-based and write one hash-chained event on each: the one write path.

    Per chunk of CHUNK cases, in one transaction: lock the cases (cases_lock), UPDATE them with `changes`
    (one statement per distinct set of values), append one event per changed case with `data` (or its
    entry in `data_per_case`) and call `then(rows, changes_by_pk)` for the work that belongs to those
    cases (deadlines, ledgers). `on_commit(changed_ids)` runs once, after the outermost commit. Returns
    the ids changed, in pk order.

    Lock order, everywhere: Case rows first, in primary-key order, then the rows that belong to them
    (deadlines, notices, payments, ...). Two writers that follow it cannot deadlock on each other.
    """
    ids = sorted(set(case_ids))
    done: list[int] = []
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            rows = cases_lock(case_ids=ids[start : start + CHUNK], base=base, filter_q=filter_q)
            appended = _change_locked(
                rows, action=action, actor=actor, reason=reason, data=data, data_per_case=data_per_case,
                changes=changes, then=then,
            )  # fmt: skip
            done.extend(e.case_id for e in appended)
    if on_commit is not None and done:
        transaction.on_commit(lambda: on_commit(done))
    return done


def _change_locked(
    rows: list[LockedCase],
    *,
    action: EventAction | str,
    actor: Actor,
    reason: str,
    data: dict[str, Any] | None,
    data_per_case: Mapping[int, dict[str, Any]] | None,
    changes: Changes | None,
    then: Callable[[list[LockedCase], dict[int, Mapping[str, Any]]], None] | None,
) -> list[CaseEvent]:
    now = timezone.now()
    by_pk: dict[int, Mapping[str, Any]] = {}
    if callable(changes):
        for r in rows:
            change = changes(r)
            if change is not None:
                by_pk[r.pk] = change
        rows = [r for r in rows if r.pk in by_pk]
    else:
        by_pk = dict.fromkeys((r.pk for r in rows), changes or {})
    if data_per_case is not None:
        rows = [r for r in rows if r.pk in data_per_case]
    groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for r in rows:
        change = by_pk[r.pk]
        if change:
            groups.setdefault(tuple(sorted(change.items(), key=lambda kv: kv[0])), []).append(r.pk)
    for key, pks in groups.items():
        Case.objects.filter(pk__any_of=pks).update(**{"updated_at": now, **dict(key)})
    to_stage = {r.pk: by_pk[r.pk]["stage"] for r in rows if "stage" in by_pk[r.pk]}
    appended = _events_append(
        rows,
        action=action,
        actor=actor,
        reason=reason,
        data=data,
        data_per_case=data_per_case,
        to_stage=to_stage,
        at=now,
    )
    if then is not None:
        then(rows, by_pk)
    return appended


@transaction.atomic
def case_transition(
    *,
    case: Case,
    transition: str,
    actor: Actor,
    reason: str = "",
    data: dict[str, Any] | None = None,
    **params: Any,
) -> CaseEvent:
    """Take one transition on one case, for one actor, with its event and deadlines, atomically."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _check(case, transition, actor, reason)
    from_stage = case.stage
    if transition in ("withdraw", "close_invalid"):
        params.setdefault("reason", reason)
    getattr(case, transition)(**params)
    now = timezone.now()
    case.stage_entered_at = now
    case.save()
    event = _event_on(case, action=transition, actor=actor, reason=reason, data=data, from_stage=from_stage)
    _deadlines_on_stage_change([case.pk], from_stage, case.stage, case.centre_id, timezone.localdate())
    event_id = event.pk
    transaction.on_commit(lambda: _notify(event_id))
    return event


def case_transition_generic(*, case: Case, transition: str, actor: Actor, reason: str = "") -> CaseEvent:
    """A transition asked for by a generic button or API call: through the owning app's service if it has
    one (so court numbers, records and rulings are made), refused if it needs a page of its own."""
    if transition in TRANSITION_HANDLERS:
        TRANSITION_HANDLERS[transition](case, actor, reason)
        return CaseEvent.objects.filter(case=case, action=transition).order_by("-seq").first()  # type: ignore[return-value]
    if transition in DEDICATED_TRANSITIONS:
        raise TransitionRefused(DEDICATED_TRANSITIONS[transition], code="dedicated")
    return case_transition(case=case, transition=transition, actor=actor, reason=reason)


def _notify(event_id: int) -> None:
    from .tasks import case_stage_entered

    case_stage_entered.delay(event_id)


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)


def cases_bulk_transition(
    *,
    case_ids: Iterable[int],
    transition: str,
    actor: Actor,
    reason: str = "",
    params: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    visible: "Any" = None,
) -> BulkResult:
    """The same transition on many cases in set-based steps: select those eligible, UPDATE, events in bulk.

    Each case skipped is reported with the reason. `visible` is the actor's scoped queryset (selectors).
    """
    if transition not in TRANSITIONS:
        raise TransitionRefused(MESSAGES["unknown_transition"], code="unknown_transition")
    method = getattr(Case, transition)._django_fsm
    sample = next(iter(method.transitions.values()))
    if sample.custom.get("needs_reason") and not reason.strip():
        raise TransitionRefused(MESSAGES["reason_required"], code="reason_required")
    role = actor_role(actor)
    roles: frozenset[str] = getattr(sample.permission, "roles", frozenset())
    ids = list(dict.fromkeys(case_ids))
    result = BulkResult()
    params = dict(params or {})
    if transition in ("withdraw", "close_invalid"):
        params.setdefault("reason", reason)
    stamps = transition_stamps(transition, params)
    if role not in roles:
        result.skipped = dict.fromkeys(ids, str(MESSAGES["forbidden"]))
        return result
    sources = [s for s in method.transitions if s not in ("*", "+")]
    conditions: list[Condition] = sample.conditions
    eligible = Q(stage__in=sources)
    for cond in conditions:
        eligible &= cond.q()
    base = visible if visible is not None else Case.objects.all()
    today = timezone.localdate()
    now = timezone.now()

    def change(row: LockedCase) -> dict[str, Any]:
        return {"stage": method.transitions[row.stage].target, "stage_entered_at": now, **stamps}

    def open_deadlines(rows: list[LockedCase], by_pk: dict[int, Mapping[str, Any]]) -> None:
        by_source: dict[tuple[str, int], list[int]] = {}
        for r in rows:
            by_source.setdefault((r.stage, r.centre_id), []).append(r.pk)
        for (stage, centre_id), pks in by_source.items():
            _deadlines_on_stage_change(pks, stage, by_pk[pks[0]]["stage"], centre_id, today)

    done = set(
        cases_change_bulk(
            case_ids=ids,
            action=transition,
            actor=actor,
            reason=reason,
            data=data,
            changes=change,
            base=base,
            filter_q=eligible,  # conditions may join other tables: cases_lock locks only the cases
            then=open_deadlines,
        )
    )
    result.done = [pk for pk in ids if pk in done]
    _explain_skips(result, ids, base, sources, conditions)
    return result


def _explain_skips(
    result: BulkResult, ids: Sequence[int], base: Any, sources: list[str], conditions: list[Condition]
) -> None:
    done = set(result.done)
    missing = [pk for pk in ids if pk not in done]
    if not missing:
        return
    found = {pk: case for pk, case in base.in_bulk(missing).items()}
    for pk in missing:
        case = found.get(pk)
        if case is None:
            result.skipped[pk] = "not found"
        elif case.stage not in sources:
            result.skipped[pk] = f"{MESSAGES['wrong_stage']} ({case.get_stage_display()})"
        else:
            failed = [str(c.message) for c in conditions if not c(case)]
            result.skipped[pk] = "; ".join(failed) or str(MESSAGES["wrong_stage"])


def _deadlines_on_stage_change(
    case_ids: list[int], from_stage: str, to_stage: str, centre_id: int, today: date
) -> None:
    """Close the limits of the stage left (set-based) and open those of the stage entered."""
    now = timezone.now()
    open_ = Deadline.objects.filter(case_id__in=case_ids, status=Deadline.Status.OPEN)
    if to_stage in ("closed", "withdrawn"):
        open_.update(status=Deadline.Status.CANCELLED, closed_at=now, updated_at=now)
    else:
        closing = [k for k in STAGE_DEADLINES.get(from_stage, []) if k not in SURVIVES_STAGE_EXIT]
        if closing:
            open_.filter(kind__in=closing).update(status=Deadline.Status.MET, closed_at=now, updated_at=now)
    kinds = STAGE_DEADLINES.get(to_stage, [])
    if not kinds:
        return
    work_calendar = WorkingCalendar.for_centre(centre_id)
    rows: list[Deadline] = []
    for kind in kinds:
        due = due_date(kind=kind, start=today, work_calendar=work_calendar)
        rows.extend(
            Deadline(
                case_id=pk,
                kind=kind,
                starts_on=today,
                due_on=due.due_on,
                calendar_warning=due.calendar_warning,
            )
            for pk in case_ids
        )
    Deadline.objects.bulk_create(rows, batch_size=CHUNK)


def deadline_open(*, case: Case, kind: str, start: date | None = None) -> Deadline:
    """Open one limit on a case from a start date (e.g. a payment order's service date)."""
    start = start or timezone.localdate()
    due = due_date(kind=kind, start=start, work_calendar=WorkingCalendar.for_centre(case.centre_id))
    return Deadline.objects.create(
        case=case,
        kind=kind,
        starts_on=start,
        due_on=due.due_on,
        calendar_warning=due.calendar_warning,
        paused_since=timezone.now() if case.on_hold else None,
    )


@transaction.atomic
def case_event_record(
    *, case: Case, action: str, actor: Actor, reason: str = "", data: dict[str, Any] | None = None
) -> CaseEvent:
    """An event that is not a transition (a hold, an objection, a document): cases_change_bulk on one case."""
    rows = cases_lock(case_ids=[case.pk])
    if not rows:
        raise Case.DoesNotExist
    return _change_locked(
        rows,
        action=action,
        actor=actor,
        reason=reason,
        data=data,
        data_per_case=None,
        changes=None,
        then=None,
    )[0]


@transaction.atomic
def hold_place(*, case: Case, kind: str, actor: Actor, reason: str = "") -> Hold:
    """Pause the case wherever it stands: its deadlines stop counting and its transitions are blocked."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if actor is not None and actor is not SYSTEM and not actor_reaches_case(actor, case):
        raise ActionForbidden(MESSAGES["forbidden"])
    now = timezone.now()
    hold = Hold.objects.create(
        case=case, kind=kind, reason=reason, started_at=now, placed_by_id=_actor_id(actor)
    )
    if not case.on_hold:
        Case.objects.filter(pk=case.pk).update(on_hold=True)
        Deadline.objects.filter(case=case, status=Deadline.Status.OPEN, paused_since__isnull=True).update(
            paused_since=now
        )
    case_event_record(
        case=case,
        action=EventAction.HOLD_PLACED,
        actor=actor,
        reason=reason,
        data={"hold": hold.pk, "kind": kind},
    )
    return hold


@transaction.atomic
def hold_lift(*, hold: Hold, actor: Actor, reason: str = "") -> Hold:
    """Lift a hold; when it was the last, deadlines resume, each extended by the whole days it was held."""
    case = Case.objects.select_for_update().get(pk=hold.case_id)
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        return hold
    if actor is not None and actor is not SYSTEM and not actor_reaches_case(actor, case):
        raise ActionForbidden(MESSAGES["forbidden"])
    now = timezone.now()
    hold.lifted_at, hold.lifted_by_id = now, _actor_id(actor)
    hold.save(update_fields=["lifted_at", "lifted_by", "updated_at"])
    if not case.holds.filter(lifted_at__isnull=True).exists():
        Case.objects.filter(pk=case.pk).update(on_hold=False)
        _deadlines_resume(case, now)
    case_event_record(
        case=case,
        action=EventAction.HOLD_LIFTED,
        actor=actor,
        reason=reason,
        data={"hold": hold.pk, "kind": hold.kind},
    )
    return hold


def held_days(paused_since: Any, resumed_at: Any) -> int:
    """Whole calendar days between pause and resumption in China time; a pause within one day adds none."""
    return (timezone.localdate(resumed_at) - timezone.localdate(paused_since)).days


def _deadlines_resume(case: Case, now: Any) -> None:
    paused = Deadline.objects.filter(case=case, status=Deadline.Status.OPEN, paused_since__isnull=False)
    by_days: dict[int, list[int]] = {}
    for pk, since in paused.values_list("pk", "paused_since"):
        by_days.setdefault(held_days(since, now), []).append(pk)
    for days, pks in by_days.items():
        Deadline.objects.filter(pk__in=pks).update(
            due_on=F("due_on") + timedelta(days=days),
            held_days=F("held_days") + days,
            paused_since=None,
            updated_at=now,
        )


# Who may see a full ID or phone number (PIPL 28-29: only where the work needs it); creditors supplied them.
REVEAL_ROLES = frozenset({"mediator", "judge", "clerk", "centre_admin"})


def case_visibility_q_for(actor: Actor) -> Any:
    from .selectors import case_visibility_q

    return case_visibility_q(actor)


def _check_reveal(actor: Actor, case: Case, purpose: str) -> None:
    if actor_role(actor) not in REVEAL_ROLES or not actor_reaches_case(actor, case):
        raise ActionForbidden(MESSAGES["forbidden"])
    if not purpose.strip():
        raise TransitionRefused(MESSAGES["reason_required"], code="reason_required")


def debtor_reveal_id_number(*, debtor: Debtor, actor: Actor, purpose: str) -> str:
    """The full ID number, for a reason; every reading is logged (PIPL 28-29)."""
    reachable = debtor.cases.filter(case_visibility_q_for(actor)).first()
    if reachable is None:
        raise ActionForbidden(MESSAGES["forbidden"])
    _check_reveal(actor, reachable, purpose)
    PiiAccessLog.objects.create(
        user_id=_actor_id(actor), subject=f"debtor:{debtor.pk}", field="id_number", purpose=purpose[:120]
    )
    logger.info("id_number of debtor %s read by %s: %s", debtor.pk, actor, purpose)
    return Debtor.objects.get(pk=debtor.pk).id_number


def case_reveal_phone(*, case: Case, actor: Actor, purpose: str) -> str:
    """The full phone number, for a reason; every reading is logged (PIPL 28-29)."""
    _check_reveal(actor, case, purpose)
    PiiAccessLog.objects.create(
        user_id=_actor_id(actor), subject=f"case:{case.pk}", field="phone", purpose=purpose[:120]
    )
    logger.info("phone of case %s read by %s: %s", case.pk, actor, purpose)
    return Case.objects.get(pk=case.pk).phone


# Online Mediation Rules 25: the ground on which a mediation ends when its period runs out.
MEDIATION_PERIOD_OVER_REASON = gettext_noop(
    "mediation ended: period over, no agreed extension (Online Mediation Rules 24-25)"
)


@transaction.atomic
def deadline_extend(
    *,
    case: Case,
    kind: str,
    days: int,
    actor: Any,
    action: EventAction | str,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Deadline:
    """Move an open limit's last day on by ``days`` (an agreed extension), through the one due-date
    function from the current last day; recorded on the case."""
    from .rules import Period

    rows = cases_lock(case_ids=[case.pk])
    if not rows:
        raise Case.DoesNotExist
    deadline = (
        Deadline.objects.select_for_update()
        .filter(case_id=case.pk, kind=kind, status=Deadline.Status.OPEN)
        .order_by("-pk")
        .first()
    )
    if deadline is None:
        raise TransitionRefused(MESSAGES["no_open_deadline"], code="no_open_deadline")
    due = due_date(
        start=deadline.due_on,
        period=Period(days, "days", "agreed extension"),
        work_calendar=WorkingCalendar.for_centre(case.centre_id),
    )
    previous = deadline.due_on
    deadline.due_on = due.due_on
    deadline.calendar_warning = deadline.calendar_warning or due.calendar_warning
    deadline.save(update_fields=["due_on", "calendar_warning", "updated_at"])
    _change_locked(
        rows,
        action=action,
        actor=actor,
        reason=reason,
        data={
            **(data or {}),
            "deadline": deadline.pk,
            "from": str(previous),
            "to": str(due.due_on),
            "days": days,
        },
        data_per_case=None,
        changes=None,
        then=None,
    )
    return deadline


# What the periodic task does when a limit runs out, beyond marking it expired.
DEADLINE_CONSEQUENCES: dict[str, tuple[str, str]] = {
    # Online Mediation Rules arts. 24, 25: the 30-day period is over and the parties did not all agree to
    # extend it: the mediation ends on that ground and the case goes on to the court's route.
    Deadline.Kind.MEDIATION_WINDOW: (
        "escalate_to_court",
        MEDIATION_PERIOD_OVER_REASON,
    ),
    # CPL 227: no written objection within 15 days of service makes the payment order enforceable.
    Deadline.Kind.PAYMENT_ORDER_OBJECTION: (
        "order_effective",
        gettext_noop("no written objection within the 15-day window"),
    ),
    # Interp. 430: a payment order not served within 30 days of issuance lapses.
    Deadline.Kind.PAYMENT_ORDER_SERVICE: (
        "order_lapse",
        gettext_noop("not served within 30 days of issuance"),
    ),
    # Interp. 438-439: after a valid objection the case becomes a suit unless the creditor declined in 7 days.
    Deadline.Kind.SUIT_DECLINE: (
        "file_suit",
        gettext_noop("the creditor did not decline the suit within 7 days"),
    ),
}


# Further work other apps do when a limit runs out (registered in their AppConfig.ready): f(case_ids) -> n.
DEADLINE_HOOKS: dict[str, list[Callable[[list[int]], int]]] = {}


def deadline_hook(kind: str) -> Callable[[Callable[[list[int]], int]], Callable[[list[int]], int]]:
    def register(func: Callable[[list[int]], int]) -> Callable[[list[int]], int]:
        if func not in DEADLINE_HOOKS.setdefault(kind, []):
            DEADLINE_HOOKS[kind].append(func)
        return func

    return register


def deadlines_act_on_due(*, today: date | None = None) -> dict[str, int]:
    """Act on every limit whose last day has passed and that no hold pauses, set-based; returns counts.

    The limits are marked expired first, then the consequences run on their cases.
    """
    today = today or timezone.localdate()
    selection = deadlines_due_for_action(today=today)  # a limit on an unconfirmed year waits for a person
    held_for_person = deadlines_hold_for_person(selection.needs_person)
    rows = list(selection.auto.values_list("pk", "case_id", "kind"))
    now = timezone.now()
    expired = 0
    for start in range(0, len(rows), CHUNK):
        pks = [pk for pk, _c, _k in rows[start : start + CHUNK]]
        expired += Deadline.objects.filter(pk__in=pks, status=Deadline.Status.OPEN).update(
            status=Deadline.Status.EXPIRED, closed_at=now, updated_at=now
        )
    counts: dict[str, int] = {"expired": expired, "needs_person": held_for_person}
    for kind, (transition, reason) in DEADLINE_CONSEQUENCES.items():
        case_ids = [case_id for _pk, case_id, k in rows if k == kind]
        if case_ids:
            result = cases_bulk_transition(
                case_ids=case_ids, transition=transition, actor=SYSTEM, reason=reason
            )
            counts[transition] = len(result.done)
    for kind, hooks in DEADLINE_HOOKS.items():
        case_ids = [case_id for _pk, case_id, k in rows if k == kind]
        for hook in hooks:
            if case_ids:
                counts[hook.__name__] = hook(case_ids)
    return counts


CASE_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed on phones


def case_code_new() -> str:
    """A case code printed on every notice: random, so codes cannot be guessed or enumerated."""
    import secrets

    return "".join(secrets.choice(CASE_CODE_ALPHABET) for _ in range(10))


def debtor_get_or_create(*, centre_id: int, id_number: str, name: str, phone: str = "") -> Debtor:
    """The one Debtor for this person at this centre, found by the keyed hash of the ID number."""
    from core.crypto import keyed_hash
    from core.identifiers import id_number_birth_date, id_number_region, mask_id_number, mask_phone

    debtor, _ = Debtor.objects.get_or_create(
        centre_id=centre_id,
        id_hash=keyed_hash(id_number),
        defaults={
            "id_number": id_number,
            "id_number_masked": mask_id_number(id_number),
            "name": name,
            "birth_date": id_number_birth_date(id_number),
            "region_code": id_number_region(id_number),
            "phone": phone,
            "phone_masked": mask_phone(phone) if phone else "",
        },
    )
    return debtor


@transaction.atomic
def case_create(
    *,
    creditor: Any,
    external_ref: str,
    debtor_name: str,
    id_number: str,
    phone: str,
    principal: Any,
    overdue_since: date,
    actor: Actor | None = None,
    **fields: Any,
) -> Case:
    """One case from validated values (the batch import does the same set-based), with its first event."""
    from core.identifiers import mask_phone

    debtor = debtor_get_or_create(
        centre_id=creditor.centre_id, id_number=id_number, name=debtor_name, phone=phone
    )
    case = Case(
        centre_id=creditor.centre_id,
        creditor=creditor,
        debtor=debtor,
        code=case_code_new(),
        external_ref=external_ref,
        phone=phone,
        phone_masked=mask_phone(phone),
        principal=principal,
        overdue_since=overdue_since,
        **fields,
    )
    now = timezone.now()
    case.stage_entered_at = now
    case.save()
    _event_on(
        case,
        action=EventAction.RECEIVED,
        actor=actor if actor is not None else SYSTEM,
        reason="",
        data=None,
        from_stage="",
        at=now,
    )
    return case


def case_route(*, case: Case, committee: Any = None, court: Any = None, mediator: Any = None) -> None:
    """Record which committee, court and mediator a case goes to (assignment rules come with mediation)."""
    Case.objects.filter(pk=case.pk).update(
        committee=committee or case.committee, court=court or case.court, mediator=mediator or case.mediator
    )


def cases_history_restamp(*, times: Mapping[int, Sequence[datetime]]) -> int:
    """Seeding only (the demo): move each case's history to the given times, one per event in order, and
    re-hash its chain so that it still verifies. Never for live cases: their history is what happened.

    The case's received time becomes its first event's, its stage entry the last stage change's.
    """
    restamped: list[CaseEvent] = []
    cases: list[Case] = []
    by_case: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.filter(case_id__in=list(times)).order_by("case_id", "seq"):
        by_case.setdefault(event.case_id, []).append(event)
    for case in Case.objects.filter(pk__in=list(times)).order_by("pk"):
        chain, stamps = by_case.get(case.pk, []), list(times[case.pk])
        if len(stamps) < len(chain) or not chain:
            continue
        prev_hash = ""
        for event, at in zip(chain, stamps, strict=False):
            event.created_at, event.prev_hash = at, prev_hash
            event.hash = prev_hash = events.hash_of(event)
            if event.from_stage != event.to_stage:
                case.stage_entered_at = at
        case.created_at, case.event_head = chain[0].created_at, prev_hash
        restamped += chain
        cases.append(case)
    CaseEvent.objects.bulk_update(restamped, ["created_at", "prev_hash", "hash"], batch_size=CHUNK)
    Case.objects.bulk_update(cases, ["created_at", "stage_entered_at", "event_head"], batch_size=CHUNK)
    return len(cases)
