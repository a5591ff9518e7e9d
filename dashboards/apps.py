from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from core.registry import register_api_value, register_bulk_write, register_detail_panel

        from . import aggregates
        from .panels import contract_flags_api, indicator_panels

        aggregates.connect()
        register_bulk_write(aggregates.bulk_written, batch=aggregates.deferred)

        register_detail_panel("organizations.Purchaser", indicator_panels)
        register_detail_panel("organizations.Organization", indicator_panels)
        register_api_value("contracts.Contract", "flags", contract_flags_api)
