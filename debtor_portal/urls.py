from django.urls import path

from . import views

app_name = "debtor"
urlpatterns = [
    path("", views.StartView.as_view(), name="start"),
    path("notice/<str:token>/", views.NoticeStartView.as_view(), name="notice"),
    path("code/", views.CodeView.as_view(), name="code"),
    path("sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path("cases/", views.CasesView.as_view(), name="cases"),
    path("cases/<int:pk>/object/", views.ObjectionView.as_view(), name="object"),
    path("cases/<int:pk>/propose/", views.ProposalView.as_view(), name="propose"),
    path(
        "cases/<int:pk>/proposals/<int:proposal>/accept/",
        views.ProposalAcceptView.as_view(),
        name="accept_offer",
    ),
    path("cases/<int:pk>/statement/", views.StatementView.as_view(), name="statement"),
    path("cases/<int:pk>/reschedule/", views.CureView.as_view(), name="cure"),
    path("cases/<int:pk>/hardship/", views.HardshipView.as_view(), name="hardship"),
    path("cases/<int:pk>/agreement/", views.AgreementView.as_view(), name="agreement"),
    path("cases/<int:pk>/notices/<int:notice>/pdf/", views.NoticePdfView.as_view(), name="notice_pdf"),
    path("cases/<int:pk>/credit-objection/", views.CreditObjectionView.as_view(), name="credit_objection"),
    path("evidence/<int:pk>/", views.EvidenceView.as_view(), name="evidence"),
    path("come-forward/", views.ComeForwardView.as_view(), name="come_forward"),
    path("come-forward/thanks/", views.come_forward_done, name="come_forward_done"),
]
