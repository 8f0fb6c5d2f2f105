"""Settings of the Celery worker that tests/notices/test_worker_smtp.py starts: the local settings plus SMTP
and the retry backoff from the environment (what config/settings/base.py is asked to read itself)."""

import os

from config.settings.local import *  # noqa: F403

EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
NOTICE_DELIVERY_RETRY_BACKOFF_SECONDS = int(os.environ.get("NOTICE_DELIVERY_RETRY_BACKOFF_SECONDS", "30"))
NOTICE_PUBLIC_BASE_URL = os.environ.get("NOTICE_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
