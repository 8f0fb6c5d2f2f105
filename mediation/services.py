"""Mediation: rules and triage, assignment, contacts, sessions, settlements, escalation."""

import heapq
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cases.models import Batch, Case, Deadline, EventAction, Stage
from cases.services import (
    BulkResult,
    LockedCase,
    case_event_record,
    case_reveal_phone,
    case_transition,
    cases_bulk_transition,
    cases_change_bulk,
    cases_lock,
    deadline_extend,
)
from core.actors import SYSTEM, actor_role
from core.crypto import keyed_hash
from core.models import Centre, Membership, Organisation, Role
from core.pii import PurposeRefused, call_purpose_text
from core.queries import any_of_sql
from notices.services import (
    COLLECTION_QUIET_FROM,
    COLLECTION_QUIET_UNTIL,
    in_collection_quiet_hours,
    notice_send_not_before,
)

from . import rules_defaults
from .errors import MESSAGES, MediationError
from .instalments import instalment_schedule
from .models import (
    Assignment,
    ContactAttempt,
    Instalment,
    LateContactConsent,
    MediationExtension,
    MediationRefusal,
    MediationSession,
    NextContact,
    Settlement,
    TriageResult,
    TriageRule,
    TriageRuleSet,
)
from .routing import ImportRouter, cases_route
from .triage import evaluate, retriage_candidates, validate_conditions

CHUNK = 5000
# The collection hours' one rule is notices.services.in_collection_quiet_hours; these hours serve queries.
QUIET_START, QUIET_END = COLLECTION_QUIET_FROM.hour, COLLECTION_QUIET_UNTIL.hour
MAX_UNANSWERED_PER_DAY = 6  # same guideline: at most 6 unanswered attempts a day to one number
# Two identical entries (a contact, a session) this close together are one entry sent twice.
DUPLICATE_WINDOW = timedelta(minutes=5)
MEDIATION_STAGES = [Stage.TRIAGED, Stage.IN_MEDIATION, Stage.COURT_MEDIATION]


def _ids(case_ids: Iterable[int] | QuerySet[Case, Any]) -> Any:
    """Ids for pk__in: a queryset stays a subquery (a batch's 100,000 ids make no parameter list)."""
    return case_ids if isinstance(case_ids, QuerySet) else list(case_ids)


def _uid(actor: Any) -> int | None:
    return None if actor is None or actor is SYSTEM else actor.pk


# --- triage ---------------------------------------------------------------------------------------


@transaction.atomic
def triage_ruleset_publish(
    *, centre: Centre, rules: list[dict[str, Any]], actor: Any, note: str = ""
) -> TriageRuleSet:
    """Publish a new version of a centre's rules; the previous version stays, inactive, for the record."""
    for rule in rules:
        validate_conditions(rule.get("conditions", []))
    latest = TriageRuleSet.objects.select_for_update().filter(centre=centre).order_by("-version").first()
    version = (latest.version + 1) if latest else 1
    TriageRuleSet.objects.filter(centre=centre, is_active=True).update(is_active=False)
    ruleset = TriageRuleSet.objects.create(
        centre=centre, version=version, is_active=True, note=note, created_by_id=_uid(actor)
    )
    TriageRule.objects.bulk_create(
        TriageRule(
            ruleset=ruleset,
            position=i,
            name=r["name"],
            conditions=r.get("conditions", []),
            colour=r["colour"],
            track=r.get("track", ""),
            staff_reason=r.get("staff_reason", r["name"]),
            debtor_reason=r.get("debtor_reason", ""),
            name_en=r.get("name_en", ""),
            staff_reason_en=r.get("staff_reason_en", ""),
            debtor_reason_en=r.get("debtor_reason_en", ""),
        )
        for i, r in enumerate(rules)
    )
    return ruleset


def triage_ruleset_ensure_default(centre: Centre) -> TriageRuleSet:
    existing = TriageRuleSet.objects.filter(centre=centre, is_active=True).first()
    return existing or triage_ruleset_publish(
        centre=centre, rules=rules_defaults.DEFAULT_RULES, actor=SYSTEM, note="default rules"
    )


def _insert_per_case(table: str, columns: str, values: str, params: list[Any], case_ids: list[int]) -> None:
    """INSERT INTO table (columns) SELECT values FROM each case of case_ids, CHUNK ids a statement: the
    same values for many cases travel once, not once per row (a batch's 100,000 results or assignments)."""
    sql = f"INSERT INTO {table} ({columns}) SELECT {values} FROM {Case._meta.db_table} WHERE {{ids}}"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(case_ids), CHUNK):
            ids, id_params = any_of_sql("id", case_ids[start : start + CHUNK], connection.vendor)
            cursor.execute(sql.format(ids=ids), [*params, *id_params])


def _now_param() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _store_results(results: dict[int, tuple[str, str, list]], centre: Centre) -> None:
    """A triage result per case, one INSERT per (colour, track, reasons) group and chunk."""
    ruleset = TriageRuleSet.objects.filter(centre=centre, is_active=True).first()
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for pk, (colour, track, reasons) in results.items():
        groups[(colour, track, json.dumps(reasons, cls=DjangoJSONEncoder, ensure_ascii=False))].append(pk)
    reasons_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    now = _now_param()
    for (colour, track, reasons_json), pks in groups.items():
        _insert_per_case(
            TriageResult._meta.db_table,
            "case_id, ruleset_id, version, colour, track, reasons, created_at",
            f"id, %s, %s, %s, %s, {reasons_param}, %s",
            [
                ruleset.pk if ruleset else None,
                ruleset.version if ruleset else 0,
                colour,
                track,
                reasons_json,
                now,
            ],
            pks,
        )


def cases_triage(*, case_ids: Iterable[int], centre: Centre, actor: Any = SYSTEM) -> BulkResult:
    """Triage received cases by the centre's rules: a transition per (colour, track) group, set-based."""
    ids = list(case_ids)
    total = BulkResult()
    for start in range(0, len(ids), CHUNK * 4):
        chunk = ids[start : start + CHUNK * 4]
        results = evaluate(chunk, centre=centre)
        groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for pk, (colour, track, _reasons) in results.items():
            groups[(colour, track)].append(pk)
        for (colour, track), pks in groups.items():
            result = cases_bulk_transition(
                case_ids=pks, transition="triage", actor=actor, params={"colour": colour, "track": track}
            )
            total.done.extend(result.done)
            total.skipped.update(result.skipped)
        done = set(total.done)
        _store_results({pk: r for pk, r in results.items() if pk in done}, centre)
    return total


def cases_retriage(
    *,
    centre: Centre,
    actor: Any,
    case_ids: Iterable[int] | QuerySet[Case, Any] | None = None,
    record_all: bool = False,
) -> int:
    """Apply the current rules again to open cases (after a rule change): colour, track, result, event.

    A result is stored for each case whose colour or track changed; with ``record_all``, also for each
    case that has none yet under the active version (new cases: every case shows why it has its colour).
    """
    qs = retriage_candidates(centre)
    if case_ids is not None:
        qs = qs.filter(pk__in=_ids(case_ids))
    ids = list(qs.values_list("pk", flat=True))
    changed = 0
    ruleset = TriageRuleSet.objects.filter(centre=centre, is_active=True).first()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        results = evaluate(chunk, centre=centre)

        def change(row: LockedCase, results: dict = results) -> dict[str, str] | None:
            colour, track = results[row.pk][:2]
            return None if (colour, track) == (row.colour, row.track) else {"colour": colour, "track": track}

        def store(
            rows: list[LockedCase], _changes: Any, chunk: list[int] = chunk, results: dict = results
        ) -> None:
            record = {r.pk for r in rows}
            if record_all:
                have = TriageResult.objects.filter(case_id__in=chunk, ruleset=ruleset)
                record |= set(chunk) - set(have.values_list("case_id", flat=True))
            _store_results({pk: results[pk] for pk in record}, centre)

        changed += len(
            cases_change_bulk(
                case_ids=chunk,
                action=EventAction.RETRIAGED,
                actor=actor,
                reason=f"rules v{ruleset.version}" if ruleset else "",
                changes=change,
                then=store,
            )
        )
    return changed


def imported_cases_route(*, batch: Batch) -> dict[str, int]:
    """A new batch's cases under the centre's own rules (each gets a result with the rule version and the
    reasons), then, when the centre assigns automatically, to its mediators. Safe to run twice."""
    centre = batch.centre
    ruleset = triage_ruleset_ensure_default(centre)
    cases = Case.objects.filter(batch=batch, stage=Stage.TRIAGED)
    if not _routing_pending(cases, ruleset=ruleset, assign=centre.auto_assign):
        return {"changed": 0, "assigned": 0}  # routed as it was imported (batch_router), under these rules
    if connection.vendor == "postgresql":
        # One set-based pass (mediation.routing): rules, results, events and mediators together.
        members = list(_mediators(centre, court_invited=False)) if centre.auto_assign else []
        routed = cases_route(
            centre=centre,
            base=cases,
            ruleset=ruleset,
            actor=SYSTEM,
            chooser=MediatorChooser(members) if members else None,
        )
        return {"changed": routed.changed, "assigned": routed.assigned}
    changed = cases_retriage(centre=centre, actor=SYSTEM, case_ids=cases.values("pk"), record_all=True)
    assigned = 0
    if centre.auto_assign:
        assigned = sum(cases_assign_auto(centre=centre, case_ids=cases.values("pk")).values())
    return {"changed": changed, "assigned": assigned}


def _routing_pending(cases: QuerySet[Case], *, ruleset: TriageRuleSet, assign: bool) -> bool:
    """Whether some of these cases have no result under these rules or (`assign`) no mediator: one query."""
    unrouted = ~Exists(TriageResult.objects.filter(case_id=OuterRef("pk"), ruleset=ruleset))
    return cases.filter(unrouted | Q(mediator__isnull=True) if assign else unrouted).exists()


def batch_router(*, centre: Centre, today: date) -> ImportRouter:
    """The centre's rules and mediators for a batch being imported (cases.batches.importer.BATCH_ROUTERS)."""
    ruleset = triage_ruleset_ensure_default(centre)
    members = list(_mediators(centre, court_invited=False)) if centre.auto_assign else []
    chooser = MediatorChooser(members) if members else None
    return ImportRouter(centre=centre, ruleset=ruleset, chooser=chooser, today=today)


def triage_latest(case: Case) -> TriageResult | None:
    return case.triage_results.order_by("-created_at", "-pk").first()


# --- assignment -----------------------------------------------------------------------------------


def _mediators(centre: Centre, *, court_invited: bool) -> QuerySet[Membership]:
    committees = Organisation.objects.filter(centre=centre, kind=Organisation.Kind.COMMITTEE)
    committees = committees.filter(invited_by_court__isnull=not court_invited)
    return Membership.objects.filter(
        organisation__in=committees, role=Role.MEDIATOR, user__is_active=True
    ).select_related("organisation", "user")


def _open_load(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Case.objects.filter(mediator_id__in=user_ids, stage__in=MEDIATION_STAGES)
        .values("mediator_id")
        .annotate(n=Count("pk"))
    )
    return {r["mediator_id"]: r["n"] for r in rows}


def cases_assign_auto(
    *,
    centre: Centre,
    actor: Any = SYSTEM,
    case_ids: Iterable[int] | QuerySet[Case, Any] | None = None,
    court_invited: bool = False,
) -> dict[int, int]:
    """Give unassigned cases to mediators of the centre's committees, region first, then least loaded.

    One load query, one pass over the cases, one UPDATE per mediator: never a query per case.
    Returns {mediator_id: cases given}.
    """
    members = list(_mediators(centre, court_invited=court_invited))
    if not members:
        return {}
    qs = cases_waiting_for_mediator(centre=centre, court_invited=court_invited)
    if case_ids is not None:
        qs = qs.filter(pk__in=_ids(case_ids))
    with transaction.atomic():
        # Locked: a second run at the same time (the task after an upload, the admin's button) waits, then
        # finds these cases assigned and leaves them.
        locked = [r.pk for r in cases_lock(case_ids=qs.values_list("pk", flat=True), base=qs)]
        cases = list(
            Case.objects.filter(pk__any_of=locked)
            .order_by("pk")
            .values_list("pk", "debtor__region_code", "mediator_id")
        )
        chosen = _choose_mediators(cases, members)
        _apply_assignments(chosen, {m.user_id: m for m in members}, actor, how="auto", reason="")
    return {uid: len(items) for uid, items in chosen.items()}


def _choose_mediators(
    cases: Sequence[tuple[int, str, int | None]], members: list[Membership]
) -> dict[int, list[tuple[int, int | None]]]:
    """Each case to a mediator covering the debtor's region if any, else to the least loaded one."""
    chooser = MediatorChooser(members)
    chosen: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
    for pk, region, previous in cases:
        chosen[chooser.pick(region)[0]].append((pk, previous))
    return chosen


class MediatorChooser:
    """The mediator for one case after another: one covering the debtor's region if any, else any; of
    those, the least loaded (open cases, counting those given so far), ties to the lowest id."""

    def __init__(self, members: list[Membership]) -> None:
        load = _open_load([m.user_id for m in members])
        self.by_region: dict[str, list[Membership]] = defaultdict(list)
        for m in members:
            for prefix in filter(None, (p.strip() for p in m.region_codes.split(","))):
                self.by_region[prefix].append(m)
        current = {m.user_id: load.get(m.user_id, 0) for m in members}
        self.committee = {m.user_id: m.organisation_id for m in members}
        self.least_loaded = _LeastLoaded(current)
        self.everyone = tuple(sorted(current))
        self.regional: dict[str, tuple[int, ...]] = {}

    def pick(self, region: str) -> tuple[int, int]:
        """(mediator id, committee id) for a case of this debtor's region code."""
        group = self.regional.get(region)
        if group is None:
            group = self.regional[region] = tuple(
                sorted(
                    {
                        m.user_id
                        for p, ms in self.by_region.items()
                        if region and region.startswith(p)
                        for m in ms
                    }
                )
            )
        uid = self.least_loaded.take(group or self.everyone)
        return uid, self.committee[uid]


class _LeastLoaded:
    """The least-loaded mediator of a group (ties to the lowest id), in O(log n) a case: a lazy heap per
    group; an entry whose load has grown since it was pushed goes back with its current load."""

    def __init__(self, load: dict[int, int]) -> None:
        self.load = load
        self.heaps: dict[tuple[int, ...], list[tuple[int, int]]] = {}

    def take(self, group: tuple[int, ...]) -> int:
        heap = self.heaps.get(group)
        if heap is None:
            heap = self.heaps[group] = [(self.load[uid], uid) for uid in group]
            heapq.heapify(heap)
        while True:
            load, uid = heapq.heappop(heap)
            if load == self.load[uid]:
                break
            heapq.heappush(heap, (self.load[uid], uid))
        self.load[uid] += 1
        heapq.heappush(heap, (self.load[uid], uid))
        return uid


def cases_waiting_for_mediator(*, centre: Centre, court_invited: bool = False) -> QuerySet[Case]:
    """What automatic assignment takes: triaged cases with no mediator, or (court_invited) cases in court
    mediation not yet with one of the court's invited mediators."""
    if court_invited:
        return Case.objects.filter(centre=centre, stage=Stage.COURT_MEDIATION).exclude(
            committee__invited_by_court__isnull=False
        )
    return Case.objects.filter(centre=centre, stage=Stage.TRIAGED, mediator__isnull=True)


def centre_auto_assign_set(*, centre: Centre, on: bool) -> None:
    """Whether new batches' cases go to mediators at once (on) or wait in the committee pools (off)."""
    Centre.objects.filter(pk=centre.pk).update(auto_assign=on, updated_at=timezone.now())
    centre.auto_assign = on


def _apply_assignments(
    chosen: dict[int, list[tuple[int, int | None]]],
    member_of: dict[int, Membership],
    actor: Any,
    *,
    how: str,
    reason: str,
) -> None:
    """History rows (each previous mediator read from its case), then the cases; set-based per mediator."""
    now = _now_param()
    with transaction.atomic():
        for uid, items in chosen.items():
            committee = member_of[uid].organisation
            pks = [pk for pk, _prev in items]
            _insert_per_case(
                Assignment._meta.db_table,
                "case_id, mediator_id, committee_id, previous_mediator_id, assigned_by_id, how, reason, at",
                "id, %s, %s, mediator_id, %s, %s, %s, %s",
                [uid, committee.pk, _uid(actor), how, reason, now],
                pks,
            )
            for start in range(0, len(pks), CHUNK):
                Case.objects.filter(pk__any_of=pks[start : start + CHUNK]).update(
                    mediator_id=uid, committee_id=committee.pk, updated_at=timezone.now()
                )


def cases_assign(
    *, case_ids: Iterable[int], mediator: Any, actor: Any, visible: QuerySet[Case], reason: str = ""
) -> BulkResult:
    """Assign (or reassign) cases by hand to one mediator of the same centre; history is kept."""
    membership = getattr(mediator, "membership", None)
    result = BulkResult()
    ids = list(dict.fromkeys(case_ids))
    if (
        membership is None
        or membership.role != Role.MEDIATOR
        or actor_role(actor)
        not in (
            Role.CENTRE_ADMIN,
            Role.MEDIATOR,
        )
    ):
        result.skipped = dict.fromkeys(ids, str(MESSAGES["no_mediator"]))
        return result
    with transaction.atomic():
        # The cases first, in pk order (cases.services.cases_change_bulk), then their assignment rows.
        mine = visible.filter(centre_id=membership.organisation.centre_id, stage__in=MEDIATION_STAGES)
        locked = [r.pk for r in cases_lock(case_ids=ids, base=mine)]
        eligible: list[tuple[int, int | None]] = list(
            Case.objects.filter(pk__any_of=locked).order_by("pk").values_list("pk", "mediator_id")
        )
        _apply_assignments(
            {mediator.pk: eligible}, {mediator.pk: membership}, actor, how="manual", reason=reason
        )
    result.done = [pk for pk, _ in eligible]
    done = set(result.done)
    result.skipped = {pk: "not assignable in its stage or not visible" for pk in ids if pk not in done}
    return result


# --- contacts -------------------------------------------------------------------------------------


def in_quiet_hours(at: datetime) -> bool:
    return in_collection_quiet_hours(at)


def contact_log(
    *,
    case: Case,
    actor: Any,
    channel: str,
    at: datetime,
    outcome: str,
    notes: str = "",
    unreachable_reason: str = "",
    next_contact_on: date | None = None,
) -> tuple[ContactAttempt, list[str]]:
    """Record a contact attempt; refuse quiet-hour contact without consent; warn past 6 unanswered a day."""
    if case.mediator_id != actor.pk and actor_role(actor) != Role.CENTRE_ADMIN:
        raise MediationError(MESSAGES["not_mediator"], code="not_mediator")
    _refuse_if_refused(case)
    if at > timezone.now() + timedelta(minutes=5):
        raise MediationError(MESSAGES["future_contact"], code="future_contact")
    if in_quiet_hours(at) and not LateContactConsent.objects.filter(case=case).exists():
        raise MediationError(MESSAGES["quiet_hours"], code="quiet_hours")
    if outcome == ContactAttempt.Outcome.UNREACHABLE and not unreachable_reason.strip():
        raise MediationError(MESSAGES["unreachable_reason"], code="unreachable_reason")
    with transaction.atomic():
        cases_lock(
            case_ids=[case.pk]
        )  # two identical entries sent at once: the second waits, then sees the first
        return _contact_create(
            case=case,
            actor=actor,
            channel=channel,
            at=at,
            outcome=outcome,
            notes=notes,
            unreachable_reason=unreachable_reason,
            next_contact_on=next_contact_on,
        )


def contact_duplicate(*, case: Case, channel: str, at: datetime, outcome: str, notes: str) -> bool:
    """The same entry (case, channel, time, outcome, notes) was logged in the last few minutes: one entry
    sent twice. A redial a minute later is a new attempt (its time differs) and counts towards the 6."""
    return ContactAttempt.objects.filter(
        case=case,
        channel=channel,
        at=at,
        outcome=outcome,
        notes=notes,
        created_at__gte=timezone.now() - DUPLICATE_WINDOW,
    ).exists()


def _contact_create(
    *,
    case: Case,
    actor: Any,
    channel: str,
    at: datetime,
    outcome: str,
    notes: str,
    unreachable_reason: str,
    next_contact_on: date | None,
) -> tuple[ContactAttempt, list[str]]:
    if contact_duplicate(case=case, channel=channel, at=at, outcome=outcome, notes=notes):
        raise MediationError(MESSAGES["duplicate_contact"], code="duplicate_contact")
    phone_hash = keyed_hash(case.phone) if case.phone else ""
    attempt = ContactAttempt.objects.create(
        case=case,
        mediator=actor,
        channel=channel,
        at=at,
        outcome=outcome,
        notes=notes,
        unreachable_reason=unreachable_reason,
        phone_hash=phone_hash,
        next_contact_on=next_contact_on,
    )
    if next_contact_on:
        NextContact.objects.update_or_create(case=case, defaults={"due_on": next_contact_on, "set_by": actor})
    warnings = []
    if phone_hash and outcome == ContactAttempt.Outcome.NO_ANSWER:
        day = timezone.localtime(at).date()
        unanswered = ContactAttempt.objects.filter(
            phone_hash=phone_hash, outcome=ContactAttempt.Outcome.NO_ANSWER, at__date=day
        ).count()
        if unanswered > MAX_UNANSWERED_PER_DAY:
            warnings.append(str(MESSAGES["too_many_unanswered"]))
    case_event_record(
        case=case,
        action=EventAction.CONTACT_LOGGED,
        actor=actor,
        reason=notes[:200],
        data={"channel": channel, "outcome": outcome, "at": at.isoformat()},
    )
    return attempt, warnings


def cases_schedule_contact(
    *, case_ids: Iterable[int], actor: Any, due_on: date, visible: QuerySet[Case]
) -> int:
    """Set the next contact date on many cases at once (two statements, whatever the count)."""
    ids = list(
        visible.filter(
            pk__in=list(case_ids), stage__in=MEDIATION_STAGES, mediation_refusal__isnull=True
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        NextContact.objects.filter(case_id__in=ids).update(due_on=due_on, set_by=actor, set_at=timezone.now())
        have = set(NextContact.objects.filter(case_id__in=ids).values_list("case_id", flat=True))
        NextContact.objects.bulk_create(
            NextContact(case_id=pk, due_on=due_on, set_by=actor) for pk in ids if pk not in have
        )
    return len(ids)


def late_contact_consent_record(*, case: Case, actor: Any, note: str) -> LateContactConsent:
    consent, _ = LateContactConsent.objects.get_or_create(
        case=case, defaults={"note": note, "recorded_by": actor}
    )
    case_event_record(case=case, action=EventAction.LATE_CONTACT_CONSENT, actor=actor, reason=note)
    return consent


@dataclass(frozen=True)
class CallReveal:
    """The number to call, once, and what the mediator should know before dialling."""

    phone: str
    warnings: list[str]

    @property
    def tel(self) -> str:
        digits = "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
        return f"tel:{digits}"


def unanswered_calls_today(*, case: Case, now: datetime | None = None) -> int:
    """Unanswered attempts today (Beijing) to the case's number, whichever case logged them."""
    if not case.phone:
        return 0
    day = timezone.localtime(now or timezone.now()).date()
    return ContactAttempt.objects.filter(
        phone_hash=keyed_hash(case.phone), outcome=ContactAttempt.Outcome.NO_ANSWER, at__date=day
    ).count()


def case_call_reveal(*, case: Case, actor: Any, purpose: str) -> CallReveal:
    """The mediator reads the debtor's number to call them, for a purpose from a short list; the reading is
    logged (who, purpose, when: PIPL 28-29). In the quiet hours without the debtor's consent the number is
    held until 08:00 (collection guideline); past 6 unanswered calls today the mediator is warned."""
    if case.mediator_id != actor.pk and actor_role(actor) != Role.CENTRE_ADMIN:
        raise MediationError(MESSAGES["not_mediator"], code="not_mediator")
    _refuse_if_refused(case)
    try:
        purpose_text = call_purpose_text(purpose)
    except PurposeRefused as exc:
        raise MediationError(str(exc.message), code="call_purpose") from exc
    if not case.phone:
        raise MediationError(MESSAGES["no_phone"], code="no_phone")
    now = timezone.now()
    if in_quiet_hours(now) and not LateContactConsent.objects.filter(case=case).exists():
        raise MediationError(MESSAGES["quiet_hours_call"], code="quiet_hours")
    warnings = []
    if unanswered_calls_today(case=case, now=now) >= MAX_UNANSWERED_PER_DAY:
        warnings.append(str(MESSAGES["six_unanswered_today"]))
    phone = case_reveal_phone(case=case, actor=actor, purpose=purpose_text)
    return CallReveal(phone=phone, warnings=warnings)


# --- sessions -------------------------------------------------------------------------------------


def session_schedule(
    *, case: Case, actor: Any, kind: str, scheduled_at: datetime, location: str = "", meeting_link: str = ""
) -> MediationSession:
    """Schedule a session and tell both parties (through the notices channels when configured)."""
    if case.mediator_id != actor.pk:
        raise MediationError(MESSAGES["not_mediator"], code="not_mediator")
    _refuse_if_refused(case)
    if kind == MediationSession.Kind.VIDEO and not meeting_link:
        raise MediationError(MESSAGES["meeting_link"], code="meeting_link")
    if scheduled_at < timezone.now():
        raise MediationError(MESSAGES["past_session"], code="past_session")
    with transaction.atomic():
        cases_lock(case_ids=[case.pk])  # a double click: the second request waits here, then sees the first
        if session_duplicate(case=case, kind=kind, scheduled_at=scheduled_at):
            raise MediationError(MESSAGES["duplicate_session"], code="duplicate_session")
        return _session_create(
            case=case,
            actor=actor,
            kind=kind,
            scheduled_at=scheduled_at,
            location=location,
            meeting_link=meeting_link,
        )


def session_duplicate(*, case: Case, kind: str, scheduled_at: datetime) -> bool:
    """The case already has a scheduled session of this kind within a few minutes of this time."""
    return MediationSession.objects.filter(
        case=case,
        kind=kind,
        status=MediationSession.Status.SCHEDULED,
        scheduled_at__range=(scheduled_at - DUPLICATE_WINDOW, scheduled_at + DUPLICATE_WINDOW),
    ).exists()


def _session_create(
    *, case: Case, actor: Any, kind: str, scheduled_at: datetime, location: str, meeting_link: str
) -> MediationSession:
    session = MediationSession.objects.create(
        case=case,
        mediator=actor,
        kind=kind,
        scheduled_at=scheduled_at,
        location=location,
        meeting_link=meeting_link,
    )
    case_event_record(
        case=case,
        action=EventAction.SESSION_SCHEDULED,
        actor=actor,
        data={"session": session.pk, "kind": kind, "at": scheduled_at.isoformat()},
    )
    session_id = session.pk
    transaction.on_commit(lambda: _notify_session(session_id))
    return session


def _notify_session(session_id: int) -> None:
    from .tasks import session_notify_parties

    case_id = MediationSession.objects.filter(pk=session_id).values_list("case_id", flat=True).first()
    eta = notice_send_not_before(case_id=case_id or 0, now=timezone.now())  # collection hours
    session_notify_parties.apply_async((session_id,), eta=eta)


def session_record(
    *, session: MediationSession, actor: Any, status: str, record: str = ""
) -> MediationSession:
    if session.mediator_id != actor.pk:
        raise MediationError(MESSAGES["not_mediator"], code="not_mediator")
    session.status, session.record = status, record
    session.save(update_fields=["status", "record", "updated_at"])
    case_event_record(
        case=session.case,
        action=EventAction.SESSION_RECORDED,
        actor=actor,
        reason=record[:200],
        data={"session": session.pk, "status": status},
    )
    return session


# --- settlements ----------------------------------------------------------------------------------


@transaction.atomic
def settlement_draft(
    *,
    case: Case,
    actor: Any,
    kind: str,
    total: Decimal,
    waived_interest: Decimal = Decimal("0"),
    waived_fees: Decimal = Decimal("0"),
    first_due: date | None = None,
    frequency: str = "monthly",
    count: int = 1,
    terms: str = "",
) -> Settlement:
    """Draft a lump-sum or instalment settlement; the schedule's sum equals the agreed total to the fen."""
    if case.mediator_id != actor.pk:
        raise MediationError(MESSAGES["not_mediator"], code="not_mediator")
    Settlement.objects.filter(case=case).exclude(status=Settlement.Status.EFFECTIVE).update(
        status=Settlement.Status.VOID
    )
    # Consents to apply for confirmation were given for the earlier agreement: a new one needs its own.
    cases_change_bulk(
        case_ids=[case.pk],
        action=EventAction.CONFIRMATION_CONSENT,
        actor=actor,
        reason="withdrawn: a new agreement is drafted",
        filter_q=Q(confirmation_consent_debtor_at__isnull=False)
        | Q(confirmation_consent_creditor_at__isnull=False),
        changes={"confirmation_consent_debtor_at": None, "confirmation_consent_creditor_at": None},
    )
    settlement = Settlement.objects.create(
        case=case,
        kind=kind,
        total=total,
        waived_interest=waived_interest,
        waived_fees=waived_fees,
        terms=terms,
        created_by=actor,
    )
    count = 1 if kind == Settlement.Kind.LUMP_SUM else count
    plan = instalment_schedule(
        total=total, first_due=first_due or timezone.localdate(), frequency=frequency, count=count
    )
    Instalment.objects.bulk_create(
        Instalment(settlement=settlement, seq=p.seq, due_on=p.due_on, amount=p.amount) for p in plan
    )
    case_event_record(
        case=case,
        action=EventAction.SETTLEMENT_DRAFTED,
        actor=actor,
        data={
            "settlement": settlement.pk,
            "total": str(total),
            "instalments": count,
            "waived_interest": str(waived_interest),
            "waived_fees": str(waived_fees),
        },
    )
    return settlement


@transaction.atomic
def settlement_schedule_edit(
    *, settlement: Settlement, actor: Any, rows: list[tuple[date, Decimal]]
) -> Settlement:
    """Replace the schedule by hand; refused unless it adds up to the agreed total exactly."""
    if settlement.status != Settlement.Status.DRAFT or settlement.case.mediator_id != actor.pk:
        raise MediationError(MESSAGES["settlement_state"], code="settlement_state")
    total = sum((amount for _d, amount in rows), Decimal("0.00"))
    if total != settlement.total:
        raise MediationError(
            MESSAGES["schedule_sum"] % {"sum": total, "total": settlement.total}, code="schedule_sum"
        )
    settlement.instalments.all().delete()
    Instalment.objects.bulk_create(
        Instalment(settlement=settlement, seq=i + 1, due_on=d, amount=a)
        for i, (d, a) in enumerate(sorted(rows))
    )
    return settlement


@transaction.atomic
def settlement_offer(*, settlement: Settlement, actor: Any, document_sha256: str = "") -> Settlement:
    """Send the draft to the debtor to accept (the agreement document's hash is what they sign)."""
    settlement = Settlement.objects.select_for_update().get(pk=settlement.pk)
    if settlement.status != Settlement.Status.DRAFT or settlement.case.mediator_id != actor.pk:
        raise MediationError(MESSAGES["settlement_state"], code="settlement_state")
    settlement.status = Settlement.Status.AWAITING_DEBTOR
    settlement.document_sha256 = document_sha256 or settlement_document_hash(settlement)
    settlement.save(update_fields=["status", "document_sha256", "updated_at"])
    case_event_record(
        case=settlement.case,
        action=EventAction.SETTLEMENT_OFFERED,
        actor=actor,
        data={"settlement": settlement.pk, "sha256": settlement.document_sha256},
    )
    return settlement


def settlement_document_hash(settlement: Settlement) -> str:
    """SHA-256 over the agreement's terms as offered: what the debtor's electronic signature covers."""
    import hashlib
    import json

    body = {
        "case": settlement.case.code,
        "total": str(settlement.total),
        "waived_interest": str(settlement.waived_interest),
        "waived_fees": str(settlement.waived_fees),
        "terms": settlement.terms,
        "instalments": [[str(i.due_on), str(i.amount)] for i in settlement.instalments.order_by("seq")],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


OPEN_SETTLEMENT = (
    Settlement.Status.AWAITING_DEBTOR,
    Settlement.Status.AWAITING_MEDIATOR,
    Settlement.Status.AWAITING_CREDITOR,
    Settlement.Status.AWAITING_SEAL,
)


def _settlement_locked(settlement: Settlement) -> Settlement:
    return Settlement.objects.select_for_update().select_related("case").get(pk=settlement.pk)


def _settlement_progress(settlement: Settlement, actor: Any, fields: list[str]) -> Settlement:
    """Save a signing step; once the debtor and the creditor have signed, the mediator has signed and the
    committee's seal is applied, the agreement takes effect on the day of the last of these (PML 29¶2) and
    the case is settled: no clock starts before."""
    steps = [
        (settlement.debtor_accepted_at, Settlement.Status.AWAITING_DEBTOR),
        (settlement.mediator_signed_at, Settlement.Status.AWAITING_MEDIATOR),
        (settlement.creditor_signed_at, Settlement.Status.AWAITING_CREDITOR),
        (settlement.sealed_at, Settlement.Status.AWAITING_SEAL),
    ]
    missing = [status for at, status in steps if at is None]
    settlement.status = missing[0] if missing else Settlement.Status.EFFECTIVE
    if not missing:
        last = max(at for at, _status in steps if at is not None)
        settlement.effective_on = timezone.localdate(last)
        fields.append("effective_on")
    settlement.save(update_fields=[*fields, "status", "updated_at"])
    if not missing:
        by_mediator = actor is not SYSTEM and settlement.case.mediator_id == _uid(actor)
        case_transition(
            case=settlement.case,
            transition="settle",
            actor=actor if by_mediator else SYSTEM,
            effective_on=settlement.effective_on,
            data={"settlement": settlement.pk, "total": str(settlement.total)},
        )
    return settlement


def _confirmation_consent(case: Case, *, party: str, actor: Any, how: str) -> None:
    """One party's consent to apply jointly for judicial confirmation (CPL 205 (201); Interp. 351)."""
    field = f"confirmation_consent_{party}_at"
    cases_change_bulk(
        case_ids=[case.pk],
        action=EventAction.CONFIRMATION_CONSENT,
        actor=actor,
        reason=how[:200],
        data={"party": party},
        filter_q=Q(**{f"{field}__isnull": True}),
        changes={field: timezone.now()},
    )


def settlement_confirmation_consent(*, case: Case, party: str, actor: Any, how: str = "") -> Case:
    """Record the debtor's or the creditor's consent to apply for confirmation (the debtor in the debtor
    pages, the creditor's staff in the creditor pages or by the API); idempotent."""
    if party not in ("debtor", "creditor"):
        raise ValueError(party)
    if party == "creditor" and not _is_creditor_staff(actor, case):
        raise MediationError(MESSAGES["not_creditor"], code="not_creditor")
    _confirmation_consent(case, party=party, actor=actor, how=how)
    case.refresh_from_db()
    return case


def _is_creditor_staff(actor: Any, case: Case) -> bool:
    membership = getattr(actor, "membership", None) if actor is not None and actor is not SYSTEM else None
    return (
        membership is not None
        and membership.role == Role.CREDITOR_STAFF
        and membership.organisation_id == case.creditor_id
    )


@transaction.atomic
def settlement_debtor_accept(
    *, settlement: Settlement, ip: str | None, document_sha256: str, apply_for_confirmation: bool = False
) -> Settlement:
    """The debtor's electronic signature: time, IP, and the hash of the document they accepted; with
    ``apply_for_confirmation``, their consent to apply jointly for judicial confirmation too."""
    settlement = _settlement_locked(settlement)
    if (
        settlement.status not in OPEN_SETTLEMENT
        or settlement.debtor_accepted_at is not None
        or document_sha256 != settlement.document_sha256
    ):
        raise MediationError(MESSAGES["settlement_state"], code="settlement_state")
    settlement.debtor_accepted_at, settlement.debtor_accept_ip = timezone.now(), ip
    case_event_record(
        case=settlement.case,
        action=EventAction.SETTLEMENT_ACCEPTED_BY_DEBTOR,
        actor=SYSTEM,
        data={"settlement": settlement.pk, "ip": ip or "", "sha256": document_sha256},
    )
    if apply_for_confirmation:
        _confirmation_consent(settlement.case, party="debtor", actor=SYSTEM, how="at signing")
    return _settlement_progress(settlement, SYSTEM, ["debtor_accepted_at", "debtor_accept_ip"])


@transaction.atomic
def settlement_creditor_sign(
    *, settlement: Settlement, actor: Any, document_sha256: str, apply_for_confirmation: bool = False
) -> Settlement:
    """The creditor's signature, by its staff (creditor pages or API), over the same document hash. A
    settlement that waives interest or fees (or is below the claim) binds the creditor only with its
    consent: the signature records it explicitly, with who and when. With ``apply_for_confirmation``, the
    creditor's consent to apply jointly for judicial confirmation too."""
    settlement = _settlement_locked(settlement)
    if not _is_creditor_staff(actor, settlement.case):
        raise MediationError(MESSAGES["not_creditor"], code="not_creditor")
    if (
        settlement.status not in OPEN_SETTLEMENT
        or settlement.creditor_signed_at is not None
        or document_sha256 != settlement.document_sha256
    ):
        raise MediationError(MESSAGES["settlement_state"], code="settlement_state")
    now = timezone.now()
    settlement.creditor_signed_at, settlement.creditor_signed_by = now, actor
    fields = ["creditor_signed_at", "creditor_signed_by"]
    case_event_record(
        case=settlement.case,
        action=EventAction.SETTLEMENT_SIGNED_BY_CREDITOR,
        actor=actor,
        data={"settlement": settlement.pk, "sha256": document_sha256},
    )
    if settlement.waives:
        settlement.waiver_consented_at, settlement.waiver_consented_by = now, actor
        fields += ["waiver_consented_at", "waiver_consented_by"]
        case_event_record(
            case=settlement.case,
            action=EventAction.WAIVER_CONSENTED,
            actor=actor,
            data={
                "settlement": settlement.pk,
                "claimed_total": str(settlement.case.claimed_total),
                "total": str(settlement.total),
                "waived_interest": str(settlement.waived_interest),
                "waived_fees": str(settlement.waived_fees),
            },
        )
    if apply_for_confirmation:
        _confirmation_consent(settlement.case, party="creditor", actor=actor, how="with the signature")
    return _settlement_progress(settlement, actor, fields)


def _committee_mediator(actor: Any, case: Case) -> bool:
    user_id = _uid(actor)
    if user_id is None or case.committee_id is None:
        return False
    return Membership.objects.filter(
        user_id=user_id, role=Role.MEDIATOR, organisation_id=case.committee_id
    ).exists()


def _apply_seal(settlement: Settlement, actor: Any, fields: list[str]) -> None:
    settlement.sealed_at, settlement.sealed_by = timezone.now(), actor
    fields += ["sealed_at", "sealed_by"]
    case_event_record(
        case=settlement.case,
        action=EventAction.SETTLEMENT_SEALED,
        actor=actor,
        data={"settlement": settlement.pk, "committee": settlement.case.committee_id},
    )


@transaction.atomic
def settlement_mediator_sign(*, settlement: Settlement, actor: Any, seal: bool = False) -> Settlement:
    """The case's mediator signs after the debtor has accepted; with ``seal``, the mediator (a member of the
    committee) applies the committee's seal at the same time. Effective only when every step is done."""
    settlement = _settlement_locked(settlement)
    if (
        settlement.status not in OPEN_SETTLEMENT
        or settlement.debtor_accepted_at is None
        or settlement.mediator_signed_at is not None
        or settlement.case.mediator_id != actor.pk
    ):
        raise MediationError(MESSAGES["settlement_state"], code="settlement_state")
    settlement.mediator_signed_at = timezone.now()
    fields = ["mediator_signed_at"]
    case_event_record(
        case=settlement.case,
        action=EventAction.SETTLEMENT_SIGNED_BY_MEDIATOR,
        actor=actor,
        data={"settlement": settlement.pk},
    )
    if seal:
        if not _committee_mediator(actor, settlement.case):
            raise MediationError(MESSAGES["not_committee"], code="not_committee")
        _apply_seal(settlement, actor, fields)
    return _settlement_progress(settlement, actor, fields)


@transaction.atomic
def settlement_seal(*, settlement: Settlement, actor: Any) -> Settlement:
    """A mediator of the case's committee applies the committee's seal, after the mediator has signed."""
    settlement = _settlement_locked(settlement)
    if not _committee_mediator(actor, settlement.case):
        raise MediationError(MESSAGES["not_committee"], code="not_committee")
    if (
        settlement.status not in OPEN_SETTLEMENT
        or settlement.mediator_signed_at is None
        or settlement.sealed_at is not None
    ):
        raise MediationError(MESSAGES["settlement_state"], code="settlement_state")
    fields: list[str] = []
    _apply_seal(settlement, actor, fields)
    return _settlement_progress(settlement, actor, fields)


# --- failure and escalation ----------------------------------------------------------------------


def cases_escalate(
    *, case_ids: Iterable[int], actor: Any, reason: str, visible: QuerySet[Case]
) -> BulkResult:
    """People's mediation failed (refusal, unreachable, window expired): on to court mediation, in bulk."""
    result = cases_bulk_transition(
        case_ids=case_ids, transition="escalate_to_court", actor=actor, reason=reason, visible=visible
    )
    if result.done:
        centres = set(Case.objects.filter(pk__in=result.done).values_list("centre_id", flat=True))
        for centre in Centre.objects.filter(pk__in=centres):
            cases_assign_auto(centre=centre, actor=SYSTEM, case_ids=result.done, court_invited=True)
    return result


# People's Mediation Law 17; Online Mediation Rules 25: the ground recorded when a refusal ends mediation.
REFUSAL_REASON = "mediation ended: the debtor expressly refused mediation (PML 17; Online Mediation Rules 25)"


def mediation_refused(case: Case) -> bool:
    return MediationRefusal.objects.filter(case_id=case.pk).exists()


def _refuse_if_refused(case: Case) -> None:
    if mediation_refused(case):
        raise MediationError(MESSAGES["refused"], code="refused")


@transaction.atomic
def mediation_refusal_record(*, case: Case, actor: Any, how: str) -> MediationRefusal:
    """The debtor expressly refuses mediation (PML 3, 17; Online Mediation Rules 25): recorded with an event,
    the mediation ends (open drafts void; from people's mediation the case goes on to the court's route, where
    the creditor may apply for a payment order or sue) and no further mediation contact or session is made.

    ``actor``: the case's mediator or a centre administrator recording it, or SYSTEM when the debtor refuses
    in the debtor pages."""
    if actor is not SYSTEM and case.mediator_id != actor.pk and actor_role(actor) != Role.CENTRE_ADMIN:
        raise MediationError(MESSAGES["not_mediator"], code="not_mediator")
    if case.stage not in MEDIATION_STAGES:
        raise MediationError(MESSAGES["not_in_mediation"], code="not_in_mediation")
    if not how.strip():
        raise MediationError(MESSAGES["refusal_how"], code="refusal_how")
    refusal, created = MediationRefusal.objects.get_or_create(
        case=case, defaults={"how": how[:200], "recorded_by_id": _uid(actor), "at": timezone.now()}
    )
    if not created:
        return refusal
    case_event_record(
        case=case,
        action=EventAction.MEDIATION_REFUSED,
        actor=actor,
        reason=REFUSAL_REASON,
        data={"how": how[:200]},
    )
    Settlement.objects.filter(case=case, status__in=[Settlement.Status.DRAFT, *OPEN_SETTLEMENT]).update(
        status=Settlement.Status.VOID, updated_at=timezone.now()
    )
    NextContact.objects.filter(case=case).delete()
    if case.stage == Stage.IN_MEDIATION:
        case_transition(case=case, transition="escalate_to_court", actor=actor, reason=REFUSAL_REASON)
    case.refresh_from_db()
    return refusal


# --- extension of the mediation period (Online Mediation Rules 24) --------------------------------


@transaction.atomic
def mediation_extension_consent(*, case: Case, party: str, actor: Any, days: int) -> MediationExtension:
    """One party's consent to extend the mediation period by ``days`` (Online Mediation Rules 24): the
    debtor's recorded by the case's mediator (or SYSTEM from the debtor pages), the creditor's by its staff.
    When every party has consented to the same days, the MEDIATION_WINDOW limit moves on by them."""
    if party not in ("debtor", "creditor"):
        raise ValueError(party)
    if not isinstance(days, int) or days < 1:
        raise MediationError(MESSAGES["extension_days"], code="extension_days")
    if case.stage not in (Stage.IN_MEDIATION, Stage.COURT_MEDIATION):
        raise MediationError(MESSAGES["not_in_mediation"], code="not_in_mediation")
    _refuse_if_refused(case)
    if party == "creditor" and not _is_creditor_staff(actor, case):
        raise MediationError(MESSAGES["not_creditor"], code="not_creditor")
    if party == "debtor" and actor is not SYSTEM and case.mediator_id != actor.pk:
        raise MediationError(MESSAGES["not_mediator"], code="not_mediator")
    extension = (
        MediationExtension.objects.select_for_update()
        .filter(case=case, days=days, applied_at__isnull=True)
        .order_by("-pk")
        .first()
    ) or MediationExtension.objects.create(case=case, days=days)
    now = timezone.now()
    if party == "debtor":
        extension.debtor_consented_at, extension.debtor_consent_recorded_by_id = now, _uid(actor)
    else:
        extension.creditor_consented_at, extension.creditor_consented_by = now, actor
    extension.save()
    case_event_record(
        case=case,
        action=EventAction.MEDIATION_EXTENSION_CONSENT,
        actor=actor,
        data={"party": party, "days": days, "extension": extension.pk},
    )
    if extension.debtor_consented_at and extension.creditor_consented_at:
        deadline = deadline_extend(
            case=case,
            kind=Deadline.Kind.MEDIATION_WINDOW,
            days=days,
            actor=actor,
            action=EventAction.MEDIATION_EXTENDED,
            reason="all parties agreed to extend (Online Mediation Rules 24)",
            data={"extension": extension.pk},
        )
        extension.applied_at, extension.new_due_on = now, deadline.due_on
        extension.save(update_fields=["applied_at", "new_due_on"])
    return extension


def cases_mark_unreachable(
    *, case_ids: Iterable[int], actor: Any, reason: str, visible: QuerySet[Case]
) -> int:
    """Log an 'unreachable' outcome on many cases at once (one INSERT), for the record and the statistics."""
    if not reason.strip():
        raise MediationError(MESSAGES["unreachable_reason"], code="unreachable_reason")
    ids = list(visible.filter(pk__in=list(case_ids), stage__in=MEDIATION_STAGES).values_list("pk", flat=True))
    now = timezone.now()
    ContactAttempt.objects.bulk_create(
        ContactAttempt(
            case_id=pk,
            mediator=actor,
            channel=ContactAttempt.Channel.PHONE,
            at=now,
            outcome=ContactAttempt.Outcome.UNREACHABLE,
            unreachable_reason=reason,
        )
        for pk in ids
    )
    return len(ids)


def mediation_request_from_debtor(*, case: Case, note: str) -> Case:
    """A debtor came forward: the case goes straight to a mediator, with their note on record."""
    case_event_record(case=case, action=EventAction.DEBTOR_CAME_FORWARD, actor=SYSTEM, reason=note[:500])
    if case.stage == Stage.RECEIVED:
        cases_triage(case_ids=[case.pk], centre=case.centre)
    case.refresh_from_db()
    if case.mediator_id is None and case.stage == Stage.TRIAGED:
        cases_assign_auto(centre=case.centre, case_ids=[case.pk])
        case.refresh_from_db()
    if case.stage == Stage.TRIAGED and case.mediator_id:
        case_transition(case=case, transition="start_mediation", actor=SYSTEM, reason=note[:200])
    case.refresh_from_db()
    return case


def mediation_in_window(case: Case) -> bool:
    return case.stage in (Stage.IN_MEDIATION, Stage.COURT_MEDIATION)


def open_settlement(case: Case) -> Settlement | None:
    return case.settlements.exclude(status=Settlement.Status.VOID).order_by("-created_at").first()
