"""Run the legality screen again, on demand: over one batch, or over all open cases of a centre."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cases.legality import batch_legality_screen, legality_screen
from cases.models import OPEN_STAGES, Batch, Case
from core.models import Centre


class Command(BaseCommand):
    help = "Screen a batch (--batch) or a centre's open cases (--centre) as of a day (--on, default today)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch", type=int)
        parser.add_argument("--centre", help="centre code")
        parser.add_argument("--on", type=date.fromisoformat, help="YYYY-MM-DD; default today")

    def handle(
        self, *args: Any, batch: int | None, centre: str | None, on: date | None, **options: Any
    ) -> None:
        if batch is not None:
            found = Batch.objects.filter(pk=batch).first()
            if found is None:
                raise CommandError(f"no such batch: {batch}")
            counts = batch_legality_screen(batch=found, on=on)
        elif centre:
            row = Centre.objects.filter(code=centre).first()
            if row is None:
                raise CommandError(f"no such centre: {centre}")
            cases = Case.objects.filter(centre=row, stage__in=OPEN_STAGES)
            counts = legality_screen(cases=cases, on=on, centre_id=row.pk)
        else:
            raise CommandError("give --batch or --centre")
        for rule, n in counts.items():
            self.stdout.write(f"{rule}: {n}")
