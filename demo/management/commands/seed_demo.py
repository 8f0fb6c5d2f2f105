"""Demo data for `make run`: two centres, their organisations and staff, and cases in every stage, each
carrying the records its history would leave. The scenarios are in demo.scenarios; this prints the
summary."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.models import Stage
from dashboards.services import facts_refresh_all
from demo import scenarios
from demo.scenarios import PASSWORD, STAFF


class Command(BaseCommand):
    help = "Create the demo centres, organisations and staff, and a few hundred cases in every stage."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data is never written under production settings (DEMO_DATA_ALLOWED).")
        seeded = scenarios.demo_seed()
        # Every dashboard shows the demo's figures from the first page view.
        facts_refresh_all()
        if seeded is None:
            self.stdout.write("demo data already present")
            return
        self._summary(seeded)

    def _summary(self, seeded: scenarios.DemoSeeded) -> None:
        counts, held = scenarios.demo_stage_counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data created in {seeded.seconds:.1f} s ({seeded.after_commit:.1f} s of it after the "
                "commit: notifications, court documents and notices)."
            )
        )
        self.stdout.write(f"{'stage':<24}{'quanzhou':>10}{'longyan':>10}")
        for stage in Stage:
            self.stdout.write(
                f"{stage.value:<24}{counts[('quanzhou', stage)]:>10}{counts[('longyan', stage)]:>10}"
            )
        self.stdout.write(f"{'on hold':<24}{held['quanzhou']:>10}{held['longyan']:>10}")
        records = scenarios.demo_record_counts()
        self.stdout.write("\nRecords: " + ", ".join(f"{n} {name}" for name, n in records.items()))
        self.stdout.write(f"\nLogins (password {PASSWORD}):")
        for username, first_name, org, role in STAFF:
            self.stdout.write(f"  {username:<15} {first_name:<4} {role.label} · {org}")
