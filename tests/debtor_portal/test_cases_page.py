"""The debtor's page: every case at the centre with what is claimed, the stage in plain words, the dates,
the notices to download and the triage reasons; nobody else's case, whatever the URL says."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Deadline
from mediation.services import cases_triage, triage_ruleset_ensure_default
from notices import links
from notices import services as notice_services
from notices.models import Kind, Notice

from .conftest import identify, last_code, mediation_case

CASES = reverse("debtor:cases")


@pytest.fixture
def notice(world, django_capture_on_commit_callbacks):
    """A debt-collection letter rendered and sent by SMS (the queued task runs on commit)."""
    case = world.case(debtor_name="欧阳明华", e_service_consent=True)
    with django_capture_on_commit_callbacks(execute=True):
        notice = notice_services.notice_send(case=case, kind=Kind.DEBT_COLLECTION, actor=world.creditor1)
    notice.refresh_from_db()
    return notice


def test_each_case_shows_figures_creditor_stage_in_plain_words_dates_and_reasons(world, english):
    triage_ruleset_ensure_default(world.qz)
    case = world.case(creditor=world.cf, e_service_consent=False)
    cases_triage(case_ids=[case.pk], centre=world.qz)
    from cases.services import case_transition

    case_transition(case=case, transition="start_mediation", actor=world.mediator1)
    identify(english, case)
    page = english.get(CASES).content.decode()
    assert "示范消费金融" in page
    for figure in ("¥10,000.00", "¥500.00", "¥100.00", "¥10,600.00"):
        assert figure in page
    assert "A people&#x27;s mediator is helping you" in page
    window = case.deadlines.get(kind=Deadline.Kind.MEDIATION_WINDOW)
    assert window.due_on.strftime("%Y-%m-%d") in page and "Mediation is open until this day" in page
    assert "Notices will be sent to you by post." in page  # the triage reason in plain words
    assert "Object to this claim" in page and "Propose a repayment plan" in page


def test_the_page_is_in_chinese_by_default_with_the_same_figures(world, client):
    case = world.case()
    identify(client, case)
    page = client.get(CASES).content.decode()
    assert '<html lang="zh-hans">' in page and "¥10,600.00" in page and "示范银行" in page


def test_a_debtor_never_reaches_another_persons_case(world, client, notice):
    mine, theirs = world.case(), notice.case
    identify(client, mine)
    for name, args in [
        ("debtor:object", [theirs.pk]),
        ("debtor:propose", [theirs.pk]),
        ("debtor:hardship", [theirs.pk]),
        ("debtor:agreement", [theirs.pk]),
        ("debtor:notice_pdf", [theirs.pk, notice.pk]),
        ("debtor:notice_pdf", [mine.pk, notice.pk]),
        ("debtor:object", [999999]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert client.post(reverse("debtor:object", args=[theirs.pk]), {"ground": "other"}).status_code == 404
    assert theirs.code not in client.get(CASES).content.decode()


def test_a_person_at_another_centre_is_another_debtor(world, client):
    here = world.case()
    there = world.case(creditor=world.rural, id_number=here.debtor.id_number)
    identify(client, here)
    page = client.get(CASES).content.decode()
    assert here.code in page and there.code not in page
    assert client.get(reverse("debtor:object", args=[there.pk])).status_code == 404


def test_notices_are_listed_and_downloading_one_records_it_opened(world, client, notice):
    notice.refresh_from_db()
    assert notice.status in ("sent", "delivered")
    identify(client, notice.case)
    page = client.get(CASES).content.decode()
    url = reverse("debtor:notice_pdf", args=[notice.case_id, notice.pk])
    assert url in page
    response = client.get(url, HTTP_USER_AGENT="phone-browser")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.OPENED and notice.opened_user_agent == "phone-browser"


def test_from_a_notice_link_the_id_number_and_code_identify_and_the_notice_is_opened(world, client, notice):
    url = reverse("debtor:notice", args=[links.notice_link_token(notice.pk)])
    page = client.get(url)
    assert page.status_code == 200 and notice.case.code not in page.content.decode()
    response = client.post(url, {"id_number": notice.case.debtor.id_number}, REMOTE_ADDR="10.3.3.3")
    assert response["Location"] == reverse("debtor:code")
    response = client.post(
        reverse("debtor:code"),
        {"step": "code", "code": last_code()},
        REMOTE_ADDR="10.3.3.3",
        HTTP_USER_AGENT="ua",
    )
    assert response["Location"].startswith("/notices/open/")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.OPENED and notice.opened_ip == "10.3.3.3"
    assert notice.case.events.filter(action="notice_opened").count() == 1


def test_a_notice_link_and_the_case_code_share_the_per_case_limit(world, english, notice, settings):
    settings.DEBTOR_MAX_FAILURES_PER_CASE = 2
    url = reverse("debtor:notice", args=[links.notice_link_token(notice.pk)])
    assert english.post(url, {"id_number": "110101199003077777"}).status_code == 200
    english.post(reverse("debtor:start"), {"case_code": notice.case.code, "id_number": "110101199003077777"})
    assert english.post(url, {"id_number": notice.case.debtor.id_number}).status_code == 429


def test_an_altered_or_expired_notice_link_is_refused(world, client, notice, settings):
    token = links.notice_link_token(notice.pk)
    assert client.get(reverse("debtor:notice", args=[token[:-2] + "xx"])).status_code == 400
    settings.NOTICE_LINK_MAX_AGE_DAYS = 0
    from unittest import mock

    with mock.patch("django.core.signing.time.time", return_value=timezone.now().timestamp() + 86400 * 2):
        assert client.get(reverse("debtor:notice", args=[token])).status_code == 403


def test_dates_paused_by_a_hold_say_so(world, english):
    case = mediation_case(world)
    from cases.services import hold_place

    identify(english, case)
    before = english.get(CASES).content.decode()
    assert "days left" in before and ">paused<" not in before
    hold_place(case=case, kind="objection", actor=world.mediator1, reason="x")
    page = english.get(CASES).content.decode()
    window = re.search(r'<li data-deadline="mediation_window">(.*?)</li>', page, re.S).group(1)
    assert "paused" in window and "days left" not in window
    assert "Its time limits stop running meanwhile." in page
