"""One FilterSet per model, shared by list pages, API viewsets and CSV exports."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import filtersets
from core.filtersets import BaseFilterSet, large_choice_filter

from .choices import CharityStatus, IncomeSource, KeyPersonRole, LegalForm, PurchaserKind, PurchaserLevel, RegionLevel
from .models import AnnualReport, IncomeRecord, KeyPerson, Organization, Purchaser, Region


class RegionTreeFilter(filtersets.RegionTreeFilter):
    """Filter by a region and everything below it, among all regions (``Region`` lives in this app)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Region.objects.all())
        super().__init__(*args, **kwargs)


class RegionFilterSet(BaseFilterSet):
    search_fields = ("code", "name")
    level = django_filters.MultipleChoiceFilter(choices=RegionLevel.choices, label=_("Level"))
    parent = RegionTreeFilter(region_field="parent", label=_("Below region"))

    class Meta:
        model = Region
        fields = ["q", "level", "parent"]


class PurchaserFilterSet(BaseFilterSet):
    search_fields = ("name", "uscc")
    kind = django_filters.MultipleChoiceFilter(choices=PurchaserKind.choices, label=_("Kind"))
    level = django_filters.MultipleChoiceFilter(choices=PurchaserLevel.choices, label=_("Level"))
    region = RegionTreeFilter()
    is_active = django_filters.BooleanFilter(label=pgettext_lazy("purchaser", "Active"))

    class Meta:
        model = Purchaser
        fields = ["q", "kind", "level", "region", "is_active"]


class OrganizationFilterSet(BaseFilterSet):
    search_fields = ("name", "uscc", "legal_representative")
    legal_form = django_filters.MultipleChoiceFilter(choices=LegalForm.choices, label=_("Legal form"))
    charity_status = django_filters.MultipleChoiceFilter(choices=CharityStatus.choices, label=_("Charity status"))
    region = RegionTreeFilter()
    business_supervisory_unit = large_choice_filter(Purchaser, label=_("Business supervisory unit"))
    registered_on = django_filters.DateFromToRangeFilter(label=_("Registered on"))

    class Meta:
        model = Organization
        fields = ["q", "legal_form", "charity_status", "region", "business_supervisory_unit", "registered_on"]


class IncomeRecordFilterSet(BaseFilterSet):
    search_fields = ("organization__name", "organization__uscc", "funder_name", "note")
    organization = large_choice_filter(Organization, label=_("Organization"))
    fiscal_year = django_filters.NumberFilter(label=_("Fiscal year"))
    fiscal_year_min = django_filters.NumberFilter(field_name="fiscal_year", lookup_expr="gte",
                                                  label=_("Fiscal year from"))
    fiscal_year_max = django_filters.NumberFilter(field_name="fiscal_year", lookup_expr="lte",
                                                  label=_("Fiscal year to"))
    source = django_filters.MultipleChoiceFilter(choices=IncomeSource.choices, label=_("Source"))
    funder_purchaser = large_choice_filter(Purchaser, label=_("Funding purchaser"))
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte", label=_("Amount from"))
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte", label=_("Amount to"))
    region = RegionTreeFilter(region_field="organization__region")

    class Meta:
        model = IncomeRecord
        fields = ["q", "organization", "fiscal_year", "fiscal_year_min", "fiscal_year_max", "source",
                  "funder_purchaser", "amount_min", "amount_max", "region"]


class AnnualReportFilterSet(BaseFilterSet):
    search_fields = ("organization__name", "organization__uscc")
    organization = large_choice_filter(Organization, label=_("Organization"))
    fiscal_year = django_filters.NumberFilter(label=_("Fiscal year"))
    fiscal_year_min = django_filters.NumberFilter(field_name="fiscal_year", lookup_expr="gte",
                                                  label=_("Fiscal year from"))
    fiscal_year_max = django_filters.NumberFilter(field_name="fiscal_year", lookup_expr="lte",
                                                  label=_("Fiscal year to"))
    region = RegionTreeFilter(region_field="organization__region")

    class Meta:
        model = AnnualReport
        fields = ["q", "organization", "fiscal_year", "fiscal_year_min", "fiscal_year_max", "region"]


class KeyPersonFilterSet(BaseFilterSet):
    search_fields = ("name", "post_title", "organization__name", "post_purchaser__name")
    organization = large_choice_filter(Organization, label=_("Organization"))
    role = django_filters.MultipleChoiceFilter(choices=KeyPersonRole.choices, label=_("Role"))
    post_purchaser = large_choice_filter(Purchaser, label=_("Government post at"))

    class Meta:
        model = KeyPerson
        fields = ["q", "organization", "role", "post_purchaser"]
