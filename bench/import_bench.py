"""Benchmark the batch import against a bare COPY of the same file, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/platform_bench \
        .venv/bin/python bench/import_bench.py [--rows N]

Creates (and afterwards drops) the database named in DATABASE_URL, migrates it, generates N case rows
(default 100,000) into a CSV file, then in the same run times:
  - a bare COPY of that file into a table of the same shape (one text column per file column, no index);
  - `manage.py import_batch --no-route` in-process (validation, encryption, debtor linking, events and the
    default triage included; the centre's own rules and assignment, which follow as a task, are not).
Prints rows/s, the ratio of the two and the process's peak memory (ru_maxrss); then times the task that
follows an upload (the centre's triage rules with a stored result per case, assignment to 200 mediators).
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


def bare_copy(path: Path) -> float:
    from django.db import connection

    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(f"CREATE TABLE bench_copy ({columns})")
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
    """CPU seconds used by this database's PostgreSQL backends (sampled from /proc, same machine only)."""

    def __init__(self, dbname: str) -> None:
        import threading

        self.dbname, self.seen, self._stop = dbname, {}, threading.Event()
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
                except OSError:
                    continue
                self.seen[pid] = (int(fields[11]) + int(fields[12])) / tick

    def __enter__(self) -> BackendCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must point at PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/platform_bench"
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    recreate_database(url)
    try:
        run(args.rows)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(url)


MEDIATORS = 200


def run(rows: int) -> None:
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
        connection.close()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out = StringIO()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu_before = usage.ru_utime + usage.ru_stime
        with BackendCpu(connection.settings_dict["NAME"]) as backends:
            start = time.perf_counter()
            call_command("import_batch", "--creditor", "bench-bank", str(path), "--no-route", stdout=out)
            import_s = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_SELF)
        python_cpu = usage.ru_utime + usage.ru_stime - cpu_before
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        shaped_s = shaped_copy(Path(tmp))
    print(out.getvalue().splitlines()[0])
    cases, events, debtors = Case.objects.count(), CaseEvent.objects.count(), Debtor.objects.count()
    assert cases == rows, f"{cases} cases for {rows} rows"
    print(f"database: {cases:,} cases, {debtors:,} debtors, {events:,} events")
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
    route_s, routed = route(committee)
    print(
        f"then the task that follows an upload (centre's rules, a triage result each, assignment to "
        f"{MEDIATORS} mediators): {route_s:.2f} s, {rows / route_s:,.0f} cases/s; {routed}"
    )


def route(committee: object) -> tuple[float, dict[str, int]]:
    """Time the routing task an upload runs next: triage by the centre's default rules, auto-assignment."""
    from django.contrib.auth import get_user_model

    from cases.models import Batch
    from core.models import Membership, Role
    from mediation.services import imported_cases_route

    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench-m{i}") for i in range(MEDIATORS)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=committee, role=Role.MEDIATOR, region_codes="3505" if i % 2 else "")
        for i, u in enumerate(users)
    )
    batch = Batch.objects.select_related("centre").get()
    start = time.perf_counter()
    routed = imported_cases_route(batch=batch)
    return time.perf_counter() - start, routed


if __name__ == "__main__":
    main()
