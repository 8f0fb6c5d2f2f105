from django.urls import path

from . import views

app_name = "credit_repair"
urlpatterns = [
    path("", views.RepairDashboardView.as_view(), name="dashboard"),
    path("cure-limits/", views.CureLimitsView.as_view(), name="cure_limits"),
    path("payments/new/", views.PaymentCreateView.as_view(), name="payment_new"),
    path("payments/import/", views.PaymentImportView.as_view(), name="payment_import"),
    path("payments/import/template.csv", views.PaymentTemplateView.as_view(), name="payment_template"),
    path("payments/import/<int:pk>/", views.PaymentImportDetailView.as_view(), name="payment_import_detail"),
    path("cases/<str:code>/", views.CaseRepairView.as_view(), name="case"),
    path("cases/<str:code>/steps/<str:kind>/", views.StepCompleteView.as_view(), name="step_complete"),
    path("cases/<str:code>/enforce/", views.BreachEnforceView.as_view(), name="enforce"),
    path("objections/<int:pk>/", views.ObjectionAnswerView.as_view(), name="objection"),
    path(
        "objections/<int:pk>/evidence/<int:evidence_pk>/",
        views.ObjectionEvidenceView.as_view(),
        name="objection_evidence",
    ),
    path("verify/", views.VerifyView.as_view(), name="verify"),
    path("verify/<str:code>/", views.VerifyView.as_view(), name="verify_code"),
]
