from django.contrib import admin
from django.urls import include, path

from cases.views import CentreOverviewView
from courts.admin import court_site

urlpatterns = [
    path("", include("core.urls")),
    # Not in cases.urls: the page keeps its unnamespaced name "centre".
    path("centre/", CentreOverviewView.as_view(), name="centre"),
    path("cases/", include("cases.urls")),
    path("notices/", include("notices.urls")),
    path("portal/batches/", include("cases.batches.urls")),
    path("mediation/", include("mediation.urls")),
    path("debtor/", include("cases.debtor.urls")),
    path("mediation/debtor/", include("mediation.debtor_urls")),
    path("repair/", include("credit_repair.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("api/", include("config.api")),
    path("court/", court_site.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
