"""The oversight pages, included by dashboards.urls: same paths (/dashboards/suggestions/, /dashboards/risks/)
and same names (dashboards:suggestions, dashboards:risk...) as before the app was split out."""

from django.urls import path

from . import views

urlpatterns = [
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
