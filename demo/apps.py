from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo and benchmark data sets (``manage.py seed_demo``); no models of its own."""

    name = "demo"
    verbose_name = _("Demo data")
