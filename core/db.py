"""Reads off the primary: dashboards, exports and reports may read from a PostgreSQL streaming replica.

Nothing reads from the replica unless a caller asks: `with reading_from(read_db()):` around the reads of a
page whose figures may be a little behind (dashboards, their exports). Everything else, above all a read
that must see the user's own writes (a case just moved, figures just refreshed), stays on the primary.

read_db() names the replica only when DATABASE_REPLICA_URL configured one, it answers, and it is no more
than DATABASE_REPLICA_MAX_LAG_SECONDS behind; otherwise the primary. The replica's state is probed at most
once per REPLICA_PROBE_SECONDS per process, so a replica that is down costs one failed connection, not one
per request. Writes always go to the primary, even for an object that was read from the replica.
"""

import contextvars
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic
from time import time as wall_clock
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

PRIMARY = "default"
REPLICA = "replica"
REPLICA_PROBE_SECONDS = 5.0
PRIMARY_PIN_SESSION_KEY = "core.db.primary_until"

logger = logging.getLogger(__name__)

_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar("reading_from", default=None)

# How far behind the replica is: 0 when it has replayed all it received (an idle primary sends nothing, so
# the age of the last replayed transaction alone would grow without any lag); a server not in recovery is
# a primary, never behind.
LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
    END
"""


@dataclass(frozen=True)
class ReplicaStatus:
    reachable: bool
    lag_seconds: float | None  # None when unreachable
    probed_at: float  # monotonic()

    @property
    def usable(self) -> bool:
        return (
            self.reachable
            and self.lag_seconds is not None
            and self.lag_seconds <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
        )


_status: ReplicaStatus | None = None
_status_lock = threading.Lock()


def replica_configured() -> bool:
    """Whether a replica other than the primary itself is configured (a test mirror is the primary)."""
    if REPLICA not in connections.settings:
        return False
    replica, primary = connections[REPLICA].settings_dict, connections[PRIMARY].settings_dict
    same = ("HOST", "PORT", "NAME")
    return any(replica.get(k) != primary.get(k) for k in same)


def replica_lag_seconds(alias: str = REPLICA) -> float:
    """How many seconds the database behind `alias` is behind its primary (0 for a primary); raises
    DatabaseError when it cannot be reached."""
    connection = connections[alias]
    if connection.vendor != "postgresql":  # no streaming replication: a copy of the primary is not behind
        connection.ensure_connection()
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(LAG_SQL)
        return float(cursor.fetchone()[0])


def replica_probe() -> ReplicaStatus:
    """Ask the replica how far behind it is; an unreachable replica is reported, not raised."""
    try:
        lag: float | None = replica_lag_seconds(REPLICA)
        reachable = True
    except DatabaseError as error:
        logger.warning("replica unreachable, reading from the primary: %s", error)
        connections[REPLICA].close()
        lag, reachable = None, False
    return ReplicaStatus(reachable=reachable, lag_seconds=lag, probed_at=monotonic())


def replica_status() -> ReplicaStatus:
    """The replica's last known state, probed again when older than REPLICA_PROBE_SECONDS."""
    global _status  # noqa: PLW0603 - one cached probe per process, shared by its threads
    with _status_lock:
        if _status is None or monotonic() - _status.probed_at > REPLICA_PROBE_SECONDS:
            _status = replica_probe()
        return _status


def replica_status_forget() -> None:
    """Probe again on the next read_db() (tests, and a replica known to have changed)."""
    global _status  # noqa: PLW0603
    with _status_lock:
        _status = None


def read_db(request: Any = None) -> str:
    """The alias for reads that may be a little behind: the replica when it is usable, else the primary;
    the primary too for a user who has just written something these reads show (primary_pin)."""
    if not replica_configured():
        return PRIMARY
    session = getattr(request, "session", None)
    if session is not None and session.get(PRIMARY_PIN_SESSION_KEY, 0) > wall_clock():
        return PRIMARY
    return REPLICA if replica_status().usable else PRIMARY


def primary_pin(request: Any) -> None:
    """After a write that the user's next pages show (figures refreshed), read those pages from the primary
    for as long as a usable replica may be behind: the user sees their own write."""
    session = getattr(request, "session", None)
    if session is not None:
        session[PRIMARY_PIN_SESSION_KEY] = wall_clock() + settings.DATABASE_REPLICA_MAX_LAG_SECONDS


@contextmanager
def reading_from(alias: str) -> Iterator[str]:
    """Route the reads inside the block to `alias` (writes still go to the primary)."""
    token = _reading_from.set(alias)
    try:
        yield alias
    finally:
        _reading_from.reset(token)


def reading_from_replica(request: Any = None) -> Any:
    """`with reading_from_replica(request) as alias:` reads from the replica when usable, else the primary."""
    return reading_from(read_db(request))


def data_as_of(alias: str) -> datetime:
    """When the data read through `alias` was true: now on the primary, now less the lag on a replica."""
    now = timezone.now()
    if alias == PRIMARY:
        return now
    status = replica_status()
    return now - timedelta(seconds=status.lag_seconds or 0)


class ReplicaRouter:
    """Sends reads to the alias chosen by reading_from() (if any) and every write to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return _reading_from.get()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA} else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # The replica replays the primary's schema; it is never migrated itself.
        return False if db == REPLICA else None
