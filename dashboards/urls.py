from django.urls import path

from oversight.urls import urlpatterns as oversight_urlpatterns

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="home"),
    path("export/<slug:key>.xlsx", views.FigureExportView.as_view(), name="export"),
    path("refresh/", views.RefreshView.as_view(), name="refresh"),
    *oversight_urlpatterns,
]
