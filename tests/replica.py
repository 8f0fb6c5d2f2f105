"""A replica for tests: core.db counts the test mirror as a configured replica whose probe reports `lag`.

In tests the replica alias is a mirror of the test database (config.settings.test). A test module that
needs it to count as a replica makes a fixture of replica_faked(); a test taking it sets `replica.lag`
(None: unreachable) and marks itself django_db(transaction=True, databases=["default", "replica"]), so
that both connections see its rows.
"""

from collections.abc import Iterator
from typing import Any

from core import db

MAX_LAG = 30


def replica_faked(monkeypatch: Any, settings: Any) -> Iterator[Any]:
    """A configured replica whose probe reports `replica.lag` seconds (None: unreachable)."""
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = MAX_LAG
    probes = []

    class Replica:
        lag: float | None = 0.0

        @property
        def probes(self) -> int:
            return len(probes)

    state = Replica()

    def probe():
        probes.append(1)
        return db.ReplicaStatus(reachable=state.lag is not None, lag_seconds=state.lag, probed_at=clock[0])

    clock = [1000.0]
    monkeypatch.setattr(db, "replica_configured", lambda: True)
    monkeypatch.setattr(db, "replica_probe", probe)
    monkeypatch.setattr(db, "monotonic", lambda: clock[0])
    state.clock = clock  # type: ignore[attr-defined]
    db.replica_status_forget()
    yield state
    db.replica_status_forget()
