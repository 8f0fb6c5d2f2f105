"""Production: every secret from the environment, HTTPS only, no demonstration data.

It refuses to start without real secrets: a missing one, a development default or a placeholder
("change-me") stops the process with the name of the variable to set.
"""

import base64
import binascii

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# The development defaults in base.py and the placeholders once shipped in the compose file.
KNOWN_PLACEHOLDERS = frozenset(
    {
        "dev-insecure-secret-key-change-me",
        "ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE=",
        "change-me-insecure-local-demo-secret-key",
        "Y2hhbmdlLW1lLWNoYW5nZS1tZS1jaGFuZ2UtbWUtMzI=",
    }
)
SECRET_KEY_MIN_LENGTH = 50  # Django's deployment check asks for 50 characters
FIELD_KEY_BYTES = 32  # AES-256


def _secret(name: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} is not set: production needs a real secret in the environment.")
    if value in KNOWN_PLACEHOLDERS or "change-me" in value.lower():
        raise ImproperlyConfigured(f"{name} is a placeholder or development value: set a real secret.")
    return value


SECRET_KEY = _secret("SECRET_KEY")
if len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH:
    raise ImproperlyConfigured(f"SECRET_KEY must be at least {SECRET_KEY_MIN_LENGTH} characters.")
FIELD_ENCRYPTION_KEY = _secret("FIELD_ENCRYPTION_KEY")
try:
    _key_length = len(base64.b64decode(FIELD_ENCRYPTION_KEY, validate=True))
except (binascii.Error, ValueError):
    _key_length = 0
if _key_length != FIELD_KEY_BYTES:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be base64 of 32 random bytes.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
# Every link in an SMS, e-mail or PDF starts with it: a production without it would send 127.0.0.1 links.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")
if not PUBLIC_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured("PUBLIC_BASE_URL must be set to the platform's https:// address.")
# seed_demo refuses to run: production never holds demonstration users or cases.
DEMO_DATA_ALLOWED = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
