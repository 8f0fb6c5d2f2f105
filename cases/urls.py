from django.urls import path

from . import legality_views, views

app_name = "cases"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("queue/", views.CaseListView.as_view(queue=True), name="queue"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/transition/", views.CaseTransitionView.as_view(), name="transition"),
    path("<int:pk>/reveal/", views.CaseRevealView.as_view(), name="reveal"),
    path("batches/<int:pk>/screen/", legality_views.BatchScreenView.as_view(), name="batch_screen"),
    path("findings/<int:pk>/answer/", legality_views.FindingAnswerView.as_view(), name="finding_answer"),
    path("findings/<int:pk>/decide/", legality_views.FindingDecideView.as_view(), name="finding_decide"),
    path(
        "findings/<int:pk>/evidence/", legality_views.FindingEvidenceView.as_view(), name="finding_evidence"
    ),
]
