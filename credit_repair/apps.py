from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditRepairConfig(AppConfig):
    name = "credit_repair"
    verbose_name = _("Credit repair")

    def ready(self) -> None:
        from . import documents

        documents.register()
