from django.urls import path, re_path

from . import views

app_name = "batches"
urlpatterns = [
    path("", views.BatchListView.as_view(), name="list"),
    re_path(r"^template\.(?P<fmt>xlsx|csv)$", views.TemplateDownloadView.as_view(), name="template"),
    path("<int:pk>/", views.BatchDetailView.as_view(), name="detail"),
    path("<int:pk>/status/", views.BatchStatusView.as_view(), name="status"),
    path("<int:pk>/retry/", views.BatchRetryView.as_view(), name="retry"),
    re_path(
        r"^(?P<pk>[0-9]+)/errors\.(?P<fmt>xlsx|csv)$", views.BatchErrorsExportView.as_view(), name="errors"
    ),
    re_path(
        r"^(?P<pk>[0-9]+)/rejected-rows\.(?P<fmt>xlsx|csv)$",
        views.BatchRejectedRowsView.as_view(),
        name="rejected_rows",
    ),
    re_path(r"^cases/export\.(?P<fmt>xlsx|csv)$", views.CaseExportView.as_view(), name="cases_export"),
    path("cases/withdraw/", views.CaseWithdrawView.as_view(), name="cases_withdraw"),
]
