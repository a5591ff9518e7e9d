from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = _("POSC Tracker")

    def ready(self):
        from core.concurrency import connect_signals

        connect_signals()  # every save of a contract, payment or review increments its version (no lost updates)
