from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    label = "oversight"
    verbose_name = _("Judicial suggestions and group risk")

    def ready(self) -> None:
        from . import documents

        documents.register()
        from cases.lpr import CENTRE_LPR_SOURCES

        from .models import centre_lpr_rows

        CENTRE_LPR_SOURCES["oversight"] = centre_lpr_rows
