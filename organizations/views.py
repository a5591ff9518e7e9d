"""Pages of purchasers, organizations, income records and annual reports: the generic views, configured."""

from django.db.models import Count, Q
from django.template import engines
from django.utils.translation import gettext_lazy as _

from posc.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView

from .filtersets import AnnualReportFilterSet, IncomeRecordFilterSet, OrganizationFilterSet, PurchaserFilterSet
from .forms import AnnualReportForm, IncomeRecordForm, OrganizationForm, PurchaserForm
from .models import AnnualReport, IncomeRecord, Organization, Purchaser
from .tables import AnnualReportTable, IncomeRecordTable, OrganizationTable, PurchaserTable


def contract_model():
    """The Contract model, reached through the relation (the organizations app never imports contracts)."""
    return Purchaser._meta.get_field("contracts").related_model


def latest_contracts(contracts, related):
    """The latest ``DETAIL_CONTRACTS`` contracts with their money, for a detail page (the list page has them all)."""
    return list(contracts.select_related(related).with_money().order_by("-signed_on", "-id")[:DETAIL_CONTRACTS])


def has_indicator_tags():
    """Whether the indicators template library (funding mix, purchaser summary) is installed yet."""
    return "indicators" in engines["django"].engine.template_libraries


DETAIL_CONTRACTS = 20


# Purchasers -------------------------------------------------------------------------------------------------------

class PurchaserListView(ObjectListView):
    """Purchasers, with the count of visible contracts of each."""

    model = Purchaser
    table_class = PurchaserTable
    filterset_class = PurchaserFilterSet

    def get_queryset(self):
        visible_contracts = contract_model().objects.visible_to(self.request.user).values("pk")
        return (super().get_queryset().select_related("region")
                .annotate(contract_count=Count("contracts", filter=Q(contracts__in=visible_contracts))))


class PurchaserDetailView(ObjectDetailView):
    """A purchaser's profile, spend summary and latest contracts."""

    model = Purchaser

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contracts = contract_model().objects.visible_to(self.request.user).filter(purchaser=self.object)
        context.update({"contracts": latest_contracts(contracts, "organization"), "contract_count": contracts.count(),
                        "has_indicator_tags": has_indicator_tags(),
                        "purchaser": self.object})
        return context


class PurchaserEditView(ObjectEditView):
    """Add or edit a purchaser."""

    model = Purchaser
    form_class = PurchaserForm


class PurchaserDeleteView(ObjectDeleteView):
    """Delete a purchaser (refused while contracts refer to it)."""

    model = Purchaser


# Organizations ----------------------------------------------------------------------------------------------------

class OrganizationListView(ObjectListView):
    """Undertaking organizations."""

    model = Organization
    table_class = OrganizationTable
    filterset_class = OrganizationFilterSet

    def get_queryset(self):
        return super().get_queryset().select_related("region")


class OrganizationDetailView(ObjectDetailView):
    """An organization's profile, contracts, funding mix, income records and annual reports."""

    model = Organization
    detail_fields = ["uscc", "legal_form", "charity_status", "registered_on", "region", "business_supervisory_unit",
                     "legal_representative", "staff_count", "volunteer_count", "contact_person", "phone", "email",
                     "address", "description"]

    def get_queryset(self):
        # Both shown on the page: loading them here keeps the query count the same for every organization.
        return super().get_queryset().select_related("region", "business_supervisory_unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        org = self.object
        contracts = contract_model().objects.visible_to(user).filter(organization=org)
        context.update({
            "organization": org,
            "contracts": latest_contracts(contracts, "purchaser"),
            "contract_count": contracts.count(),
            "income_records": IncomeRecord.objects.visible_to(user).filter(organization=org)
            .select_related("funder_purchaser"),
            "annual_reports": AnnualReport.objects.visible_to(user).filter(organization=org),
            "finances_visible": Organization.objects.with_finances_visible_to(user).filter(pk=org.pk).exists(),
            "can_add_income": IncomeRecord.user_can_add(user) and context["can_change"],
            "can_add_report": AnnualReport.user_can_add(user) and context["can_change"],
            "can_add_contract": contract_model().user_can_add(user),
            "editable_income_ids": set(IncomeRecord.objects.editable_by(user).filter(organization=org)
                                       .values_list("pk", flat=True)),
            "editable_report_ids": set(AnnualReport.objects.editable_by(user).filter(organization=org)
                                       .values_list("pk", flat=True)),
            "has_indicator_tags": has_indicator_tags(),
        })
        return context


class OrganizationEditView(ObjectEditView):
    """Add or edit an organization."""

    model = Organization
    form_class = OrganizationForm


class OrganizationDeleteView(ObjectDeleteView):
    """Delete an organization (refused while contracts refer to it)."""

    model = Organization


# Income records ---------------------------------------------------------------------------------------------------

class IncomeRecordListView(ObjectListView):
    """Income records with the sum of their amounts."""

    model = IncomeRecord
    table_class = IncomeRecordTable
    filterset_class = IncomeRecordFilterSet
    totals = {"amount": _("Total income"), "restricted_amount": _("Restricted")}

    def get_queryset(self):
        return super().get_queryset().select_related("organization", "funder_purchaser")


class IncomeRecordDetailView(ObjectDetailView):
    """One income record."""

    model = IncomeRecord


class IncomeRecordEditView(ObjectEditView):
    """Add or edit an income record."""

    model = IncomeRecord
    form_class = IncomeRecordForm


class IncomeRecordDeleteView(ObjectDeleteView):
    """Delete an income record."""

    model = IncomeRecord


# Annual reports ---------------------------------------------------------------------------------------------------

class AnnualReportListView(ObjectListView):
    """Annual reports with the sum of total expenses."""

    model = AnnualReport
    table_class = AnnualReportTable
    filterset_class = AnnualReportFilterSet
    totals = {"total_expenses": _("Total expenses")}

    def get_queryset(self):
        return super().get_queryset().select_related("organization")


class AnnualReportDetailView(ObjectDetailView):
    """One annual report."""

    model = AnnualReport


class AnnualReportEditView(ObjectEditView):
    """Add or edit an annual report."""

    model = AnnualReport
    form_class = AnnualReportForm


class AnnualReportDeleteView(ObjectDeleteView):
    """Delete an annual report."""

    model = AnnualReport
