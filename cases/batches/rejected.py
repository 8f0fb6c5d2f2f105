"""The rejected rows of a batch, kept as uploaded, and the file that gives them back to be fixed.

The uploaded file is deleted once its batch is done (PIPL 6), so its rejected rows are copied first,
encrypted. The download has the file's own header and cells, plus one column saying what is wrong in the
reader's language; the importer ignores that column as unknown, so the fixed file uploads as it is.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Batch, BatchRejectedRow

from .reader import COLUMN_BY_KEY, PercentCell, open_sheet
from .selectors import batch_errors
from .validation import error_message

CHUNK = 2000
# A float this large came from a number cell whose digits may be lost (an ID number): keep it a float.
EXACT_FLOAT_BELOW = 1e15


def _cell(value: Any) -> Any:
    """A cell as JSON keeps it: numbers stay numbers, dates become the text the importer accepts."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, PercentCell):
        return f"{float(value) * 100:g}%"
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < EXACT_FLOAT_BELOW else value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@transaction.atomic
def rejected_rows_keep(*, batch: Batch, path: str | Path) -> int:
    """Copy the batch's rejected rows (and the header) out of its file before the file goes."""
    wanted = set(batch_errors(batch=batch).values_list("row", flat=True))
    if not wanted:
        return 0
    BatchRejectedRow.objects.filter(batch=batch).delete()  # a retried import keeps its latest rows only
    sheet = open_sheet(Path(path))
    try:
        kept = [BatchRejectedRow(batch=batch, row=BatchRejectedRow.HEADER_ROW, cells=json.dumps(
            [_cell(c) for c in sheet.header], ensure_ascii=False))]  # fmt: skip
        for row_no, cells in sheet.rows:
            if row_no in wanted:
                kept.append(BatchRejectedRow(batch=batch, row=row_no, cells=json.dumps(
                    [_cell(c) for c in cells], ensure_ascii=False)))  # fmt: skip
    finally:
        sheet.close()
    BatchRejectedRow.objects.bulk_create(kept, batch_size=CHUNK)
    return len(kept) - 1


def rejected_rows_file(*, batch: Batch) -> tuple[list[Any], Iterator[list[Any]]] | None:
    """The header and rows of the download, or None when the batch kept no rejected rows."""
    header_row = BatchRejectedRow.objects.filter(batch=batch, row=BatchRejectedRow.HEADER_ROW).first()
    if header_row is None:
        return None
    header = json.loads(header_row.cells)
    faults: dict[int, list[str]] = defaultdict(list)
    for e in batch_errors(batch=batch).iterator(chunk_size=CHUNK):
        column = COLUMN_BY_KEY.get(e.column)
        name = str(column.header) if column else e.column
        faults[e.row].append(f"{name}: {error_message(e.message)} ({e.code})")
    width = len(header)

    def rows() -> Iterator[list[Any]]:
        rejected = BatchRejectedRow.objects.filter(batch=batch, row__gt=BatchRejectedRow.HEADER_ROW)
        for r in rejected.order_by("row").iterator(chunk_size=CHUNK):
            cells = json.loads(r.cells)
            cells = (cells + [None] * width)[:width]
            yield [*cells, "; ".join(faults.get(r.row, []))]

    return [*(("" if h is None else h) for h in header), _("Errors in this row (ignored on upload)")], rows()
