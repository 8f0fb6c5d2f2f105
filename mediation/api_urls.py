from django.urls import path

from . import api

urlpatterns = [
    path(
        "cases/<str:code>/settlement/creditor-signature/",
        api.CreditorSignatureView.as_view(),
        name="api-settlement-creditor-signature",
    ),
    path(
        "cases/<str:code>/confirmation-consent/",
        api.ConfirmationConsentView.as_view(),
        name="api-confirmation-consent",
    ),
]
