"""The notice-link pages: a debtor follows the signed link, identifies (ID number, then a code), opens."""

import re
import time
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from cases.models import CaseEvent
from notices import links
from notices.channels import sms
from notices.models import Notice
from tests.notices.conftest import DEBTOR_NAME, TOTAL_CAPITALS, TOTAL_FIGURES, pdf_text

pytestmark = pytest.mark.django_db


def link_path(notice):
    return reverse("notices:open", args=[links.notice_link_token(notice.pk)])


def code_from_sms():
    return re.search(r"\b(\d{6})\b", sms.outbox[-1]["text"]).group(1)


def test_a_debtor_identifies_and_opens_the_notice_which_is_recorded_once(make_case, send, client):
    """The link leads into the one identification flow of the debtor pages, then to the notice."""
    case = make_case(consent=True)
    notice = send(case)
    url = link_path(notice)
    token = links.notice_link_token(notice.pk)
    start = reverse("debtor:notice", args=[token])
    first = client.get(url)
    assert first.status_code == 302 and first["Location"] == start
    assert client.get(reverse("notices:open_pdf", args=[token]))["Location"] == start
    wrong = client.post(start, {"id_number": "11010519491231002X"})
    assert wrong.status_code == 200 and 'name="id_number"' in wrong.content.decode()
    coded = client.post(start, {"id_number": case.debtor.id_number.lower()})
    assert coded.status_code == 302 and coded["Location"] == reverse("debtor:code")
    assert sms.outbox[-1]["to"] == case.phone_masked
    bad = "000000" if code_from_sms() != "000000" else "111111"
    assert client.post(reverse("debtor:code"), {"step": "code", "code": bad}).status_code == 200
    done = client.post(reverse("debtor:code"), {"step": "code", "code": code_from_sms()})
    assert done.status_code == 302 and done["Location"].startswith("/notices/open/")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.OPENED and notice.opened_ip == "127.0.0.1"
    first_opened = notice.opened_at
    opened = client.get(url)
    html = opened.content.decode()
    assert (
        opened.status_code == 200 and TOTAL_FIGURES in html and TOTAL_CAPITALS in html and case.code in html
    )
    pdf = client.get(reverse("notices:open_pdf", args=[token]))
    assert pdf.status_code == 200 and DEBTOR_NAME in pdf_text(b"".join(pdf.streaming_content))
    notice.refresh_from_db()
    assert notice.opened_at == first_opened
    assert CaseEvent.objects.filter(case=case, action="notice_opened").count() == 1


def test_a_tampered_link_is_refused(make_case, send, client):
    notice = send(make_case(consent=True))
    token = links.notice_link_token(notice.pk)
    for bad in (
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        f"{notice.pk + 1}:{token.split(':', 1)[1]}",
        "garbage",
    ):
        response = client.get(reverse("notices:open", args=[bad]))
        assert response.status_code == 400
        assert (
            gettext(
                "This link is not valid: it may have been altered or copied incompletely. Open the link "
                "exactly as you received it."
            )
            in response.content.decode()
        )


def test_an_expired_link_is_refused(make_case, send, client, settings):
    notice = send(make_case(consent=True))
    days = settings.NOTICE_LINK_MAX_AGE_DAYS = 30
    with mock.patch("django.core.signing.time.time", return_value=time.time() - (days + 1) * 86400):
        token = links.notice_link_token(notice.pk)
    response = client.get(reverse("notices:open", args=[token]))
    assert response.status_code == 403
    assert gettext("This link has expired. Please contact the sender of the notice for a new one.") in (
        response.content.decode()
    )
    response = client.post(reverse("notices:open", args=[token]), {"id_number": "x"})
    assert response.status_code == 403
    assert client.get(reverse("debtor:notice", args=[token])).status_code == 403


def test_guessing_id_numbers_locks_the_link_for_that_client(make_case, send, client, settings):
    settings.DEBTOR_MAX_FAILURES_PER_CASE_AND_CLIENT = 3
    case = make_case(consent=True)
    notice = send(case)
    start = reverse("debtor:notice", args=[links.notice_link_token(notice.pk)])
    for _ in range(3):
        client.post(start, {"id_number": "11010519491231002X"})
    response = client.post(start, {"id_number": case.debtor.id_number})
    assert response.status_code == 429
    assert not Notice.objects.filter(pk=notice.pk, opened_at__isnull=False).exists()
    # Another client (the real debtor's phone) is not locked out by those guesses.
    other = Client()
    assert other.post(start, {"id_number": case.debtor.id_number}, REMOTE_ADDR="10.8.8.8").status_code == 302


def test_a_code_works_only_in_its_browser_and_only_until_it_expires(make_case, send, client):
    case = make_case(consent=True)
    notice = send(case)
    start = reverse("debtor:notice", args=[links.notice_link_token(notice.pk)])
    client.post(start, {"id_number": case.debtor.id_number})
    code = code_from_sms()
    other = Client()
    other.post(start, {"id_number": case.debtor.id_number})
    other.post(reverse("debtor:code"), {"step": "code", "code": code})  # not this browser's code
    later = time.time() + 3600
    with mock.patch("debtor_portal.services.time.time", return_value=later):
        client.post(reverse("debtor:code"), {"step": "code", "code": code})  # too late
    assert Notice.objects.get(pk=notice.pk).opened_at is None
    client.post(start, {"id_number": case.debtor.id_number})  # a new code, in time, in its browser
    client.post(reverse("debtor:code"), {"step": "code", "code": code_from_sms()})
    assert Notice.objects.get(pk=notice.pk).opened_at is not None
