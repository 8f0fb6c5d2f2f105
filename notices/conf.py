"""The notices app's settings, each read when used so that tests and deployments can override them."""

from pathlib import Path

from django.conf import settings

from core import links


def sms_backend_path() -> str:
    return getattr(settings, "SMS_BACKEND", "notices.channels.sms.FileSmsBackend")


def sms_file_path() -> Path:
    """Where the file SMS backend appends its outbox (development and tests)."""
    default = Path(settings.PRIVATE_STORAGE_ROOT) / "sms-outbox"
    return Path(getattr(settings, "SMS_FILE_PATH", default))


def link_max_age_days() -> int:
    return int(getattr(settings, "NOTICE_LINK_MAX_AGE_DAYS", 30))


def public_base_url() -> str:
    """Absolute base of links sent to debtors (core.links: the one PUBLIC_BASE_URL)."""
    return links.public_base_url()


def bulk_chunk_size() -> int:
    return int(getattr(settings, "NOTICE_BULK_CHUNK_SIZE", 100))


def delivery_max_retries() -> int:
    return int(getattr(settings, "NOTICE_DELIVERY_MAX_RETRIES", 5))


def delivery_retry_backoff_seconds() -> int:
    """First retry delay; Celery doubles it on each retry (retry_backoff), capped at an hour."""
    return int(getattr(settings, "NOTICE_DELIVERY_RETRY_BACKOFF_SECONDS", 30))


def from_email() -> str:
    return str(getattr(settings, "NOTICE_FROM_EMAIL", settings.DEFAULT_FROM_EMAIL))
