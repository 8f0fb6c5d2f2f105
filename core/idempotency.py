"""A form is processed once: a key rendered into it (``{% form_key %}``) may be spent by one POST only.

A double click, a reload after POST or a resent request carries the same key: the replay is not processed
again; the user is sent to where the first submission led, with a message saying so. Keys live in the cache
for a day, scoped to the signed-in user (or, on the debtor pages, to the browser session). A key is kept
only when the first POST ended in a redirect (it did something); a form shown again with its errors, or an
error, frees it. The services refuse exact duplicates on their own too (the server is what counts, also for
callers without a form: the API, tasks).
"""

import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

FORM_KEY_FIELD = "form_key"
FORM_KEY_TTL_SECONDS = 24 * 60 * 60
FORM_KEY_MAX_LENGTH = 64
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Marks a key whose first POST is still being processed (a double click arrives while it runs).
IN_PROGRESS = "…"


def form_key_new() -> str:
    return secrets.token_urlsafe(18)


def form_key_input() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_KEY_FIELD, form_key_new())


def _owner(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    session = getattr(request, "session", None)
    return f"s{session.session_key}" if session is not None and session.session_key else "anon"


def _cache_key(request: HttpRequest, key: str) -> str:
    return f"form-key:{_owner(request)}:{key}"


def _fallback(request: HttpRequest) -> str:
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


class FormKeyMiddleware:
    """Refuses a POST whose form key was already spent; remembers where the first one led."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a page's form: the API's bodies are left for its own parsers (and its own idempotency).
        is_form = request.method == "POST" and request.content_type in FORM_CONTENT_TYPES
        key = request.POST.get(FORM_KEY_FIELD, "") if is_form and not request.path.startswith("/api/") else ""
        if not key or len(key) > FORM_KEY_MAX_LENGTH:
            return self.get_response(request)
        cache_key = _cache_key(request, key)
        if not cache.add(cache_key, IN_PROGRESS, FORM_KEY_TTL_SECONDS):
            first = cache.get(cache_key)
            messages.warning(
                request,
                _("This form was already sent; it was not processed a second time. Here is the result."),
            )
            return redirect(first if first and first != IN_PROGRESS else _fallback(request))
        try:
            response = self.get_response(request)
        except BaseException:
            cache.delete(cache_key)
            raise
        if 300 <= response.status_code < 400 and response.has_header("Location"):  # noqa: PLR2004
            cache.set(cache_key, response["Location"], FORM_KEY_TTL_SECONDS)
        else:
            cache.delete(cache_key)  # nothing was done (the form came back with its errors): send it again
        return response
