"""E-mail through Django's e-mail backend, with the notice's PDF attached."""

import smtplib

from django.core.mail import EmailMessage, get_connection

from .. import conf
from .base import PermanentChannelError, SendResult, TemporaryChannelError

SMTP_PERMANENT_FAILURE = 500  # 5xx replies are permanent (RFC 5321 4.2.1)


def send_email(
    *, to: str, subject: str, body: str, idempotency_key: str, attachment_name: str = "", pdf: bytes = b""
) -> SendResult:
    """Send one message; the Message-ID carries the idempotency key so that receipts and duplicates match."""
    if not to:
        raise PermanentChannelError("no e-mail address")
    message_id = f"<{idempotency_key}@notices.platform>"
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=conf.from_email(),
        to=[to],
        headers={"Message-ID": message_id},
        connection=get_connection(),
    )
    if pdf:
        message.attach(attachment_name, pdf, "application/pdf")
    try:
        sent = message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentChannelError(f"recipient refused: {exc.recipients!r}"[:300]) from exc
    except smtplib.SMTPResponseException as exc:
        # Why: SMTP 5xx replies are final, 4xx ask the sender to try again later (RFC 5321, 4.2.1).
        error = PermanentChannelError if exc.smtp_code >= SMTP_PERMANENT_FAILURE else TemporaryChannelError
        raise error(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:300]) from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise TemporaryChannelError(f"{type(exc).__name__}: {exc}"[:300]) from exc
    if sent != 1:
        raise TemporaryChannelError("the e-mail backend sent nothing")
    return SendResult(provider_id=message_id)
