"""The client's address, for limits and logs: from a trusted proxy's header only when one is configured."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the address the outermost trusted one saw.

    X-Forwarded-For is only read when proxies are configured, and then from the right: each trusted proxy
    appends the address it received from, so the entry TRUSTED_PROXY_COUNT from the end is the client's
    (anything to its left was written by the client and is not believed).
    """
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    remote = request.META.get("REMOTE_ADDR") or None
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return remote
