"""Shared django-tables2 pieces: the base table every list page uses and a money column.

Tables declare their columns once; the CSV export of a list reuses the same column definitions.
"""


import django_tables2 as tables
from django.template.defaultfilters import date as date_filter
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

from core.compat import DATE_COLUMN_TEMPLATE, optional_cell_arguments, signature
from core.numbers import format_money
from core.templatetags.posc import HAN, ui_is_chinese


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
        template_name = "django_tables2/posc_bootstrap5.html"
        orderable = True
        # The list view reads ``per_page`` itself (25/50/100 only); keep django-tables2 from taking any value.
        per_page_field = "_per_page"

    def __init__(self, *args, **kwargs):
        from django.utils.translation import gettext_lazy as _

        kwargs.setdefault("empty_text", _("No records match."))
        super().__init__(*args, **kwargs)

    def body_rows(self):
        """The ``<tr>`` elements of the current page, each one safe HTML string.

        The same cells and attributes as django-tables2's ``bootstrap5.html`` row loop (each column's ``render``
        or ``render_<name>``, ``linkify``, ``default``, choice labels, ``td`` attributes, ``localize``), but
        written in one pass in Python: the template renders one string per row instead of a template context,
        an attribute dictionary and a signature inspection per cell (on a 25-row list that loop was a third of
        the page's time). The django-tables2 internals this relies on are in ``core.compat``.
        """
        columns = list(self.columns)
        plans = [_CellPlan(self, column) for column in columns]
        mark_chinese = not ui_is_chinese()
        rows = []
        for row in self.paginated_rows:
            cells = []
            for column, plan in zip(columns, plans, strict=True):
                value = row._get_and_render_with(column, render_func=plan.render(row), default=column.default)
                cells.append(plan.td(value, row.record, mark_chinese))
            rows.append(mark_safe(f"<tr {row.attrs.as_html()}>{''.join(cells)}</tr>"))
        return rows


def _has_callable(*dicts):
    return any(callable(v) for d in dicts for v in (d or {}).values())


class _CellPlan:
    """What does not change from one row to the next for one column: its render function's arguments, its
    ``<td>`` attributes when none is computed from the row, how its value is localized."""

    def __init__(self, table, bound_column):
        self.bound_column = bound_column
        self.args, self.takes_kwargs = signature(bound_column.render)
        self.link = bound_column.link
        self.localize = bound_column.localize
        self.date_format = None
        column = bound_column.column
        if type(column) is tables.DateColumn and not column.extra_context and bound_column.render == column.render:
            match = DATE_COLUMN_TEMPLATE.fullmatch(column.template_code or "")
            self.date_format = match and match[1]
        attrs = {**dict(table.attrs), **dict(bound_column.column.attrs)}
        self.static_td = None
        if not _has_callable(attrs.get("td"), attrs.get("cell")):
            self.static_td = f"<td {bound_column.attrs['td'].as_html()}>"

    def render(self, row):
        """The render function ``BoundRow._get_and_render_with`` calls for this column and ``row``."""

        def render(bound_column, value=None):
            kwargs = optional_cell_arguments(row, bound_column, value)
            if self.date_format is not None:
                # DateColumn's template ``{{ value|date:"<format>"|default:default }}`` without compiling it per cell.
                text = date_filter(template_localtime(value), self.date_format) or bound_column.default
                content = conditional_escape(localize(text))
            elif not self.takes_kwargs:
                if any(arg not in kwargs for arg in self.args):
                    content = None
                else:
                    content = bound_column.render(**{arg: kwargs[arg] for arg in self.args})
            else:
                content = bound_column.render(**kwargs)
            return self.link(content, **kwargs) if self.link else content

        return render

    def td(self, value, record, mark_chinese=False):
        """One ``<td>…</td>`` as the template would write it; with ``lang="zh-Hans"`` when ``mark_chinese`` and
        the cell holds Chinese (names and free text in the English UI: a screen reader switches voice)."""
        column = self.bound_column
        if self.static_td is not None:
            opening = self.static_td
        else:
            column.current_value, column.current_record = value, record
            opening = f"<td {column.attrs['td'].as_html()}>"
        value = template_localtime(value)
        if self.localize is None:
            text = localize(value)
        else:
            text = localize(value, use_l10n=self.localize)
        html = conditional_escape(text)
        if mark_chinese and HAN.search(html):
            opening = f'{opening[:-1]} lang="zh-Hans">'
        return f"{opening}{html}</td>"
