"""Post: one merged PDF for the print shop, an address sheet before each notice."""

import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.template import Context
from pypdf import PdfReader, PdfWriter

from .. import documents, rendering


@dataclass(frozen=True)
class PostItem:
    """One envelope: who and where, which document, and the document's PDF."""

    debtor_name: str
    address: str
    case_code: str
    title: str
    sender_name: str
    sender_address: str
    pdf: bytes
    pages: int


def address_sheets_pdf(items: Sequence[PostItem], *, batch_label: str) -> bytes:
    sheets = [item.__dict__ for item in items]
    html = (
        documents.engine()
        .get_template("notices/address_sheets.html")
        .render(Context({"sheets": sheets, "batch_label": batch_label}))
    )
    css = (documents.TEMPLATES_DIR / "notices" / "address_sheets.css").read_text(encoding="utf-8")
    return rendering.render_pdf(html, extra_css=css).data


def merged_pdf(items: Sequence[PostItem], *, batch_label: str) -> bytes:
    """Address sheet 1, notice 1, address sheet 2, notice 2, ... in one PDF."""
    sheets = PdfReader(io.BytesIO(address_sheets_pdf(items, batch_label=batch_label)))
    writer = PdfWriter()
    for index, item in enumerate(items):
        writer.add_page(sheets.pages[index])
        for page in PdfReader(io.BytesIO(item.pdf)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
