from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

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

    @extend_schema(
        summary=_("Obtain an API token"),
        request=AuthTokenSerializer,
        responses={200: TokenSerializer, 400: OpenApiResponse(description=_("Wrong username or password."))},
        auth=[],
    )
    def post(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().post(request, *args, **kwargs)


class MeView(APIView):
    @extend_schema(summary=_("Who you are: role, organisation and centre"), responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
