"""Benchmark the batch import against a bare COPY of the same file, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/platform_bench \
        .venv/bin/python bench/import_bench.py [--rows N]

Creates (and afterwards drops) the database named in DATABASE_URL, migrates it, generates N case rows
(default 100,000) into a CSV file, then in the same run times:
  - the baseline: a COPY of that file into a table of the same shape (one text column per file column)
    with a unique index on the contract number; and the same COPY with no index;
  - `manage.py import_batch --no-route` in-process (validation, encryption, debtor linking, events and the
    default triage included);
  - the routing task that follows an upload (mediation.services.imported_cases_route: the centre's triage
    rules with a stored result per case, a `retriaged` event per recoloured case, assignment to 200
    mediators), under `--rules recolour` (default: rules that change most cases' colour) or `default`
    (the rules a new centre starts with: about 5% change).
Prints each time, rows/s, import + routing ("file to assigned") and its ratio to the baseline, the peak
memory of this process (ru_maxrss) and of the PostgreSQL backends (VmHWM), the load average, and checks
that every case has a triage result under the active rules and a mediator.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
HEADERS = [
    "合同编号",
    "姓名",
    "身份证号",
    "手机号",
    "地址",
    "电子邮箱",
    "产品类型",
    "本金",
    "利息",
    "费用",
    "年利率",
    "逾期起始日",
    "合同签订日",
    "同意电子送达",
    "备注",
]


def id_number(n: int) -> str:
    # Distinct people: the birth date walks through 40 years, the sequence through 1000 per day.
    day, seq = divmod(n, 1000)
    year, rest = 1960 + day // 336 % 40, day % 336
    first17 = f"350502{year:04d}{rest // 28 + 1:02d}{rest % 28 + 1:02d}{seq:03d}"
    total = sum(int(d) * w for d, w in zip(first17, GB11643_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def generate(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for n in range(rows):
            writer.writerow(
                [
                    f"BENCH{n:09d}",
                    "张三",
                    id_number(n),
                    f"139{n % 100_000_000:08d}",
                    "福建省泉州市鲤城区中山路1号",
                    "",
                    "信用卡",
                    f"{5000 + n % 150_000:,}.00",
                    "350.50",
                    "80",
                    "18%",
                    "2025-03-05",
                    "2023-01-15",
                    "是" if n % 2 else "否",
                    "",
                ]
            )


def admin_dsn(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return f"{base}/postgres", name.split("?")[0]


def recreate_database(url: str) -> None:
    import psycopg

    admin, name = admin_dsn(url)
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    admin, name = admin_dsn(url)
    with psycopg.connect(admin.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bare_copy(path: Path, *, unique: bool = False) -> float:
    """COPY of the file into a table of the same shape; `unique`: with a unique index on the contract number."""
    from django.db import connection

    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(f"CREATE TABLE bench_copy ({columns})")
        if unique:
            cursor.execute("CREATE UNIQUE INDEX bench_copy_ref ON bench_copy (c0)")
        start = time.perf_counter()
        with (
            path.open("rb") as f,
            cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while block := f.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_copy")
    return elapsed


def shaped_copy(tmp: Path) -> float:
    """The rows the import wrote (debtors, cases, events), COPYed bare into tables of the same shape.

    Each table is exported to a file, then timed while COPY loads it into a LIKE ... INCLUDING ALL copy
    (same columns, defaults and indexes; no foreign keys, no validation, no encryption, no hashing).
    """
    from django.db import connection

    total = 0.0
    with connection.cursor() as cursor:
        for table in ("cases_debtor", "cases_case", "cases_caseevent"):
            cursor.execute(
                "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
                [table],
            )
            columns = cursor.fetchone()[0]
            dump = tmp / f"{table}.copy"
            with dump.open("wb") as f, cursor.copy(f"COPY (SELECT {columns} FROM {table}) TO STDOUT") as copy:
                for block in copy:
                    f.write(block)
            cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cursor.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
            start = time.perf_counter()
            with dump.open("rb") as f, cursor.copy(f"COPY bench_{table} ({columns}) FROM STDIN") as copy:
                while block := f.read(1 << 20):
                    copy.write(block)
            total += time.perf_counter() - start
            cursor.execute(f"DROP TABLE bench_{table}")
            dump.unlink()
    return total


class BackendCpu:
    """CPU seconds and peak memory (VmHWM) of this database's PostgreSQL backends, sampled from /proc
    (same machine only)."""

    def __init__(self, dbname: str) -> None:
        import threading

        self.dbname, self.seen, self._stop = dbname, {}, threading.Event()
        self.peak_kb: dict[str, int] = {}
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        while not self._stop.wait(0.1):
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    title = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
                    if f" {self.dbname} " not in title.replace("\0", " ") or not title.startswith("postgres"):
                        continue
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                self.seen[pid] = (int(fields[11]) + int(fields[12])) / tick
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb[pid] = int(line.split()[1])

    def __enter__(self) -> BackendCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())

    @property
    def peak_mb(self) -> float:
        """The largest backend's peak resident memory (shared buffers it touched included)."""
        return max(self.peak_kb.values(), default=0) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument(
        "--rules",
        choices=sorted(RULE_SETS),
        default="recolour",
        help="the centre's triage rules for the routing: recolour (most cases change colour) or default",
    )
    parser.add_argument(
        "--skip-shaped",
        action="store_true",
        help="skip re-loading the written rows into same-shaped tables (minutes at 1,000,000 rows)",
    )
    parser.add_argument(
        "--route-after",
        action="store_true",
        help="import without routing, then route in the task's set-based pass (as `import_batch --no-route`)",
    )
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must point at PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/platform_bench"
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    recreate_database(url)
    try:
        run(args.rows, args.rules, args.route_after, args.skip_shaped)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(url)


MEDIATORS = 200
# Rules under which most generated cases change colour (the import gives every case green first).
RECOLOUR_RULES = [
    {
        "name": "Repeat debtor",
        "conditions": [{"field": "other_cases", "op": "gte", "value": 3}],
        "colour": "red",
    },
    {
        "name": "Stated hardship",
        "conditions": [{"field": "hardship", "op": "eq", "value": True}],
        "colour": "red",
    },
    {
        "name": "Overdue a year",
        "conditions": [{"field": "overdue_days", "op": "gt", "value": 365}],
        "colour": "yellow",
    },
    {
        "name": "Large claim",
        "conditions": [{"field": "amount", "op": "gt", "value": "50000"}],
        "colour": "red",
        "track": "slow",
    },
    {
        "name": "Quanzhou region",
        "conditions": [{"field": "region", "op": "prefix", "value": ["3505"]}],
        "colour": "yellow",
    },
    {
        "name": "No e-service",
        "conditions": [{"field": "e_service_consent", "op": "eq", "value": False}],
        "colour": "yellow",
    },
]
RULE_SETS = {"recolour": RECOLOUR_RULES, "default": None}


def import_file(path: Path, *, route: bool) -> object:
    """What the upload task does first (cases.batches.tasks): the import, routing as it writes (`route`)."""
    from cases.batches.importer import batch_import
    from cases.batches.services import batch_create
    from core.models import Organisation

    creditor = Organisation.objects.get(code="bench-bank")
    return batch_import(batch=batch_create(creditor=creditor, filename=path.name, path=path), route=route)


def run(rows: int, rules: str = "recolour", route_after: bool = False, skip_shaped: bool = False) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from cases.models import Case, CaseEvent, Debtor
    from core.models import Organisation
    from core.services import centre_create, organisation_create

    settings.BATCH_MAX_ROWS = max(rows, getattr(settings, "BATCH_MAX_ROWS", 0))
    settings.BATCH_MAX_BYTES = max(1 << 30, getattr(settings, "BATCH_MAX_BYTES", 0))
    call_command("migrate", verbosity=0)
    centre = centre_create(code="bench", name="Bench centre", region_code="350500")
    committee = organisation_create(
        centre=centre, kind=Organisation.Kind.COMMITTEE, code="bench-committee", name="委员会"
    )
    organisation_create(centre=centre, kind=Organisation.Kind.COURT, code="bench-court", name="法院")
    organisation_create(centre=centre, kind=Organisation.Kind.CREDITOR, code="bench-bank", name="银行")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        t0 = time.perf_counter()
        generate(path, rows)
        print(
            f"generated {rows:,} rows ({path.stat().st_size / 1e6:.1f} MB) "
            f"in {time.perf_counter() - t0:.1f} s"
        )
        copy_s = bare_copy(path)
        unique_s = bare_copy(path, unique=True)
        connection.close()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out = StringIO()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_before = usage.ru_utime + usage.ru_stime
        setup_routing(committee, rules)
        with BackendCpu(connection.settings_dict["NAME"]) as backends:
            start = time.perf_counter()
            batch = import_file(path, route=not route_after)
            import_s = time.perf_counter() - start
        out.write(f"batch {batch.pk}: {batch.rows_read} rows read, {batch.accepted} accepted\n")
        usage = resource.getrusage(resource.RUSAGE_SELF)
        python_cpu = usage.ru_utime + usage.ru_stime - cpu_before
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        route_s, routed, route_backends = route()
        shaped_s = float("nan") if skip_shaped else shaped_copy(Path(tmp))
    print(out.getvalue().splitlines()[0])
    cases, events, debtors = Case.objects.count(), CaseEvent.objects.count(), Debtor.objects.count()
    assert cases == rows, f"{cases} cases for {rows} rows"
    print(f"database: {cases:,} cases, {debtors:,} debtors, {events:,} events")
    print(f"baseline: COPY of the file, same-shaped table with a unique index: {unique_s:7.2f} s")
    print(f"bare COPY of the file into a text table:       {copy_s:7.2f} s  {rows / copy_s:10,.0f} rows/s")
    print(
        f"bare COPY of the written rows, same-shaped tables: {shaped_s:7.2f} s  {rows / shaped_s:10,.0f} rows/s"
    )
    print(
        f"import_batch (end to end):                     {import_s:7.2f} s  {rows / import_s:10,.0f} rows/s"
    )
    print(
        f"ratio import / COPY of the file: {import_s / copy_s:.1f}x; "
        f"import / COPY into same-shaped tables: {import_s / shaped_s:.1f}x"
    )
    print(
        f"CPU time: Python {python_cpu:.1f} s, PostgreSQL backends {backends.seconds:.1f} s "
        f"(2 cores; load average {os.getloadavg()[0]:.1f})"
    )
    print(f"peak memory (ru_maxrss): {peak_mb:.0f} MB (before the import: {rss_before / 1024:.0f} MB)")
    print(
        f"the import {'did not route' if route_after else 'routed each case as it wrote it'}; "
        f"then the routing task ({rules} rules: a triage result each, assignment to {MEDIATORS} mediators): "
        f"{route_s:.2f} s, {rows / route_s:,.0f} cases/s; {routed}; PostgreSQL CPU {route_backends.seconds:.1f} s"
    )
    total = import_s + route_s
    print(
        f"file to assigned (import + routing): {total:.2f} s = {total / unique_s:.1f}x the baseline COPY "
        f"with a unique index ({total / copy_s:.1f}x the COPY with no index)"
    )
    peak_all = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"peak memory: this process {peak_all:.0f} MB; largest PostgreSQL backend "
        f"{max(backends.peak_mb, route_backends.peak_mb):.0f} MB; load average {os.getloadavg()}"
    )
    check_routed(rows)


def check_routed(rows: int) -> None:
    """Every case has a mediator and a triage result under the active rules."""
    from cases.models import Case
    from mediation.models import TriageResult, TriageRuleSet

    active = TriageRuleSet.objects.get(is_active=True)
    without_mediator = Case.objects.filter(mediator__isnull=True).count()
    results = TriageResult.objects.filter(ruleset=active).values("case_id").distinct().count()
    recoloured = Case.objects.exclude(colour="green").count()
    print(
        f"check: {rows - without_mediator:,} of {rows:,} cases have a mediator, {results:,} a triage result "
        f"under rules v{active.version}; {recoloured:,} not green"
    )
    assert without_mediator == 0 and results == rows, "routing left cases without a mediator or a result"


def setup_routing(committee: object, rules: str) -> None:
    """The centre's mediators and rules, there before the upload."""
    import logging

    from django.contrib.auth import get_user_model

    from core.actors import SYSTEM
    from core.models import Centre, Membership, Role
    from mediation.services import triage_ruleset_publish

    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench-m{i}") for i in range(MEDIATORS)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=committee, role=Role.MEDIATOR, region_codes="3505" if i % 2 else "")
        for i, u in enumerate(users)
    )
    if RULE_SETS[rules] is not None:
        centre = Centre.objects.get(code="bench")
        triage_ruleset_publish(centre=centre, rules=RULE_SETS[rules], actor=SYSTEM, note="bench")
    logging.basicConfig(format="  %(message)s")
    logging.getLogger("mediation.routing").setLevel(logging.DEBUG)
    logging.getLogger("cases.batches.importer").setLevel(logging.DEBUG)


def route() -> tuple[float, dict[str, int], BackendCpu]:
    """Time the routing task an upload runs next (mediation.tasks.batch_cases_route)."""
    from django.db import connection

    from cases.models import Batch
    from mediation.services import imported_cases_route

    batch = Batch.objects.select_related("centre").get()
    with BackendCpu(connection.settings_dict["NAME"]) as backends:
        start = time.perf_counter()
        routed = imported_cases_route(batch=batch)
        elapsed = time.perf_counter() - start
    return elapsed, routed, backends


if __name__ == "__main__":
    main()
