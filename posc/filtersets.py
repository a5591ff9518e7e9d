"""Shared FilterSet pieces: free-text ``q`` over a model's ``search_fields`` and "a region and everything below".

Each model has exactly one FilterSet, used by its list page, its API viewset and its CSV export.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def visible(model):
    """A callable queryset for choice filters: only what the requesting user may see."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.visible_to(request.user)

    return queryset


class RegionTreeFilter(django_filters.ModelChoiceFilter):
    """Filter by a region and everything below it (one ``path LIKE 'prefix%'`` query)."""

    def __init__(self, *args, region_field="region", **kwargs):
        from organizations.models import Region

        kwargs.setdefault("queryset", Region.objects.all())
        kwargs.setdefault("label", _("Region (and below)"))
        kwargs.setdefault("field_name", region_field)  # lets the OpenAPI schema find the field's type
        self.region_field = region_field
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.region_field}__path__startswith": value.path})


class BaseFilterSet(django_filters.FilterSet):
    """Adds ``q``: a case-insensitive search over the subclass's ``search_fields``."""

    search_fields: tuple = ()

    q = django_filters.CharFilter(method="search", label=_("Search"),
                                  widget=forms.TextInput(attrs={"type": "search"}))

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value or not self.search_fields:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)
