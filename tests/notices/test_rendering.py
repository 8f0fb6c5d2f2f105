"""Each kind of document renders as a Chinese A4 PDF whose text names the debtor, the amounts and the case."""

import io
import re
import subprocess

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from core.models import Organisation
from notices import documents, rendering, services
from notices.models import Kind, Letterhead

from .conftest import (
    DEBTOR_NAME,
    PRINCIPAL_CAPITALS,
    PRINCIPAL_FIGURES,
    TOTAL_CAPITALS,
    TOTAL_FIGURES,
    pdf_fonts,
    pdf_text,
)

pytestmark = pytest.mark.django_db
SENDABLE = [k for k in Kind.values if k != Kind.PROOF_OF_SERVICE]


def render_kind(case, kind, served=None):
    issuer = documents.issuer_organisation(case, kind)
    doc = documents.document_context(case=case, kind=kind, issuer=issuer, served=served)
    return rendering.render_pdf(documents.document_html(doc=doc, body_source=documents.default_body(kind)))


@pytest.mark.parametrize("kind", SENDABLE)
def test_each_kind_names_the_debtor_the_amounts_and_the_case(make_case, kind):
    case = make_case(performance_due_on=None)
    pdf = render_kind(case, kind)
    text = pdf_text(pdf.data)
    assert DEBTOR_NAME in text
    assert case.code in text
    assert TOTAL_FIGURES in text and TOTAL_CAPITALS in text
    assert PRINCIPAL_FIGURES in text and PRINCIPAL_CAPITALS in text
    assert documents.DOCUMENT_TITLES[kind].split("（")[0] in text
    assert case.debtor.id_number not in text  # masked on documents
    assert f"第1页共{pdf.pages}页" in text


def test_proof_of_service_names_the_debtor_the_amounts_the_case_and_the_service(make_case, send):
    case = make_case(consent=True)
    notice = send(case)
    assert notice.sha256
    text = pdf_text(services.proof_of_service_pdf(notice=notice))
    assert "送达回证" in text and "债务清收函" in text
    assert DEBTOR_NAME in text and case.code in text
    assert TOTAL_FIGURES in text and TOTAL_CAPITALS in text
    assert notice.sha256 in text
    assert case.phone_masked in text and case.phone not in text
    assert "电子送达（短信）" in text


def test_a_one_page_letter_is_small_with_regular_and_bold_faces_and_extractable_text(make_case, tmp_path):
    pdf = render_kind(make_case(), Kind.DEBT_COLLECTION)
    assert pdf.pages == 1
    assert len(pdf.data) < 100_000
    fonts = pdf_fonts(pdf.data, tmp_path)
    assert re.search(r"\+Notice-Sans-Bold\s", fonts)  # bold text uses the real bold face, not a synthetic one
    assert re.search(r"\+Notice-Sans\s", fonts)
    assert "根据《中华人民共和国民法典》" in pdf_text(pdf.data)


def test_a_name_outside_the_subset_font_falls_back_to_the_system_font(make_case):
    pdf = render_kind(make_case(debtor_name="王喆"), Kind.DEBT_COLLECTION)
    assert "王喆" in pdf_text(pdf.data)


def test_the_issuers_letterhead_and_seal_are_printed(make_case, world, tmp_path):
    case = make_case()
    seal = io.BytesIO()
    Image.new("RGBA", (120, 120), (200, 0, 0, 180)).save(seal, format="PNG")
    head = Letterhead(
        organisation=world.bank,
        name_line="示范银行股份有限公司泉州分行",
        address_line="泉州市丰泽区东海大街1号",
    )
    head.seal.save("bank.png", ContentFile(seal.getvalue()), save=True)
    pdf = render_kind(case, Kind.DEBT_COLLECTION)
    text = pdf_text(pdf.data)
    assert "示范银行股份有限公司泉州分行" in text and "泉州市丰泽区东海大街1号" in text
    path = tmp_path / "seal.pdf"
    path.write_bytes(pdf.data)
    images = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split() for line in images.splitlines()[2:]]
    assert [(r[3], r[4], r[2]) for r in rows] == [("120", "120", "image"), ("120", "120", "smask")]


def test_court_documents_are_issued_by_the_court_and_letters_by_their_sender(make_case, world):
    case = make_case()
    assert documents.issuer_organisation(case, Kind.PAYMENT_ORDER) == world.court
    assert documents.issuer_organisation(case, Kind.DEBT_COLLECTION) == world.bank
    assert documents.issuer_organisation(case, Kind.SETTLEMENT_AGREEMENT) == world.committee
    centre_org = Organisation.objects.get(centre=world.qz, kind=Organisation.Kind.CENTRE)
    assert documents.issuer_organisation(case, Kind.LITIGATION_RISK) == centre_org


def test_an_edited_template_cannot_read_files_or_reach_the_debtors_full_id_number(make_case, world, send):
    case = make_case()
    body = (
        "<h1>债务清收函</h1>"
        "<p>{{ doc.debtor_name }}{{ case.debtor.id_number }}{{ notice.case.debtor.id_number }}</p>"
        '<a rel="attachment" href="file:///etc/hostname">附件</a><img src="file:///etc/passwd">'
        '<img src="http://127.0.0.1:9/x.png">'
    )
    services.notice_template_publish(centre=world.qz, kind=Kind.DEBT_COLLECTION, body=body, actor=world.admin)
    notice = send(case)
    assert notice.template_version == 1
    data = services.notice_pdf_bytes(notice)
    reader = PdfReader(io.BytesIO(data))
    assert not reader.attachments
    text = pdf_text(data)
    assert DEBTOR_NAME in text and case.debtor.id_number not in text


@pytest.mark.parametrize("face", ["NoticeSans-Regular.otf", "NoticeSans-Bold.otf"])
def test_the_shipped_font_has_every_character_of_the_shipped_templates(face):
    """Otherwise a template edit silently falls back to the big system font: run build_fonts.py again."""
    from fontTools.ttLib import TTFont

    cmap = TTFont(rendering.FONTS_DIR / face).getBestCmap()
    folder = documents.TEMPLATES_DIR / "notices"
    text = "".join(p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.suffix in (".html", ".css"))
    text += "".join(documents.DOCUMENT_TITLES.values()) + "".join(documents.CHANNEL_NAMES.values())
    assert sorted({c for c in text if ord(c) > 0x20 and c.isprintable() and ord(c) not in cmap}) == []
