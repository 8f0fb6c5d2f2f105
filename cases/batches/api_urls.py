from django.urls import path

from . import api

urlpatterns = [
    path("", api.BatchListCreateView.as_view(), name="api-batches"),
    path("<int:pk>/", api.BatchDetailView.as_view(), name="api-batch"),
    path("<int:pk>/errors/", api.BatchErrorsView.as_view(), name="api-batch-errors"),
]
