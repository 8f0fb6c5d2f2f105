"""Links that leave the platform (SMS, e-mail, PDF): one configured public address, never the request's."""

from django.conf import settings


def public_base_url() -> str:
    """The platform's public address (PUBLIC_BASE_URL), without a trailing slash."""
    return str(settings.PUBLIC_BASE_URL).rstrip("/")


def public_url(path: str) -> str:
    """An absolute link to a path of the platform, as sent to people outside it."""
    return public_base_url() + "/" + path.lstrip("/")
