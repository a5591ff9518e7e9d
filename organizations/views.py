"""Pages of purchasers, organizations, income records and annual reports: the generic views, configured."""

from django.utils.translation import gettext_lazy as _

from core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView

from .choices import ServiceCategory
from .filtersets import AnnualReportFilterSet, IncomeRecordFilterSet, OrganizationFilterSet, PurchaserFilterSet
from .forms import AnnualReportForm, IncomeRecordForm, KeyPersonFormSet, OrganizationForm, PurchaserForm
from .models import AnnualReport, IncomeRecord, KeyPerson, Organization, Purchaser
from .tables import AnnualReportTable, IncomeRecordTable, OrganizationTable, PurchaserTable

# Purchasers -------------------------------------------------------------------------------------------------------

class PurchaserListView(ObjectListView):
    """Purchasers (the contracts app adds the count of visible contracts of each, see ``contracts.panels``)."""

    model = Purchaser
    table_class = PurchaserTable
    filterset_class = PurchaserFilterSet
    queryset = Purchaser.objects.select_related("region")


class PurchaserDetailView(ObjectDetailView):
    """A purchaser's profile, spend summary and latest contracts (panels the contracts and dashboards apps
    register, see ``core.registry``)."""

    model = Purchaser

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["purchaser"] = self.object
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
    queryset = Organization.objects.select_related("region")


class OrganizationDetailView(ObjectDetailView):
    """An organization's profile, income records and annual reports; its contracts and funding mix are panels the
    contracts and dashboards apps register (``core.registry``)."""

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
        context.update({
            "organization": org,
            "income_records": IncomeRecord.objects.visible_to(user).filter(organization=org)
            .select_related("funder_purchaser"),
            "annual_reports": AnnualReport.objects.visible_to(user).filter(organization=org),
            "finances_visible": Organization.objects.with_finances_visible_to(user).filter(pk=org.pk).exists(),
            # Key persons are public profile: the same visibility as the organization.
            "key_persons": KeyPerson.objects.visible_to(user).filter(organization=org).select_related("post_purchaser"),
            "service_scope_labels": [label for value, label in ServiceCategory.choices if value in org.service_scope],
            "can_add_income": IncomeRecord.user_can_add(user) and context["can_change"],
            "can_add_report": AnnualReport.user_can_add(user) and context["can_change"],
            "editable_income_ids": set(IncomeRecord.objects.editable_by(user).filter(organization=org)
                                       .values_list("pk", flat=True)),
            "editable_report_ids": set(AnnualReport.objects.editable_by(user).filter(organization=org)
                                       .values_list("pk", flat=True)),
        })
        return context


class OrganizationEditView(ObjectEditView):
    """Add or edit an organization."""

    model = Organization
    form_class = OrganizationForm

    def get_formsets(self, form):
        """Its key persons inline, like a contract's payments (saved in the same transaction)."""
        data = self.request.POST if self.request.method == "POST" else None
        return [KeyPersonFormSet(data, instance=self.object or Organization(), prefix="key_persons",
                                 form_kwargs={"user": self.request.user})]


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
    queryset = IncomeRecord.objects.select_related("organization", "funder_purchaser")


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
    queryset = AnnualReport.objects.select_related("organization")


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
