from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self):
        from core.registry import (
            register_detail_panel,
            register_history_children,
            register_list_annotation,
            register_lookup,
            register_versioned_models,
        )

        from . import panels

        register_lookup("contract", "contracts.Contract", ("reference", "title"))
        register_versioned_models("contracts.Contract", "contracts.Payment", "contracts.PerformanceReview",
                                  "contracts.Amendment")
        # Payments and reviews are edited on their contract's pages: their changes appear in its history.
        register_history_children("contracts.Contract", [("payments", "contract"), ("reviews", "contract"),
                                                               ("amendments", "contract")],
                                  subject_fields={"contracts.Payment": ("kind", "due_on", "amount"),
                                                  "contracts.PerformanceReview": ("reviewer_kind", "reviewed_on",
                                                                                  "total_score"),
                                                  "contracts.Amendment": ("signed_on", "amount_change")})
        register_detail_panel("organizations.Purchaser", panels.purchaser_contracts)
        register_detail_panel("organizations.Organization", panels.organization_contracts)
        register_list_annotation("organizations.Purchaser", panels.purchaser_contract_count)
