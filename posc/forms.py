"""Shared form pieces: money fields that accept "1,234,567.89", HTML date inputs, and a model form base class that
limits every choice field to what the user may see (or change) and renders with crispy-forms."""

import re
from decimal import Decimal, InvalidOperation

from crispy_forms.helper import FormHelper
from django import forms
from django.db import models

# Characters people type into amounts: thousands separators (ASCII, full-width, Chinese enumeration comma),
# spaces (also non-breaking and full-width) and currency signs.
_AMOUNT_NOISE = re.compile(r"[,，、\s\u00a0\u3000¥￥元]")


def format_money(value):
    """``Decimal('1234567.8')`` → ``'1,234,567.80'``; ``None``/empty → ``''``. Grouping by three in every language."""
    if value is None or value == "":
        return ""
    try:
        value = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{value:,.2f}"


class MoneyInput(forms.TextInput):
    """A text input (so separators are allowed) showing the amount with thousands separators."""

    def __init__(self, attrs=None):
        base = {"inputmode": "decimal", "class": "money-input text-end", "autocomplete": "off"}
        base.update(attrs or {})
        super().__init__(base)

    def format_value(self, value):
        if isinstance(value, Decimal | int | float):
            return format_money(value)
        return super().format_value(value)


class MoneyField(forms.DecimalField):
    """A DecimalField for CNY amounts that accepts ``1,234,567.89``, ``1234567.89``, ``¥1 234 567``, full-width
    commas…"""

    widget = MoneyInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.pop("localize", None)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = _AMOUNT_NOISE.sub("", value.translate(_FULL_WIDTH_DIGITS))
        return super().to_python(value)

    def widget_attrs(self, widget):
        # DecimalField would add step/min/max (number input attributes); a text input needs none of them.
        return {}


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


class DateInput(forms.DateInput):
    """The browser's date picker (``<input type="date">``), which always submits ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def is_money_field(db_field):
    return isinstance(db_field, models.DecimalField) and db_field.decimal_places == 2 and db_field.max_digits == 14


def poscformfield(db_field, **kwargs):
    """formfield_callback: money → MoneyField, dates → date picker, everything else as Django makes it."""
    if is_money_field(db_field):
        return db_field.formfield(form_class=MoneyField, **kwargs)
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        kwargs.setdefault("widget", DateInput)
        return db_field.formfield(**kwargs)
    return db_field.formfield(**kwargs)


class PoscModelForm(forms.ModelForm):
    """Base model form of every page.

    Takes ``user=`` and narrows each model choice field to ``Model.objects.visible_to(user)``, or to
    ``editable_by(user)`` for the fields named in ``editable_choice_fields`` (the parent a user attaches a new
    object to: a contract's purchaser, a payment's contract, an income record's organization). Crispy-forms renders
    it without its own ``<form>`` tag, so the page template controls buttons.
    """

    editable_choice_fields = ()

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 3)
            if isinstance(field, forms.ModelChoiceField) and user is not None:
                manager = field.queryset.model._default_manager
                if hasattr(manager, "visible_to"):
                    field.queryset = (manager.editable_by(user) if name in self.editable_choice_fields
                                      else manager.visible_to(user))
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    class Meta:
        formfield_callback = poscformfield

