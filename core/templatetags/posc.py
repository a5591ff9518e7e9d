"""Template filters and tags shared by every page: ``{% load posc %}``.

``money``         1234567.8 → "1,234,567.80" (— for None)
``percent``       0.456 → "45.6 %" (— for None)
``grade_badge``   a review grade as a coloured badge
``status_badge``  a contract status as a coloured badge
``flag_badge``    an indicator flag (none / amber / red) as a coloured badge
``field_rows``    (label, value) pairs of an object's fields for the generic detail page
``zh``            Chinese text shown in a non-Chinese UI, wrapped in ``<span lang="zh-Hans">`` (WCAG 3.1.2)
``flag_marker``   amber / red as a shape and a word besides colour (WCAG 1.4.1)
``range_parts``   the two inputs of a from–to filter, each with its own label
"""

import re
from decimal import InvalidOperation

from django import template
from django.db import models
from django.forms.renderers import get_default_renderer
from django.template import TemplateDoesNotExist
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from core.forms import is_money_field
from core.numbers import format_money, format_percent

register = template.Library()

DASH = "—"

GRADE_CLASSES = {"excellent": "text-bg-success", "good": "text-bg-primary", "pass": "text-bg-secondary",
                 "fail": "text-bg-danger"}
STATUS_CLASSES = {"draft": "text-bg-light border", "active": "text-bg-primary", "completed": "text-bg-success",
                  "terminated": "text-bg-warning", "cancelled": "text-bg-secondary"}
FLAG_CLASSES = {"none": "text-bg-success", "amber": "text-bg-warning", "red": "text-bg-danger"}


HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def ui_is_chinese():
    return (get_language() or "").lower().startswith("zh")


def zh(value):
    """``value`` marked ``lang="zh-Hans"`` when it holds Chinese characters and the page is not in Chinese, so that
    a screen reader switches voice (names of organizations and purchasers, free text). Escapes ``value``."""
    if value is None:
        return ""
    text = conditional_escape(value)
    if ui_is_chinese() or not HAN.search(str(value)):
        return text
    return mark_safe(f'<span lang="zh-Hans">{text}</span>')


register.filter("zh", zh)


@register.filter
def flag_marker(level):
    """``{{ row.government_share_flag|flag_marker }}``: amber → "▲ Amber", red → "■ Red" next to a value whose
    cell is tinted, so that the flag does not rest on colour alone; nothing for other levels."""
    markers = {"amber": ("▲", _("Amber")), "red": ("■", _("Red"))}
    if str(level or "") not in markers:
        return ""
    shape, word = markers[str(level)]
    return format_html('<span class="flag-marker flag-marker-{}"><span aria-hidden="true">{}</span> {}</span>',
                       level, shape, word)


@register.filter
def range_parts(bound_field):
    """The sub-inputs of a from–to filter (django-filter's range widgets) as ``{"id", "label", "html"}`` so that the
    panel can give each its own ``<label>`` inside a fieldset (a MultiWidget has no single ``id`` to point at)."""
    widget = bound_field.field.widget
    attrs = {"id": bound_field.auto_id} if bound_field.auto_id else {}
    context = widget.get_context(bound_field.html_name, bound_field.value(), bound_field.build_widget_attrs(attrs))
    renderer = bound_field.form.renderer or get_default_renderer()
    labels = [pgettext("range", "From"), pgettext("range", "To")]
    parts = []
    for index, sub in enumerate(context["widget"]["subwidgets"]):
        html = renderer.render(sub["template_name"], {"widget": sub})
        parts.append({"id": sub["attrs"].get("id", ""), "label": labels[index] if index < len(labels) else "",
                      "html": mark_safe(html)})
    return parts


@register.filter
def money(value):
    """An amount with two decimals and thousands separators; "—" when empty."""
    if value is None or value == "":
        return DASH
    return format_money(value)


@register.filter
def percent(value, digits=1):
    """A 0..1 ratio as a percentage; "—" when undefined."""
    if value is None or value == "":
        return DASH
    try:
        return format_percent(value, digits)
    except (InvalidOperation, TypeError, ValueError):
        return DASH


def _badge(classes, value, label):
    if not value:
        return DASH
    return format_html('<span class="badge {}">{}</span>', classes.get(str(value), "text-bg-secondary"), label)


@register.simple_tag
def grade_badge(review):
    """``{% grade_badge review %}``: the review's grade label in a coloured badge."""
    return _badge(GRADE_CLASSES, review.grade, review.get_grade_display())


@register.simple_tag
def status_badge(contract):
    """``{% status_badge contract %}``: the contract's status in a coloured badge."""
    return _badge(STATUS_CLASSES, contract.status, contract.get_status_display())


@register.filter
def flag_badge(level):
    """``{{ row.government_share_flag|flag_badge }}``: none/amber/red as a badge, "—" when undefined."""
    labels = {"none": _("OK"), "amber": _("Amber"), "red": _("Red")}
    if level is None or level == "":
        return DASH
    return _badge(FLAG_CLASSES, level, labels.get(str(level), level))


def field_html(obj, field):
    """How one model field of ``obj`` reads on a detail page (choices translated, money formatted, links)."""
    value = getattr(obj, field.name)
    if value is None or value == "":
        return DASH
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if is_money_field(field):
        return format_html('<span class="font-monospace">{}</span>', format_money(value))
    if isinstance(field, models.DateTimeField):
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        return date_format(value, "DATE_FORMAT")
    if isinstance(field, models.ForeignKey):
        url = value.get_absolute_url() if hasattr(value, "get_absolute_url") else None
        if url and not url.startswith("/admin/"):
            return format_html('<a href="{}">{}</a>', url, zh(value))
        return zh(str(value))
    if isinstance(field, models.EmailField):
        return format_html('<a href="mailto:{0}">{0}</a>', value)
    if isinstance(field, models.TextField):
        return format_html('<div class="text-prewrap">{}</div>', zh(value))
    return zh(value) if isinstance(value, str) else value


@register.simple_tag
def field_rows(obj, names=None):
    """(label, value) pairs for ``names`` (a list of field names; default: every editable concrete field)."""
    meta = obj._meta
    if names:
        fields = [meta.get_field(n) for n in names]
    else:
        fields = [f for f in meta.concrete_fields if f.editable and not f.primary_key and f.name != "version"]
    return [(f.verbose_name, field_html(obj, f)) for f in fields]


@register.simple_tag(takes_context=True)
def optional_include(context, template_name):
    """``{% optional_include "includes/history.html" %}``: include a template if it exists, else nothing."""
    try:
        included = context.template.engine.get_template(template_name)
    except TemplateDoesNotExist as exc:
        if str(exc) != template_name:
            raise
        return ""
    return included.render(context)


@register.filter
def model_label(obj):
    """The translated verbose name of an object's model ("contract", "合同")."""
    return obj._meta.verbose_name


@register.filter
def split(value, sep=None):
    """``"a b c"|split`` → ``["a", "b", "c"]`` (for listing field names in templates)."""
    return str(value).split(sep)
