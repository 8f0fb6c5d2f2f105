"""A real Celery worker on Redis renders a notice and e-mails it to an SMTP server on loopback (aiosmtpd)."""

import email
import hashlib
import os
import socket
import time
import uuid
from email import policy
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from config.celery import app as celery_app
from notices import services
from notices.channels.sms import file_outbox
from notices.models import DeliveryAttempt, Kind, Notice
from tests.factories import World
from tests.workers import start_worker, stop_worker, use_broker

from .conftest import AMOUNTS, DEBTOR_NAME, TOTAL_CAPITALS, pdf_text

ROOT = Path(__file__).resolve().parents[2]
# The Redis of REDIS_URL but its database 14: tests that clear Django's Redis cache run FLUSHDB on theirs
# (database 0), which would also drop the messages queued for this worker.
REDIS_URL = urlunsplit(
    urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")._replace(path="/14")
)
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class Mailbox:
    """An SMTP server's handler: keeps what it accepts; can answer 451 (try later) to the first messages."""

    def __init__(self, refuse_first: int = 0) -> None:
        self.refuse = refuse_first
        self.refused = 0
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > self.refused:
            self.refused += 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(request):
    mailbox = Mailbox(refuse_first=getattr(request, "param", 0))
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def worker(smtp_server):
    controller, _mailbox = smtp_server
    queue = f"test-notices-{uuid.uuid4().hex[:8]}"
    env = {
        "REDIS_URL": REDIS_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "PRIVATE_STORAGE_ROOT": str(settings.PRIVATE_STORAGE_ROOT),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "NOTICE_DELIVERY_RETRY_BACKOFF_SECONDS": "1",
        "PUBLIC_BASE_URL": settings.PUBLIC_BASE_URL,
    }
    process, log = start_worker(queue, env=env)
    old = (celery_app.conf.task_always_eager, celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    use_broker(task_always_eager=False, broker_url=REDIS_URL, task_default_queue=queue)
    assert celery_app.amqp.router.route({}, "notices.tasks.notice_process")["queue"].name == queue
    yield process
    use_broker(task_always_eager=old[0], broker_url=old[1], task_default_queue=old[2])
    stop_worker(process, log)


def wait_for(predicate, worker, seconds: float = 90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        assert worker.poll() is None, "the worker died; see test-output/celery-test-notices-*.log"
        time.sleep(0.3)
    raise AssertionError("timed out; see test-output/celery-test-notices-*.log")


def a_case(**fields):
    """A case whose debtor agreed to contact at any hour: the worker reads the real clock, and without that
    consent a notice planned between 22:00 and 08:00 would wait for 08:00 (collection hours)."""
    from mediation.models import LateContactConsent

    world = World()
    case = world.case(debtor_name=DEBTOR_NAME, e_service_consent=True, **AMOUNTS, **fields)
    LateContactConsent.objects.create(case=case, note="测试：同意任何时间联系", recorded_by=world.mediator1)
    return world, case


def test_a_worker_renders_and_emails_the_notice_with_its_pdf(worker, smtp_server):
    _controller, mailbox = smtp_server
    world, case = a_case(email="debtor@example.com")
    notice = services.notice_send(case=case, kind=Kind.DEBT_COLLECTION, actor=world.creditor1)
    wait_for(
        lambda: mailbox.messages and Notice.objects.get(pk=notice.pk).status in ("sent", "delivered"), worker
    )
    notice.refresh_from_db()
    (message,) = mailbox.messages
    assert message["To"] == "debtor@example.com" and case.code in message["Subject"]
    assert "/notices/open/" in message.get_body(("plain",)).get_content()
    (attachment,) = list(message.iter_attachments())
    pdf = attachment.get_content()
    assert attachment.get_content_type() == "application/pdf"
    assert (
        hashlib.sha256(pdf).hexdigest()
        == notice.sha256
        == hashlib.sha256(notice.pdf.open("rb").read()).hexdigest()
    )
    text = pdf_text(pdf)
    assert DEBTOR_NAME in text and TOTAL_CAPITALS in text and case.code in text
    sms = [m for m in file_outbox() if case.code in m["text"]]
    assert (
        len(sms) == 1 and sms[0]["to"] == case.phone_masked
    )  # the file backend never writes the full number
    assert set(notice.attempts.values_list("channel", "status")) == {("sms", "sent"), ("email", "sent")}


@pytest.mark.parametrize("smtp_server", [1], indirect=True)
def test_a_busy_mail_server_is_retried_with_backoff_and_gets_the_message_once(worker, smtp_server):
    _controller, mailbox = smtp_server
    world, case = a_case(email="debtor@example.com", phone="")
    notice = services.notice_send(case=case, kind=Kind.LITIGATION_RISK, actor=world.creditor1)
    wait_for(lambda: Notice.objects.get(pk=notice.pk).status == "sent", worker)
    assert mailbox.refused == 1 and len(mailbox.messages) == 1
    statuses = list(
        DeliveryAttempt.objects.filter(notice=notice).order_by("seq").values_list("status", "error")
    )
    assert [s for s, _ in statuses] == ["failed", "sent"] and "451" in statuses[0][1]
