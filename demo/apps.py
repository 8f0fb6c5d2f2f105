from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demonstration data (`manage.py seed_demo`), written through the services of every other app."""

    name = "demo"
    label = "demo"
    verbose_name = _("Demo")
