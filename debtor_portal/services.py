"""Identifying a debtor who has no account: case code (or a notice link) + ID number + a code by SMS.

Guessing is braked per case, per phone and per IP (Django's cache: Redis when REDIS_URL is set). An
unknown case code and a known one with the wrong ID number take the same path: one keyed hash, one
lookup, one failure recorded, the same answer, so nobody learns whether a case exists.
"""

import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from cases.models import Case
from core.crypto import keyed_hash
from core.identifiers import IdentifierError, mask_phone, normalize_id_number, to_halfwidth
from notices.channels.base import ChannelError
from notices.channels.sms import sms_backend

CODE_DIGITS = 6
# Compared against when no case matched, so that both paths do the same work.
_DUMMY_HASH = "0" * 64


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def window_seconds() -> int:
    return _setting("DEBTOR_ATTEMPT_WINDOW_SECONDS", 60 * 60)


def limits() -> dict[str, int]:
    """Attempts allowed per window before a lockout, per scope (settings, with defaults).

    Failures are counted per case AND client, so a stranger who knows a printed case code locks out only
    itself; the per-case ceiling is softer (many clients together) so the real debtor is not locked out by
    one guesser. Codes sent are limited per case and per phone, so nobody can flood a phone.
    """
    return {
        "case_client": _setting("DEBTOR_MAX_FAILURES_PER_CASE_AND_CLIENT", 5),
        "case": _setting("DEBTOR_MAX_FAILURES_PER_CASE", 30),
        "ip": _setting("DEBTOR_MAX_FAILURES_PER_IP", 10),
        "send_case": _setting("DEBTOR_MAX_CODES_PER_CASE", 5),
        "phone": _setting("DEBTOR_MAX_CODES_PER_PHONE", 5),
        "come_forward_ip": _setting("DEBTOR_MAX_COME_FORWARD_PER_IP", 5),
    }


def _case_client(case_code: str, ip: str | None) -> str:
    return f"{case_code}|{ip or '-'}"


def _failure_scopes(case_code: str, ip: str | None) -> tuple[tuple[str, str | None], ...]:
    return (("case_client", _case_client(case_code, ip)), ("case", case_code), ("ip", ip))


def _failure_record(case_code: str, ip: str | None) -> None:
    for scope, value in _failure_scopes(case_code, ip):
        attempt_record(scope, value)


def code_max_age_seconds() -> int:
    return _setting("DEBTOR_CODE_MAX_AGE_SECONDS", 10 * 60)


def code_max_tries() -> int:
    """Wrong entries of one code before it is void and a new one must be sent."""
    return _setting("DEBTOR_CODE_MAX_TRIES", 3)


# --- attempt counting -----------------------------------------------------------------------------------


def _key(scope: str, value: str) -> str:
    # Keyed hash: the cache never holds a case code, phone number or IP address in clear.
    return f"debtor-attempts:{scope}:{keyed_hash(f'{scope}:{value}')[:40]}"


def attempt_record(scope: str, value: str | None) -> None:
    """Count one attempt in this scope's window (atomic incr on Redis and locmem)."""
    if not value:
        return
    key, now, window = _key(scope, value), time.time(), window_seconds()
    cache.add(f"{key}:since", now, timeout=window)
    if cache.add(f"{key}:n", 1, timeout=window):
        return
    try:
        cache.incr(f"{key}:n")
    except ValueError:  # expired between add and incr
        cache.set(f"{key}:n", 1, timeout=window)
        cache.set(f"{key}:since", now, timeout=window)


def attempts_wait(*scopes: tuple[str, str | None]) -> int:
    """Seconds until the first locked scope opens again; 0 when none is locked."""
    wait = 0
    allowed = limits()
    for scope, value in scopes:
        if not value:
            continue
        key = _key(scope, value)
        count = cache.get(f"{key}:n", 0)
        if count >= allowed[scope]:
            since = cache.get(f"{key}:since") or time.time()
            wait = max(wait, int(since + window_seconds() - time.time()) + 1)
    return wait


def attempts_clear(scope: str, value: str) -> None:
    cache.delete_many([f"{_key(scope, value)}:n", f"{_key(scope, value)}:since"])


def failures_clear(case_code: str, ip: str | None) -> None:
    """The debtor got in: the case's failures (and this client's on it) no longer count."""
    attempts_clear("case", case_code)
    attempts_clear("case_client", _case_client(case_code, ip))


def wait_minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


# --- identification -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identified:
    """The outcome of the first step: `case_id` when the ID number fits; `wait` seconds when locked."""

    case_id: int | None = None
    wait: int = 0

    @property
    def ok(self) -> bool:
        return self.case_id is not None


def normalize_case_code(value: str) -> str:
    return "".join(ch for ch in to_halfwidth(value or "").upper() if ch.isalnum())[:16]


def _id_hash(id_number: str) -> tuple[str, bool]:
    try:
        return keyed_hash(normalize_id_number(id_number)), True
    except IdentifierError:
        # Hash anyway: a malformed number costs the same as a well-formed wrong one.
        return keyed_hash(f"invalid:{(id_number or '')[:40]}"), False


def _identify(*, code_key: str, found: tuple[int, str] | None, id_number: str, ip: str | None) -> Identified:
    given, well_formed = _id_hash(id_number)
    case_id, expected = found if found else (None, _DUMMY_HASH)
    matches = hmac.compare_digest(given, expected)
    if case_id is not None and matches and well_formed:
        return Identified(case_id=case_id)
    _failure_record(code_key, ip)
    return Identified()


def debtor_identify_by_code(*, case_code: str, id_number: str, ip: str | None) -> Identified:
    """Step one from the case code printed on every notice, with the ID number."""
    code = normalize_case_code(case_code)
    wait = attempts_wait(*_failure_scopes(code, ip))
    if wait:
        return Identified(wait=wait)
    found = Case.objects.filter(code=code).values_list("pk", "debtor__id_hash").first()
    return _identify(code_key=code, found=found, id_number=id_number, ip=ip)


def debtor_identify_by_case(*, case: Case, id_number: str, ip: str | None) -> Identified:
    """Step one from a notice link (the link names the case): the ID number only; same counters."""
    wait = attempts_wait(*_failure_scopes(case.code, ip))
    if wait:
        return Identified(wait=wait)
    found = Case.objects.filter(pk=case.pk).values_list("pk", "debtor__id_hash").first()
    return _identify(code_key=case.code, found=found, id_number=id_number, ip=ip)


# --- one-time codes -------------------------------------------------------------------------------------


class CodeNotSent(Exception):
    """No code went out: locked (``wait`` seconds), no number on file, or the SMS provider failed."""

    def __init__(self, message: str, wait: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.wait = wait


@dataclass(frozen=True)
class SentCode:
    code_hash: str
    expires_at: float
    sent_to: str


def _code_hash(purpose: str, binding: str, code: str) -> str:
    return keyed_hash(f"debtor-code:{purpose}:{binding}:{code}")


def _phone_of(case_id: int) -> tuple[str, str]:
    """The phone on file for this case, as its own creditor supplied it, and the case code, for the SMS.

    Never another case's or the person's "usual" number: a code proves only what this case's creditor
    holds (a number another creditor supplied must not open this case).
    """
    case = Case.objects.only("code", "phone").get(pk=case_id)
    return case.phone, case.code


def phone_of_case(case_id: int) -> str:
    return _phone_of(case_id)[0]


def _sms_text(purpose: str, case_code: str, code: str) -> str:
    minutes = code_max_age_seconds() // 60
    with translation.override(settings.LANGUAGE_CODE):
        if purpose.startswith("sign:"):
            return _(
                "Your code to accept the settlement agreement for case %(case)s is %(otp)s, valid for "
                "%(minutes)s minutes. Entering it signs the agreement. Do not give it to anyone."
            ) % {"case": case_code, "otp": code, "minutes": minutes}
        return _(
            "Your code to see your case %(case)s on the dispute platform is %(otp)s, valid for "
            "%(minutes)s minutes. Do not give it to anyone."
        ) % {"case": case_code, "otp": code, "minutes": minutes}


def one_time_code_send(*, case_id: int, purpose: str, binding: str, ip: str | None) -> SentCode:
    """Send a fresh code to the phone on file; the caller keeps its keyed hash in the session."""
    phone, case_code = _phone_of(case_id)
    wait = attempts_wait(*_failure_scopes(case_code, ip), ("send_case", case_code), ("phone", phone))
    if wait:
        raise CodeNotSent(
            _("Too many attempts. Please try again in %(minutes)d minutes.")
            % {"minutes": wait_minutes(wait)},
            wait=wait,
        )
    if not phone:
        raise CodeNotSent(_("There is no phone number on file for this case. Please contact the centre."))
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    attempt_record("send_case", case_code)
    attempt_record("phone", phone)
    try:
        sms_backend().send(
            to=phone,
            text=_sms_text(purpose, case_code, code),
            idempotency_key=f"debtor-otp-{case_id}-{secrets.token_hex(8)}",
        )
    except ChannelError as exc:
        raise CodeNotSent(_("The code could not be sent just now. Please try again in a minute.")) from exc
    return SentCode(
        code_hash=_code_hash(purpose, binding, code),
        expires_at=time.time() + code_max_age_seconds(),
        sent_to=mask_phone(phone),
    )


@dataclass(frozen=True)
class CodeChecked:
    ok: bool
    wait: int = 0
    void: bool = False  # expired or tried too often: a new code is needed


def one_time_code_check(
    *, case_id: int, purpose: str, binding: str, code: str, pending: dict[str, Any], ip: str | None
) -> CodeChecked:
    """Compare the code typed with the one sent (kept hashed in ``pending``); failures are counted."""
    _phone, case_code = _phone_of(case_id)
    wait = attempts_wait(*_failure_scopes(case_code, ip))
    if wait:
        return CodeChecked(ok=False, wait=wait)
    stored = str(pending.get("code_hash") or _DUMMY_HASH)
    typed = "".join(ch for ch in to_halfwidth(code or "") if ch.isdigit())
    fresh = float(pending.get("expires_at") or 0) > time.time()
    tries_left = int(pending.get("tries", 0)) < code_max_tries()
    ok = hmac.compare_digest(_code_hash(purpose, binding, typed), stored) and fresh and tries_left
    if ok:
        return CodeChecked(ok=True)
    _failure_record(case_code, ip)
    void = not fresh or int(pending.get("tries", 0)) + 1 >= code_max_tries()
    return CodeChecked(ok=False, void=void)


# --- other apps' services the pages offer when they are installed ----------------------------------------


def credit_objection_service() -> Any:
    """credit_repair's objection to a credit record (Credit Reporting Regulation 25), if it exists yet."""
    try:
        from credit_repair.services import credit_objection_file  # type: ignore[attr-defined]
    except ImportError:
        return None
    return credit_objection_file
