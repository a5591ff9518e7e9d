"""Many plain rows written as a serializer would write them, without the per-field machinery.

``Serializer(rows, many=True).data`` calls, for every row and every field, ``get_attribute`` (through the
field's ``source_attrs``), the None check and ``to_representation``: for the indicator API's 10,000 rows × 45
fields that costs several times the JSON encoding itself. ``representer(serializer)`` looks at the serializer's
fields once and returns a function writing rows as the same dicts: read-only fields whose source is an
attribute of the row's own name, ``None`` as ``None``, and for each field type the same conversion as its
``to_representation``:

- ``IntegerField`` → ``int(value)``; ``CharField`` → ``str(value)``;
- ``DecimalField`` → quantized with the field's places, rounding and ``max_digits`` precision; a string
  (``f"{value:f}"``) when the field coerces to string, otherwise the float that DRF's JSON encoder writes for a
  ``Decimal`` (the bytes of the JSON are the same);
- any other field (``ChoiceField``, a subclass with its own ``to_representation``) → its own
  ``to_representation``.

A test compares the JSON of both for every field (tests/api/test_indicator_representation.py).
"""

import decimal

from rest_framework import fields as drf_fields
from rest_framework.settings import api_settings


def _decimal_converter(field):
    if (field.decimal_places is None or field.normalize_output or field.localize):
        return field.to_representation
    quantum = decimal.Decimal(".1") ** field.decimal_places
    context = decimal.getcontext().copy()
    if field.max_digits is not None:
        context.prec = field.max_digits
    rounding = field.rounding
    coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    Decimal = decimal.Decimal

    if coerce:
        def convert(value):
            if not isinstance(value, Decimal):
                value = Decimal(str(value).strip())
            return f"{value.quantize(quantum, rounding=rounding, context=context):f}"
    else:
        def convert(value):
            if not isinstance(value, Decimal):
                value = Decimal(str(value).strip())
            return float(value.quantize(quantum, rounding=rounding, context=context))
    return convert


def _converter(field):
    kind = type(field)
    if kind is drf_fields.IntegerField:
        return int
    if kind is drf_fields.CharField:
        return str
    if kind is drf_fields.DecimalField:
        return _decimal_converter(field)
    return field.to_representation


def representer(serializer):
    """A function ``rows -> [dict, …]`` giving what ``serializer``'s class with ``many=True`` gives for ``rows``,
    as JSON (see the module). ``serializer``: an instance (its fields bound, ``get_fields`` applied)."""
    columns = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        if len(field.source_attrs) != 1:
            raise ValueError(f"{name}: only fields reading one attribute of the row are supported")
        columns.append((name, field.source_attrs[0], _converter(field)))

    def represent(rows):
        result = []
        append = result.append
        for row in rows:
            item = {}
            for name, attribute, convert in columns:
                value = getattr(row, attribute)
                item[name] = None if value is None else convert(value)
            append(item)
        return result
    return represent


__all__ = ["representer"]
