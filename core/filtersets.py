"""Shared FilterSet pieces: free-text ``q`` over a model's ``search_fields`` and "a region and everything below".

Each model has exactly one FilterSet, used by its list page, its API viewset and its CSV export. Every filter of a
``BaseFilterSet`` is bounded (``core.bounds``): years 1990–2100, dates within those years, ids strictly, numbers
finite and bounded, searches without NUL and at most 200 characters. A value out of bounds makes the FilterSet
invalid (the page shows the error beside the field and answers 400; the API and the CSV exports answer 400 with
``{parameter: [message]}``), never a server error or a cut-off file.
"""

from dataclasses import dataclass

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.http import JsonResponse
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core import bounds
from core.forms import LookupSelect
from core.lookup import lookup_key, search_condition


def visible(model):
    """A callable queryset for choice filters: only what the requesting user may see."""

    def queryset(request):
        if request is None:
            return model.objects.none()
        return model.objects.visible_to(request.user)

    return queryset


@dataclass(frozen=True)
class Chosen:
    pk: int
    label: str

    def __str__(self):
        return self.label


class FilterPicker(LookupSelect):
    """Widget of a choice filter over organizations, purchasers, contracts or regions: the search picker of the edit
    forms (``core.forms.LookupSelect``, an ARIA combobox filled from ``/lookup/<key>/``, see ``static/js/posc.js``)
    always, whatever the number of rows, so that no filter asks for an internal id nor lists thousands of options.
    The hidden input submits the chosen id under the filter's name: links such as ``?organization=<id>`` and the
    API parameter work unchanged, and the box names the chosen object (looked up among the visible rows only)."""

    def __init__(self, attrs=None, choices=(), lookup=None, mode="visible"):
        super().__init__(attrs, choices, lookup=lookup, mode=mode)

    def is_large(self):
        return self.lookup is not None and getattr(self.choices, "queryset", None) is not None

    def chosen(self, value):
        """The chosen object, named as the picker names it (a region with the regions above it)."""
        obj = super().chosen(value)
        label_rows = getattr(type(obj), "lookup_labels", None)
        return Chosen(obj.pk, label_rows([obj])[0]) if obj is not None and label_rows else obj

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        for source in (self.attrs, attrs):
            classes = str(source.get("class", "")).replace("form-select-sm", "form-control-sm")
            source["class"] = classes.replace("form-select", "").strip()
        return super().render(name, value, attrs, renderer)


CHOICES_SECONDS = 300


class QuickSelect(forms.Select):
    """A ``<select>`` written in Python rather than with a template per option: the same HTML as ``forms.Select``
    (without option groups), several times faster for the hundreds of regions and purchasers of a filter panel."""

    request = None  # set by the list view (``core.views.ObjectListView``): the choices are then cached

    def cached_choices(self):
        """The (value, label) pairs of the choices. On a list page (``request`` set) those of a model choice field
        are kept in Django's cache (key: the choices' query, the label function, the language and the data version,
        ``core.datacache.data_version``) for at most ``CHOICES_SECONDS``, instead of one query and a model instance
        per option at every view. Regions have no change history, so a region renamed in the admin shows in the
        filter panels within that time."""
        from django.core.cache import cache
        from django.core.exceptions import EmptyResultSet
        from django.utils.translation import get_language

        from core.datacache import data_version, make_key

        queryset = getattr(self.choices, "queryset", None)
        field = getattr(self.choices, "field", None)
        request = getattr(self, "request", None)
        if queryset is None or field is None or request is None:
            return self.escaped_choices()
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:
            return self.escaped_choices()
        key = make_key("choices", queryset.db, sql, params, type(field).__module__, type(field).__qualname__,
                       str(field.empty_label), get_language(), data_version(request))
        choices = cache.get(key)
        if choices is None:
            choices = self.escaped_choices()
            cache.set(key, choices, CHOICES_SECONDS)
        return choices

    def escaped_choices(self):
        """(value, label) of every choice, both HTML-escaped."""
        return [(escape("" if value is None else value), escape(label)) for value, label in self.choices]

    def render(self, name, value, attrs=None, renderer=None):
        # What ChoiceWidget.optgroups() and create_option() decide (the first option whose value matches is
        # selected), without building a context dictionary per option.
        chosen = {escape(v) for v in self.format_value(value)}  # compared with the escaped values
        has_selected = False
        options = []
        for option_value, option_label in self.cached_choices():
            selected = (not has_selected or self.allow_multiple_selected) and option_value in chosen
            has_selected |= selected
            options.append(f'<option value="{option_value}"{" selected" if selected else ""}>{option_label}</option>')
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs),
                           mark_safe("".join(options)))  # every value and label is escaped above


def _attrs_html(attrs):
    """Django's ``django/forms/widgets/attrs.html``: `` name="value"``, a bare name for True, nothing for False."""
    return "".join(
        "" if value is False else f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items())


def _optional_attr(name, value):
    return f' {name}="{escape(value)}"' if value else ""


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """A ``CheckboxSelectMultiple`` written in Python: the same context as Django's widget and byte for byte the
    HTML of its templates (``multiple_input.html``, ``input_option.html``), without a template per checkbox."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<div{_optional_attr("id", widget["attrs"].get("id"))}'
                 f'{_optional_attr("class", widget["attrs"].get("class"))}>']
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{escape(localize(group))}</label>")
            for option in options:
                value_html = "" if option["value"] is None else f' value="{escape(option["value"])}"'
                tag = (f'<input type="{escape(option["type"])}" name="{escape(option["name"])}"{value_html}'
                       f'{_attrs_html(option["attrs"])}>\n')
                if option["wrap_label"]:
                    tag = (f'<label{_optional_attr("for", option["attrs"].get("id"))}>{tag} '
                           f'{escape(localize(option["label"]))}</label>')
                parts.append(f"<div>\n    {tag}\n\n</div>")
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))  # every value, label and attribute is escaped above


def large_choice_filter(model, **kwargs):
    """A ``ModelChoiceFilter`` over ``model``'s visible rows that does not enumerate them: a search picker
    (``FilterPicker``) over the rows ``/lookup/<key>/`` finds for the user."""
    return django_filters.ModelChoiceFilter(queryset=visible(model),
                                            widget=FilterPicker(lookup=lookup_key(model)), **kwargs)


class RegionTreeFilter(django_filters.ModelChoiceFilter):
    """Filter by a region and everything below it (one ``path LIKE 'prefix%'`` query). The regions' queryset
    comes from the subclass (``organizations.filtersets.RegionTreeFilter``)."""

    def __init__(self, *args, region_field="region", **kwargs):
        kwargs.setdefault("widget", FilterPicker(lookup="region"))
        kwargs.setdefault("label", _("Region (and below)"))
        kwargs.setdefault("field_name", region_field)  # lets the OpenAPI schema find the field's type
        self.region_field = region_field
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.region_field}__path__startswith": value.path})


def is_year_filter(name, filter_):
    """Whether a number filter takes a year (``year``, ``fiscal_year_min``, a ``__year`` lookup)."""
    return filter_.lookup_expr == "year" or "year" in name or "year" in (filter_.field_name or "")


def bound_filter(name, filter_):
    """Give ``filter_`` the bounded form field of its kind (``core.bounds``); called for every filter of every
    ``BaseFilterSet``, so that a filter added later is bounded without anyone remembering to."""
    if isinstance(filter_, django_filters.NumberFilter):
        filter_.field_class = bounds.YearField if is_year_filter(name, filter_) else bounds.BoundedDecimalField
        if filter_.field_class is bounds.BoundedDecimalField:
            filter_.extra.setdefault("min_value", 0)  # amounts, scores: never negative (as the API schema says)
    elif isinstance(filter_, django_filters.DateFromToRangeFilter):
        filter_.field_class = bounds.BoundedDateRangeField
    elif isinstance(filter_, django_filters.DateFilter):
        filter_.field_class = bounds.BoundedDateField
    elif isinstance(filter_, django_filters.ModelChoiceFilter):
        filter_.field_class = bounds.StrictModelChoiceField
    elif isinstance(filter_, django_filters.CharFilter):
        filter_.field_class = bounds.SearchField
    return filter_


def invalid_filter_response(filterset):
    """400 with ``{parameter: [messages]}`` for a CSV export whose filters are invalid (checked before the
    stream starts, so that a client never receives a cut-off file)."""
    return JsonResponse({name: [str(m) for m in messages] for name, messages in filterset.errors.items()},
                        status=400, json_dumps_params={"ensure_ascii": False})


class BaseFilterSet(django_filters.FilterSet):
    """Adds ``q``: a case-insensitive search over the subclass's ``search_fields``, where every word of the query
    must match, each in any of the fields ("居家照料 春晖": a title with 居家照料 and an organization named 春晖…);
    bounds every filter."""

    search_fields: tuple = ()

    q = django_filters.CharFilter(method="search", label=_("Search"),
                                  widget=forms.TextInput(attrs={"type": "search"}))

    @classmethod
    def get_filters(cls):
        return {name: bound_filter(name, f) for name, f in super().get_filters().items()}

    def search(self, queryset, name, value):
        condition = search_condition(self.search_fields, value or "", queryset.model)
        return queryset if condition is None else queryset.filter(condition)
