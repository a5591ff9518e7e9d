from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "attachments"
    verbose_name = _("Attachments")

    def ready(self):
        from core.registry import register_detail_panel

        from .models import PARENTS
        from .panels import attachment_panel

        for label in PARENTS.values():
            register_detail_panel(label, attachment_panel)
