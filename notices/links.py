"""Signed, expiring links to a debtor's notice page (django.core.signing: tamper-evident, no database row)."""

from datetime import timedelta

from django.core import signing
from django.urls import reverse

from . import conf

SALT = "notices.link.v1"


class LinkInvalid(Exception):
    """The link was altered or is not one of ours."""


class LinkExpired(Exception):
    """The link was ours but is older than NOTICE_LINK_MAX_AGE_DAYS."""


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def notice_link_token(notice_id: int) -> str:
    return _signer().sign(str(notice_id))


def notice_link_url(notice_id: int) -> str:
    """The absolute URL sent by SMS or e-mail."""
    return conf.public_base_url() + reverse("notices:open", args=[notice_link_token(notice_id)])


def notice_link_read(token: str, *, max_age_days: int | None = None) -> int:
    """The notice id a link points to; raises LinkExpired or LinkInvalid."""
    days = conf.link_max_age_days() if max_age_days is None else max_age_days
    try:
        value = _signer().unsign(token, max_age=timedelta(days=days))
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    if not value.isdigit():
        raise LinkInvalid
    return int(value)
