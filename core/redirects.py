"""Where a form may send the user back to: only a path on this site, never another host."""

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` the request names when it stays on this site (same host, same scheme), else `default`.

    Absolute URLs to other hosts, scheme-relative `//host`, backslash tricks and `javascript:` all fall back.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


def redirect_next(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the request's safe `next`, or to `default` (a URL or a URL name)."""
    return HttpResponseRedirect(safe_next(request, default))
