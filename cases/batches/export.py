"""CSV and XLSX downloads (error reports, case lists); text that a spreadsheet would run is neutralised."""

import codecs
import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

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
