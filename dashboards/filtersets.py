"""Filters of the dashboards. They narrow the organizations (or purchasers) in the database; the year and the
flag level are read by the views (the year chooses what is computed, the flag level filters computed rows)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.choices import ServiceCategory
from contracts.models import Contract
from core.filtersets import BaseFilterSet
from organizations.choices import LegalForm, PurchaserKind
from organizations.filtersets import RegionTreeFilter
from organizations.models import Organization, Purchaser

FLAG_FILTER_CHOICES = [
    ("flagged", _("Amber or red")),
    ("red", _("Red")),
    ("amber", _("Amber")),
    ("none", _("No flag")),
]


def matches_flag(level, wanted):
    """Whether a row whose worst flag is ``level`` passes the flag filter ``wanted``."""
    if not wanted:
        return True
    if wanted == "flagged":
        return level in ("amber", "red")
    return level == wanted


class YearFilterMixin(django_filters.FilterSet):
    year = django_filters.NumberFilter(method="keep", label=_("Year"),
                                       widget=forms.NumberInput(attrs={"min": 1990, "max": 2100, "step": 1}))
    flag = django_filters.ChoiceFilter(choices=FLAG_FILTER_CHOICES, method="keep", label=_("Flag level"),
                                       empty_label=_("Any"))

    def keep(self, queryset, name, value):
        """Read by the view, not a queryset filter."""
        return queryset


class DependencyFilterSet(YearFilterMixin, BaseFilterSet):
    """Organizations on the dependency dashboard: region (and below), legal form, service category (of a
    contract the user may see), search; plus year and flag level read by the view."""

    search_fields = ("name", "uscc")
    region = RegionTreeFilter()
    legal_form = django_filters.MultipleChoiceFilter(choices=LegalForm.choices, label=_("Legal form"))
    service_category = django_filters.MultipleChoiceFilter(choices=ServiceCategory.choices, method="by_category",
                                                           label=_("Service category"))

    class Meta:
        model = Organization
        fields = ["year", "q", "region", "legal_form", "service_category", "flag"]

    def by_category(self, queryset, name, value):
        if not value:
            return queryset
        contracts = Contract.objects.visible_to(self.request.user) if self.request else Contract.objects.none()
        return queryset.filter(pk__in=contracts.filter(service_category__in=value).values("organization_id"))


class PurchaserDashboardFilterSet(YearFilterMixin, BaseFilterSet):
    """Purchasers on the purchaser dashboard: region (and below), kind, search; plus year and flag level."""

    search_fields = ("name", "uscc")
    region = RegionTreeFilter()
    kind = django_filters.MultipleChoiceFilter(choices=PurchaserKind.choices, label=_("Kind"))

    class Meta:
        model = Purchaser
        fields = ["year", "q", "region", "kind", "flag"]
