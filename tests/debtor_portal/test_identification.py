"""Identification without an account: case code or notice link, ID number, SMS code; limits; sessions."""

import re
import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from debtor_portal import services
from notices.channels import sms
from tests.factories import valid_id_number

from .conftest import identify, last_code

START = reverse("debtor:start")
CODE = reverse("debtor:code")
CASES = reverse("debtor:cases")
OTHER_VALID_ID = valid_id_number(999, birth="19800101")


def _normalised(body: bytes, typed_code: str) -> str:
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return text.replace(typed_code, "CODE")


def test_case_code_id_number_and_code_show_the_case_and_those_on_the_proven_phone(world, english):
    mine = world.case(debtor_name="李四")
    # The same person at another creditor, with the same phone on file: proven by the same code.
    same_phone = world.case(
        creditor=world.cf, id_number=mine.debtor.id_number, debtor_name="李四", phone=mine.phone
    )
    # The same person at a third creditor with another phone: not proven by this session.
    other_phone = world.case(creditor=world.cf, id_number=mine.debtor.id_number, debtor_name="李四")
    someone_else = world.case()
    response = english.post(START, {"case_code": mine.code.lower(), "id_number": mine.debtor.id_number})
    assert response.status_code == 302 and response["Location"] == CODE
    assert len(sms.outbox) == 1 and sms.outbox[0]["to"] == mine.phone_masked
    page = english.get(CODE)
    assert mine.phone_masked in page.content.decode()

    response = english.post(CODE, {"step": "code", "code": last_code()})
    assert response.status_code == 302
    page = english.get(CASES).content.decode()
    assert mine.code in page and same_phone.code in page
    assert other_phone.code not in page and someone_else.code not in page
    assert "示范银行" in page and "示范消费金融" in page
    assert "2 cases are open on this page" in page
    assert "Add a case with its case code" in page  # more cases may exist, and how to add one


def test_a_second_creditors_case_joins_with_its_own_code_and_phone(world, english):
    mine = world.case(debtor_name="李四")
    other = world.case(creditor=world.cf, id_number=mine.debtor.id_number, debtor_name="李四")
    identify(english, mine)
    assert other.code not in english.get(CASES).content.decode()
    identify(english, other)
    assert sms.outbox[-1]["to"] == other.phone_masked
    page = english.get(CASES).content.decode()
    assert mine.code in page and other.code in page


def test_nothing_is_shown_before_identification(world, client):
    case = world.case()
    for url in (CASES, reverse("debtor:object", args=[case.pk]), reverse("debtor:propose", args=[case.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == START
    assert client.get(CODE)["Location"] == START
    assert case.code not in client.get(START).content.decode()


def test_unknown_case_code_and_wrong_id_number_get_the_same_answer_and_work(world, english):
    case = world.case()
    unknown = "Z" * len(case.code)
    assert not type(case).objects.filter(code=unknown).exists()

    def attempt(code: str, ip: str) -> tuple[int, str, int, float]:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = english.post(START, {"case_code": code, "id_number": OTHER_VALID_ID}, REMOTE_ADDR=ip)
            elapsed = time.perf_counter() - started
        return response.status_code, _normalised(response.content, code), len(queries), elapsed

    known = [attempt(case.code, f"10.0.0.{i}") for i in range(4)]
    services.attempts_clear("case", case.code)
    unknown_runs = [attempt(unknown, f"10.0.1.{i}") for i in range(4)]
    assert {r[0] for r in known + unknown_runs} == {200}
    assert known[0][1] == unknown_runs[0][1]
    assert "do not match our records" in known[0][1]
    assert {r[2] for r in known} == {r[2] for r in unknown_runs}  # the same work: one lookup each way
    assert sms.outbox == []
    # The same timing class: the medians differ by far less than a request takes.
    known_median = statistics.median(r[3] for r in known[1:])
    unknown_median = statistics.median(r[3] for r in unknown_runs[1:])
    assert abs(known_median - unknown_median) < max(known_median, unknown_median) * 0.5 + 0.02


def test_lockout_after_the_configured_failures_per_case_with_the_time_to_wait(world, english, settings):
    settings.DEBTOR_MAX_FAILURES_PER_CASE = 3
    case = world.case()
    for i in range(3):
        response = english.post(
            START, {"case_code": case.code, "id_number": OTHER_VALID_ID}, REMOTE_ADDR=f"10.1.0.{i}"
        )
        assert response.status_code == 200
    response = english.post(START, {"case_code": case.code, "id_number": case.debtor.id_number})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode() and "60 minutes" in response.content.decode()
    assert sms.outbox == []
    # An unknown code locks the same way: the lockout tells nothing about whether a case exists.
    unknown = "Y" * len(case.code)
    statuses = [
        english.post(
            START, {"case_code": unknown, "id_number": OTHER_VALID_ID}, REMOTE_ADDR=f"10.2.0.{i}"
        ).status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_lockout_per_ip_across_case_codes_and_it_ends_after_the_window(world, client, settings, monkeypatch):
    settings.DEBTOR_MAX_FAILURES_PER_IP = 4
    cases = [world.case() for _ in range(5)]
    for case in cases[:4]:
        assert client.post(START, {"case_code": case.code, "id_number": OTHER_VALID_ID}).status_code == 200
    response = client.post(START, {"case_code": cases[4].code, "id_number": cases[4].debtor.id_number})
    assert response.status_code == 429
    other_ip = client.post(
        START, {"case_code": cases[4].code, "id_number": cases[4].debtor.id_number}, REMOTE_ADDR="10.9.9.9"
    )
    assert other_ip.status_code == 302
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3601)
    response = client.post(START, {"case_code": cases[4].code, "id_number": cases[4].debtor.id_number})
    assert response.status_code == 302


def test_codes_sent_to_one_phone_are_limited(world, english, settings):
    settings.DEBTOR_MAX_CODES_PER_PHONE = 2
    case = world.case()
    english.post(START, {"case_code": case.code, "id_number": case.debtor.id_number})
    english.post(CODE, {"step": "resend"})
    assert len(sms.outbox) == 2
    response = english.post(CODE, {"step": "resend"}, follow=True)
    assert len(sms.outbox) == 2
    assert "Too many attempts" in response.content.decode()
    # The code already sent still works: a limit on sending never locks the person out of it.
    response = english.post(CODE, {"step": "code", "code": last_code()})
    assert response.status_code == 302


def test_codes_sent_for_one_case_are_limited_whatever_the_phone(world, english, settings):
    settings.DEBTOR_MAX_CODES_PER_CASE = 2
    settings.DEBTOR_MAX_CODES_PER_PHONE = 10
    case = world.case()
    english.post(START, {"case_code": case.code, "id_number": case.debtor.id_number})
    english.post(CODE, {"step": "resend"})
    response = english.post(CODE, {"step": "resend"}, follow=True)
    assert len(sms.outbox) == 2
    assert "Too many attempts" in response.content.decode()


def test_a_wrong_code_does_not_identify_and_a_code_dies_after_three_tries(world, english):
    case = world.case()
    english.post(START, {"case_code": case.code, "id_number": case.debtor.id_number})
    right = last_code()
    wrong = f"{(int(right) + 1) % 1000000:06d}"
    for _ in range(2):
        page = english.post(CODE, {"step": "code", "code": wrong})
        assert page.status_code == 200 and "wrong or has expired" in page.content.decode()
    page = english.post(CODE, {"step": "code", "code": wrong})
    assert "can no longer be used" in page.content.decode()
    page = english.post(CODE, {"step": "code", "code": right})
    assert page.status_code == 200 and english.get(CASES).status_code == 302


def test_the_code_works_only_in_the_browser_it_was_sent_to(world, client):
    from django.test import Client

    case = world.case()
    client.post(START, {"case_code": case.code, "id_number": case.debtor.id_number})
    other = Client()
    assert other.post(CODE, {"step": "code", "code": last_code()})["Location"] == START
    assert other.get(CASES).status_code == 302


def test_the_session_ends_after_15_idle_minutes(world, client, monkeypatch):
    case = world.case()
    identify(client, case)
    assert client.get(CASES).status_code == 200
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 14 * 60)
    assert client.get(CASES).status_code == 200  # activity extends it
    monkeypatch.setattr(time, "time", lambda: real_time() + 30 * 60)
    assert client.get(CASES).status_code == 302


def test_signing_out_ends_the_session(world, client):
    identify(client, world.case())
    client.post(reverse("debtor:sign_out"))
    assert client.get(CASES).status_code == 302
