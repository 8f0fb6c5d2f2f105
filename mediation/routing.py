"""Routing a new batch in one set-based pass: the centre's triage rules, a result per case, its mediators.

One query reads every case of the batch with what each rule says about it (each rule's conditions are
compiled by the ORM into one boolean column; the debtor's other cases and hardship holds as subqueries,
only when a rule looks at them), locking the cases in primary-key order. Python streams the rows once:
per case the colour, track and reasons (the same decision as mediation.triage.evaluate: the most severe
colour of the rules that match, the first track set, every matching rule a reason), the hash of the
`retriaged` event when colour or track change (the hash chain needs it), and the mediator (region first,
then least loaded, as mediation.services.cases_assign_auto). The decisions go by COPY into a temporary
table; then one UPDATE of the cases, one INSERT each for the events, the triage results and the
assignments. Nothing runs once per case or per group of cases: the cost is linear in the batch, whatever
share of cases the rules recolour.

PostgreSQL only (COPY, server-side cursor); elsewhere the callers use the chunked path.
"""

from __future__ import annotations

import json
import logging
import operator
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.batches.importer import NewCase
from cases.events import EventHasher
from cases.models import Case, CaseEvent, Debtor, EventAction, Hold, Stage
from core.actors import actor_role
from core.models import Centre, Organisation

from .models import Assignment, TriageResult, TriageRule, TriageRuleSet
from .triage import condition_q, triage_decision

logger = logging.getLogger(__name__)
FETCH = 20_000
STAGE = "route_stage"
STAGE_DDL = f"""CREATE TEMP TABLE {STAGE} (
    id bigint NOT NULL, colour varchar(8) NOT NULL, track varchar(8) NOT NULL, reasons integer NOT NULL,
    changed boolean NOT NULL, record boolean NOT NULL, stage varchar(32) NOT NULL, seq integer,
    prev_hash varchar(64), hash varchar(64), mediator_id integer, committee_id integer,
    previous_mediator_id integer
)"""
REASONS = "route_reasons"
REASONS_DDL = f"CREATE TEMP TABLE {REASONS} (no integer NOT NULL, reasons jsonb NOT NULL)"


@dataclass(frozen=True)
class Routed:
    changed: int
    assigned: int


def _uses(rules: list[TriageRule], field: str) -> bool:
    return any(c.get("field") == field for r in rules for c in r.conditions)


def _annotated(
    base: QuerySet[Case], rules: list[TriageRule], ruleset: TriageRuleSet | None
) -> QuerySet[Case]:
    """The cases with one boolean column per rule and what else the decision needs."""
    today = timezone.localdate()
    qs = base
    if _uses(rules, "other_cases"):
        others = (
            Case.objects.filter(debtor_id=OuterRef("debtor_id"))
            .exclude(pk=OuterRef("pk"))
            .order_by()
            .values("debtor_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        qs = qs.annotate(triage_other_cases=Coalesce(Subquery(others), 0))
    if _uses(rules, "hardship"):
        hardship = (
            Hold.objects.filter(case_id=OuterRef("pk"), kind=Hold.Kind.HARDSHIP)
            .order_by()
            .values("case_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        qs = qs.annotate(triage_hardship=Coalesce(Subquery(hardship), 0))
    names = []
    for i, rule in enumerate(rules):
        q = Q()
        for condition in rule.conditions:
            q &= condition_q(condition, today=today)
        name = f"rule_{i}"
        # An empty condition list matches every case (as Case.objects.filter(Q()) does).
        qs = qs.annotate(**{name: ExpressionWrapper(q if q else Q(pk__isnull=False), BooleanField())})
        names.append(name)
    results = TriageResult.objects.filter(case_id=OuterRef("pk"), ruleset=ruleset)
    flagged = CaseEvent.objects.filter(case_id=OuterRef("pk"), action=EventAction.GROUP_RISK_FLAGGED)
    qs = qs.annotate(route_has_result=Exists(results), route_flagged=Exists(flagged))
    return qs.values_list(
        "pk", "stage", "colour", "track", "event_seq", "event_head", "claimed_total", "mediator_id",
        "debtor__region_code", "route_has_result", "route_flagged", *names,
    )  # fmt: skip


def _dismissed(base: QuerySet[Case]) -> set[int]:
    """Cases whose group-risk flag the centre dismissed (dashboards; absent when it is not installed)."""
    if not hasattr(Case, "group_risk_flags"):
        return set()
    flagged = CaseEvent.objects.filter(
        case_id__in=base.order_by().values("pk"), action=EventAction.GROUP_RISK_FLAGGED
    )
    ids = list(flagged.values_list("case_id", flat=True).distinct())
    if not ids:
        return set()
    dismissed = Case.objects.filter(pk__any_of=ids, group_risk_flags__status="dismissed").order_by()
    return set(dismissed.values_list("pk", flat=True))


class _Decider:
    """Colour, track and the number of the reasons list for a combination of matching rules, memoised."""

    def __init__(self, rules: list[TriageRule], ceiling: Decimal) -> None:
        self.rules = rules
        self.ceiling = ceiling
        self.memo: dict[tuple[Any, ...], tuple[str, str, int]] = {}
        self.reasons: dict[str, int] = {}

    def __call__(self, matches: tuple[bool, ...], flagged: bool, amount: Decimal) -> tuple[str, str, int]:
        fast = amount <= self.ceiling
        key = (matches, flagged, fast)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self._decide(matches, flagged, fast)
        return found

    def _decide(self, matches: tuple[bool, ...], flagged: bool, fast: bool) -> tuple[str, str, int]:
        hit = [r for r, m in zip(self.rules, matches, strict=True) if m]
        colour, track, reasons = triage_decision(hit, fast=fast, flagged=flagged)
        text = json.dumps(reasons, cls=DjangoJSONEncoder, ensure_ascii=False)
        number = self.reasons.setdefault(text, len(self.reasons))
        return colour, track, number


def cases_route(
    *,
    centre: Centre,
    base: QuerySet[Case],
    ruleset: TriageRuleSet | None,
    actor: Any,
    chooser: Any = None,
    record_all: bool = True,
) -> Routed:
    """Triage `base` (cases of `centre` in triage or mediation) by the ruleset and, with a `chooser`
    (mediation.services.MediatorChooser), give those still without a mediator in stage triaged to one.

    A case whose colour or track changes gets a `retriaged` event and a result; with `record_all`, so does
    (the result only) each case without a result under this version. Safe to run twice.
    """
    rules = list(ruleset.rules.all()) if ruleset else []
    role = actor_role(actor) or ""
    actor_id = getattr(actor, "pk", None) if role != "system" else None
    reason = f"rules v{ruleset.version}" if ruleset else ""
    base = base.filter(centre=centre)
    clock = _Clock()
    with transaction.atomic(), connection.cursor() as cursor:
        # A plan compiled by JIT costs more than it saves here (0.6 s for 100,000 cases).
        cursor.execute("SET LOCAL jit = off")
        for table, ddl in ((STAGE, STAGE_DDL), (REASONS, REASONS_DDL)):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(ddl)
        hasher = _Hashers(actor_id=actor_id, role=role, reason=reason)
        staging = _Staging(
            cursor,
            decide=_Decider(rules, centre.fast_track_ceiling),
            hasher=hasher,
            chooser=chooser,
            dismissed=_dismissed(base),
            record_all=record_all,
        )
        rows = _annotated(base, rules, ruleset).select_for_update(of=("self",)).order_by("pk")
        for row in _stream(rows):
            staging.add(row)
        staging.close()
        clock.lap("read, decide and stage")
        # The events' time is the one their hashes cover.
        _apply(cursor, clock, now=hasher.now, ruleset=ruleset, actor_id=actor_id, role=role, reason=reason)
        cursor.execute(f"DROP TABLE {STAGE}")
        cursor.execute(f"DROP TABLE {REASONS}")
    clock.lap("commit (foreign keys checked)")
    return Routed(changed=staging.changed, assigned=staging.assigned)


class _Hashers:
    """The hash of each case's `retriaged` event: one EventHasher per (seq, stage) met."""

    def __init__(self, *, actor_id: int | None, role: str, reason: str) -> None:
        self.now = timezone.now()
        self.actor_id, self.role, self.reason = actor_id, role, reason
        self.hashers: dict[tuple[int, str], EventHasher] = {}

    def __call__(self, case_id: int, seq: int, stage: str, prev_hash: str) -> str:
        found = self.hashers.get((seq, stage))
        if found is None:
            found = self.hashers[(seq, stage)] = EventHasher(
                action=EventAction.RETRIAGED,
                seq=seq,
                from_stage=stage,
                to_stage=stage,
                actor_id=self.actor_id,
                actor_role=self.role,
                reason=self.reason,
                data={},
                at=self.now,
            )
        return found(case_id, prev_hash)


class _Staging:
    """Each case's decision as a line of the COPY into the staging table, FETCH lines a COPY."""

    def __init__(
        self,
        cursor: Any,
        *,
        decide: _Decider,
        hasher: _Hashers,
        chooser: Any,
        dismissed: set[int],
        record_all: bool,
    ) -> None:
        self.cursor, self.decide, self.hasher, self.chooser = cursor, decide, hasher, chooser
        self.dismissed, self.record_all = dismissed, record_all
        self.lines: list[str] = []
        self.changed = self.assigned = 0

    def add(self, row: tuple[Any, ...]) -> None:
        pk, stage, colour, track, seq, head, amount, mediator, region, has_result, flag = row[:11]
        new_colour, new_track, reasons = self.decide(row[11:], flag and pk not in self.dismissed, amount)
        is_changed = (new_colour, new_track) != (colour, track)
        record = is_changed or (self.record_all and not has_result)
        if is_changed:
            self.changed += 1
            event = f"{seq + 1}\t{head}\t{self.hasher(pk, seq + 1, stage, head)}"
        else:
            event = "\\N\t\\N\t\\N"
        if self.chooser is not None and mediator is None and stage == Stage.TRIAGED:
            uid, committee = self.chooser.pick(region)
            self.assigned += 1
            who = f"{uid}\t{committee}\t\\N"
        elif not is_changed and not record:
            return
        else:
            who = "\\N\t\\N\t\\N"
        self.lines.append(
            f"{pk}\t{new_colour}\t{new_track}\t{reasons}\t{'t' if is_changed else 'f'}\t"
            f"{'t' if record else 'f'}\t{stage}\t{event}\t{who}\n"
        )
        if len(self.lines) >= FETCH:
            self.flush()

    def flush(self) -> None:
        _copy(self.cursor, STAGE, self.lines)
        self.lines = []

    def close(self) -> None:
        self.flush()
        reasons = self.decide.reasons.items()
        _copy(self.cursor, REASONS, [f"{n}\t{_copy_text(text)}\n" for text, n in reasons])


def _stream(rows: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows FETCH at a time from a server-side cursor: memory stays flat at a million cases."""
    yield from rows.iterator(chunk_size=FETCH)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES)


def _copy(cursor: Any, table: str, lines: list[str]) -> None:
    if not lines:
        return
    with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
        copy.write("".join(lines).encode("utf-8"))


# Only module constants are interpolated; values go as parameters.
_CASES_UPDATE = f"""
    UPDATE {Case._meta.db_table} c SET colour = s.colour, track = s.track, updated_at = %s,
        event_seq = COALESCE(s.seq, c.event_seq), event_head = COALESCE(s.hash, c.event_head),
        mediator_id = COALESCE(s.mediator_id, c.mediator_id),
        committee_id = COALESCE(s.committee_id, c.committee_id)
    FROM {STAGE} s WHERE c.id = s.id AND (s.changed OR s.mediator_id IS NOT NULL)"""  # noqa: S608
_EVENTS_INSERT = f"""
    INSERT INTO {CaseEvent._meta.db_table} (case_id, seq, action, from_stage, to_stage, actor_id, actor_role,
        reason, data, created_at, prev_hash, hash)
    SELECT s.id, s.seq, %s, s.stage, s.stage, %s, %s, %s, '{{}}'::jsonb, %s, s.prev_hash, s.hash
    FROM {STAGE} s WHERE s.changed"""  # noqa: S608
_RESULTS_INSERT = f"""
    INSERT INTO {TriageResult._meta.db_table} (case_id, ruleset_id, version, colour, track, reasons,
        created_at)
    SELECT s.id, %s, %s, s.colour, s.track, r.reasons, %s
    FROM {STAGE} s JOIN {REASONS} r ON r.no = s.reasons WHERE s.record"""  # noqa: S608
_ASSIGNMENTS_INSERT = f"""
    INSERT INTO {Assignment._meta.db_table} (case_id, mediator_id, committee_id, previous_mediator_id,
        assigned_by_id, how, reason, at)
    SELECT s.id, s.mediator_id, s.committee_id, s.previous_mediator_id, %s, 'auto', '', %s
    FROM {STAGE} s WHERE s.mediator_id IS NOT NULL"""  # noqa: S608


def _apply(
    cursor: Any,
    clock: _Clock,
    *,
    now: Any,
    ruleset: TriageRuleSet | None,
    actor_id: int | None,
    role: str,
    reason: str,
) -> None:
    cursor.execute(f"ANALYZE {STAGE}")
    cursor.execute(_CASES_UPDATE, [now])
    clock.lap("cases updated")
    cursor.execute(_EVENTS_INSERT, [EventAction.RETRIAGED.value, actor_id, role, reason, now])
    clock.lap("events")
    cursor.execute(_RESULTS_INSERT, [ruleset.pk if ruleset else None, ruleset.version if ruleset else 0, now])
    clock.lap("triage results")
    cursor.execute(_ASSIGNMENTS_INSERT, [actor_id, now])
    clock.lap("assignments")


class _Clock:
    """Where the routing's time goes, logged at debug level (bench/import_bench.py shows it)."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        logger.debug("routing: %s in %.2f s", what, now - self.last)
        self.last = now


# --- routing while a batch is imported -------------------------------------------------------------

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
    "eq": operator.eq,
}


def condition_test(condition: dict[str, Any], *, today: date) -> Callable[[NewCase], bool]:
    """mediation.triage.condition_q for a new case held in memory: the same comparisons, the same bounds."""
    field, op, value = condition.get("field"), str(condition.get("op")), condition.get("value")
    if field == "amount":
        amount, compare = Decimal(str(value)), _COMPARE[op]
        return lambda c: compare(c.claimed_total, amount)
    if field == "overdue_days":
        # overdue_days > n  <=>  overdue_since < today - n (condition_q mirrors the operator the same way)
        cutoff, compare = today - timedelta(days=int(Decimal(str(value)))), _COMPARE[op]
        return lambda c: compare(cutoff, c.overdue_since)
    if field == "other_cases":
        count, compare = int(Decimal(str(value))), _COMPARE[op]
        return lambda c: compare(c.other_cases, count)
    if field == "product":
        values = set(value if isinstance(value, list) else [value])
        return lambda c: c.product in values
    if field == "e_service_consent":
        wanted = bool(value)
        return lambda c: c.e_service_consent is wanted
    if field == "hardship":
        stated = not bool(value)  # a new case has no hardship hold
        return lambda c: stated
    if field == "region":
        prefixes = tuple(str(p) for p in (value if isinstance(value, list) else [value]))
        return lambda c: c.region.startswith(prefixes)
    raise ValueError(f"unknown field {field!r}")


def rules_matcher(tests: list[list[Callable[[NewCase], bool]]]) -> Callable[[NewCase], tuple[bool, ...]]:
    """Whether each rule matches a new case (all its conditions hold), as one call: most rules have one
    condition, tested directly; the others go through all()."""
    if all(len(conditions) == 1 for conditions in tests):
        single = [conditions[0] for conditions in tests]
        return lambda case: tuple([test(case) for test in single])

    def each(conditions: list[Callable[[NewCase], bool]]) -> Callable[[NewCase], bool]:
        if len(conditions) == 1:
            return conditions[0]
        return lambda case: all(test(case) for test in conditions)

    rules = [each(conditions) for conditions in tests]
    return lambda case: tuple([test(case) for test in rules])


class ImportRouter:
    """The centre's rules and mediators applied to each row as the batch import stages it, so that each
    case is written once with its colour, track and mediator (cases.batches.importer.BATCH_ROUTERS).

    Rows are decided in the reading thread (`route`); `write` runs in the write transaction after each
    chunk's cases and events are in: a triage result for every case, an assignment for each one given
    to a mediator. A person's other cases count those already at the centre; `settle` decides again, at
    the end, the cases of people with more than one case in the file (memory stays flat: no set of the
    file's people is kept).
    """

    def __init__(self, *, centre: Centre, ruleset: TriageRuleSet, chooser: Any, today: date) -> None:
        self.centre, self.ruleset, self.chooser = centre, ruleset, chooser
        self.rules = list(ruleset.rules.all())
        self.matches = rules_matcher(
            [[condition_test(c, today=today) for c in r.conditions] for r in self.rules]
        )
        self.decide = _Decider(self.rules, centre.fast_track_ceiling)
        self.counts_others = _uses(self.rules, "other_cases")
        self.known: dict[str, int] = {}
        self.reason = f"rules v{ruleset.version}"
        self._lock = threading.Lock()
        self._reasons_written = 0

    def prepare(self, id_hashes: list[str]) -> None:
        """Before a chunk is routed: how many cases each of its people already has at the centre.

        One look-up per person by the unique (centre, id_hash) index, then their cases by the debtor index:
        a join would be planned from the statistics, which the import's own uncommitted rows leave behind,
        and could scan every debtor of the centre for each chunk."""
        if not self.counts_others:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT h.id_hash, (SELECT COUNT(*) FROM {Case._meta.db_table} c "  # noqa: S608
                f"WHERE c.debtor_id = (SELECT d.id FROM {Debtor._meta.db_table} d "
                "WHERE d.centre_id = %s AND d.id_hash = h.id_hash)) "
                "FROM unnest(string_to_array(%s, ',')) AS h(id_hash)",  # hex digits and commas: one text
                [self.centre.pk, ",".join(set(id_hashes))],
            )
            self.known = {h: n for h, n in cursor.fetchall() if n}

    def route(self, new: NewCase, *, id_hash: str) -> tuple[str, str, int | None, int | None, int]:
        """(colour, track, mediator, committee, reasons number); the case's triage event names the rules."""
        if self.counts_others:
            new.other_cases = self.known.get(id_hash, 0)  # the file's own other cases: see settle
        matches = self.matches(new)
        with self._lock:
            colour, track, reasons = self.decide(matches, False, new.claimed_total)
        mediator = committee = None
        if self.chooser is not None:
            mediator, committee = self.chooser.pick(new.region)
        return colour, track, mediator, committee, reasons

    def write(self, cursor: Any, *, table: str, now: Any) -> None:
        """After a chunk's cases and events: its triage results and assignments, set-based."""
        with self._lock:
            reasons = list(self.decide.reasons.items())
        if self._reasons_written == 0:
            cursor.execute(f"DROP TABLE IF EXISTS {REASONS}")
            cursor.execute(REASONS_DDL)
        fresh = [(n, text) for text, n in reasons if n >= self._reasons_written]
        if fresh:
            cursor.executemany(f"INSERT INTO {REASONS} (no, reasons) VALUES (%s, CAST(%s AS jsonb))", fresh)  # noqa: S608
            self._reasons_written = max(n for n, _t in fresh) + 1
        cursor.execute(
            f"INSERT INTO {TriageResult._meta.db_table} (case_id, ruleset_id, version, colour, track, "  # noqa: S608
            f"reasons, created_at) SELECT s.id, %s, %s, s.colour, s.track, r.reasons, %s "
            f"FROM {table} s JOIN {REASONS} r ON r.no = s.reasons",
            [self.ruleset.pk, self.ruleset.version, now],
        )
        cursor.execute(
            f"INSERT INTO {Assignment._meta.db_table} (case_id, mediator_id, committee_id, "  # noqa: S608
            "previous_mediator_id, assigned_by_id, how, reason, at) "
            f"SELECT s.id, s.mediator_id, s.committee_id, NULL, NULL, 'auto', '', %s "
            f"FROM {table} s WHERE s.mediator_id IS NOT NULL",
            [now],
        )

    def references(self) -> dict[type[Model], set[int]]:
        """The rows this router's results and assignments point at (locked once by the import)."""
        held: dict[type[Model], set[int]] = {TriageRuleSet: {self.ruleset.pk}}
        if self.chooser is not None:
            held[get_user_model()] = set(self.chooser.committee)
            held[Organisation] = set(self.chooser.committee.values())
        return held

    def settle(self, batch_id: int) -> None:
        """At the end of the import: the cases of people with several cases in the file, decided again
        now that all of them are in (each was routed counting only the cases already at the centre)."""
        if self.counts_others:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT debtor_id FROM {Case._meta.db_table} WHERE batch_id = %s "  # noqa: S608
                    "GROUP BY debtor_id HAVING COUNT(*) > 1",
                    [batch_id],
                )
                repeated = [r[0] for r in cursor.fetchall()]
                cursor.execute(
                    f"SELECT id FROM {Case._meta.db_table} WHERE batch_id = %s AND debtor_id = ANY(%s)",  # noqa: S608
                    [batch_id, repeated],
                )
                ids = [r[0] for r in cursor.fetchall()]
            if ids:
                base = Case.objects.filter(pk__any_of=ids, stage=Stage.TRIAGED)
                cases_route(centre=self.centre, base=base, ruleset=self.ruleset, actor=None, record_all=False)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {REASONS}")
