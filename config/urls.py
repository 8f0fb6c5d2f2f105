from django.contrib import admin
from django.urls import include, path

from cases.views import CentreOverviewView
from courts.console import court_site
from debtor_portal import notice_urls
from notices import urls as notices_urls

urlpatterns = [
    path("", include("core.urls")),
    # Not in cases.urls: the page keeps its unnamespaced name "centre".
    path("centre/", CentreOverviewView.as_view(), name="centre"),
    path("cases/", include("cases.urls")),
    # The notice-link pages are the debtor portal's, under the notices/ paths and names they always had.
    path("notices/", include((notices_urls.urlpatterns + notice_urls.urlpatterns, "notices"))),
    path("portal/batches/", include("cases.batches.urls")),
    path("mediation/", include("mediation.urls")),
    path("debtor/", include("debtor_portal.urls")),
    path("mediation/debtor/", include("debtor_portal.staff_urls")),
    path("repair/", include("credit_repair.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("api/", include("config.api")),
    path("court/", court_site.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
