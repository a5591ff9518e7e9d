"""Bounds on every input: years 1990–2100, dates within those years, ids and numbers parsed strictly,
no NUL character. The form fields, filter fields and API fields here are what the FilterSets
(``core.filtersets.BaseFilterSet``), the serializers (``core.api.ModelCleanSerializer``) and the models' date
fields (``DATE_VALIDATORS``) use, so that every path (pages, API, CSV export and import) refuses the same values
with the same message instead of failing in the database or in date arithmetic.
"""

import datetime
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.deconstruct import deconstructible
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField
from rest_framework import serializers

MIN_YEAR, MAX_YEAR = 1990, 2100
MIN_DATE, MAX_DATE = datetime.date(MIN_YEAR, 1, 1), datetime.date(MAX_YEAR, 12, 31)
MAX_ID = 2**63 - 1  # the largest primary key any supported database stores (bigint)
MAX_NUMBER = Decimal("1e15")  # amounts, scores and counts in filters: far beyond any stored value
MAX_SEARCH_LENGTH = 200


def _interpolated(message, values):
    """``message % values`` translated when used, not when this module is imported."""
    return lazy(lambda: str(message) % values, str)()


YEAR_MESSAGE = _interpolated(_("Enter a year between %(min)d and %(max)d."), {"min": MIN_YEAR, "max": MAX_YEAR})
DATE_MESSAGE = _interpolated(_("Enter a date between %(min)s and %(max)s."),
                             {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()})
ID_MESSAGE = _interpolated(_("Enter a whole number (an id) between 1 and %(max)d."), {"max": MAX_ID})
NUMBER_MESSAGE = _interpolated(_("Enter a number between -%(max)s and %(max)s."), {"max": "1000000000000000"})

_ID_RE = re.compile(r"\s*\+?(\d{1,19})\s*\Z")


@deconstructible
class DateRangeValidator:
    """A date must lie in years ``MIN_YEAR``..``MAX_YEAR`` (on every model date field: forms, API and imports)."""

    message = DATE_MESSAGE
    code = "date_range"

    def __call__(self, value):
        if value is not None and not (MIN_DATE <= value <= MAX_DATE):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator)

    def __hash__(self):
        return hash(DateRangeValidator)


DATE_VALIDATORS = [DateRangeValidator()]


def parse_id(value):
    """``value`` as a positive id (an int, or a string of digits), or None when it is anything else: ``8.5``,
    ``"8.5"``, ``True``, ``"1e3"``, a number beyond ``MAX_ID``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        match = _ID_RE.match(value)
        if not match:
            return None
        number = int(match.group(1))
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


# Form fields (FilterSets) ------------------------------------------------------------------------------------


class YearField(forms.IntegerField):
    """A year in ``MIN_YEAR``..``MAX_YEAR``."""

    default_error_messages = {"invalid": YEAR_MESSAGE}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(*args, **kwargs)
        for validator in self.validators:
            if isinstance(validator, MinValueValidator | MaxValueValidator):
                validator.message = YEAR_MESSAGE

    def to_python(self, value):
        if isinstance(value, str) and len(value.strip()) > 6:
            raise ValidationError(YEAR_MESSAGE, code="invalid")  # no int() of a megabyte of digits
        return super().to_python(value)


class BoundedDateField(forms.DateField):
    """A date in years ``MIN_YEAR``..``MAX_YEAR``."""

    default_validators = DATE_VALIDATORS


class BoundedDateRangeField(DateRangeField):
    """django-filter's from/to date pair, each date bounded."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields:
            field.validators.append(DATE_VALIDATORS[0])


class BoundedDecimalField(forms.DecimalField):
    """A finite number of at most ``MAX_NUMBER`` in size (no ``1e400`` or ``NaN`` reaching the database)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -MAX_NUMBER)
        kwargs.setdefault("max_value", MAX_NUMBER)
        super().__init__(*args, **kwargs)
        for validator in self.validators:
            if isinstance(validator, MinValueValidator | MaxValueValidator):
                validator.message = NUMBER_MESSAGE

    def to_python(self, value):
        if isinstance(value, str) and len(value.strip()) > 40:
            raise ValidationError(NUMBER_MESSAGE, code="invalid")
        return super().to_python(value)


class StrictModelChoiceField(forms.ModelChoiceField):
    """A ``ModelChoiceField`` that takes only an id (digits, within ``MAX_ID``): ``8.5`` is not object 8 and an
    id beyond any database integer is refused before a query is made."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            return value
        key = self.to_field_name or "pk"
        if key == "pk" and parse_id(value) is None:
            raise ValidationError(ID_MESSAGE, code="invalid_choice")
        return super().to_python(value)


class SearchField(forms.CharField):
    """Free text of a search (``q``): at most ``MAX_SEARCH_LENGTH`` characters, no NUL (Django's CharField)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_SEARCH_LENGTH)
        super().__init__(*args, **kwargs)


def refuse_nul(name, value):
    """Raise a ``ValidationError`` naming ``name`` when the query value ``value`` holds a NUL character."""
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError({name: [_("Null characters are not allowed.")]}, code="null_characters_not_allowed")


# API fields (serializers) ------------------------------------------------------------------------------------


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """Related objects by id, strictly: an integer (or a string of digits) within ``MAX_ID``. DRF's own field
    passes ``8.5`` to the database, which reads it as 8."""

    def to_internal_value(self, data):
        if self.pk_field is None and parse_id(data) is None:
            if isinstance(data, str):
                self.fail("does_not_exist", pk_value=data[:30])
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)



class ApiYearField(serializers.IntegerField):
    """A year query parameter of the API in ``MIN_YEAR``..``MAX_YEAR``, with the message of the filters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        kwargs.setdefault("error_messages", {key: YEAR_MESSAGE for key in ("invalid", "min_value", "max_value",
                                                                            "max_string_length")})
        super().__init__(**kwargs)
