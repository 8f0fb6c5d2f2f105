"""Seed centres' working-day calendars from the chinese-calendar package: ``manage.py seed_calendar``.

All centres by default, or one with ``--centre CODE``.  Idempotent; years a centre has imported or edited
are left alone.  Reports the coming years (this year to this year + 2) still without data.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Centre
from core.workdays import calendar_seed_from_package, years_without_data

_YEARS_AS_RANGE = 3  # from three consecutive years on, "2024-2026" reads better than a list


def _years_text(years: list[int]) -> str:
    if not years:
        return "none"
    if years == list(range(years[0], years[-1] + 1)) and len(years) >= _YEARS_AS_RANGE:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


class Command(BaseCommand):
    help = "Seed the holiday calendar of every centre (or one) from the chinese-calendar package."

    def add_arguments(self, parser):
        parser.add_argument("--centre", help="centre code (default: all centres)")
        parser.add_argument(
            "--year", type=int, action="append", dest="years", help="a year to seed (repeatable)"
        )

    def handle(self, *args, centre: str | None = None, years: list[int] | None = None, **options):
        centres = Centre.objects.all()
        if centre:
            centres = centres.filter(code=centre)
            if not centres.exists():
                raise CommandError(_("No centre with code %(code)r.") % {"code": centre})
        this_year = timezone.localdate().year
        upcoming = range(this_year, this_year + 3)
        for centre_obj in centres:
            seeded = calendar_seed_from_package(centre=centre_obj, years=years)
            self.stdout.write(f"Centre {centre_obj.code}: seeded {_years_text(seeded)}.")
            missing = years_without_data(centre_obj, upcoming)
            if missing:
                self.stdout.write(
                    self.style.WARNING(
                        f"Centre {centre_obj.code}: no official holiday data for {_years_text(missing)}; "
                        "deadlines there count weekends only until the calendar is imported."
                    )
                )
