from django.urls import path

from . import staff_views as views

app_name = "mediation_debtor"
urlpatterns = [
    path("", views.WaitingView.as_view(), name="waiting"),
    path("case/<int:pk>/", views.CaseRequestsView.as_view(), name="case"),
    path("case/<int:pk>/<slug:action>/<int:item>/", views.CaseActionView.as_view(), name="action"),
    path("come-forward/", views.ComeForwardListView.as_view(), name="come_forward"),
    path(
        "come-forward/<int:pk>/<slug:action>/",
        views.ComeForwardActionView.as_view(),
        name="come_forward_action",
    ),
]
