"""Notice pages: staff see and send what they reach (the debtor's link pages: tests/debtor_portal)."""

import re

import pytest
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils.translation import gettext

from notices.models import Kind, Notice, NoticeBatch

from .conftest import DEBTOR_NAME, TOTAL_CAPITALS, pdf_text

pytestmark = pytest.mark.django_db


def test_the_case_notices_page_lists_notices_and_sends_one(
    make_case, login, django_capture_on_commit_callbacks
):
    case = make_case(consent=True)
    client = login("creditor1")
    page = client.get(reverse("notices:case", args=[case.pk]))
    assert page.status_code == 200 and gettext("No notices yet.") in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("notices:send", args=[case.pk]),
            {"kind": Kind.DEBT_COLLECTION, "next": reverse("cases:detail", args=[case.pk])},
        )
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])
    notice = Notice.objects.get(case=case)
    html = client.get(reverse("notices:case", args=[case.pk])).content.decode()
    assert notice.get_status_display() in html and reverse("notices:proof", args=[notice.pk]) in html
    fragment = client.get(reverse("notices:case", args=[case.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="case-notices"' in fragment


def test_a_notice_out_of_reach_is_not_found(make_case, send, login):
    notice = send(make_case())
    client = login("creditor2")
    for name in ("pdf", "proof"):
        assert client.get(reverse(f"notices:{name}", args=[notice.pk])).status_code == 404
    assert client.get(reverse("notices:case", args=[notice.case_id])).status_code == 404
    assert (
        client.post(reverse("notices:send", args=[notice.case_id]), {"kind": "debt_collection"}).status_code
        == 404
    )


def test_staff_download_the_pdf_and_the_proof_of_service(make_case, send, login):
    notice = send(make_case(consent=True))
    client = login("judge1")
    pdf = client.get(reverse("notices:pdf", args=[notice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert TOTAL_CAPITALS in pdf_text(b"".join(pdf.streaming_content))
    proof = client.get(reverse("notices:proof", args=[notice.pk]))
    text = pdf_text(b"".join(proof.streaming_content))
    assert "送达回证" in text and notice.sha256 in text and DEBTOR_NAME in text


def test_the_case_page_fragment_renders_through_the_template_tag(make_case, send, world):
    case = make_case(consent=False)
    send(case)
    request = RequestFactory().get(f"/cases/{case.pk}/")
    request.user = world.creditor1
    html = Template("{% load notices_tags %}{% case_notices case %}").render(
        RequestContext(request, {"case": case})
    )
    assert 'id="case-notices"' in html and str(Kind.DEBT_COLLECTION.label) in html
    assert gettext("No consent to electronic service: notices go by post (CPL 90).") in html


def test_the_delivery_report_counts_per_status_and_channel_and_lists_failures(
    make_case, send, login, settings
):
    send(make_case(consent=False))
    settings.SMS_BACKEND = "tests.notices.test_services.RefusingSmsBackend"
    send(make_case(consent=True))
    page = login("centreadmin").get(reverse("notices:report"))
    html = page.content.decode()
    assert page.status_code == 200 and "number not in service" in html
    assert re.search(r'data-status="failed">.*?<td class="num"><strong>1</strong>', html, re.S)
    assert re.search(r'data-status="rendered">.*?<td class="num"><strong>1</strong>', html, re.S)
    other = login("creditor2").get(reverse("notices:report")).content.decode()
    assert "number not in service" not in other


def test_a_centre_admin_makes_a_print_batch_and_records_it_mailed(make_case, send, login):
    notice = send(make_case(consent=False))
    client = login("centreadmin")
    assert client.post(reverse("notices:post_build")).status_code == 302
    notice.refresh_from_db()
    assert notice.post_batch_id
    pdf = client.get(reverse("notices:post_pdf", args=[notice.post_batch_id]))
    assert pdf.status_code == 200 and DEBTOR_NAME in pdf_text(b"".join(pdf.streaming_content))
    client.post(reverse("notices:post_mailed", args=[notice.post_batch_id]))
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert login("creditor1").post(reverse("notices:post_build")).status_code == 403


def test_bulk_send_page_counts_queues_and_shows_progress(
    make_case, login, world, django_capture_on_commit_callbacks
):
    cases = [make_case(consent=True) for _ in range(3)]
    make_case(creditor=world.cf)
    client = login("creditor1")
    counted = client.get(reverse("notices:bulk"), {"kind": "debt_collection", "stage": "received"})
    assert counted.status_code == 200 and counted.context["matched"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notices:bulk"), {"kind": "debt_collection", "stage": "received"})
    batch = NoticeBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("notices:batch", args=[batch.pk])
    page = client.get(response.url)
    assert page.status_code == 200 and 'class="batch-percent">100%' in page.content.decode()
    assert 'hx-trigger="every 1s"' not in page.content.decode()  # finished: polling stops
    assert Notice.objects.filter(case__in=cases).count() == 3
    progress = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in progress and 'id="batch-progress"' in progress
    assert login("creditor2").get(response.url).status_code == 404


def test_a_running_batch_page_polls_for_progress(world, login):
    batch = NoticeBatch.objects.create(
        centre=world.qz, kind="debt_collection", created_by=world.creditor1, total=10
    )
    html = login("creditor1").get(reverse("notices:batch", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'class="batch-percent">0%' in html
