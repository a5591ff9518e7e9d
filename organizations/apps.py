from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organizations and purchasers")

    def ready(self):
        from core.registry import register_lookup, register_versioned_models

        register_lookup("organization", "organizations.Organization", ("name", "uscc"))
        register_lookup("purchaser", "organizations.Purchaser", ("name", "uscc"))
        register_lookup("region", "organizations.Region", ("name", "code"))
        register_versioned_models("organizations.Organization", "organizations.Purchaser",
                                  "organizations.IncomeRecord", "organizations.AnnualReport")
