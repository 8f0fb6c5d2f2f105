from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditRepairConfig(AppConfig):
    name = "credit_repair"
    verbose_name = _("Credit repair")

    def ready(self) -> None:
        from cases.batches.export import case_export_columns_register
        from courts.enforcement_figures import TITLE_PAYMENT_SOURCES

        from . import documents, exports
        from .selectors import payments_on_title

        documents.register()
        case_export_columns_register(*exports.export_columns())
        if payments_on_title not in TITLE_PAYMENT_SOURCES:
            TITLE_PAYMENT_SOURCES.append(payments_on_title)
