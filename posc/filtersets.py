"""Shared FilterSet pieces: free-text ``q`` over a model's ``search_fields`` and "a region and everything below".

Each model has exactly one FilterSet, used by its list page, its API viewset and its CSV export.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


def visible(model):
    """A callable queryset for choice filters: only what the requesting user may see."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.visible_to(request.user)

    return queryset


class ObjectIdInput(forms.NumberInput):
    """Widget of a choice filter over a large set (thousands of organizations or contracts): an input for the
    object's id instead of a ``<select>`` listing every visible row. When a value is set, the chosen object's name
    is shown under the input (one query, among the visible rows only). Links such as ``?organization=<id>`` and the
    API parameter work unchanged."""

    def __init__(self, attrs=None):
        super().__init__({"min": 1, "placeholder": _("ID"), **(attrs or {})})

    def chosen(self, value):
        """The visible object whose id is ``value`` (None if there is none)."""
        queryset = getattr(getattr(self, "choices", None), "queryset", None)
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        return None if queryset is None else queryset.filter(pk=pk).first()

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        obj = self.chosen(value) if value not in (None, "") else None
        if obj is not None:
            html += format_html('<div class="form-text chosen-object">{}</div>', obj)
        return mark_safe(html)


class QuickSelect(forms.Select):
    """A ``<select>`` written in Python rather than with a template per option: the same HTML as ``forms.Select``
    (without option groups), several times faster for the hundreds of regions and purchasers of a filter panel."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            f'<option value="{escape(option["value"])}"{flatatt(option["attrs"]) if option["attrs"] else ""}>'
            f'{escape(option["label"])}</option>'
            for _group, group_options, _index in widget["optgroups"] for option in group_options)
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]),
                           mark_safe(options))  # every value and label is escaped above


def large_choice_filter(model, **kwargs):
    """A ``ModelChoiceFilter`` over ``model``'s visible rows that does not enumerate them (``ObjectIdInput``)."""
    return django_filters.ModelChoiceFilter(queryset=visible(model), widget=ObjectIdInput(), **kwargs)


class RegionTreeFilter(django_filters.ModelChoiceFilter):
    """Filter by a region and everything below it (one ``path LIKE 'prefix%'`` query)."""

    def __init__(self, *args, region_field="region", **kwargs):
        from organizations.models import Region

        kwargs.setdefault("queryset", Region.objects.all())
        kwargs.setdefault("widget", QuickSelect())
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
