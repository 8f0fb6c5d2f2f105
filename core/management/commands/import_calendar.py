"""Import a centre's working-day calendar from CSV: ``manage.py import_calendar --centre CODE FILE.csv``.

The CSV has a header row ``date,kind,name`` (also 日期,类型,名称); kind is ``holiday`` (假日, 休) or
``workday`` (调休, 班); dates as 2027-01-01 or 2027/1/1.  Rows replace existing ones for the same date and
their years become the centre's own data (a later package seed leaves them alone).
"""

import csv
import re
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.models import Centre
from core.workdays import calendar_import_rows, normalise_kind

HEADER_ALIASES = {
    "date": "date",
    "日期": "date",
    "kind": "kind",
    "类型": "kind",
    "name": "name",
    "名称": "name",
}
DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def parse_date(value: str) -> date:
    match = DATE_RE.match(value.strip())
    if not match:
        raise ValueError(_("%(value)r is not a date (use YYYY-MM-DD).") % {"value": value})
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValueError(_("%(value)r is not a valid date.") % {"value": value}) from None


def read_rows(path: Path) -> list[tuple[date, str, str]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise CommandError(_("%(path)s is empty.") % {"path": path}) from None
        except UnicodeDecodeError:
            raise CommandError(_("%(path)s is not UTF-8 text.") % {"path": path}) from None
        columns = [HEADER_ALIASES.get(cell.strip().lower()) for cell in header]
        if "date" not in columns or "kind" not in columns:
            raise CommandError(
                _("%(path)s: the header must be date,kind,name (found %(header)s).")
                % {"path": path, "header": ",".join(header)}
            )
        rows: list[tuple[date, str, str]] = []
        try:
            for line_no, record in enumerate(reader, start=2):
                if not any(cell.strip() for cell in record):
                    continue
                values = {col: cell for col, cell in zip(columns, record, strict=False) if col}
                try:
                    day = parse_date(values.get("date", ""))
                    kind = normalise_kind(values.get("kind", ""))
                except ValueError as exc:
                    raise CommandError(
                        _("%(path)s line %(line)s: %(error)s") % {"path": path, "line": line_no, "error": exc}
                    ) from None
                rows.append((day, kind, values.get("name", "").strip()))
        except UnicodeDecodeError:
            raise CommandError(_("%(path)s is not UTF-8 text.") % {"path": path}) from None
    return rows


class Command(BaseCommand):
    help = "Import a centre's holiday and adjusted-workday calendar from a CSV file (date,kind,name)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file with header date,kind,name")
        parser.add_argument("--centre", required=True, help="centre code")
        parser.add_argument(
            "--official",
            action="store_true",
            help="the file is the State Council's complete schedule for every year it lists: confirm them",
        )

    def handle(self, *args, file: Path, centre: str, official: bool = False, **options):
        try:
            centre_obj = Centre.objects.get(code=centre)
        except Centre.DoesNotExist:
            raise CommandError(_("No centre with code %(code)r.") % {"code": centre}) from None
        rows = read_rows(file)
        if not rows:
            raise CommandError(_("%(path)s has no calendar rows.") % {"path": file})
        try:
            count = calendar_import_rows(centre=centre_obj, rows=rows, complete=official)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        years = sorted({d.year for d, _kind, _name in rows})
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {count} calendar rows for centre {centre_obj.code} "
                f"(years {', '.join(map(str, years))}, "
                + (
                    "confirmed as the official schedule)."
                    if official
                    else "not confirmed: use --official for a complete schedule)."
                )
            )
        )
