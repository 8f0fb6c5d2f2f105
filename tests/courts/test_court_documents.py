"""Court documents in court form (要素式): a ruling, a payment order and a judgment state both parties'
particulars, the reasons (the judge's own too), the operative part, the judge's and clerk's lines and the date
in Chinese numerals, set in the serif face; the court's seal where one was uploaded; an incomplete document
is not issued. Fixed dates throughout (4 December 2026)."""

import io
import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cases.errors import ActionForbidden
from cases.models import Case, Stage
from core.identifiers import id_number_check_char
from courts import documents as court_documents
from courts import services
from courts.errors import CourtError
from courts.models import Filing, FilingType, PaymentOrder, Suit
from notices import documents
from notices.forms import LetterheadForm
from notices.models import Kind, Letterhead, Notice
from notices.services import NoticeError, notice_send
from tests.courts.factories import ConfirmationDecisionFactory

pytestmark = pytest.mark.django_db

DECIDED_ON = date(2026, 12, 4)
CHINESE_DATE = "二〇二六年十二月四日"
DEBTOR = "欧阳明华"
# A man born on 15 March 1985 (the 17th digit, 3, is odd): the court prints 男 and the birth date.
ID_FIRST17 = "35050219850315123"
ID_NUMBER = ID_FIRST17 + id_number_check_char(ID_FIRST17)
ID_MASKED = ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
DEBTOR_ADDRESS = "福建省泉州市鲤城区中山路100号"
CREDITOR_PARTICULARS = {
    "address": "福建省泉州市丰泽区东海大街1号",
    "legal_representative": "赵国强",
    "legal_representative_title": "行长",
    "agent_name": "钱立新",
    "agent_detail": "该行员工",
}
JUDGE, CLERK = "王审判", "陈书记"
OWN_REASONS = "申请人在调解中已充分了解减免利息的法律后果"


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"


@pytest.fixture
def parties(world):
    """The bank with its particulars; the judge and clerk with their names as printed."""
    for field, value in CREDITOR_PARTICULARS.items():
        setattr(world.bank, field, value)
    world.bank.save()
    for user, name in ((world.judge1, JUDGE), (world.clerk1, CLERK)):
        user.first_name = name
        user.save()
    return world


def court_case(world):
    return world.case(debtor_name=DEBTOR, id_number=ID_NUMBER, address=DEBTOR_ADDRESS)


def filing(world, case, filing_type, seq=1, **elements):
    return Filing.objects.create(
        case=case,
        court=world.court,
        filing_type=filing_type,
        year=2026,
        seq=seq,
        number=f"(2026)闽0502{filing_type}{seq}号",
        filed_on=date(2026, 11, 20),
        **elements,
    )


def signed(world):
    return {"judge": world.judge1, "clerk": world.clerk1, "reasons_extra": OWN_REASONS}


def ruling_case(world, *, confirmed=True, **elements):
    case = court_case(world)
    on_file = filing(world, case, FilingType.CONFIRMATION, **elements)
    ConfirmationDecisionFactory(
        case=case,
        filing=on_file,
        confirmed=confirmed,
        ground="" if confirmed else "public_order",
        decided_by=world.judge1,
        decided_on=DECIDED_ON,
    )
    return case


def payment_order_case(world, **elements):
    case = court_case(world)
    PaymentOrder.objects.create(
        case=case,
        filing=filing(world, case, FilingType.PAYMENT_ORDER, **elements),
        status=PaymentOrder.Status.ISSUED,
        amount=Decimal("10600.00"),
        applied_on=date(2026, 11, 20),
        issued_on=DECIDED_ON,
    )
    return case


def judgment_case(world, **elements):
    case = court_case(world)
    Suit.objects.create(
        case=case,
        filing=filing(world, case, FilingType.SUIT, **elements),
        procedure=Suit.Procedure.SMALL_CLAIMS,
        filed_on=date(2026, 11, 20),
        decide_by=date(2027, 1, 20),
        judgment_on=DECIDED_ON,
        judgment_amount=Decimal("8000.00"),
        performance_due_on=date(2026, 12, 14),
    )
    return case


CASES = {
    Kind.CONFIRMATION_RULING: (ruling_case, "民事裁定书", "申请人", "申请人", "裁定如下"),
    Kind.PAYMENT_ORDER: (payment_order_case, "支付令", "申请人", "被申请人", "特发出如下支付令"),
    Kind.JUDGMENT: (judgment_case, "民事判决书", "原告", "被告", "判决如下"),
}


def pdf_text(data: bytes) -> str:
    """The text as pdftotext extracts it, without the spaces and line breaks of the layout."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    )
    return "".join(out.stdout.decode("utf-8").split())


def pdf_tool(tool: str, data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run([tool, *(["-list"] if tool == "pdfimages" else []), str(path)],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip


def seal_png() -> bytes:
    image = io.BytesIO()
    Image.new("RGBA", (160, 160), (200, 0, 0, 160)).save(image, format="PNG")
    return image.getvalue()


# --- the acceptance test: a ruling's text and its face ---------------------------------------------------


@pytest.mark.parametrize("kind", list(CASES))
def test_a_court_document_states_both_parties_the_reasons_the_operative_part_and_who_signs(
    parties, kind, tmp_path
):
    make, title, creditor_role, debtor_role, operative_head = CASES[kind]
    case = make(parties, **signed(parties))

    data = court_documents.court_document_preview(kind, case, actor=parties.judge1)

    text = pdf_text(data)
    court = parties.court
    assert text.index(court.name) < text.index(title) < text.index("(2026)闽0502")
    # The creditor: name, address, credit code, legal representative, agent.
    particulars = CREDITOR_PARTICULARS
    assert f"{creditor_role}：{parties.bank.name}，住所地{particulars['address']}" in text
    assert (
        f"法定代表人：{particulars['legal_representative']}，{particulars['legal_representative_title']}。"
        in text
    )
    agent = "委托诉讼代理人" if kind == Kind.JUDGMENT else "委托代理人"
    assert f"{agent}：{particulars['agent_name']}，{particulars['agent_detail']}。" in text
    # The debtor: name, sex and birth date from the ID number, address, the ID number masked as a court does.
    assert f"{debtor_role}：{DEBTOR}，男，1985年3月15日出生，住{DEBTOR_ADDRESS}。" in text
    assert f"公民身份号码：{ID_MASKED}" in text and ID_NUMBER not in text
    # The reasons, the judge's own, the operative part, then the judge, the date and the clerk in that order.
    assert "本院经审" in text and OWN_REASONS in text
    assert text.index("本院经审") < text.index(OWN_REASONS) < text.index(operative_head)
    clerk_line = text.index("书记员")  # the page's footer may come between a line's parts in the text
    judge_line = text.index(f"审判员{JUDGE}")
    assert judge_line < text.index(CHINESE_DATE) < clerk_line < text.index(CLERK, clerk_line)
    assert text.index(operative_head) < text.index(f"审判员{JUDGE}")
    # Set in the serif face, embedded as a subset; no sans at all.
    fonts = pdf_tool("pdffonts", data, tmp_path)
    serif = [line for line in fonts.splitlines() if "+Notice-Serif" in line]
    assert serif and all(re.search(r"\byes\s+yes\b", line) for line in serif)  # embedded, subset
    assert "Notice-Sans" not in fonts and "Noto-Sans" not in fonts.replace(" ", "-")


def test_the_operative_part_of_each_kind_comes_from_the_decision(parties):
    def preview(kind, case):
        return pdf_text(court_documents.court_document_preview(kind, case, actor=parties.clerk1))

    ruling = preview(Kind.CONFIRMATION_RULING, ruling_case(parties))
    order = preview(Kind.PAYMENT_ORDER, payment_order_case(parties))
    judgment = preview(Kind.JUDGMENT, judgment_case(parties))

    assert f"确认申请人{parties.bank.name}与申请人{DEBTOR}达成的调解协议有效。" in ruling
    assert (
        f"被申请人{DEBTOR}应当自收到本支付令之日起15日内，向申请人{parties.bank.name}给付"
        "¥10,600.00（人民币壹万零陆佰元整）" in order
    )
    assert (
        f"被告{DEBTOR}应于2026年12月14日前向原告{parties.bank.name}支付¥8,000.00（人民币捌仟元整）"
        in judgment
    )
    assert "本判决为终审判决" in judgment


def test_a_refusal_ruling_states_the_ground_and_dismisses(parties):
    case = ruling_case(parties, confirmed=False, **signed(parties))
    text = pdf_text(
        court_documents.court_document_preview(Kind.CONFIRMATION_RULING, case, actor=parties.judge1)
    )
    assert "违背公序良俗" in text and "第三百五十八条第（三）项" in text
    assert f"驳回申请人{parties.bank.name}、{DEBTOR}的司法确认申请" in text
    assert "调解协议有效" not in text


def test_a_letter_keeps_the_sans_face(parties, tmp_path):
    case = court_case(parties)
    doc = documents.document_context(case=case, kind=Kind.DEBT_COLLECTION, issuer=parties.bank)
    from notices.rendering import render_pdf

    data = render_pdf(
        documents.document_html(doc=doc, body_source=documents.default_body(Kind.DEBT_COLLECTION))
    )
    fonts = pdf_tool("pdffonts", data.data, tmp_path)
    assert "+Notice-Sans" in fonts and "Notice-Serif" not in fonts


# --- the date, the sex -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (date(2026, 12, 4), "二〇二六年十二月四日"),
        (date(2026, 1, 9), "二〇二六年一月九日"),
        (date(2026, 10, 10), "二〇二六年十月十日"),
        (date(2026, 11, 11), "二〇二六年十一月十一日"),
        (date(2030, 2, 20), "二〇三〇年二月二十日"),
        (date(2026, 12, 31), "二〇二六年十二月三十一日"),
    ],
)
def test_dates_are_written_in_chinese_numerals(day, written):
    assert court_documents.chinese_numeral_date(day) == written


@pytest.mark.parametrize(("digit", "sex"), [("1", "男"), ("2", "女"), ("9", "男"), ("0", "女")])
def test_sex_is_read_from_the_seventeenth_digit_the_masking_leaves(digit, sex):
    masked = "3505" + "*" * 10 + "1" + "2" + digit + "X"
    assert court_documents.sex_from_id(masked) == sex


def test_no_sex_from_a_number_of_another_length():
    assert court_documents.sex_from_id("35**********12") == ""


# --- elements: what the judge fills, what is missing ------------------------------------------------------


def test_elements_report_what_is_missing_and_what_the_judge_fills(parties):
    case = payment_order_case(parties, judge=parties.judge1)  # no clerk named, no own reasons
    elements = {e.key: e for e in court_documents.court_document_elements(Kind.PAYMENT_ORDER, case)}

    assert elements["debtor.sex"].value == "男" and elements["debtor.id_masked"].value == ID_MASKED
    assert elements["operative"].value and elements["date"].value == CHINESE_DATE
    assert elements["clerk"].element.source == "judge" and elements["clerk"].missing
    assert elements["reasons_extra"].element.source == "judge" and not elements["reasons_extra"].missing
    missing = [e.key for e in court_documents.court_document_missing(Kind.PAYMENT_ORDER, case)]
    assert missing == ["clerk"]
    overrides = {"clerk": str(parties.clerk1.pk), "reasons_extra": OWN_REASONS}
    assert court_documents.court_document_missing(Kind.PAYMENT_ORDER, case, overrides=overrides) == []
    preview = pdf_text(
        court_documents.court_document_preview(
            Kind.PAYMENT_ORDER, case, overrides=overrides, actor=parties.judge1
        )
    )
    assert CLERK in preview[preview.index("书记员") :] and OWN_REASONS in preview


def test_a_creditor_without_legal_representative_or_address_is_reported(world):
    case = payment_order_case(world, judge=world.judge1, clerk=world.clerk1)
    missing = [e.key for e in court_documents.court_document_missing(Kind.PAYMENT_ORDER, case)]
    assert missing == ["creditor.address", "creditor.legal_representative"]


def test_an_incomplete_document_is_not_issued_until_the_judge_fills_it(
    parties, django_capture_on_commit_callbacks
):
    case = payment_order_case(parties)

    with pytest.raises(NoticeError) as refused:
        notice_send(case=case, kind=Kind.PAYMENT_ORDER, actor=parties.judge1)
    assert "审判员" in refused.value.message and "书记员" in refused.value.message  # who signs
    assert not Notice.objects.filter(case=case).exists()

    order_filing = case.filings.get()
    services.filing_document_elements_set(
        filing=order_filing,
        actor=parties.judge1,
        judge=parties.judge1,
        clerk=parties.clerk1,
        reasons_extra=OWN_REASONS,
    )
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_send(case=case, kind=Kind.PAYMENT_ORDER, actor=parties.judge1)
    notice.refresh_from_db()
    text = pdf_text(notice.pdf.open("rb").read())
    assert CLERK in text[text.index("书记员") :] and OWN_REASONS in text


def test_only_this_courts_judge_or_clerk_fills_the_elements_and_signs(parties):
    case = payment_order_case(parties)
    order_filing = case.filings.get()

    with pytest.raises(ActionForbidden):  # another centre's judge
        services.filing_document_elements_set(filing=order_filing, actor=parties.judge2, reasons_extra="x")
    with pytest.raises(ActionForbidden):  # the creditor's staff
        services.filing_document_elements_set(filing=order_filing, actor=parties.creditor1, reasons_extra="x")
    with pytest.raises(CourtError):  # a judge of another court does not sign here
        services.filing_document_elements_set(filing=order_filing, actor=parties.judge1, judge=parties.judge2)
    with pytest.raises(CourtError):  # a judge is no clerk
        services.filing_document_elements_set(filing=order_filing, actor=parties.judge1, clerk=parties.judge1)
    order_filing.refresh_from_db()
    assert order_filing.clerk is None and order_filing.reasons_extra == ""


def test_the_clerk_who_accepts_and_the_judge_who_issues_sign_the_order(parties):
    case = parties.case(address=DEBTOR_ADDRESS, annual_rate=Decimal("18"))
    Case.objects.filter(pk=case.pk).update(stage=Stage.COURT_MEDIATION)
    case.refresh_from_db()
    order = services.payment_order_apply(case=case, actor=parties.creditor1)
    order = services.payment_order_accept(order=order, actor=parties.clerk1)
    order = services.payment_order_issue(order=order, actor=parties.judge1)
    on_file = Filing.objects.get(pk=order.filing_id)
    assert (on_file.judge, on_file.clerk) == (parties.judge1, parties.clerk1)
    assert court_documents.court_document_missing(Kind.PAYMENT_ORDER, case) == []


# --- the seal ----------------------------------------------------------------------------------------------


def test_the_courts_seal_is_printed_over_the_date_and_without_one_there_is_no_image(parties, tmp_path):
    case = ruling_case(parties, **signed(parties))
    without = court_documents.court_document_preview(Kind.CONFIRMATION_RULING, case, actor=parties.judge1)
    assert pdf_tool("pdfimages", without, tmp_path).splitlines()[2:] == []

    head = Letterhead(organisation=parties.court, name_line=parties.court.name)
    head.seal.save("court.png", ContentFile(seal_png()), save=True)
    sealed = court_documents.court_document_preview(Kind.CONFIRMATION_RULING, case, actor=parties.judge1)

    rows = [line.split() for line in pdf_tool("pdfimages", sealed, tmp_path).splitlines()[2:]]
    assert [(r[3], r[4], r[2]) for r in rows] == [("160", "160", "image"), ("160", "160", "smask")]
    assert pdf_text(sealed) == pdf_text(without)  # the same text and layout, with the seal over it


def test_the_centres_seal_stands_in_when_the_court_has_none(parties, tmp_path):
    case = ruling_case(parties, **signed(parties))
    centre_org = documents.centre_organisation(parties.qz.pk)
    head = Letterhead(organisation=centre_org, name_line=centre_org.name)
    head.seal.save("centre.png", ContentFile(seal_png()), save=True)
    sealed = court_documents.court_document_preview(Kind.CONFIRMATION_RULING, case, actor=parties.judge1)
    assert len(pdf_tool("pdfimages", sealed, tmp_path).splitlines()[2:]) == 2


def test_a_seal_upload_must_be_a_png_by_its_content(parties):
    data = {"organisation": parties.court.pk, "name_line": parties.court.name, "address_line": ""}
    fake = SimpleUploadedFile("seal.png", b"GIF89a not a png at all", content_type="image/png")
    form = LetterheadForm(data=data, files={"seal": fake})
    assert not form.is_valid() and "seal" in form.errors
    real = SimpleUploadedFile("seal.png", seal_png(), content_type="image/png")
    assert LetterheadForm(data=data, files={"seal": real}).is_valid()


def test_the_elements_form_offers_only_this_courts_judges_and_clerks_and_feeds_the_preview(parties):
    from courts.document_forms import DocumentElementsForm

    case = payment_order_case(parties)
    order_filing = case.filings.get()
    outsider = {"judge": parties.judge2.pk, "clerk": parties.clerk1.pk, "reasons_extra": ""}
    assert "judge" in DocumentElementsForm(data=outsider, filing=order_filing).errors
    form = DocumentElementsForm(
        data={"judge": parties.judge1.pk, "clerk": parties.clerk1.pk, "reasons_extra": OWN_REASONS},
        filing=order_filing,
    )
    assert form.is_valid(), form.errors
    assert court_documents.court_document_missing(Kind.PAYMENT_ORDER, case, overrides=form.overrides()) == []
    services.filing_document_elements_set(filing=order_filing, actor=parties.judge1, **form.cleaned_data)
    assert court_documents.court_document_missing(Kind.PAYMENT_ORDER, case) == []


@pytest.mark.parametrize("face", ["NoticeSerif-Regular.otf", "NoticeSerif-Bold.otf"])
def test_the_serif_font_has_every_character_of_the_court_documents(face):
    """Otherwise a court document falls back to the big system serif: run build_fonts.py serif again."""
    from fontTools.ttLib import TTFont

    from notices.rendering import FONTS_DIR

    cmap = TTFont(FONTS_DIR / face).getBestCmap()
    folder = documents.TEMPLATES_DIR / "notices"
    text = "".join(p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.suffix in (".html", ".css"))
    text += (documents.TEMPLATES_DIR.parent / "courts" / "documents.py").read_text(encoding="utf-8")
    assert sorted({c for c in text if ord(c) > 0x20 and c.isprintable() and ord(c) not in cmap}) == []


def test_a_decision_not_yet_signed_is_previewed_as_it_would_be_issued(parties):
    """An accepted order, not issued: the preview states the order as the judge is about to issue it."""
    case = payment_order_case(parties, **signed(parties))
    order = PaymentOrder.objects.get(case=case)
    PaymentOrder.objects.filter(pk=order.pk).update(status=PaymentOrder.Status.ACCEPTED, issued_on=None)
    order.refresh_from_db()

    assert [e.key for e in court_documents.court_document_missing(Kind.PAYMENT_ORDER, case)] == ["date"]
    order.issued_on = DECIDED_ON  # as it would be issued today; not saved
    assert court_documents.court_document_missing(Kind.PAYMENT_ORDER, case, decision=order) == []
    text = pdf_text(
        court_documents.court_document_preview(Kind.PAYMENT_ORDER, case, decision=order, actor=parties.judge1)
    )
    assert CHINESE_DATE in text and "给付¥10,600.00（人民币壹万零陆佰元整）" in text
    assert PaymentOrder.objects.get(pk=order.pk).issued_on is None


def test_only_the_courts_judges_and_clerks_see_a_document_before_it_is_issued(parties):
    case = ruling_case(parties, **signed(parties))
    for outsider in (parties.judge2, parties.creditor1, parties.mediator1, parties.admin):
        with pytest.raises(ActionForbidden):
            court_documents.court_document_preview(Kind.CONFIRMATION_RULING, case, actor=outsider)
    assert court_documents.court_document_preview(Kind.CONFIRMATION_RULING, case, actor=parties.clerk1)


@pytest.mark.parametrize("kind", list(CASES))
def test_a_centres_template_preview_shows_the_court_form_with_made_up_values(parties, kind, tmp_path):
    from notices.services import notice_template_preview

    data = notice_template_preview(centre=parties.qz, kind=kind)
    text = pdf_text(data)
    assert "审判员王审判" in text and "书记员" in text and "法定代表人：赵法人，行长。" in text
    assert ID_NUMBER not in text and "+Notice-Serif" in pdf_tool("pdffonts", data, tmp_path)
