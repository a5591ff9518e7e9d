from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organizations and purchasers")

    def ready(self):
        from core.registry import register_history_children, register_lookup, register_versioned_models

        register_lookup("organization", "organizations.Organization", ("name", "uscc"))
        register_lookup("purchaser", "organizations.Purchaser", ("name", "uscc"))
        register_lookup("region", "organizations.Region", ("name", "code"))
        register_versioned_models("organizations.Organization", "organizations.Purchaser", "organizations.KeyPerson",
                                  "organizations.IncomeRecord", "organizations.AnnualReport")
        # Key persons are edited on their organization's form: their changes appear in its history.
        register_history_children("organizations.Organization", [("key_persons", "organization")],
                                  subject_fields={"organizations.KeyPerson": ("name", "role")})
