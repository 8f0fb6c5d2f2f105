from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "oversight"
    label = "oversight"
    verbose_name = _("Judicial suggestions and group risk")

    def ready(self) -> None:
        from . import documents

        documents.register()
