"""CSV and XLSX downloads (error reports, case lists); text that a spreadsheet would run is neutralised."""

import codecs
import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Aggregate, CharField, DateTimeField, F, OuterRef, QuerySet, Subquery
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import format_lazy

from cases.models import Case, CaseEvent, Stage

# BATCH_FORMAT.md: values that begin with = + - @ are neutralised so that a spreadsheet does not run them;
# tab and carriage return start formulas in some spreadsheets too (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet: text starting like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(value) else value
    return neutralise(
        "" if value is None else value if isinstance(value, str | int | Decimal | date) else str(value)
    )


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, str | int | float | Decimal | date) or value is None:
        return neutralise(value)
    return neutralise(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A streamed UTF-8 CSV with a BOM, so that Excel opens the Chinese text correctly."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield codecs.BOM_UTF8.decode("utf-8") + writer.writerow([str(h) for h in headers])
        for row in rows:
            yield writer.writerow([_csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(
    filename: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]], sheet_title: str = "Sheet1"
) -> FileResponse:
    """An .xlsx written in openpyxl's write-only mode (streams rows to a temporary file, not into memory)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([str(h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def csv_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([str(h) for h in headers])
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return codecs.BOM_UTF8 + buf.getvalue().encode("utf-8")


# --- the creditor's case export: one query, annotated, streamed ------------------------------------------


@dataclass(frozen=True)
class ExportColumn:
    """One column of the case export: its head and the expression the case query is annotated with.

    Apps above `cases` (settlements, payments, court numbers) add theirs in AppConfig.ready through
    case_export_columns_register, so that the export stays one query whatever the apps installed.
    """

    key: str
    label: Any
    expression: Callable[[], Any]
    position: int = 100  # columns are sorted by position, then in the order registered


CASE_EXPORT_COLUMNS: list[ExportColumn] = []


def case_export_columns_register(*columns: ExportColumn) -> None:
    known = {c.key for c in CASE_EXPORT_COLUMNS}
    CASE_EXPORT_COLUMNS.extend(c for c in columns if c.key not in known)


class JoinedText(Aggregate):
    """The distinct texts of a group joined by "; " (string_agg on PostgreSQL, group_concat on SQLite)."""

    function = "STRING_AGG"
    template = "%(function)s(DISTINCT %(expressions)s, '; ')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, '; ')",
            **extra,
        )


# The stages whose first entry the export dates (reconciling: when did the case get there).
EXPORT_STAGE_DATES = [
    Stage.TRIAGED,
    Stage.IN_MEDIATION,
    Stage.COURT_MEDIATION,
    Stage.SETTLED,
    Stage.CONFIRMED,
    Stage.PAYMENT_ORDER,
    Stage.IN_LITIGATION,
    Stage.IN_ENFORCEMENT,
    Stage.PERFORMED,
    Stage.CLOSED,
    Stage.WITHDRAWN,
]


def _entered(stage: str) -> Subquery:
    first = CaseEvent.objects.filter(case_id=OuterRef("pk"), to_stage=stage).exclude(from_stage=stage)
    return Subquery(first.order_by("seq").values("created_at")[:1], output_field=DateTimeField())


def _stage_date_columns() -> list[ExportColumn]:
    from django.utils.translation import gettext_lazy, pgettext_lazy

    columns = [
        ExportColumn(
            f"entered_{stage.value}",
            format_lazy(pgettext_lazy("export column", "{stage}: date reached"), stage=stage.label),
            lambda stage=stage: _entered(stage),  # type: ignore[misc]
            position=200 + i,
        )
        for i, stage in enumerate(EXPORT_STAGE_DATES)
    ]
    columns.append(
        ExportColumn(
            "stage_entered_at", gettext_lazy("In this stage since"), lambda: F("stage_entered_at"), 199
        )
    )
    return columns


def case_export(cases: QuerySet[Case]) -> tuple[list[Any], Iterator[list[Any]]]:
    """Headers and streamed rows of the case export, from one annotated query (chunks of 2,000).

    ID and phone numbers stay masked: reconciling goes by contract number and case code, and the full
    values are read one at a time on the case page, where the reading is logged (PIPL 28-29).
    """
    from django.utils.translation import gettext as _

    extra = sorted([*CASE_EXPORT_COLUMNS, *_stage_date_columns()], key=lambda c: c.position)
    annotated = cases.annotate(**{f"x_{c.key}": c.expression() for c in extra}).select_related(
        "creditor", "debtor"
    )
    headers = [
        _("Case code"), _("Contract number"), _("Creditor"), _("Debtor"), _("ID number"), _("Phone"),
        _("Product"), _("Principal"), _("Interest"), _("Fees"), _("Claimed total"), _("Stage"), _("Colour"),
        _("Track"), _("Overdue since"), _("Batch no."), _("Received"), *[str(c.label) for c in extra],
    ]  # fmt: skip

    def rows() -> Iterator[list[Any]]:
        for c in annotated.iterator(chunk_size=2000):
            yield [
                c.code, c.external_ref, c.creditor.name, c.debtor.name,
                c.debtor.id_number_masked, c.phone_masked,
                c.get_product_display(), c.principal, c.interest, c.fees, c.claimed_total,
                c.get_stage_display(), c.get_colour_display(), c.get_track_display(), c.overdue_since,
                c.batch_id or "", c.created_at, *[getattr(c, f"x_{col.key}") for col in extra],
            ]  # fmt: skip

    return headers, rows()
