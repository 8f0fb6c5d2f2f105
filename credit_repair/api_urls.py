from django.urls import path

from . import api

urlpatterns = [
    path("payments/", api.PaymentCreateView.as_view(), name="api-repair-payments"),
    path("cases/<str:code>/balance/", api.BalanceView.as_view(), name="api-repair-balance"),
    path("cases/<str:code>/ledger/", api.LedgerView.as_view(), name="api-repair-ledger"),
    path("cases/<str:code>/repair/", api.RepairStatusView.as_view(), name="api-repair-status"),
]
