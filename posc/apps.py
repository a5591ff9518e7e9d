from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoscConfig(AppConfig):
    name = "posc"
    verbose_name = _("POSC Tracker")
