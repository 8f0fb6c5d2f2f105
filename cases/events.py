"""The hash chain of case events: each event's hash covers its content and the previous event's hash."""

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import F, OuterRef, Subquery

from .models import Case, CaseEvent

CHUNK = 5000


def _canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _canonical_body(
    *,
    case_id: Any,
    seq: int,
    action: str,
    from_stage: str,
    to_stage: str,
    actor_id: int | None,
    actor_role: str,
    reason: str,
    data: dict[str, Any],
    created_at: datetime,
) -> str:
    """The one canonical text of an event that its hash covers."""
    payload = {
        "case": case_id,
        "seq": seq,
        "action": str(action),
        "from": str(from_stage),
        "to": str(to_stage),
        "actor": actor_id,
        "role": str(actor_role),
        "reason": reason,
        "data": data,
        "at": _canonical_time(created_at),
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _digest(prev_hash: str, body: str) -> str:
    return hashlib.sha256((prev_hash + "\n" + body).encode("utf-8")).hexdigest()


def event_hash(*, prev_hash: str, case_id: int, **fields: Any) -> str:
    """The hash of an event given its fields (those of _canonical_body) and the previous event's hash."""
    return _digest(prev_hash, _canonical_body(case_id=case_id, **fields))


class EventHasher:
    """event_hash for many events that differ only in case id and previous hash, fast (the batch import).

    The canonical body is built once around a placeholder id; each call fills the id in.
    """

    _PLACEHOLDER = 918273645546372819

    def __init__(
        self,
        *,
        action: str,
        seq: int,
        from_stage: str,
        to_stage: str,
        actor_id: int | None,
        actor_role: str,
        reason: str = "",
        data: dict[str, Any],
        at: datetime,
    ) -> None:
        self.fields: dict[str, Any] = {
            "seq": seq,
            "action": str(action),
            "from_stage": str(from_stage),
            "to_stage": str(to_stage),
            "actor_id": actor_id,
            "actor_role": str(actor_role),
            "reason": reason,
            "data": data,
            "created_at": at,
        }
        body = _canonical_body(case_id=self._PLACEHOLDER, **self.fields)
        self._before, _found, self._after = body.partition(f'"case":{self._PLACEHOLDER}')

    def __call__(self, case_id: int, prev_hash: str) -> str:
        return _digest(prev_hash, f'{self._before}"case":{int(case_id)}{self._after}')


def hash_of(event: CaseEvent) -> str:
    return event_hash(
        prev_hash=event.prev_hash,
        case_id=event.case_id,
        seq=event.seq,
        action=event.action,
        from_stage=event.from_stage,
        to_stage=event.to_stage,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        reason=event.reason,
        data=event.data,
        created_at=event.created_at,
    )


def build_event(
    *,
    case_id: int,
    prev_seq: int,
    prev_hash: str,
    action: str,
    from_stage: str,
    to_stage: str,
    actor_id: int | None,
    actor_role: str,
    reason: str,
    data: dict[str, Any],
    at: datetime,
) -> CaseEvent:
    """An unsaved event that follows (prev_seq, prev_hash) in its case's chain."""
    data = json.loads(json.dumps(data, default=str))  # what the database will give back
    event = CaseEvent(
        case_id=case_id,
        seq=prev_seq + 1,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        actor_id=actor_id,
        actor_role=actor_role,
        reason=reason,
        data=data,
        created_at=at,
        prev_hash=prev_hash,
    )
    event.hash = hash_of(event)
    return event


def append_events_bulk(
    heads: Iterable[tuple[int, int, str, str, str]],
    *,
    data: dict[str, Any] | None = None,
    data_per_case: Mapping[int, dict[str, Any]] | None = None,
    **fields: Any,
) -> list[CaseEvent]:
    """Append one event to each case given as (case_id, seq, head, from_stage, to_stage), set-based.

    The cases must be locked by the caller (cases.services.cases_change_bulk); heads move in one UPDATE.
    Each event carries `data`, or its case's entry in `data_per_case`.
    """
    events = [
        build_event(
            case_id=cid,
            prev_seq=seq,
            prev_hash=head,
            from_stage=fs,
            to_stage=ts,
            data=data_per_case[cid] if data_per_case is not None else data or {},
            **fields,
        )
        for cid, seq, head, fs, ts in heads
    ]
    for start in range(0, len(events), CHUNK):
        chunk = events[start : start + CHUNK]
        CaseEvent.objects.bulk_create(chunk, batch_size=CHUNK)
        move_heads([e.case_id for e in chunk])
    return events


# Only identifiers the caller names (its staging table and columns) are interpolated; values go as parameters.
_STAGED_EVENT_INSERT = """
    INSERT INTO cases_caseevent (case_id, seq, action, from_stage, to_stage, actor_id, actor_role, reason,
        data, created_at, prev_hash, hash)
    SELECT s.id, %s, %s, %s, %s, %s, %s, %s, {data}, %s, {prev}, s.{this} FROM {table} s WHERE {where}"""


def append_events_staged(
    cursor: Any, *, table: str, hasher: EventHasher, prev: str, this: str, at: Any, where: str = "true"
) -> None:
    """The same event on every new case of a staging table (the batch import), in one INSERT ... SELECT.

    The table's `id` is the case id; `this` names its column holding each event's hash, computed by
    `hasher` as the rows were read, and `prev` the column (or literal) of the previous hash. The case rows
    are new to the caller's transaction, so there is nothing to lock; the caller sets their heads.
    `where` (SQL over `s`, the caller's constant) picks the rows that get the event.
    """
    f = hasher.fields
    data = "CAST(%s AS jsonb)" if cursor.db.vendor == "postgresql" else "%s"
    prev_sql = prev if prev == "''" else f"s.{prev}"
    params = [f["seq"], f["action"], f["from_stage"], f["to_stage"], f["actor_id"], f["actor_role"]]
    params += [f["reason"], json.dumps(f["data"]), at]
    cursor.execute(
        _STAGED_EVENT_INSERT.format(data=data, prev=prev_sql, this=this, table=table, where=where), params
    )


def move_heads(case_ids: list[int]) -> None:
    """Point each case's head at its event numbered event_seq + 1, in one UPDATE."""
    newer = CaseEvent.objects.filter(case_id=OuterRef("pk"), seq=OuterRef("event_seq") + 1)
    Case.objects.filter(pk__any_of=case_ids).update(
        event_seq=F("event_seq") + 1, event_head=Subquery(newer.values("hash")[:1])
    )


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    case_id: int
    seq: int | None
    problem: str


def verify_chains(case_ids: Iterable[int] | None = None) -> Iterator[ChainBreak]:
    """Walk every case's chain in order; yield each case's first broken row."""
    events = CaseEvent.objects.order_by("case_id", "seq")
    heads = Case.objects.order_by("pk")
    if case_ids is not None:
        ids = list(case_ids)
        events = events.filter(case_id__in=ids)
        heads = heads.filter(pk__in=ids)
    head_of: dict[int, tuple[str, int]] = {}
    seen: set[int] = set()
    for cid, seq, head in heads.values_list("pk", "event_seq", "event_head").iterator(chunk_size=CHUNK):
        head_of[cid] = (head, seq)
    current, prev_hash, expected_seq, broken = None, "", 1, False
    for event in events.iterator(chunk_size=CHUNK):
        if event.case_id != current:
            seen.add(event.case_id)
            if current is not None and not broken:
                yield from _check_head(current, prev_hash, expected_seq - 1, head_of)
            current, prev_hash, expected_seq, broken = event.case_id, "", 1, False
        if broken:
            continue
        problem = _link_problem(event, expected_seq, prev_hash)
        if problem:
            broken = True
            yield ChainBreak(event.pk, event.case_id, event.seq, problem)
            continue
        prev_hash, expected_seq = event.hash, expected_seq + 1
    if current is not None and not broken:
        yield from _check_head(current, prev_hash, expected_seq - 1, head_of)
    for cid, (_head, seq) in head_of.items():
        if seq and cid not in seen:
            yield ChainBreak(None, cid, None, "the case's events are missing")


def _link_problem(event: CaseEvent, expected_seq: int, prev_hash: str) -> str:
    """What is wrong with this event as the next link of its chain ("" when nothing is)."""
    if event.seq != expected_seq:
        return f"sequence gap: expected #{expected_seq}, found #{event.seq}"
    if event.prev_hash != prev_hash:
        return "previous-hash link does not match the event before it"
    if hash_of(event) != event.hash:
        return "content does not match its hash (the row was changed)"
    return ""


def _check_head(case_id: int, last_hash: str, last_seq: int, head_of: dict) -> Iterator[ChainBreak]:
    head, seq = head_of.get(case_id, ("", 0))
    if (head, seq) != (last_hash, last_seq):
        yield ChainBreak(None, case_id, seq, "the case's head does not match its last event (events removed)")
