from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OcdsConfig(AppConfig):
    name = "ocds"
    verbose_name = _("Open contracting data (OCDS)")

    def ready(self):
        from . import checks  # noqa: F401  (registers the OCDS_PREFIX check)
