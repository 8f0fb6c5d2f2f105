"""The notice-link pages: a debtor follows the signed link, identifies (ID number, then a code), opens."""

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
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
    case = make_case(consent=True)
    notice = send(case)
    url = link_path(notice)
    first = client.get(url)
    assert first.status_code == 200 and "id_number" in first.content.decode()
    wrong = client.post(url, {"step": "id", "id_number": "11010519491231002X"})
    assert gettext("This ID number does not match the addressee of the notice.") in wrong.content.decode()
    assert (
        client.get(reverse("notices:open_pdf", args=[links.notice_link_token(notice.pk)])).status_code == 302
    )
    coded = client.post(url, {"step": "id", "id_number": case.debtor.id_number.lower()})
    assert coded.status_code == 200 and case.phone_masked in coded.content.decode()
    assert (
        client.post(
            url, {"step": "code", "code": "000000" if code_from_sms() != "000000" else "111111"}
        ).status_code
        == 200
    )
    opened = client.post(url, {"step": "code", "code": code_from_sms()}, follow=True)
    html = opened.content.decode()
    assert (
        opened.status_code == 200 and TOTAL_FIGURES in html and TOTAL_CAPITALS in html and case.code in html
    )
    notice.refresh_from_db()
    assert notice.status == Notice.Status.OPENED and notice.opened_ip == "127.0.0.1"
    first_opened = notice.opened_at
    pdf = client.get(reverse("notices:open_pdf", args=[links.notice_link_token(notice.pk)]))
    assert pdf.status_code == 200 and DEBTOR_NAME in pdf_text(b"".join(pdf.streaming_content))
    client.get(url)
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
    response = client.post(reverse("notices:open", args=[token]), {"step": "id", "id_number": "x"})
    assert response.status_code == 403


def test_guessing_id_numbers_locks_the_notice(make_case, send, client, settings):
    settings.NOTICE_IDENTIFICATION_MAX_FAILURES = 3
    case = make_case(consent=True)
    notice = send(case)
    url = link_path(notice)
    for _ in range(3):
        client.post(url, {"step": "id", "id_number": "11010519491231002X"})
    response = client.post(url, {"step": "id", "id_number": case.debtor.id_number})
    assert response.status_code == 429
    assert not Notice.objects.filter(pk=notice.pk, opened_at__isnull=False).exists()


def test_a_code_works_only_in_its_browser_and_only_until_it_expires(make_case, send, client):
    case = make_case(consent=True)
    notice = send(case)
    url = link_path(notice)
    client.post(url, {"step": "id", "id_number": case.debtor.id_number})
    code = code_from_sms()
    other = Client()
    other.post(url, {"step": "id", "id_number": case.debtor.id_number})
    other.post(url, {"step": "code", "code": code})  # another browser cannot use this browser's code
    later = timezone.now() + timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        client.post(url, {"step": "code", "code": code})  # too late
    assert Notice.objects.get(pk=notice.pk).opened_at is None
    client.post(url, {"step": "code", "code": code}, follow=True)  # in time, in its browser
    assert Notice.objects.get(pk=notice.pk).opened_at is not None
