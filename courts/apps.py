from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourtsConfig(AppConfig):
    name = "courts"
    verbose_name = _("Courts")

    def ready(self) -> None:
        from mediation.debtor_services import OBJECTION_COURT_FILERS

        from . import documents, services  # registers the deadline hooks

        documents.register()
        if services.payment_order_objection_from_debtor not in OBJECTION_COURT_FILERS:
            OBJECTION_COURT_FILERS.append(services.payment_order_objection_from_debtor)
