"""API tokens that expire, and that their owner can revoke."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_lifetime() -> timedelta:
    return timedelta(hours=int(settings.API_TOKEN_TTL_HOURS))


def token_expires_at(token: Token) -> Any:
    return token.created + token_lifetime()


def token_is_expired(token: Token) -> bool:
    return timezone.now() >= token_expires_at(token)


def token_issue(*, user: Any) -> Token:
    """The user's current token, or a new one when it has none or it expired (an expired key never works)."""
    token = Token.objects.filter(user=user).first()
    if token is not None and token_is_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def token_revoke(*, user: Any) -> bool:
    """The owner's token stops working at once; returns whether there was one."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_is_expired(token):
            raise exceptions.AuthenticationFailed(_("The token has expired: obtain a new one."))
        return user, token
