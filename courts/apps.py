from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourtsConfig(AppConfig):
    name = "courts"
    verbose_name = _("Courts")

    def ready(self) -> None:
        from . import documents, services  # noqa: F401  registers the deadline hooks

        documents.register()
