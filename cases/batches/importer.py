"""The set-based batch import: stream, validate and write a case file so that all valid rows commit together.

The reading thread streams the file row by row, validates, encrypts, draws case ids and codes, and computes
each case's first two events (received, then the default triage) so that their hashes are final. Every
CHUNK rows it hands the valid rows to the write transaction, reports rejected rows as BatchError rows and
commits the progress counters on its own connection, so a page can poll them while the import runs.

The write transaction holds everything the batch creates. On PostgreSQL, when the caller is not inside
a transaction, it runs on a second connection in a writer thread: each chunk goes by COPY into a
temporary staging table, then INSERT ... SELECT into debtors (one per person per centre, reusing those
known), cases and events, with foreign keys checked as it goes; the database works on one chunk while
Python reads the next. Elsewhere (SQLite, or a caller's open transaction) the same statements run
inline. A crash or a killed worker rolls the transaction back: no case of the batch remains.

With a router (BATCH_ROUTERS, filled by the mediation app; PostgreSQL), each case is written once, already
routed: the reading thread decides its colour, track and mediator by the centre's rules (the case's triage
event then names them, "rules v3"), and the write transaction adds the triage results and assignments
chunk by chunk. The routing task that follows (batch_imported) then finds nothing to do: routing costs no
UPDATE of every case.

Foreign keys are checked once per import rather than row by row when the role may (keys_hold), and the
reading connection's look-ups stay one index probe per row however far the import's own uncommitted rows
have left the planner's statistics behind: the import's time grows with its rows.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import secrets
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.events import EventHasher, append_events_staged
from cases.models import Batch, BatchError, Case, Colour, EventAction, Stage, Track
from cases.services import CASE_CODE_ALPHABET
from core.actors import SYSTEM, actor_role
from core.crypto import encrypt_many, keyed_hashes
from core.identifiers import mask_id_number, mask_phone
from core.models import Centre, Organisation

from . import selectors
from .history import claim_histories_insert
from .reader import FileRefused, Sheet, open_sheet
from .validation import DUPLICATE_EXISTING, MESSAGES, CleanRow, RowError, RowValidator, masked, msgid

logger = logging.getLogger(__name__)
CASE_CODE_LETTERS = 32  # the 5-bit mapping below needs exactly 32 letters

CHUNK = 5000
REPORT_EVERY_SECONDS = 0.3
STALE_AFTER = timedelta(minutes=15)
STAGE_TABLE = "batch_stage"
STAGE_COLUMNS = (
    "id",
    "row_no",
    "code",
    "external_ref",
    "debtor_name",
    "id_hash",
    "id_enc",
    "id_masked",
    "birth_date",
    "region_code",
    "phone_enc",
    "phone_masked",
    "address",
    "email",
    "product",
    "principal",
    "interest",
    "fees",
    "annual_rate",
    "overdue_since",
    "contract_date",
    "consent",
    "note",
    "colour",
    "track",
    "hash1",
    "hash2",
    "first_of_person",
    # Set by a router (BATCH_ROUTERS) that routes the case as it is written; empty without one.
    "mediator_id",
    "committee_id",
    "reasons",
)
STAGE_DDL = f"""CREATE TEMP TABLE {STAGE_TABLE} (
    id bigint NOT NULL, row_no integer NOT NULL, code varchar(16) NOT NULL, external_ref varchar(64) NOT NULL,
    debtor_name varchar(50) NOT NULL, id_hash varchar(64) NOT NULL, id_enc text NOT NULL,
    id_masked varchar(18) NOT NULL, birth_date date, region_code varchar(6) NOT NULL, phone_enc text NOT NULL,
    phone_masked varchar(11) NOT NULL, address varchar(300) NOT NULL, email varchar(254) NOT NULL,
    product varchar(16) NOT NULL, principal numeric(14, 2) NOT NULL, interest numeric(14, 2) NOT NULL,
    fees numeric(14, 2) NOT NULL, annual_rate numeric(6, 3), overdue_since date NOT NULL, contract_date date,
    consent boolean NOT NULL, note text NOT NULL, colour varchar(8) NOT NULL, track varchar(8) NOT NULL,
    hash1 varchar(64) NOT NULL, hash2 varchar(64) NOT NULL, first_of_person boolean NOT NULL,
    mediator_id integer, committee_id integer, reasons integer
)"""
assert len(CASE_CODE_ALPHABET) == CASE_CODE_LETTERS
_CODE_TABLE = bytes(ord(CASE_CODE_ALPHABET[b & 31]) for b in range(256))


FAILED_MESSAGE = _("The import failed; nothing of this batch was saved. Retry it.")
NO_ROWS_MESSAGE = _("The file has a header row but no data rows.")


ANALYZE_AFTER_ROWS = 1000


@dataclass(slots=True)
class NewCase:
    """What triage rules look at in a new case, before it is written (hardship holds and group risk: none
    yet); `other_cases` is filled in by the router."""

    claimed_total: Decimal
    overdue_since: date
    product: str
    e_service_consent: bool
    region: str
    other_cases: int = 0


class BatchRouter(Protocol):
    """Routes each case as the import writes it (registered by a higher app: see BATCH_ROUTERS)."""

    reason: str  # what the triage event of a case it routes says ("rules v3")

    def prepare(self, id_hashes: list[str]) -> None: ...

    def route(self, new: Any, *, id_hash: str) -> tuple[str, str, int | None, int | None, int]: ...

    def write(self, cursor: Any, *, table: str, now: Any) -> None: ...

    def settle(self, batch_id: int) -> None: ...

    def references(self) -> dict[type[Model], set[int]]: ...


# Filled in AppConfig.ready by the app that triages and assigns (mediation): f(centre, today) gives the
# router of a batch, or None. Routing as the rows are written spares the routing task an UPDATE of every
# case; that task (after batch_imported) then finds the batch routed and changes nothing.
BATCH_ROUTERS: list[Callable[..., BatchRouter | None]] = []


class Superseded(Exception):
    """Another attempt of this batch has started (batch_retry): this one commits nothing."""


def default_triage(*, claimed_total: Decimal, centre: Centre) -> dict[str, str]:
    """Colour and track of a new case until the centre's own triage rules exist (the mediation issue).

    Quick mechanism: disputes up to the centre's ceiling (100,000 yuan by default) take the fast track
    (DOMAIN.md, Longyan centre practice).
    """
    track = Track.FAST if claimed_total <= centre.fast_track_ceiling else Track.SLOW
    return {"colour": Colour.GREEN.value, "track": track.value}


def case_codes_new(n: int) -> list[str]:
    """cases.services.case_code_new n times at once: 10 characters each, uniform over its 32-letter
    alphabet (the low 5 bits of a random byte pick a letter)."""
    raw = secrets.token_bytes(10 * n).translate(_CODE_TABLE).decode("ascii")
    return [raw[i : i + 10] for i in range(0, 10 * n, 10)]


class _Clock:
    """Where the write transaction's time goes, summed over the chunks and logged at debug level at the end
    (bench/import_bench.py shows it)."""

    def __init__(self) -> None:
        self.on = logger.isEnabledFor(logging.DEBUG)
        self.last = time.perf_counter()
        self.spent: dict[str, float] = {}

    def lap(self, what: str) -> None:
        if self.on:
            now = time.perf_counter()
            self.spent[what] = self.spent.get(what, 0.0) + now - self.last
            self.last = now

    def start(self) -> None:
        self.last = time.perf_counter()

    def log(self) -> None:
        for what, seconds in self.spent.items():
            logger.debug("import writer: %s in %.2f s", what, seconds)


@dataclass
class Counts:
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    errors: int = 0


@dataclass
class _Context:
    batch: Batch
    attempt: int
    centre: Centre
    now: datetime
    committee_id: int | None
    court_id: int | None
    counts: Counts = field(default_factory=Counts)
    hash_received: Any = None
    hash_triage: Any = None
    history: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)  # (case id, history columns)
    router: BatchRouter | None = None
    keys_held: bool = False  # the chunk statements run without the per-row key triggers: see keys_hold
    clock: _Clock = field(default_factory=_Clock)


# --- entry point ---


def batch_import(
    *,
    batch: Batch,
    path: str | Path | None = None,
    today: date | None = None,
    chunk_size: int = CHUNK,
    route: bool = True,
) -> Batch:
    """Import a batch file: refuse it whole, or create every valid row's case and report every bad row.

    Runs the batch's current attempt (batch_create / batch_retry set it up); a batch that is done, refused
    or already running is left as it is, so the task may safely run twice. With `route` (on PostgreSQL),
    each case is written with the centre's triage and its mediator (BATCH_ROUTERS).
    """
    attempt = _claim(batch)
    if attempt is None:
        batch.refresh_from_db()
        return batch
    sheet: Sheet | None = None
    try:
        sheet = open_sheet(Path(path or batch.stored_file))
        Batch.objects.filter(pk=batch.pk).update(
            unknown_columns=sheet.unknown_columns, updated_at=timezone.now()
        )
        ctx = _context(batch, attempt)
        if route and connection.vendor == "postgresql":
            ctx.router = _router(ctx, today or timezone.localdate())
            if ctx.router is not None:
                # Triaged once, by the centre's rules: the triage event names them ("rules v3").
                ctx.hash_triage = _triage_hasher(ctx, reason=ctx.router.reason)
        with _writer(ctx) as writer, _jit_off():
            _stream(ctx, sheet, writer, today or timezone.localdate(), chunk_size)
            if ctx.counts.rows_read == 0:
                raise FileRefused(NO_ROWS_MESSAGE)
            writer.finish()
    except FileRefused as exc:
        _finish(batch, attempt, Batch.Status.REFUSED, stored_message(exc))
    except Superseded:
        pass
    except Exception as exc:
        _finish(
            batch, attempt, Batch.Status.FAILED, stored_message(None, detail=f"{type(exc).__name__}: {exc}")
        )
        raise
    finally:
        if sheet is not None:
            sheet.close()
    batch.refresh_from_db()
    if batch.status == Batch.Status.DONE and batch.rejected:
        from .rejected import rejected_rows_keep

        rejected_rows_keep(batch=batch, path=Path(path or batch.stored_file))
    if batch.status in (Batch.Status.DONE, Batch.Status.REFUSED):
        discard_upload(batch)
    if batch.status == Batch.Status.DONE and batch.accepted >= ANALYZE_AFTER_ROWS:
        refresh_statistics()
    return batch


@contextmanager
def _jit_off() -> Iterator[None]:
    """No JIT for the reading connection's look-ups while the import runs. A chunk's look-ups (one index
    probe per row) are estimated past jit_above_cost: compiling each took 0.1 s, five times running it."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        if connection.is_usable():
            with connection.cursor() as cursor:
                cursor.execute("RESET jit")


def _router(ctx: _Context, today: date) -> BatchRouter | None:
    for factory in BATCH_ROUTERS:
        router = factory(centre=ctx.centre, today=today)
        if router is not None:
            return router
    return None


def refresh_statistics() -> None:
    """Fresh planner statistics once many rows are in: queries that follow at once (the triage and
    assignment of the new cases, the pages) would otherwise be planned for the tables as they were."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            # The cases table only: what the pages and the routing query by (0.3 s at 100,000 new cases;
            # the debtors and events tables are left to autovacuum's own ANALYZE).
            cursor.execute("ANALYZE cases_case")


def discard_upload(batch: Batch) -> None:
    """Delete an uploaded file once its batch is done or refused: it holds ID numbers (PIPL 6: keep no more
    than needed). A failed batch keeps it for the retry; a file named on the command line is not ours."""
    from .services import batch_storage_dir

    path = Path(batch.stored_file)
    if batch.stored_file and path.parent == batch_storage_dir():
        path.unlink(missing_ok=True)


def stored_message(exc: FileRefused | None, *, detail: str = "") -> str:
    """Why a batch stopped, as JSON (msgid and parameters), so that each reader sees it in their language."""
    if exc is None:
        return json.dumps(
            {
                "msgid": msgid(FAILED_MESSAGE),
                "params": {},
                "detail": detail[:500],
            },
            ensure_ascii=False,
        )
    return json.dumps({"msgid": msgid(exc.template), "params": exc.params}, ensure_ascii=False)


def _claim(batch: Batch) -> int | None:
    """Mark the batch running for a new attempt; None when there is nothing to run.

    A batch left running without a sign of life for STALE_AFTER (its worker died; Celery redelivers the
    task) is taken over: the new attempt supersedes the old one, which can then commit nothing.
    """
    fresh = Batch.objects.filter(pk=batch.pk).values("status", "attempt", "updated_at").first()
    now = timezone.now()
    if fresh is None:
        return None
    stale = fresh["status"] == Batch.Status.RUNNING and now - fresh["updated_at"] > STALE_AFTER
    if fresh["status"] not in (Batch.Status.QUEUED, Batch.Status.FAILED) and not stale:
        return None
    attempt = fresh["attempt"] + 1
    claimed = Batch.objects.filter(pk=batch.pk, attempt=fresh["attempt"], status=fresh["status"]).update(
        status=Batch.Status.RUNNING, attempt=attempt, started_at=now, finished_at=None, updated_at=now,
        message="", rows_read=0, accepted=0, rejected=0, error_count=0, progress_percent=0,
    )  # fmt: skip
    if not claimed:
        return None
    BatchError.objects.filter(batch_id=batch.pk).delete()
    return attempt


def _finish(batch: Batch, attempt: int, status: str, message: str) -> None:
    now = timezone.now()
    changes: dict[str, Any] = {"status": status, "message": message, "finished_at": now, "updated_at": now}
    if status == Batch.Status.REFUSED:
        # Why: a refused file is reported as a whole; row errors read before the refusal would mislead.
        BatchError.objects.filter(batch_id=batch.pk).delete()
        changes.update(accepted=0, rejected=0, error_count=0)
    Batch.objects.filter(pk=batch.pk, attempt=attempt, status=Batch.Status.RUNNING).update(**changes)


def _context(batch: Batch, attempt: int) -> _Context:
    centre = Centre.objects.get(pk=batch.centre_id)
    routes = selectors.centre_default_routes(centre_id=centre.pk)
    ctx = _Context(
        batch=batch,
        attempt=attempt,
        centre=centre,
        now=timezone.now(),
        committee_id=routes["committee"],
        court_id=routes["court"],
    )
    # The uploader's creditor hands the cases in (the first event is theirs); the platform triages them.
    uploader = batch.created_by
    ctx.hash_received = EventHasher(
        action=EventAction.RECEIVED,
        seq=1,
        from_stage="",
        to_stage=Stage.RECEIVED,
        actor_id=uploader.pk if uploader is not None else None,
        actor_role=actor_role(uploader) or "",
        data={"batch": batch.pk},
        at=ctx.now,
    )
    ctx.hash_triage = _triage_hasher(ctx, reason="")
    return ctx


def _triage_hasher(ctx: _Context, *, reason: str) -> EventHasher:
    return EventHasher(
        action=EventAction.TRIAGE,
        seq=2,
        from_stage=Stage.RECEIVED,
        to_stage=Stage.TRIAGED,
        actor_id=None,
        actor_role=actor_role(SYSTEM) or "",
        reason=reason,
        data={},
        at=ctx.now,
    )


# --- reading: stream, validate, hand over chunks ---


def _stream(ctx: _Context, sheet: Sheet, writer: _InlineWriter, today: date, chunk_size: int) -> None:
    validator = RowValidator(sheet.positions, today=today)
    chunk: list[tuple[CleanRow | None, list[RowError], str, list[Any]]] = []
    last_report = time.monotonic()
    for row_no, cells in sheet.rows:
        clean, errors = validator.validate(row_no, cells)
        chunk.append((clean, errors, validator.last_ref, cells))
        if len(chunk) >= chunk_size:
            _flush(ctx, writer, chunk, sheet.positions)
            chunk = []
            if time.monotonic() - last_report > REPORT_EVERY_SECONDS:
                _report(ctx, sheet)
                last_report = time.monotonic()
    if chunk:
        _flush(ctx, writer, chunk, sheet.positions)
    _report(ctx, sheet, percent=100)


def _report(ctx: _Context, sheet: Sheet, percent: int | None = None) -> None:
    """Progress, committed at once on the reading connection (the write transaction is elsewhere)."""
    if percent is None:
        percent = min(99, int(sheet.progress() * 100)) if sheet.progress else 0
    c = ctx.counts
    Batch.objects.filter(pk=ctx.batch.pk).update(
        rows_read=c.rows_read,
        accepted=c.accepted,
        rejected=c.rejected,
        error_count=c.errors,
        progress_percent=percent,
        updated_at=timezone.now(),
    )


def _flush(
    ctx: _Context,
    writer: _InlineWriter,
    chunk: list[tuple[CleanRow | None, list[RowError], str, list[Any]]],
    positions: dict[str, int],
) -> None:
    existing = existing_refs(ctx.batch.creditor_id, [ref for _c, _e, ref, _cells in chunk if ref])
    good: list[CleanRow] = []
    bad: list[RowError] = []
    ref_at = positions["external_ref"]
    for parsed, row_errors, ref, cells in chunk:
        clean, errors = parsed, row_errors
        if ref and ref in existing:
            row = clean.row if clean is not None else errors[0].row
            value = masked("external_ref", cells[ref_at] if ref_at < len(cells) else "")
            errors = [
                *errors,
                RowError(row, "external_ref", DUPLICATE_EXISTING, msgid(MESSAGES[DUPLICATE_EXISTING]), value),
            ]
            clean = None
        if clean is not None:
            good.append(clean)
        else:
            bad.extend(errors)
            ctx.counts.rejected += 1
    ctx.counts.rows_read += len(chunk)
    ctx.counts.accepted += len(good)
    ctx.counts.errors += len(bad)
    if good:
        ids = writer.reserve_case_ids(len(good))
        codes = case_codes_new(len(good))
        people: set[str] = set()
        numbers = [row.id_number for row in good]
        hashes = keyed_hashes(numbers)
        if ctx.router is not None:
            ctx.router.prepare(hashes)
        sealed = zip(encrypt_many(numbers), encrypt_many([row.phone for row in good]), strict=True)
        rows = zip(good, ids, codes, hashes, sealed, strict=True)
        writer.put(
            [
                _stage_row(ctx, row, cid, code, id_hash=h, sealed=e, people=people)
                for row, cid, code, h, e in rows
            ]
        )
        ctx.history.extend((i, row.history) for row, i in zip(good, ids, strict=True) if row.history)
    if bad:
        BatchError.objects.bulk_create(
            [
                BatchError(
                    batch_id=ctx.batch.pk,
                    row=e.row,
                    column=e.column,
                    code=e.code,
                    message=e.message,
                    value_masked=e.value_masked,
                )
                for e in bad
            ],
            batch_size=CHUNK,
        )


def existing_refs(creditor_id: int, refs: list[str]) -> set[str]:
    """Which of these contract numbers this creditor already has (one indexed query)."""
    if not refs:
        return set()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # One unique-index look-up per number. (A plain `external_ref = ANY(...)` may be planned, while
            # the import's own uncommitted cases leave the statistics behind, as a scan of the creditor's
            # cases: that grows with every chunk, and a 1,000,000-row import took minutes more.)
            cursor.execute(
                "SELECT r.ref FROM unnest(%s::text[]) AS r(ref) WHERE (SELECT 1 FROM cases_case c "
                "WHERE c.creditor_id = %s AND c.external_ref = r.ref LIMIT 1) IS NOT NULL",
                [refs, creditor_id],
            )
            return {r[0] for r in cursor.fetchall()}
    return set(
        Case.objects.filter(creditor_id=creditor_id, external_ref__in=refs).values_list(
            "external_ref", flat=True
        )
    )


def _stage_row(
    ctx: _Context,
    row: CleanRow,
    case_id: int,
    code: str,
    *,
    id_hash: str,
    sealed: tuple[str, str],
    people: set[str],
) -> tuple[Any, ...]:
    """A valid row as staged: `sealed` holds its ID number and phone number encrypted."""
    number = row.id_number
    first_of_person = id_hash not in people
    people.add(id_hash)
    hash1 = ctx.hash_received(case_id, "")
    hash2 = ctx.hash_triage(case_id, hash1)
    birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))  # checked by the validation
    mediator_id = committee_id = reasons = None
    if ctx.router is not None:
        colour, track, mediator_id, committee_id, reasons = ctx.router.route(
            NewCase(row.claimed_total, row.overdue_since, row.product, row.e_service_consent, number[:6]),
            id_hash=id_hash,
        )
    else:
        triage = default_triage(claimed_total=row.claimed_total, centre=ctx.centre)
        colour, track = triage["colour"], triage["track"]
    return (
        case_id,
        row.row,
        code,
        row.external_ref,
        row.debtor_name,
        id_hash,
        sealed[0],
        mask_id_number(number),
        birth,
        number[:6],
        sealed[1],
        mask_phone(row.phone),
        row.address,
        row.email,
        row.product,
        row.principal,
        row.interest,
        row.fees,
        row.annual_rate,
        row.overdue_since,
        row.contract_date,
        row.e_service_consent,
        row.note,
        colour,
        track,
        hash1,
        hash2,
        first_of_person,
        mediator_id,
        committee_id,
        reasons,
    )


# --- writing: one transaction, chunk by chunk ---


def _writer(ctx: _Context) -> _InlineWriter:
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _ThreadWriter(ctx)
    return _InlineWriter(ctx)


class _InlineWriter:
    """Stage every chunk on the reading connection; move them all in one transaction at the end.

    Used with SQLite (one writer at a time: the progress counters stay visible while the file is read)
    and inside a caller's open transaction.
    """

    def __init__(self, ctx: _Context) -> None:
        self.ctx = ctx
        self.staged = 0

    def __enter__(self) -> _InlineWriter:
        _stage_create()
        return self

    def __exit__(self, *exc: Any) -> None:
        if not connection.needs_rollback and connection.is_usable():
            _stage_drop()

    def reserve_case_ids(self, n: int) -> list[int]:
        return reserve_case_ids(n)

    def put(self, rows: list[tuple[Any, ...]]) -> None:
        _stage_load(rows)
        self.staged += len(rows)

    def finish(self) -> None:
        with transaction.atomic():
            if self.staged:
                write_cases(self.ctx, self.staged)
                if self.ctx.router is not None:
                    self.ctx.router.settle(self.ctx.batch.pk)
            _finalise(self.ctx)


WRITER_SWITCH_SECONDS = 0.0005
_DONE = object()
_ABORT = object()


class _ThreadWriter(_InlineWriter):
    """The write transaction on a second connection in a thread, so PostgreSQL works while Python reads."""

    def __init__(self, ctx: _Context) -> None:
        super().__init__(ctx)
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"batch-{ctx.batch.pk}-writer", daemon=True)

    def __enter__(self) -> _ThreadWriter:
        # Each statement the writer thread waits for ends with it asking for the GIL back, which the reading
        # thread hands over at its next switch (5 ms by default): about 0.8 s lost per 100,000 rows.
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(WRITER_SWITCH_SECONDS)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            if self._thread.is_alive():
                self._send(_ABORT)
                self._thread.join()
        finally:
            sys.setswitchinterval(self._switch)

    def put(self, rows: list[tuple[Any, ...]]) -> None:
        self._send((len(rows), "".join(map(_copy_line, rows)).encode("utf-8")))

    def finish(self) -> None:
        self._send(_DONE)
        self._thread.join()
        self._raise()

    def _send(self, item: Any) -> None:
        while True:
            self._raise()
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                if not self._thread.is_alive():
                    self._raise()
                    raise RuntimeError("the batch writer stopped") from None

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # Check foreign keys row by row as chunks go in, while Python reads on, not all at commit.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute("SET LOCAL jit = off")  # as for the reading connection (_jit_off)
                    self.ctx.keys_held = keys_hold(cursor, self.ctx)
                _stage_create()
                while True:
                    item = self._queue.get()
                    if item is _ABORT:
                        raise _Aborted
                    if item is _DONE:
                        self.ctx.clock.start()
                        if self.ctx.keys_held:
                            with connection.cursor() as cursor:
                                cursor.execute("SET LOCAL session_replication_role = origin")
                        if self.ctx.router is not None:
                            self.ctx.router.settle(self.ctx.batch.pk)
                        self.ctx.clock.lap("settle")
                        _finalise(self.ctx)
                        break
                    n, payload = item
                    self.ctx.clock.start()
                    with connection.cursor() as cursor, cursor.copy(_COPY_SQL) as copy:
                        copy.write(payload)
                    self.ctx.clock.lap("COPY into the staging table")
                    _apply_chunk(self.ctx, n)
            self.ctx.clock.lap("commit (deferred checks)")
            self.ctx.clock.log()
        except _Aborted:
            pass
        except BaseException as exc:
            self._error = exc
        finally:
            connection.close()


class _Aborted(Exception):
    pass


_COPY_SQL = f"COPY {STAGE_TABLE} ({', '.join(STAGE_COLUMNS)}) FROM STDIN"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


def _copy_line(r: tuple[Any, ...]) -> str:
    """A staged row in COPY's text format; only the creditor's free text may hold tab, newline, backslash."""
    rate = "\\N" if r[18] is None else r[18]
    contract = "\\N" if r[20] is None else r[20]
    later = "\t".join(["\\N" if v is None else str(v) for v in r[28:]])  # mediator, committee, reasons
    ref, name, address, email, note = r[3], r[4], r[12], r[13], r[22]
    if _NEEDS_ESCAPE.search(f"{ref}{name}{address}{email}{note}"):  # one look at all five, seldom true
        ref, name, address, email, note = map(_copy_text, (ref, name, address, email, note))
    return (
        f"{r[0]}\t{r[1]}\t{r[2]}\t{ref}\t{name}\t{r[5]}\t{r[6]}\t{r[7]}\t{r[8]}\t{r[9]}\t"
        f"{r[10]}\t{r[11]}\t{address}\t{email}\t{r[14]}\t{r[15]}\t{r[16]}\t{r[17]}\t{rate}\t"
        f"{r[19]}\t{contract}\t{'t' if r[21] else 'f'}\t{note}\t{r[23]}\t{r[24]}\t{r[25]}\t"
        f"{r[26]}\t{'t' if r[27] else 'f'}\t{later}\n"
    )


def reserve_case_ids(n: int) -> list[int]:
    """Ids from the cases table's own sequence, drawn before insert so the event hashes can cover them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence looked up once, not once a row (ten times faster: 2 ms for 5,000 ids).
            cursor.execute(
                "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('cases_case', 'id')::regclass AS seq) "
                "SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
                [n],
            )
            return [r[0] for r in cursor.fetchall()]
        # SQLite AUTOINCREMENT keeps its counter in sqlite_sequence; moving it on reserves the ids.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = 'cases_case'")
        found = cursor.fetchone()
        if found is None:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
            start = cursor.fetchone()[0]
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('cases_case', %s)", [start + n])
        else:
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = seq + %s WHERE name = 'cases_case' RETURNING seq", [n]
            )
            start = cursor.fetchone()[0] - n
        return list(range(start + 1, start + n + 1))


def _stage_create() -> None:
    with connection.cursor() as cursor:
        for table, ddl in ((STAGE_TABLE, STAGE_DDL), (PEOPLE_TABLE, PEOPLE_DDL)):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(ddl)


def _stage_drop() -> None:
    with connection.cursor() as cursor:
        for table in (STAGE_TABLE, PEOPLE_TABLE):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _stage_load(rows: list[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(_COPY_SQL) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(STAGE_COLUMNS))
        sql = f"INSERT INTO {STAGE_TABLE} VALUES ({marks})"  # noqa: S608 (constants only)
        cursor.executemany(sql, [_sqlite_row(r) for r in rows])


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        str(v) if isinstance(v, Decimal) else v.isoformat() if isinstance(v, date) else v for v in row
    )


def _apply_chunk(ctx: _Context, n: int) -> None:
    """Move one staged chunk into debtors, cases and events; empty the staging table."""
    write_cases(ctx, n)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {STAGE_TABLE}, {PEOPLE_TABLE}")


# Only module constants are interpolated into these statements; the values go as parameters.
# The chunk's people, each with their Debtor at the centre. On PostgreSQL each person new to the centre is
# inserted at once (ON CONFLICT DO NOTHING skips those known, or created by another import meanwhile) and
# RETURNING gives the new ids; only the others are then looked up, one index look-up each, locked when the
# keys are held (see keys_hold). SQLite, which has no RETURNING in a WITH, looks every person up after.
PEOPLE_TABLE = "batch_people"
PEOPLE_DDL = f"CREATE TEMP TABLE {PEOPLE_TABLE} (id_hash varchar(64) NOT NULL, debtor_id bigint)"
_DEBTOR_NEW = f"""
    INSERT INTO cases_debtor (created_at, updated_at, centre_id, id_hash, id_number, id_number_masked,
        name, birth_date, region_code, phone, phone_masked)
    SELECT %s, %s, %s, s.id_hash, s.id_enc, s.id_masked, s.debtor_name, s.birth_date, s.region_code,
        s.phone_enc, s.phone_masked
    FROM {STAGE_TABLE} s
    WHERE s.first_of_person
    ON CONFLICT DO NOTHING"""  # noqa: S608
DEBTORS_NEW_PG = f"""
    WITH fresh AS ({_DEBTOR_NEW} RETURNING id, id_hash)
    INSERT INTO {PEOPLE_TABLE} (id_hash, debtor_id) SELECT id_hash, id FROM fresh"""  # noqa: S608
PEOPLE_FIND = f"""
    INSERT INTO {PEOPLE_TABLE} (id_hash, debtor_id)
    SELECT p.id_hash,
        (SELECT d.id FROM cases_debtor d WHERE d.centre_id = %s AND d.id_hash = p.id_hash{{lock}})
    FROM (SELECT DISTINCT s.id_hash FROM {STAGE_TABLE} s
          WHERE NOT EXISTS (SELECT 1 FROM {PEOPLE_TABLE} q WHERE q.id_hash = s.id_hash)) p"""  # noqa: S608
CASE_INSERT = f"""
    INSERT INTO cases_case (id, created_at, updated_at, code, external_ref, phone, phone_masked, address,
        email, product, principal, interest, fees, annual_rate, overdue_since, contract_date,
        e_service_consent, note, colour, track, stage, stage_entered_at, on_hold, enforceable_title,
        closed_reason, event_seq, event_head, batch_id, centre_id, committee_id, court_id, creditor_id,
        mediator_id, debtor_id)
    SELECT s.id, %s, %s, s.code, s.external_ref, s.phone_enc, s.phone_masked, s.address, s.email,
        s.product, s.principal, s.interest, s.fees, s.annual_rate, s.overdue_since, s.contract_date,
        s.consent, s.note, s.colour, s.track, %s, %s, false, '', '', 2, s.hash2,
        %s, %s, COALESCE(s.committee_id, %s), %s, %s, s.mediator_id, p.debtor_id
    FROM {STAGE_TABLE} s JOIN {PEOPLE_TABLE} p ON p.id_hash = s.id_hash"""  # noqa: S608
# Codes drawn again: taken already (one index look-up per staged case: a scalar subquery is not turned into
# a join over the whole table) or drawn twice in this chunk.
CLASHING_CODES = f"""
    SELECT s.id FROM {STAGE_TABLE} s
    WHERE (SELECT 1 FROM cases_case c WHERE c.code = s.code LIMIT 1) IS NOT NULL
       OR s.code IN (SELECT code FROM {STAGE_TABLE} GROUP BY code HAVING COUNT(*) > 1)"""  # noqa: S608
REDRAW_CODE = f"UPDATE {STAGE_TABLE} SET code = %s WHERE id = %s"  # noqa: S608


# Foreign keys, checked once instead of row by row. Each key's trigger on a new row (a query that finds the
# referenced row and locks it FOR KEY SHARE, so that it cannot be deleted before commit) is about half of
# what PostgreSQL spends on a big import: seven keys on a case, two on an event, four on an assignment.
# Every key the import writes points at one of few rows known before the first chunk (the centre, the
# batch, the creditor, committee and court, the uploader; with a router its ruleset, mediators and their
# committees), at a case of the import itself, or at a debtor. When the role may set
# session_replication_role (a superuser, or GRANT SET ON PARAMETER session_replication_role), the writer
# locks those known rows once, FOR KEY SHARE, checking that each exists; each chunk locks the debtors it
# reuses the same way; and the chunk statements run with the row triggers off (what pg_restore
# --disable-triggers does to load data). A case whose debtor was not found breaks its NOT NULL, as before.
# Otherwise, or with BATCH_IMPORT_KEYS_CHECKED_ONCE off, every row's triggers run as usual. The tables the
# chunks write have no triggers but their keys' (tests/cases/batches/test_import_keys.py holds it so).
KEYS_LOCK = "SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE id = ANY(%s) FOR KEY SHARE) AS held"


def keys_hold(cursor: Any, ctx: _Context) -> bool:
    """Lock every row the import's keys point at but its own cases and debtors; True when the chunk
    statements may then run without the per-row key triggers (the role may switch them off)."""
    if not getattr(settings, "BATCH_IMPORT_KEYS_CHECKED_ONCE", True) or not _may_skip_row_triggers(cursor):
        return False
    batch = ctx.batch
    held: dict[type[Model], set[int]] = {
        Centre: {ctx.centre.pk},
        Batch: {batch.pk},
        Organisation: {i for i in (batch.creditor_id, ctx.committee_id, ctx.court_id) if i is not None},
        get_user_model(): {i for i in (batch.created_by_id,) if i is not None},
    }
    if ctx.router is not None:
        for model, ids in ctx.router.references().items():
            held[model] = held.get(model, set()) | ids
    for model, ids in held.items():
        if not ids:
            continue
        cursor.execute(KEYS_LOCK.format(table=connection.ops.quote_name(model._meta.db_table)), [sorted(ids)])
        if cursor.fetchone()[0] != len(ids):
            raise RuntimeError(f"{model._meta.label}: a row the import points at is gone")
    cursor.execute("SET LOCAL session_replication_role = replica")
    return True


PG_PARAMETER_PRIVILEGES = 150000  # GRANT SET ON PARAMETER came with PostgreSQL 15


def _may_skip_row_triggers(cursor: Any) -> bool:
    if getattr(connection, "pg_version", 0) >= PG_PARAMETER_PRIVILEGES:
        cursor.execute(
            "SELECT rolsuper OR has_parameter_privilege(current_user, 'session_replication_role', 'SET') "
            "FROM pg_roles WHERE rolname = current_user"
        )
    else:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    found = cursor.fetchone()
    return bool(found and found[0])


def write_cases(ctx: _Context, n: int) -> None:
    """Debtors (one per person per centre, known ones reused), cases and their first two events, set-based;
    with a router, the triage results and assignments."""
    pg = connection.vendor == "postgresql"
    now: Any = ctx.now if pg else connection.ops.adapt_datetimefield_value(ctx.now)
    clock = ctx.clock
    with connection.cursor() as cursor:
        # A person already known at this centre keeps their Debtor (the unique centre + id_hash says so).
        _debtors_link(cursor, ctx, now)
        clock.lap("debtors")
        _redraw_clashing_codes(cursor)
        clock.lap("case codes checked")
        _insert_cases(cursor, ctx, now, n)
        clock.lap("cases")
        # The first two events of every staged case, hashed as the rows were read (cases.events).
        append_events_staged(
            cursor, table=STAGE_TABLE, hasher=ctx.hash_received, prev="''", this="hash1", at=now
        )
        append_events_staged(
            cursor, table=STAGE_TABLE, hasher=ctx.hash_triage, prev="hash1", this="hash2", at=now
        )
        clock.lap("events")
        if ctx.router is not None:
            ctx.router.write(cursor, table=STAGE_TABLE, now=now)
            clock.lap("triage results and assignments")


def _debtors_link(cursor: Any, ctx: _Context, now: Any) -> None:
    """Each staged person's Debtor at the centre, in the people table: a new one, else the known one."""
    centre_id = ctx.centre.pk
    if connection.vendor == "postgresql":
        cursor.execute(DEBTORS_NEW_PG, [now, now, centre_id])
    else:
        cursor.execute(_DEBTOR_NEW, [now, now, centre_id])
    cursor.execute(PEOPLE_FIND.format(lock=" FOR KEY SHARE" if ctx.keys_held else ""), [centre_id])


def _redraw_clashing_codes(cursor: Any) -> None:
    """A case code drawn twice or already taken (about 1 in 10^15 a pair) is drawn again before insert."""
    for _round in range(10):
        cursor.execute(CLASHING_CODES)
        clashing = [r[0] for r in cursor.fetchall()]
        if not clashing:
            return
        for case_id, code in zip(clashing, case_codes_new(len(clashing)), strict=True):
            cursor.execute(REDRAW_CODE, [code, case_id])
    raise RuntimeError("could not draw unique case codes")


def _insert_cases(cursor: Any, ctx: _Context, now: Any, n: int) -> None:
    """The staged cases, each linked to its person's Debtor (found or made by _debtors_link)."""
    centre_id = ctx.centre.pk
    params = [now, now, Stage.TRIAGED.value, now, ctx.batch.pk, centre_id, ctx.committee_id, ctx.court_id]
    cursor.execute(CASE_INSERT, [*params, ctx.batch.creditor_id])
    if cursor.rowcount != n:
        raise RuntimeError(f"staged {n} cases but inserted {cursor.rowcount}")


def _finalise(ctx: _Context) -> None:
    """Mark the batch done in the write transaction, if this attempt is still the batch's current one."""
    c = ctx.counts
    locked = Batch.objects.select_for_update().filter(pk=ctx.batch.pk).values("attempt", "status").first()
    if locked is None or locked["attempt"] != ctx.attempt or locked["status"] != Batch.Status.RUNNING:
        raise Superseded
    if ctx.history:
        claim_histories_insert(ctx.history)
    Batch.objects.filter(pk=ctx.batch.pk).update(
        status=Batch.Status.DONE,
        rows_read=c.rows_read,
        accepted=c.accepted,
        rejected=c.rejected,
        error_count=c.errors,
        progress_percent=100,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
