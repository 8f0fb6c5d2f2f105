"""Channels follow consent, every step happens once, failures are retried and then reported."""

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cases.events import verify_chains
from cases.models import CaseEvent
from notices import services, tasks
from notices.channels import sms
from notices.channels.base import PermanentChannelError, SendResult, TemporaryChannelError
from notices.models import Channel, DeliveryAttempt, Kind, Notice, NoticeBatch, PostBatch

from .conftest import DEBTOR_NAME, TOTAL_CAPITALS, pdf_text

pytestmark = pytest.mark.django_db


class FlakySmsBackend:
    """Fails ``failures`` times with a temporary error, then sends (shared across instances)."""

    failures = 0
    calls = 0

    def send(self, *, to, text, idempotency_key):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise TemporaryChannelError("provider timeout")
        return sms.LocmemSmsBackend().send(to=to, text=text, idempotency_key=idempotency_key)


class RefusingSmsBackend:
    def send(self, *, to, text, idempotency_key):
        raise PermanentChannelError("number not in service")


@pytest.fixture
def flaky(settings):
    settings.SMS_BACKEND = "tests.notices.test_services.FlakySmsBackend"
    FlakySmsBackend.calls = 0
    return FlakySmsBackend


def actions(case):
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("action", flat=True))


def test_without_consent_a_notice_goes_by_post_never_by_sms_or_email(make_case, send):
    case = make_case(consent=False, email="debtor@example.com")
    notice = send(case)
    assert notice.channel == Channel.POST
    assert notice.status == Notice.Status.RENDERED and notice.sha256
    assert sms.outbox == [] and mail.outbox == []
    assert not DeliveryAttempt.objects.filter(notice=notice).exists()
    assert "notice_sent" not in actions(case)


def test_the_post_batch_merges_address_sheets_and_notices_and_mailing_sends_them(make_case, send, world):
    cases = [make_case(consent=False) for _ in range(2)]
    notices = [send(c) for c in cases]
    batch = services.post_batch_build(centre=world.qz, actor=world.admin)
    assert batch.count == 2 and batch.status == PostBatch.Status.READY
    data = batch.pdf.open("rb").read()
    assert hashlib.sha256(data).hexdigest() == batch.sha256
    text = pdf_text(data)
    assert text.count(f"{DEBTOR_NAME}收") == 2 and "福建省泉州市鲤城区中山路100号" in text
    assert all(c.code in text for c in cases) and TOTAL_CAPITALS in text
    assert services.post_batch_build(centre=world.qz, actor=world.admin) is None  # nothing left to batch
    services.post_batch_mark_mailed(batch=batch, actor=world.admin)
    for notice in notices:
        notice.refresh_from_db()
        assert notice.status == Notice.Status.SENT and notice.sent_at
    assert "notice_sent" in actions(cases[0])
    services.notice_mark_delivered(notice=notices[0], actor=world.admin)
    notices[0].refresh_from_db()
    assert notices[0].status == Notice.Status.DELIVERED
    assert list(verify_chains([c.pk for c in cases])) == []


def test_with_consent_and_a_phone_the_notice_goes_by_sms_with_a_signed_link(make_case, send):
    case = make_case(consent=True)
    notice = send(case)
    assert notice.channel == Channel.SMS
    assert notice.status == Notice.Status.DELIVERED and notice.sent_at and notice.delivered_at
    assert len(sms.outbox) == 1 and mail.outbox == []
    message = sms.outbox[0]
    assert message["to"] == case.phone_masked
    assert case.code in message["text"] and "https://notices.example/notices/open/" in message["text"]
    assert actions(case)[-3:] == ["notice_queued", "notice_sent", "notice_delivered"]
    assert list(verify_chains([case.pk])) == []


def test_with_consent_and_an_email_the_pdf_goes_attached_with_the_link(make_case, send):
    case = make_case(consent=True, email="debtor@example.com", phone="")
    notice = send(case)
    assert notice.channel == Channel.EMAIL and notice.status == Notice.Status.SENT
    assert sms.outbox == [] and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["debtor@example.com"] and case.code in message.subject
    assert "https://notices.example/notices/open/" in message.body
    ((_name, content, mimetype),) = message.attachments
    assert mimetype == "application/pdf" and hashlib.sha256(content).hexdigest() == notice.sha256


def test_with_a_phone_and_an_email_both_channels_serve_the_notice(make_case, send):
    notice = send(make_case(consent=True, email="debtor@example.com"))
    assert len(sms.outbox) == 1 and len(mail.outbox) == 1
    assert set(notice.attempts.values_list("channel", "status")) == {("sms", "sent"), ("email", "sent")}


def test_a_retried_send_sends_once_and_renders_once(make_case, send, world):
    case = make_case(consent=True)
    notice = send(case)
    rendered_at, pdf_name = notice.rendered_at, notice.pdf.name
    tasks.notice_process.apply(args=[notice.pk])  # the broker redelivers the task
    tasks.notice_process.apply(args=[notice.pk])
    assert services.notice_send(case=case, kind=Kind.DEBT_COLLECTION, actor=world.creditor1).pk == notice.pk
    notice.refresh_from_db()
    assert len(sms.outbox) == 1
    assert DeliveryAttempt.objects.filter(notice=notice).count() == 1
    assert (notice.rendered_at, notice.pdf.name) == (rendered_at, pdf_name)
    assert Notice.objects.filter(case=case).count() == 1
    assert actions(case).count("notice_sent") == 1


def test_a_worker_that_died_mid_send_is_not_followed_by_a_second_message(make_case, send, world):
    case = make_case(consent=False)
    notice = send(case)  # rendered; now consent arrives and a send was started by a worker that died
    type(case).objects.filter(pk=case.pk).update(e_service_consent=True)
    DeliveryAttempt.objects.create(
        notice=notice, channel=Channel.SMS, seq=1, idempotency_key=f"n{notice.pk}-sms-1"
    )
    DeliveryAttempt.objects.filter(notice=notice).update(started_at=timezone.now() - timedelta(hours=1))
    tasks.notice_process.apply(args=[notice.pk])
    notice.refresh_from_db()
    assert sms.outbox == []
    assert notice.status == Notice.Status.FAILED and "outcome is unknown" in notice.failure_reason


def test_temporary_failures_are_retried_with_backoff_then_sent_once(make_case, send, flaky):
    flaky.failures = 2
    notice = send(make_case(consent=True))
    assert flaky.calls == 3 and len(sms.outbox) == 1
    assert list(notice.attempts.order_by("seq").values_list("status", flat=True)) == [
        "failed",
        "failed",
        "sent",
    ]
    assert notice.status == Notice.Status.DELIVERED
    assert tasks.notice_process.retry_backoff and tasks.notice_process.max_retries >= 3


def test_a_notice_that_never_gets_through_is_reported_failed_with_the_reason(make_case, send, flaky):
    flaky.failures = 100
    case = make_case(consent=True)
    notice = send(case)
    assert notice.status == Notice.Status.FAILED and notice.failed_at
    assert "provider timeout" in notice.failure_reason
    assert notice.attempts.count() == tasks.notice_process.max_retries + 1
    assert sms.outbox == [] and "notice_failed" in actions(case)


def test_a_permanent_failure_is_not_retried(make_case, send, settings):
    settings.SMS_BACKEND = "tests.notices.test_services.RefusingSmsBackend"
    notice = send(make_case(consent=True))
    assert notice.status == Notice.Status.FAILED and "number not in service" in notice.failure_reason
    assert notice.attempts.count() == 1


def test_a_failed_notice_can_be_sent_again(make_case, send, settings):
    settings.SMS_BACKEND = "tests.notices.test_services.RefusingSmsBackend"
    case = make_case(consent=True)
    notice = send(case)
    settings.SMS_BACKEND = "notices.channels.sms.LocmemSmsBackend"
    notice = send(case)
    assert notice.status == Notice.Status.DELIVERED and len(sms.outbox) == 1
    assert list(notice.attempts.values_list("seq", "status")) == [(1, "failed"), (2, "sent")]


def test_roles_send_only_their_kinds_of_notice(make_case, world):
    case = make_case()
    with pytest.raises(services.NoticeError):
        services.notice_send(case=case, kind=Kind.PAYMENT_ORDER, actor=world.creditor1)
    with pytest.raises(services.NoticeError):
        services.notice_send(case=case, kind=Kind.DEBT_COLLECTION, actor=world.creditor2)  # not their case
    with pytest.raises(services.NoticeError):
        services.notice_send(case=case, kind=Kind.PROOF_OF_SERVICE, actor=world.admin)
    assert (
        services.notice_send(case=case, kind=Kind.ENFORCEMENT_NOTICE, actor=world.judge1).kind
        == Kind.ENFORCEMENT_NOTICE
    )
    with pytest.raises(services.NoticeError, match=r"not decided|尚未"):  # a judge's kind, but no order yet
        services.notice_send(case=case, kind=Kind.PAYMENT_ORDER, actor=world.judge1)


def test_a_new_template_version_is_used_and_may_be_sent_again(make_case, send, world):
    case = make_case(consent=True)
    first = send(case)
    template = services.notice_template_publish(
        centre=world.qz,
        kind=Kind.DEBT_COLLECTION,
        actor=world.admin,
        body="<h1>债务清收函（第二版）</h1><p>{{ doc.debtor_name }} {{ doc.total.figures }}</p>",
    )
    second = send(case)
    assert (first.template_version, second.template_version) == (0, template.version) == (0, 1)
    assert "债务清收函（第二版）" in pdf_text(services.notice_pdf_bytes(second))
    assert "债务清收函（第二版）" not in pdf_text(services.notice_pdf_bytes(first))
    with pytest.raises(services.NoticeError):
        services.notice_template_publish(
            centre=world.qz, kind=Kind.DEBT_COLLECTION, body="{% if %}", actor=world.admin
        )


def test_bulk_send_in_chunks_counts_progress_and_skips_what_was_sent(
    make_case, world, settings, django_capture_on_commit_callbacks
):
    settings.NOTICE_BULK_CHUNK_SIZE = 2
    mine = [
        make_case(consent=True),
        make_case(consent=True),
        make_case(consent=False),
        make_case(consent=True),
    ]
    other = make_case(creditor=world.cf)  # another creditor's case in the selection is ignored
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = services.notices_send_bulk(
            case_ids=[c.pk for c in [*mine, other]], kind=Kind.DEBT_COLLECTION, actor=world.creditor1
        )
    assert len(callbacks) == 1  # one on-commit hook queueing 2 chunk tasks
    batch.refresh_from_db()
    assert (batch.total, batch.rendered, batch.sent, batch.post_queued, batch.failed) == (4, 4, 3, 1, 0)
    assert batch.finished_at and batch.percent == 100
    assert not Notice.objects.filter(case=other).exists()
    assert len(sms.outbox) == 3
    assert all("notice_queued" in actions(c) for c in mine)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.notices_send_bulk(
            case_ids=[c.pk for c in mine], kind=Kind.DEBT_COLLECTION, actor=world.creditor1
        )
    assert (again.total, again.skipped) == (0, 4) and again.finished_at
    assert len(sms.outbox) == 3
    assert NoticeBatch.objects.count() == 2


def test_bulk_send_reports_failures_with_their_reasons(
    make_case, world, flaky, django_capture_on_commit_callbacks
):
    flaky.failures = 1000
    cases = [make_case(consent=True), make_case(consent=False)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.notices_send_bulk(
            case_ids=[c.pk for c in cases], kind=Kind.DEBT_COLLECTION, actor=world.creditor1
        )
    batch.refresh_from_db()
    assert (batch.total, batch.failed, batch.post_queued) == (2, 1, 1) and batch.finished_at
    failed = batch.notices.get(status=Notice.Status.FAILED)
    assert "provider timeout" in failed.failure_reason


def test_delivery_is_recorded_from_the_providers_answer(make_case, send, settings):
    settings.SMS_BACKEND = "tests.notices.test_services.QuietSmsBackend"
    notice = send(make_case(consent=True))
    assert notice.status == Notice.Status.SENT and notice.delivered_at is None
    assert notice.attempts.get().provider_id == "p-1"


class QuietSmsBackend:
    """A provider that accepts the message but reports arrival only later."""

    def send(self, *, to, text, idempotency_key):
        return SendResult(provider_id="p-1", delivered=False)
