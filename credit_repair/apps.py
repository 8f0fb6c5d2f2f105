from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditRepairConfig(AppConfig):
    name = "credit_repair"
    verbose_name = _("Credit repair")

    def ready(self) -> None:
        from courts.enforcement_figures import TITLE_PAYMENT_SOURCES

        from . import documents
        from .selectors import payments_on_title

        documents.register()
        if payments_on_title not in TITLE_PAYMENT_SOURCES:
            TITLE_PAYMENT_SOURCES.append(payments_on_title)
