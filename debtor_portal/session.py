"""A short session bound to one debtor at one centre: no account, no password, gone after 15 idle minutes.

Identification (services.py) ends in `debtor_session_join`; every debtor page asks `debtor_from_session`
and shows only `session_case_ids`. A session holds only what it has proven: each case joins by its own
case code or notice link, the ID number and a one-time code sent to the phone that case's creditor holds.
Another case of the same person is shown only when its own phone on file is a phone this session proved:
no single creditor's data (a phone number it supplied) can open another creditor's case.
"""

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cases.models import Case, Debtor
from core.crypto import keyed_hash
from core.identifiers import IdentifierError, normalize_phone

SESSION_KEY = "debtor_session"
PENDING_KEY = "debtor_pending"
# A code sent to sign an agreement: kept apart from identification, for one settlement.
SIGN_KEY = "debtor_sign"


def idle_seconds() -> int:
    return int(getattr(settings, "DEBTOR_SESSION_IDLE_SECONDS", 15 * 60))


def max_seconds() -> int:
    """However active, a debtor identifies again after this long."""
    return int(getattr(settings, "DEBTOR_SESSION_MAX_SECONDS", 2 * 60 * 60))


def phone_proof(phone: str) -> str:
    """What the session keeps of a phone it proved: a keyed hash, never the number."""
    if not phone:
        return ""
    try:
        phone = normalize_phone(phone)
    except IdentifierError:
        phone = phone.strip()
    return keyed_hash(f"debtor-phone:{phone}")


def debtor_session_join(request: HttpRequest, *, case: Case, phone: str) -> None:
    """This case joins the session (its code and ID number matched, the code sent to `phone` came back).

    A session of another person is replaced; a new session key either way, so that an earlier one cannot
    be reused.
    """
    request.session.pop(PENDING_KEY, None)
    stored = request.session.get(SESSION_KEY)
    state: dict[str, Any] = stored if isinstance(stored, dict) else {}
    same_person = state.get("debtor") == case.debtor_id
    cases = list(state.get("cases", [])) if same_person else []
    phones = list(state.get("phones", [])) if same_person else []
    if case.pk not in cases:
        cases.append(case.pk)
    proof = phone_proof(phone)
    if proof and proof not in phones:
        phones.append(proof)
    request.session.cycle_key()
    now = time.time()
    request.session[SESSION_KEY] = {
        "debtor": case.debtor_id,
        "centre": case.centre_id,
        "cases": cases,
        "phones": phones,
        "started": state.get("started", now) if same_person else now,
        "expires": now + idle_seconds(),
    }


def session_case_ids(request: HttpRequest, debtor: Debtor) -> list[int]:
    """The cases this session may see: those it joined, and the person's other cases at this centre whose
    own phone on file is one the session proved (decrypted here, a handful per person)."""
    state = request.session.get(SESSION_KEY)
    if not isinstance(state, dict) or state.get("debtor") != debtor.pk:
        return []
    joined = [int(pk) for pk in state.get("cases", [])]
    proven = set(state.get("phones", []))
    visible = list(
        Case.objects.filter(pk__in=joined, debtor_id=debtor.pk, centre_id=debtor.centre_id).values_list(
            "pk", flat=True
        )
    )
    if proven:
        others = Case.objects.filter(debtor_id=debtor.pk, centre_id=debtor.centre_id).exclude(pk__in=joined)
        for pk, phone in others.values_list("pk", "phone"):
            if phone and phone_proof(phone) in proven:
                visible.append(pk)
    return visible


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
