"""A dashboard figure's numbers as an .xlsx file: the same rows as the table under its chart."""

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.batches.export import xlsx_response

from .selectors import Figure

SUFFIXES = {"percent": " (%)", "yuan": " (¥)"}
SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def figure_headers(figure: Figure) -> list[str]:
    return [f"{column.label}{SUFFIXES.get(column.kind, '')}" for column in figure.columns]


def figure_xlsx(figure: Figure) -> FileResponse:
    """Percentages go out as numbers (92.1 for 92.1%), amounts as yuan with two decimals, blanks for none."""
    filename = f"{figure.key}-{timezone.localdate():%Y%m%d}.xlsx"
    title = str(figure.title).translate(SHEET_TITLE_FORBIDDEN).strip()[:31] or _("Figures")
    return xlsx_response(filename, figure_headers(figure), figure.rows, sheet_title=title)
