from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="home"),
    path("export/<slug:key>.xlsx", views.FigureExportView.as_view(), name="export"),
    path("refresh/", views.RefreshView.as_view(), name="refresh"),
    path("suggestions/", views.SuggestionListView.as_view(), name="suggestions"),
    path("suggestions/<int:pk>/", views.SuggestionDetailView.as_view(), name="suggestion"),
    path("suggestions/<int:pk>/letter.pdf", views.SuggestionPdfView.as_view(), name="suggestion_pdf"),
    path(
        "suggestions/<int:pk>/attachment/",
        views.SuggestionAttachmentView.as_view(),
        name="suggestion_attachment",
    ),
    path("risks/", views.RiskListView.as_view(), name="risks"),
    path("risks/<int:pk>/", views.RiskDetailView.as_view(), name="risk"),
]
