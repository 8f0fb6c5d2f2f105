"""The REST API, mounted at /api/: token, caller, cases, and the OpenAPI schema with its viewers."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from cases.api.legality import FindingAnswerView, FindingViewSet
from cases.api.views import CaseTransitionsView, CaseViewSet
from core.api.views import MeView, TokenObtainView

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="api-case")
router.register("findings", FindingViewSet, basename="api-finding")

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("cases/<str:code>/transitions/", CaseTransitionsView.as_view(), name="api-case-transitions"),
    path("findings/<int:pk>/answer/", FindingAnswerView.as_view(), name="api-finding-answer"),
    path("repair/", include("credit_repair.api_urls")),
    path("mediation/", include("mediation.api_urls")),
    path("batches/", include("cases.batches.api_urls")),
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
