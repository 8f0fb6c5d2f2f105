"""Dashboards read off the primary: their latency while an import runs, without and with a streaming replica.

    .venv/bin/python bench/replica_bench.py [--cases 100000] [--import-rows 10000] [--clients 2]

Needs only the PostgreSQL 15 server binaries (PG_BIN, default /usr/lib/postgresql/15/bin); it touches no
existing cluster. In a temporary directory it starts two clusters of its own on loopback ports (as the
`postgres` OS user when run as root):

- a primary (initdb, trust for 127.0.0.1 including replication), migrated and seeded with N cases in one
  centre by bench/dashboard_bench.py's set-based seed, figures refreshed;
- a hot-standby replica of it: pg_basebackup -R -X stream, then postgres on the next port.

Then three phases of the same length as the import they run beside, each with C dashboard clients (separate
processes, Django's test client, the centre admin's /dashboards/, DEBUG off) requesting one after another:

1. quiet: no import, dashboards on the primary (for scale);
2. an import of R rows on the primary (manage.py import_batch, another process), dashboards on the primary
   (DATABASE_REPLICA_URL unset);
3. an import of R other rows, dashboards on the replica (DATABASE_REPLICA_URL set): core.db sends their
   reads there while it is at most DATABASE_REPLICA_MAX_LAG_SECONDS behind.

Prints p50/p95 of the dashboard per phase, the share of pages read from the replica and the largest lag seen,
the import's rows/s in phases 2 and 3, and the ratios. Stops both clusters by their postmaster PIDs and
deletes the directory, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http import HTTPStatus
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DBNAME = "platform_replica_bench"
CREDITORS = ("dbench-bank1", "dbench-bank2")  # one per import phase: their contract numbers never meet
QUIET_SECONDS = 15
READY_TIMEOUT = 60
# The children of this script (dashboard clients, the import) run against the bench's own clusters only.
CHILD_ENV = {"DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "false", "REDIS_URL": "", "DB_CONN_MAX_AGE": "300", "PYTHONWARNINGS": "ignore",
             "CELERY_TASK_ALWAYS_EAGER": "false", "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost"}  # fmt: skip


# --- two clusters of our own ---------------------------------------------------------------------------


def as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the postgres OS user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self, data: Path, port: int, sockets: Path) -> None:
        self.data, self.port, self.sockets = data, port, sockets
        self.pid: int | None = None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DBNAME}"

    def start(self, *settings: str) -> None:
        log = self.data.parent / f"{self.data.name}.log"
        options = ["-c", "listen_addresses=127.0.0.1", *(x for s in settings for x in ("-c", s))]
        subprocess.run(
            as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-w", "-t", "60",
                         "-o", f"-p {self.port} -k {self.sockets} " + " ".join(options), "start"]),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.pid = int((self.data / "postmaster.pid").read_text().split()[0])
        self.wait_ready()

    def wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                psycopg.connect(
                    f"postgres://postgres@127.0.0.1:{self.port}/postgres", connect_timeout=2
                ).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def stop(self) -> None:
        """Fast shutdown of the postmaster this script started, by its PID."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGINT)
        except ProcessLookupError:
            self.pid = None
            return
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            os.kill(self.pid, signal.SIGQUIT)  # immediate shutdown: the directory is deleted anyway
        self.pid = None


def clusters_create(tmp: Path) -> tuple[Cluster, Cluster]:
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(tmp, user.pw_uid, user.pw_gid)
    primary = Cluster(tmp / "primary", free_port(), tmp)
    replica = Cluster(tmp / "replica", free_port(), tmp)
    # --auth=trust writes trust lines for 127.0.0.1, replication included: the replica connects as postgres.
    subprocess.run(
        as_postgres([str(PG_BIN / "initdb"), "-D", str(primary.data), "-U", "postgres", "--auth=trust",
                     "-E", "UTF8", "--locale=C.UTF-8"]),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return primary, replica


def replica_start(primary: Cluster, replica: Cluster) -> float:
    started = time.perf_counter()
    subprocess.run(
        as_postgres([str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                     "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast"]),
        check=True,
    )  # fmt: skip
    replica.start("hot_standby=on")
    return time.perf_counter() - started


# --- seeding (in this process, against the bench primary) ------------------------------------------------


def seed(primary: Cluster, cases: int, import_rows: int, tmp: Path) -> list[Path]:
    """Migrate and seed the primary, refresh its figures; write the two import files (disjoint rows)."""
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:{primary.port}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DBNAME}"')
    os.environ.update(CHILD_ENV, DATABASE_URL=primary.url)
    os.environ.pop("DATABASE_REPLICA_URL", None)
    import dashboard_bench  # sets DEBUG off and the allowed hosts before Django starts
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from core.models import Centre
    from dashboards.services import facts_refresh

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    dashboard_bench.seed(cases)
    facts_refresh(centre_id=Centre.objects.get(code=dashboard_bench.CENTRE).pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connections.close_all()
    print(f"seeded {cases:,} cases and refreshed their figures in {time.perf_counter() - started:.0f} s")
    return import_files(tmp, import_rows)


def import_files(tmp: Path, rows: int) -> list[Path]:
    """One generated file of 2R rows split in two: different people and contract numbers in each half."""
    import import_bench

    whole = tmp / "import.csv"
    import_bench.generate(whole, 2 * rows)
    lines = whole.read_text(encoding="utf-8").splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    halves = []
    for n, part in enumerate((body[:rows], body[rows:])):
        path = tmp / f"import-{n + 1}.csv"
        path.write_text(header + "".join(part), encoding="utf-8")
        halves.append(path)
    return halves


# --- one dashboard client (a child process) ---------------------------------------------------------------


def client_main(stop_file: Path, seconds: float) -> None:
    """Request the centre admin's dashboard until stop_file appears (or `seconds` pass): JSON on stdout."""
    import dashboard_bench
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from core import db

    client = Client()
    client.force_login(get_user_model().objects.get(username=f"{dashboard_bench.CENTRE}-admin"))
    for _ in range(2):  # warm-up: templates, translations, connections
        assert client.get("/dashboards/").status_code == HTTPStatus.OK
    times, on_replica, lags = [], 0, [0.0]
    deadline = time.monotonic() + seconds
    while not stop_file.exists() and time.monotonic() < deadline:
        started = time.perf_counter()
        response = client.get("/dashboards/", HTTP_ACCEPT_LANGUAGE="en")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == HTTPStatus.OK, response.status_code
        if b'data-testid="read-from-replica"' in response.content:
            on_replica += 1
        if db.replica_configured():
            lags.append(db.replica_status().lag_seconds or 0)
    print(json.dumps({"times": times, "on_replica": on_replica, "max_lag": max(lags)}))


# --- the phases --------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def phase(label: str, primary: Cluster, clients: int, *, replica: Cluster | None, import_file: Path | None,
          creditor: str = "", tmp: Path) -> dict:  # fmt: skip
    env = {**os.environ, **CHILD_ENV, "DATABASE_URL": primary.url}
    env.pop("DATABASE_REPLICA_URL", None)
    if replica is not None:
        env["DATABASE_REPLICA_URL"] = replica.url
    stop_file = tmp / f"stop-{label}"
    log = (tmp / "children.log").open("a")  # the children's warnings, shown when one fails
    runs = [
        subprocess.Popen([sys.executable, __file__, "--client", str(stop_file), "--seconds", "600"], env=env,
                         stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT)
        for _ in range(clients)
    ]  # fmt: skip
    time.sleep(3)  # the clients log in and warm up
    import_s, events_before = None, event_table(primary)[0]
    if import_file is None:
        time.sleep(QUIET_SECONDS)
    else:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "manage.py", "import_batch", "--creditor", creditor, str(import_file), "--no-route"],
            env={**env, "DATABASE_REPLICA_URL": ""}, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        import_s = time.perf_counter() - started
    stop_file.touch()
    results = []
    for run in runs:
        out, _ = run.communicate(timeout=120)
        if run.returncode:
            log.close()
            sys.exit(
                f"a dashboard client failed in phase {label!r}:\n{(tmp / 'children.log').read_text()[-3000:]}"
            )
        results.append(json.loads(out.strip().splitlines()[-1]))
    log.close()
    times = [t for r in results for t in r["times"]]
    return {
        "label": label, "requests": len(times), "p50": percentile(times, 0.5), "p95": percentile(times, 0.95),
        "on_replica": sum(r["on_replica"] for r in results), "max_lag": max(r["max_lag"] for r in results),
        "import_s": import_s, "events": event_table(primary)[0] - events_before,
    }  # fmt: skip


def event_table(primary: Cluster) -> tuple[int, int]:
    """Rows and bytes (with its indexes) of the case event table on the primary."""
    import psycopg

    with psycopg.connect(primary.url) as conn:
        row = conn.execute(
            "SELECT count(*), pg_total_relation_size('cases_caseevent') FROM cases_caseevent"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def report(rows: list[dict], import_rows: int, events: tuple[int, int]) -> None:
    print(f"\n{'phase':44} {'pages':>6} {'p50 ms':>8} {'p95 ms':>8} {'on replica':>11} {'max lag s':>10} "
          f"{'import rows/s':>14}")  # fmt: skip
    for r in rows:
        rate = f"{import_rows / r['import_s']:,.0f}" if r["import_s"] else "—"
        share = f"{100 * r['on_replica'] / r['requests']:.0f}%" if r["requests"] else "—"
        print(f"{r['label']:44} {r['requests']:6d} {r['p50']:8.1f} {r['p95']:8.1f} {share:>11} "
              f"{r['max_lag']:10.1f} {rate:>14}")  # fmt: skip
    quiet, busy, offloaded = rows
    print(
        f"\ndashboard p95 during the import: {busy['p95']:.0f} ms on the primary, {offloaded['p95']:.0f} ms on the "
        f"replica ({busy['p95'] / offloaded['p95']:.2f}x); quiet primary {quiet['p95']:.0f} ms"
    )
    print(
        f"import beside the dashboards: {busy['import_s']:.1f} s with them on the primary, "
        f"{offloaded['import_s']:.1f} s with them on the replica ({busy['import_s'] / offloaded['import_s']:.2f}x)"
    )
    written = [r for r in rows if r["import_s"]]
    rate = sum(r["events"] for r in written) / sum(r["import_s"] for r in written)
    print(
        f"case events: {events[0]:,} rows, {events[1] / 1e6:.0f} MB with indexes ({events[1] / events[0]:.0f} bytes "
        f"a row); the imports wrote {rate:,.0f} events/s ({sum(r['events'] for r in written) / (len(written) * import_rows):.1f} "
        "a case)"
    )
    print(
        f"(one machine: {os.cpu_count()} cores shared by the primary, the replica's replay, the import and the "
        f"clients; load average {os.getloadavg()[0]:.1f}. A replica on its own host takes the dashboards' CPU and "
        "I/O off the primary; here it can only take their locks and buffer cache.)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=2, help="concurrent dashboard clients (processes)")
    parser.add_argument("--client", type=Path, help=argparse.SUPPRESS)  # a child: the stop file
    parser.add_argument("--seconds", type=float, default=600, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(args.client, args.seconds)
        return
    if not (PG_BIN / "postgres").exists():
        sys.exit(f"PostgreSQL server binaries not found in {PG_BIN}: set PG_BIN")
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="replica-bench-"))
    primary = replica = None
    try:
        primary, replica = clusters_create(tmp)
        primary.start("wal_level=replica", "max_wal_senders=4")
        print(f"primary on 127.0.0.1:{primary.port} (pid {primary.pid}), data in {primary.data}")
        files = seed(primary, args.cases, args.import_rows, tmp)
        copy_s = replica_start(primary, replica)
        print(
            f"replica on 127.0.0.1:{replica.port} (pid {replica.pid}): pg_basebackup and start {copy_s:.1f} s"
        )
        rows = [
            phase("quiet primary, no import", primary, args.clients, replica=None, import_file=None, tmp=tmp),
            phase("import running, dashboards on the primary", primary, args.clients, replica=None,
                  import_file=files[0], creditor=CREDITORS[0], tmp=tmp),
            phase("import running, dashboards on the replica", primary, args.clients, replica=replica,
                  import_file=files[1], creditor=CREDITORS[1], tmp=tmp),
        ]  # fmt: skip
        print(
            f"\n{args.cases:,} cases seeded; imports of {args.import_rows:,} rows; {args.clients} dashboard clients"
        )
        report(rows, args.import_rows, event_table(primary))
    except KeyboardInterrupt:
        print("interrupted: stopping the clusters")
    finally:
        for cluster in (replica, primary):
            if cluster is not None:
                cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"clusters stopped and removed; total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
