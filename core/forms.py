"""Shared form pieces: money fields that accept "1,234,567.89", HTML date inputs, and a model form base class that
limits every choice field to what the user may see (or change) and renders with crispy-forms."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.db import models
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.lookup import lookup_key
from core.numbers import format_money, normalize_number


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
    """A DecimalField for CNY amounts that accepts what ``core.numbers.parse_decimal`` accepts: ``1,234,567.89``,
    ``1234567.89``, ``¥1 234 567``, full-width digits, commas and minus…"""

    widget = MoneyInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.pop("localize", None)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = normalize_number(value)  # the same characters as every other number input (core.numbers)
        return super().to_python(value)

    def widget_attrs(self, widget):
        # DecimalField would add step/min/max (number input attributes); a text input needs none of them.
        return {}



class DateInput(forms.DateInput):
    """The browser's date picker (``<input type="date">``), which always submits ISO dates."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def is_money_field(db_field):
    return isinstance(db_field, models.DecimalField) and db_field.decimal_places == 2 and db_field.max_digits == 14


class LookupSelect(forms.Select):
    """Widget of ``LookupChoiceField``: the ordinary ``<select>`` while the field's queryset has at most
    ``max_options`` rows (counted once per rendering, with ``LIMIT max_options + 1``); above that, a search box (an
    ARIA combobox filled by ``core.lookup`` as the user types, see ``static/js/posc.js``) plus a hidden input that
    submits the chosen object's id. When editing, the box shows the current object's name (looked up among the
    field's queryset only, so an id out of the user's scope is never named)."""

    max_options = 300

    def __init__(self, attrs=None, choices=(), lookup=None, mode="visible"):
        super().__init__(attrs, choices)
        self.lookup = lookup  # a core.lookup.LOOKUPS key
        self.mode = mode  # "visible" or "editable": which rows core.lookup searches (the field's queryset's)

    def is_large(self):
        """More than ``max_options`` rows to choose from (one query)."""
        queryset = getattr(self.choices, "queryset", None)
        if self.lookup is None or queryset is None:
            return False
        return queryset.order_by()[:self.max_options + 1].count() > self.max_options

    def chosen(self, value):
        """The object of the field's queryset whose id is ``value`` (None if there is none)."""
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        value = getattr(value, "pk", value)
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        return self.choices.queryset.filter(pk=pk).first()

    def render(self, name, value, attrs=None, renderer=None):
        if not self.is_large():
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        input_id = final.pop("id", None) or f"id_{name}"
        classes = [c for c in str(final.pop("class", "")).split() if c != "form-select"]
        invalid = "is-invalid" in classes
        if final.pop("required", False):
            final["aria-required"] = "true"
        chosen = self.chosen(value)
        listbox_id = f"{input_id}_listbox"
        final.update({
            "type": "text", "id": input_id, "class": " ".join(["form-control", *classes]), "role": "combobox",
            "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listbox_id, "autocomplete": "off",
            "value": "" if chosen is None else str(chosen), "placeholder": _("Type to search…"),
            "data-lookup-input": True,
        })
        return format_html(
            '<div class="posc-lookup position-relative{}" data-lookup-url="{}" data-lookup-mode="{}" '
            'data-lookup-empty="{}" data-lookup-count="{}"><input type="hidden" name="{}" value="{}" data-lookup-value>'
            '<input{}><ul class="list-group posc-lookup-list shadow-sm" id="{}" role="listbox" hidden></ul>'
            '<div class="list-group posc-lookup-list shadow-sm" data-lookup-none hidden>'
            '<div class="list-group-item text-body-secondary">{}</div></div>'
            '<div class="visually-hidden" role="status" aria-live="polite" data-lookup-status></div></div>',
            " is-invalid" if invalid else "", reverse("lookup", args=[self.lookup]), self.mode, _("No matches"),
            _("Matches: %(count)s") % {"count": "{count}"},
            name, "" if chosen is None else chosen.pk, flatatt(final), listbox_id, _("No matches"))


class LookupChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` whose queryset may be large (organizations, purchasers, contracts): rendered by
    ``LookupSelect``. Validation is ``ModelChoiceField``'s: the submitted id must be in the queryset."""

    widget = LookupSelect

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, **kwargs)
        if isinstance(self.widget, LookupSelect):
            self.widget.lookup = lookup_key(queryset.model)


def poscformfield(db_field, **kwargs):
    """formfield_callback: money → MoneyField, dates → date picker, foreign keys to organizations, purchasers and
    contracts → ``LookupChoiceField``, everything else as Django makes it."""
    if isinstance(db_field, models.ForeignKey) and lookup_key(db_field.related_model):
        return db_field.formfield(form_class=LookupChoiceField, **kwargs)
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
                    if isinstance(field.widget, LookupSelect):  # the search box searches the same rows
                        field.widget.mode = "editable" if name in self.editable_choice_fields else "visible"
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    class Meta:
        formfield_callback = poscformfield

