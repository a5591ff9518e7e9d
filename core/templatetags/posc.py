"""Template filters and tags shared by every page: ``{% load posc %}``.

``money``         1234567.8 → "1,234,567.80" (— for None)
``percent``       0.456 → "45.6 %" (— for None)
``grade_badge``   a review grade as a coloured badge
``status_badge``  a contract status as a coloured badge
``flag_badge``    an indicator flag (none / amber / red) as a coloured badge
``field_rows``    (label, value) pairs of an object's fields for the generic detail page
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.db import models
from django.template import TemplateDoesNotExist
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.forms import format_money, is_money_field

register = template.Library()

DASH = "—"

GRADE_CLASSES = {"excellent": "text-bg-success", "good": "text-bg-primary", "pass": "text-bg-secondary",
                 "fail": "text-bg-danger"}
STATUS_CLASSES = {"draft": "text-bg-light border", "active": "text-bg-primary", "completed": "text-bg-success",
                  "terminated": "text-bg-warning", "cancelled": "text-bg-secondary"}
FLAG_CLASSES = {"none": "text-bg-success", "amber": "text-bg-warning", "red": "text-bg-danger"}


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
        return f"{Decimal(value) * 100:.{int(digits)}f} %"
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


def display_value(obj, field):
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
            return format_html('<a href="{}">{}</a>', url, value)
        return str(value)
    if isinstance(field, models.EmailField):
        return format_html('<a href="mailto:{0}">{0}</a>', value)
    if isinstance(field, models.TextField):
        return format_html('<div class="text-prewrap">{}</div>', value)
    return value


@register.simple_tag
def field_rows(obj, names=None):
    """(label, value) pairs for ``names`` (a list of field names; default: every editable concrete field)."""
    meta = obj._meta
    if names:
        fields = [meta.get_field(n) for n in names]
    else:
        fields = [f for f in meta.concrete_fields if f.editable and not f.primary_key and f.name != "version"]
    return [(f.verbose_name, display_value(obj, f)) for f in fields]


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
