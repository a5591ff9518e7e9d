from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from core.registry import register_api_value, register_detail_panel

        from .panels import contract_flags_api, indicator_panels

        register_detail_panel("organizations.Purchaser", indicator_panels)
        register_detail_panel("organizations.Organization", indicator_panels)
        register_api_value("contracts.Contract", "flags", contract_flags_api)
