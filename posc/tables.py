"""Shared django-tables2 pieces: the base table every list page uses and a money column.

Tables declare their columns once; the CSV export of a list reuses the same column definitions.
"""

import django_tables2 as tables

from posc.forms import format_money


class MoneyColumn(tables.Column):
    """An amount, right-aligned with thousands separators (the raw Decimal stays available to exports)."""

    def __init__(self, *args, **kwargs):
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "money"})
        attrs.setdefault("th", {"class": "money"})
        super().__init__(*args, attrs=attrs, **kwargs)

    def render(self, value):
        return format_money(value)

    def value(self, value):
        return value


class BaseTable(tables.Table):
    """Bootstrap styling, translated empty text; subclasses list their columns in ``Meta.fields``."""

    class Meta:
        attrs = {"class": "table table-hover table-sm align-middle mb-0"}
        template_name = "django_tables2/bootstrap5.html"
        orderable = True
        # The list view reads ``per_page`` itself (25/50/100 only); keep django-tables2 from taking any value.
        per_page_field = "_per_page"

    def __init__(self, *args, **kwargs):
        from django.utils.translation import gettext_lazy as _

        kwargs.setdefault("empty_text", _("No records match."))
        super().__init__(*args, **kwargs)
