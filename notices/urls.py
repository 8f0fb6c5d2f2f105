from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("case/<int:pk>/", views.CaseNoticesView.as_view(), name="case"),
    path("case/<int:pk>/send/", views.NoticeSendView.as_view(), name="send"),
    path("<int:pk>/pdf/", views.NoticePdfView.as_view(), name="pdf"),
    path("<int:pk>/proof-of-service/", views.ProofOfServiceView.as_view(), name="proof"),
    path("report/", views.DeliveryReportView.as_view(), name="report"),
    path("bulk/", views.BulkSendView.as_view(), name="bulk"),
    path("batch/<int:pk>/", views.BatchView.as_view(), name="batch"),
    path("post/build/", views.PostBatchBuildView.as_view(), name="post_build"),
    path("post/<int:pk>/pdf/", views.PostBatchPdfView.as_view(), name="post_pdf"),
    path("post/<int:pk>/mailed/", views.PostBatchMailedView.as_view(), name="post_mailed"),
]
