from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("queue/", views.CaseListView.as_view(queue=True), name="queue"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/transition/", views.CaseTransitionView.as_view(), name="transition"),
    path("<int:pk>/reveal/", views.CaseRevealView.as_view(), name="reveal"),
]
