"""One FilterSet per model, shared by list pages, API viewsets and CSV exports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filtersets import BaseFilterSet, large_choice_filter
from organizations.choices import LegalForm
from organizations.filtersets import RegionTreeFilter
from organizations.models import Organization, Purchaser

from .choices import ContractStatus, Grade, PaymentKind, ProcurementMethod, ReviewerKind, ServiceCategory
from .models import Amendment, Contract, Payment, PerformanceReview


class ContractFilterSet(BaseFilterSet):
    search_fields = ("reference", "title", "purchaser__name", "organization__name", "organization__uscc")
    purchaser = large_choice_filter(Purchaser, label=_("Purchaser"))
    organization = large_choice_filter(Organization, label=_("Organization"))
    service_category = django_filters.MultipleChoiceFilter(choices=ServiceCategory.choices,
                                                           label=_("Service category"))
    procurement_method = django_filters.MultipleChoiceFilter(choices=ProcurementMethod.choices,
                                                             label=_("Procurement method"))
    status = django_filters.MultipleChoiceFilter(choices=ContractStatus.choices, label=_("Status"))
    year = django_filters.NumberFilter(field_name="signed_on", lookup_expr="year", label=_("Year signed"))
    signed_on = django_filters.DateFromToRangeFilter(label=_("Signed between"))
    end_on = django_filters.DateFromToRangeFilter(label=_("Ends between"))
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", label=_("Amount from"))
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", label=_("Amount to"))
    region = RegionTreeFilter(label=_("Service area (and below)"))
    purchaser_region = RegionTreeFilter(region_field="purchaser__region", label=_("Purchaser region (and below)"))
    legal_form = django_filters.MultipleChoiceFilter(field_name="organization__legal_form",
                                                     choices=LegalForm.choices, label=_("Legal form"))

    class Meta:
        model = Contract
        fields = ["q", "purchaser", "organization", "service_category", "procurement_method", "status", "year",
                  "signed_on", "end_on", "amount_min", "amount_max", "region", "purchaser_region", "legal_form"]


class PaymentFilterSet(BaseFilterSet):
    search_fields = ("contract__reference", "contract__title", "contract__organization__name", "note")
    contract = large_choice_filter(Contract, label=_("Contract"))
    purchaser = large_choice_filter(Purchaser, field_name="contract__purchaser", label=_("Purchaser"))
    organization = large_choice_filter(Organization, field_name="contract__organization", label=_("Organization"))
    kind = django_filters.MultipleChoiceFilter(choices=PaymentKind.choices, label=_("Kind"))
    due_on = django_filters.DateFromToRangeFilter(label=_("Due between"))
    paid_on = django_filters.DateFromToRangeFilter(label=_("Paid between"))
    paid = django_filters.BooleanFilter(field_name="paid_on", lookup_expr="isnull", exclude=True, label=_("Paid"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", label=_("Amount from"))
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", label=_("Amount to"))
    region = RegionTreeFilter(region_field="contract__region", label=_("Service area (and below)"))

    class Meta:
        model = Payment
        fields = ["q", "contract", "purchaser", "organization", "kind", "due_on", "paid_on", "paid", "overdue",
                  "amount_min", "amount_max", "region"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class PerformanceReviewFilterSet(BaseFilterSet):
    search_fields = ("contract__reference", "contract__title", "contract__organization__name", "reviewer_name",
                     "findings")
    contract = large_choice_filter(Contract, label=_("Contract"))
    purchaser = large_choice_filter(Purchaser, field_name="contract__purchaser", label=_("Purchaser"))
    organization = large_choice_filter(Organization, field_name="contract__organization", label=_("Organization"))
    reviewer_kind = django_filters.MultipleChoiceFilter(choices=ReviewerKind.choices, label=_("Reviewer"))
    grade = django_filters.MultipleChoiceFilter(choices=Grade.choices, label=_("Grade"))
    reviewed_on = django_filters.DateFromToRangeFilter(label=_("Reviewed between"))
    total_min = django_filters.NumberFilter(field_name="total_score", lookup_expr="gte", label=_("Total score from"))
    total_max = django_filters.NumberFilter(field_name="total_score", lookup_expr="lte", label=_("Total score to"))
    region = RegionTreeFilter(region_field="contract__region", label=_("Service area (and below)"))

    class Meta:
        model = PerformanceReview
        fields = ["q", "contract", "purchaser", "organization", "reviewer_kind", "grade", "reviewed_on",
                  "total_min", "total_max", "region"]


class AmendmentFilterSet(BaseFilterSet):
    search_fields = ("contract__reference", "contract__title", "contract__organization__name", "reason")
    contract = large_choice_filter(Contract, label=_("Contract"))
    purchaser = large_choice_filter(Purchaser, field_name="contract__purchaser", label=_("Purchaser"))
    organization = large_choice_filter(Organization, field_name="contract__organization", label=_("Organization"))
    signed_on = django_filters.DateFromToRangeFilter(label=_("Signed between"))

    class Meta:
        model = Amendment
        fields = ["q", "contract", "purchaser", "organization", "signed_on"]
