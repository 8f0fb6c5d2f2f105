from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from .auth import token_expires_at, token_issue, token_revoke
from .serializers import MeSerializer, TokenSerializer


class TokenObtainThrottle(SimpleRateThrottle):
    """Password guessing: at most 10 attempts a minute per client address and username."""

    scope = "token_obtain"
    rate = "10/minute"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        data = request.data
        username = str(data.get("username", "")).strip().lower() if isinstance(data, Mapping) else ""
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{username}"}


class TokenObtainView(ObtainAuthToken):
    throttle_classes = (TokenObtainThrottle,)

    def get_permissions(self) -> list[Any]:
        # Obtaining needs no token; revoking one needs the caller to be signed in with it.
        return [IsAuthenticated()] if self.request.method == "DELETE" else []

    @extend_schema(
        summary=_("Obtain an API token"),
        request=AuthTokenSerializer,
        responses={200: TokenSerializer, 400: OpenApiResponse(description=_("Wrong username or password."))},
        auth=[],
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        # The password is checked against Django's own request, so that the lock-out (django-axes) records
        # the failure on the request its middleware answers.
        serializer = self.serializer_class(data=request.data, context={"request": request._request})
        serializer.is_valid(raise_exception=True)
        token = token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(
        summary=_("Revoke your API token"),
        request=None,
        responses={204: OpenApiResponse(description=_("The token no longer works."))},
    )
    def delete(self, request: Request, *args: object, **kwargs: object) -> Response:
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(summary=_("Who you are: role, organisation and centre"), responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
