"""SMS: a provider interface and the development backends (file, console, in-memory for tests).

Sending needs the full phone number; nothing here writes or logs it unmasked.
"""

import json
import logging
import threading
import uuid
from pathlib import Path
from typing import Protocol

from django.utils import timezone
from django.utils.module_loading import import_string

from core.identifiers import mask_phone

from .. import conf
from .base import PermanentChannelError, SendResult

logger = logging.getLogger(__name__)
# Why: one SMS is 70 Chinese characters; providers join up to a few parts, beyond that they refuse.
SMS_MAX_LENGTH = 500


class SmsBackend(Protocol):
    def send(self, *, to: str, text: str, idempotency_key: str) -> SendResult:
        """Hand one message to the provider; the key lets the provider drop a duplicate."""
        ...


def _check(to: str, text: str) -> None:
    if not to:
        raise PermanentChannelError("no phone number")
    if len(text) > SMS_MAX_LENGTH:
        raise PermanentChannelError("message too long")


class FileSmsBackend:
    """Appends each message as a JSON line to SMS_FILE_PATH/outbox.jsonl (masked number); reports delivery."""

    _lock = threading.Lock()

    def send(self, *, to: str, text: str, idempotency_key: str) -> SendResult:
        _check(to, text)
        folder = conf.sms_file_path()
        folder.mkdir(parents=True, exist_ok=True)
        record = {
            "at": timezone.now().isoformat(),
            "to": mask_phone(to),
            "text": text,
            "key": idempotency_key,
        }
        with self._lock, (folder / "outbox.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return SendResult(provider_id=f"file-{idempotency_key}", delivered=True)


def file_outbox(folder: Path | None = None) -> list[dict[str, str]]:
    """The file backend's messages, oldest first (for development pages and tests)."""
    path = (folder or conf.sms_file_path()) / "outbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class ConsoleSmsBackend:
    """Logs each message with the number masked."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> SendResult:
        _check(to, text)
        logger.warning("SMS to %s [%s]: %s", mask_phone(to), idempotency_key, text)
        return SendResult(provider_id=f"console-{uuid.uuid4().hex[:12]}")


outbox: list[dict[str, str]] = []


class LocmemSmsBackend:
    """Keeps messages in ``notices.channels.sms.outbox`` (tests), like Django's locmem e-mail backend."""

    def send(self, *, to: str, text: str, idempotency_key: str) -> SendResult:
        _check(to, text)
        outbox.append({"to": mask_phone(to), "text": text, "key": idempotency_key})
        return SendResult(provider_id=f"locmem-{len(outbox)}", delivered=True)


def sms_backend() -> SmsBackend:
    return import_string(conf.sms_backend_path())()
