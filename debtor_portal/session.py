"""A short session bound to one debtor at one centre: no account, no password, gone after 15 idle minutes.

Identification (services.py) ends in `debtor_session_start`; every debtor page asks `debtor_from_session`.
"""

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cases.models import Debtor

SESSION_KEY = "debtor_session"
PENDING_KEY = "debtor_pending"
# A code sent to sign an agreement: kept apart from identification, for one settlement.
SIGN_KEY = "debtor_sign"


def idle_seconds() -> int:
    return int(getattr(settings, "DEBTOR_SESSION_IDLE_SECONDS", 15 * 60))


def max_seconds() -> int:
    """However active, a debtor identifies again after this long."""
    return int(getattr(settings, "DEBTOR_SESSION_MAX_SECONDS", 2 * 60 * 60))


def debtor_session_start(request: HttpRequest, debtor: Debtor) -> None:
    """Bind this browser to one debtor; a new session key so that an earlier one cannot be reused."""
    request.session.pop(PENDING_KEY, None)
    request.session.cycle_key()
    now = time.time()
    request.session[SESSION_KEY] = {
        "debtor": debtor.pk,
        "centre": debtor.centre_id,
        "started": now,
        "expires": now + idle_seconds(),
    }


def debtor_session_end(request: HttpRequest) -> None:
    for key in (SESSION_KEY, PENDING_KEY, SIGN_KEY):
        request.session.pop(key, None)


def debtor_from_session(request: HttpRequest) -> Debtor | None:
    """The identified debtor, or None when there is none or it ran out; each use extends the idle time."""
    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict):
        return None
    now = time.time()
    if state.get("expires", 0) < now or state.get("started", 0) + max_seconds() < now:
        debtor_session_end(request)
        return None
    debtor = (
        Debtor.objects.defer("id_number", "phone")
        .filter(pk=int(state.get("debtor") or 0), centre_id=int(state.get("centre") or 0))
        .first()
    )
    if debtor is None:
        debtor_session_end(request)
        return None
    request.session[SESSION_KEY] = {**state, "expires": now + idle_seconds()}
    return debtor


def session_binding(request: HttpRequest) -> str:
    """The browser session's key, created if needed: one-time codes are valid only in the session they were
    sent to."""
    if not request.session.session_key:
        request.session.save()
    return str(request.session.session_key)


def pending_get(request: HttpRequest, key: str = PENDING_KEY) -> dict[str, Any]:
    """A step under way (identification, or signing): which case, the code sent (keyed hash, expiry)."""
    state = request.session.get(key)
    return dict(state) if isinstance(state, dict) else {}


def pending_set(request: HttpRequest, key: str = PENDING_KEY, **values: Any) -> None:
    request.session[key] = {**pending_get(request, key), **values}


def pending_clear(request: HttpRequest, key: str = PENDING_KEY) -> None:
    request.session.pop(key, None)
