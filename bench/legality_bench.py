"""Benchmark the legality screen (cases.legality) over one imported batch, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/platform_bench_legality \
        .venv/bin/python bench/legality_bench.py [--rows N]

Creates (and afterwards drops) the database, imports N rows (default 100,000) of bench/import_bench.py's file
for a private lender, then times the screen as of a day on which every row is out of time and above the
private-lending cap (the worst case: two findings a row), and once more (nothing new: the run that follows a
correction), and prints the findings per rule.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.import_bench import drop_database, generate, recreate_database  # noqa: E402

SCREEN_ON = date(2028, 6, 1)  # the bench file's rows fell due on 2025-03-05: over 3 years by then


def run(rows: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from cases.legality import batch_legality_screen
    from cases.models import Batch, Finding
    from core.models import CreditorKind, Organisation
    from core.services import centre_create, organisation_create

    settings.BATCH_MAX_ROWS = max(rows, getattr(settings, "BATCH_MAX_ROWS", 0))
    settings.BATCH_MAX_BYTES = max(1 << 30, getattr(settings, "BATCH_MAX_BYTES", 0))
    call_command("migrate", verbosity=0)
    centre = centre_create(code="bench", name="Bench centre", region_code="350500")
    organisation_create(
        centre=centre, kind=Organisation.Kind.COMMITTEE, code="bench-committee", name="委员会"
    )
    organisation_create(centre=centre, kind=Organisation.Kind.COURT, code="bench-court", name="法院")
    lender = organisation_create(
        centre=centre, kind=Organisation.Kind.CREDITOR, code="bench-lender", name="出借人"
    )
    Organisation.objects.filter(pk=lender.pk).update(creditor_kind=CreditorKind.PRIVATE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        generate(path, rows)
        start = time.perf_counter()
        call_command("import_batch", "--creditor", "bench-lender", str(path), "--no-route", stdout=StringIO())
        print(f"imported {rows:,} rows in {time.perf_counter() - start:.1f} s")
    batch = Batch.objects.get()
    for label in ("first screen", "second screen"):
        start = time.perf_counter()
        counts = batch_legality_screen(batch=batch, on=SCREEN_ON)
        seconds = time.perf_counter() - start
        print(f"{label}: {seconds:6.2f} s  {rows / seconds:10,.0f} rows/s  {counts}")
    print(f"findings stored: {Finding.objects.count():,}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at PostgreSQL")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    recreate_database(url)
    try:
        run(args.rows)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(url)


if __name__ == "__main__":
    main()
