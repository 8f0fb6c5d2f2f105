from django.urls import path

from . import views

app_name = "mediation"
urlpatterns = [
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("rules/", views.TriageRulesView.as_view(), name="rules"),
    path("queue/bulk/", views.BulkView.as_view(), name="bulk"),
    path("case/<int:pk>/", views.CasePanelView.as_view(), name="case"),
    path("case/<int:pk>/<slug:action>/", views.CaseActionView.as_view(), name="case-action"),
    path("creditor/case/<int:pk>/", views.CreditorCaseView.as_view(), name="creditor-case"),
]
