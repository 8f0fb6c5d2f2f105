from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Mediation")

    def ready(self) -> None:
        from . import documents, receivers  # noqa: F401  (connects the signal receivers)

        documents.register()
        from cases.batches.importer import BATCH_ROUTERS

        from .services import batch_router

        if batch_router not in BATCH_ROUTERS:
            BATCH_ROUTERS.append(batch_router)
        from notices.services import LATE_CONTACT_CONSENTS

        if late_contact_consented not in LATE_CONTACT_CONSENTS:
            LATE_CONTACT_CONSENTS.append(late_contact_consented)


def late_contact_consented(case_id: int) -> bool:
    """The debtor agreed to contact in the quiet hours (collection hours: "without the debtor's consent")."""
    from .models import LateContactConsent

    return LateContactConsent.objects.filter(case_id=case_id).exists()
