"""A judicial suggestion from draft to answer: drafted by the rules, reviewed, issued as a PDF, answered."""

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.errors import ActionForbidden
from notices.models import Notice
from oversight import selectors, services
from oversight.errors import OversightError
from oversight.models import JudicialSuggestion
from oversight.services import rule_settings
from tests.factories import PASSWORD

ANSWER_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def draft(world):
    """Six of the bank's cases without a service address, and 3 of 6 notices undelivered."""
    settings = rule_settings(world.qz)
    settings.min_cases = 4
    settings.save()
    cases = [world.case() for _ in range(6)]
    for n, case in enumerate(cases):
        Notice.objects.create(
            case=case, kind="mediation_notice", channel="post", status="failed" if n % 2 else "delivered"
        )
    [found] = services.suggestions_generate(centre=world.qz)
    return found


def login(client, username):
    assert client.login(username=username, password=PASSWORD)


def pdf_text(path: str) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_rules_draft_one_suggestion_per_creditor(world, draft):
    assert draft.creditor == world.bank and draft.status == JudicialSuggestion.Status.DRAFT
    assert [f["code"] for f in draft.findings] == ["undeliverable_notices", "missing_service_address"]
    assert "示范银行" in draft.title and "30 日内" in draft.body
    again = services.suggestions_generate(centre=world.qz)
    assert [s.pk for s in again] == [draft.pk]  # the same draft, brought up to date
    assert JudicialSuggestion.objects.count() == 1


def test_a_reviewers_edits_survive_regeneration(world, draft):
    services.suggestion_edit(
        suggestion=draft, actor=world.judge1, title="关于送达问题的司法建议", body="经审查……"
    )
    services.suggestions_generate(centre=world.qz)
    draft.refresh_from_db()
    assert (draft.title, draft.body) == ("关于送达问题的司法建议", "经审查……")


def test_issue_renders_a_numbered_pdf_letter(world, draft):
    issued = services.suggestion_issue(suggestion=draft, actor=world.judge1)
    assert (
        issued.status == JudicialSuggestion.Status.ISSUED
        and issued.number == f"〔{timezone.localdate().year}〕第1号"
    )
    assert issued.issuer == world.court and issued.answer_due_on == timezone.localdate() + timedelta(days=30)
    text = pdf_text(issued.pdf.path)
    assert "司法建议书" in text and "大量文书无法送达" in text and "泉州市鲤城区人民法院" in text
    assert draft.findings[0]["examples"][0] in text
    with pytest.raises(OversightError):
        services.suggestion_edit(suggestion=issued, actor=world.judge1, title="x", body="y")


def test_only_judges_and_centre_admins_of_the_centre_issue(world, draft):
    for actor in (world.creditor1, world.mediator1, world.clerk1, world.judge2):
        with pytest.raises(ActionForbidden):
            services.suggestion_issue(suggestion=draft, actor=actor)


def test_the_creditor_sees_issued_letters_only_and_answers(client, world, draft):
    assert not selectors.suggestions_visible_to(world.creditor1).exists()  # a draft is not shown
    services.suggestion_issue(suggestion=draft, actor=world.admin)
    login(client, "creditor1")
    page = client.get(f"/dashboards/suggestions/{draft.pk}/").content.decode()
    assert "回复本司法建议" in page and "大量文书无法送达" in page
    pdf = client.get(f"/dashboards/suggestions/{draft.pk}/letter.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    upload = SimpleUploadedFile("整改报告.pdf", ANSWER_PDF, content_type="application/pdf")
    response = client.post(
        f"/dashboards/suggestions/{draft.pk}/",
        {"action": "answer", "answer": "已逐户核实地址。", "attachment": upload},
        follow=True,
    )
    assert "回复已提交" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == JudicialSuggestion.Status.ANSWERED and draft.answer == "已逐户核实地址。"
    assert Path(draft.answer_file.path).read_bytes() == ANSWER_PDF
    attachment = client.get(f"/dashboards/suggestions/{draft.pk}/attachment/")
    assert attachment.status_code == 200 and attachment["Content-Type"] == "application/pdf"
    assert attachment["X-Content-Type-Options"] == "nosniff"


def test_a_script_dressed_as_a_pdf_is_refused_and_never_served_as_html(client, world, draft):
    """The stored-script attack: reply.html starting with %PDF- and carrying <script>."""
    services.suggestion_issue(suggestion=draft, actor=world.admin)
    login(client, "creditor1")
    hostile = SimpleUploadedFile(
        "reply.html",
        b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>",
        content_type="text/html",
    )
    response = client.post(
        f"/dashboards/suggestions/{draft.pk}/",
        {"action": "answer", "answer": "见附件。", "attachment": hostile},
        follow=True,
    )
    assert "不是完整的 PDF 文件" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.answer_file
    # A file stored before this check (or by any other path) is served by what its bytes prove.
    draft.answer_file.save("old-reply.html", ContentFile(b"<html><script>alert(1)</script></html>"))
    draft.answer_file_name = "reply.html"
    draft.save()
    for user in ("centreadmin", "creditor1"):
        login(client, user)
        served = client.get(f"/dashboards/suggestions/{draft.pk}/attachment/")
        assert served["Content-Type"] == "application/octet-stream"
        assert served["Content-Disposition"].startswith("attachment")
        assert served["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in served["Content-Security-Policy"]


def test_a_pdf_answer_with_javascript_is_refused(world, draft):
    services.suggestion_issue(suggestion=draft, actor=world.admin)
    active = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (x) >> >>\n%%EOF")
    with pytest.raises(OversightError) as exc:
        services.suggestion_answer(
            suggestion=draft, actor=world.creditor1, answer="见附件", attachment=active
        )
    assert exc.value.code == "answer_file_active_content"


def test_an_answer_file_must_be_a_pdf_or_an_image(world, draft):
    services.suggestion_issue(suggestion=draft, actor=world.admin)
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/pdf")
    with pytest.raises(OversightError):
        services.suggestion_answer(suggestion=draft, actor=world.creditor1, answer="见附件", attachment=bad)


def test_another_creditor_gets_404(client, world, draft):
    services.suggestion_issue(suggestion=draft, actor=world.admin)
    login(client, "creditor2")
    assert client.get(f"/dashboards/suggestions/{draft.pk}/").status_code == 404
    assert client.get(f"/dashboards/suggestions/{draft.pk}/letter.pdf").status_code == 404
    with pytest.raises(ActionForbidden):
        services.suggestion_answer(suggestion=draft, actor=world.creditor2, answer="?")


def test_unanswered_past_the_due_date_is_overdue(client, world, draft):
    services.suggestion_issue(suggestion=draft, actor=world.admin)
    JudicialSuggestion.objects.filter(pk=draft.pk).update(
        answer_due_on=timezone.localdate() - timedelta(days=1)
    )
    assert selectors.suggestion_counts(world.admin)["overdue"] == 1
    login(client, "centreadmin")
    page = client.get("/dashboards/suggestions/").content.decode()
    assert "逾期未回复" in page


def test_reviewing_through_the_pages(client, world, draft):
    login(client, "judge1")
    response = client.post("/dashboards/suggestions/", follow=True)
    assert "已生成 1 份待审查草稿" in response.content.decode()
    response = client.post(
        f"/dashboards/suggestions/{draft.pk}/",
        {"action": "issue", "title": "关于送达问题的司法建议", "body": "示范银行：\n\n请核实地址。"},
        follow=True,
    )
    assert "司法建议已发给债权人" in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "关于送达问题的司法建议" and "请核实地址" in pdf_text(draft.pdf.path)


def test_a_draft_can_be_discarded(client, world, draft):
    login(client, "centreadmin")
    client.post(f"/dashboards/suggestions/{draft.pk}/", {"action": "discard"})
    assert not JudicialSuggestion.objects.exists()
