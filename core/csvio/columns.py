"""Column definitions: one model field (or read-only value) and the CSV columns that carry it."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.csvio.cells import (
    FORMULA_TRIGGERS,
    escape_cell,
    format_value,
    parse_bool,
    parse_date,
    parse_int,
    translations,
)
from core.csvio.lookups import AMBIGUOUS
from core.numbers import format_decimal, parse_decimal

# ---------------------------------------------------------------------------------------------------------------
# Column definitions
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class CsvColumn:
    """One column of the file: ``name`` is the header of exports; ``source`` is the ``values_list`` path."""

    name: str
    label: object
    source: str | None
    numeric: bool = False
    formatter: object = format_value
    importable: bool = False
    places: int | None = None  # decimals a number is written with (None: as it is)
    # For a column with its own ``formatter``: the same formatting in SQL for exports formatted by the database
    # (``core.csvio.dbcells``), ``{}`` standing for the value's text; without it such a column is formatted in
    # Python.
    db_text: str | None = None

    def make_formatter(self):
        return self.formatter


class Col:
    """A column definition: one model field (or one read-only value) and the CSV column(s) that carry it.

    ``csv_columns()`` lists the file's columns; on import, ``read(cells, ctx)`` turns the row's cells into the
    value for ``field_name`` (raising ``ValidationError``), and ``error_column`` names where its errors go.
    """

    field_name = None
    spec = None

    def bind(self, spec):
        self.spec = spec

    @property
    def model(self):
        return self.spec.model

    def csv_columns(self):
        raise NotImplementedError

    @property
    def error_column(self):
        return self.csv_columns()[0].name

    def present(self, header):
        """Whether the file carries this definition's value."""
        return any(c.importable and c.name in header for c in self.csv_columns())

    def read(self, cells, ctx):
        raise NotImplementedError

    def keys_for_lookup(self, cells):
        return None


class Id(Col):
    """The object's id: exported; on import it finds the object to update (models without a natural key) or,
    for an administrator importing into a database that lacks it, becomes the id of the created object."""

    field_name = "id"

    def csv_columns(self):
        return [CsvColumn("id", _("ID"), "pk", numeric=True, importable=True)]

    def read(self, cells, ctx):
        text = cells.get("id", "")
        return parse_int(text) if text else None


class Version(Col):
    """The record's ``version`` (models that count their changes): exported with every row; on import it is the
    version the row was exported at, compared with the stored one (a stale row is a conflict, never written).
    It is never written from the file: the import bumps it when a row really changes something."""

    field_name = "version"
    editable = False

    def csv_columns(self):
        return [CsvColumn("version", _("version"), "version", numeric=True, importable=True)]

    def read(self, cells, ctx):
        text = cells.get("version", "")
        if not text:
            return None
        value = parse_int(text)
        if value < 1:
            raise ValidationError(_("A version is a whole number from 1."), code="invalid")
        return value


class Field(Col):
    """A model field, exported as itself (Decimal exact, ISO date) and imported with the field's own rules."""

    def __init__(self, name, *, label=None, normalize=None):
        self.field_name = name
        self._label = label
        self.normalize = normalize

    def bind(self, spec):
        super().bind(spec)
        self.model_field = spec.model._meta.get_field(self.field_name)

    @property
    def editable(self):
        return self.model_field.editable

    def csv_columns(self):
        f = self.model_field
        numeric = isinstance(f, models.IntegerField | models.DecimalField | models.FloatField)
        formatter = format_value
        places = None
        if isinstance(f, models.DecimalField):
            places = f.decimal_places

            def formatter(value):
                return format_decimal(value, places)

        return [CsvColumn(self.field_name, self._label or f.verbose_name, self.field_name, numeric=numeric,
                          formatter=formatter, importable=self.editable, places=places)]

    def empty_value(self):
        f = self.model_field
        if f.null:
            return None
        if f.has_default():
            return f.get_default()
        if isinstance(f, models.CharField | models.TextField):
            return ""
        return None

    def parse(self, text):
        f = self.model_field
        if isinstance(f, models.BooleanField):
            return parse_bool(text)
        if isinstance(f, models.DecimalField | models.FloatField):
            return parse_decimal(text)
        if isinstance(f, models.IntegerField):
            return parse_int(text)
        if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            return parse_date(text)
        return text

    def read(self, cells, ctx):
        text = cells.get(self.field_name, "")
        if text == "":
            return self.empty_value()
        value = self.parse(text)
        return self.normalize(value) if self.normalize else value


class Choice(Field):
    """A choice field: exported as its code (``status``) and its label (``status_label``); imported from the code
    or a label in any language."""

    def csv_columns(self):
        f = self.model_field
        code = CsvColumn(self.field_name, self._label or f.verbose_name, self.field_name, importable=self.editable)
        labels = dict(f.flatchoices)
        label = CsvColumn(f"{self.field_name}_label", format_lazy("{} ({})", f.verbose_name, _("label")),
                          self.field_name, formatter=LabelFormatter(labels))
        return [code, label]

    def present(self, header):
        return self.editable and (self.field_name in header or f"{self.field_name}_label" in header)

    def choice_map(self):
        if not hasattr(self, "_choice_map"):
            mapping = {}
            for code, label in self.model_field.flatchoices:
                mapping[str(code).casefold()] = code
                for text in translations(label):
                    mapping.setdefault(text.casefold(), code)
            self._choice_map = mapping
        return self._choice_map

    def read(self, cells, ctx):
        text = cells.get(self.field_name, "")
        if text == "" and self.field_name not in cells:
            text = cells.get(f"{self.field_name}_label", "")
        if text == "":
            return self.empty_value()
        code = self.choice_map().get(text.strip().casefold())
        if code is None:
            raise ValidationError(self.model_field.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": text})
        return code


class LabelFormatter:
    """Formats a choice code as its label in the language active when the export started."""

    def __init__(self, labels):
        self.labels = labels

    def __call__(self, value):
        if value is None or value == "":
            return ""
        return str(self.labels.get(value, value))


# A cell whose first character is not one of these can never need the formula prefix (see ``escape_cell``).
_ESCAPE_START = frozenset(FORMULA_TRIGGERS) | {"'"}


def _cell_function(column):
    """``value -> escaped cell text`` for one export column; the same result as ``escape_cell(fmt(value))`` but
    built once per export: choice labels are translated once (in the language active when the export starts) and
    the common types (str, int, date, None) skip the generic formatter, so a 200k-row export spends its time in
    the database and the csv module rather than in per-cell function calls (docs/performance.md, c)."""
    fmt = column.make_formatter()
    numeric = column.numeric
    if isinstance(fmt, LabelFormatter):
        labels = {code: str(label) for code, label in fmt.labels.items()}

        def fmt(value):
            return "" if value is None or value == "" else labels.get(value) or str(value)
    elif fmt is format_value:
        def fmt(value, date=datetime.date):
            kind = type(value)
            if kind is str:
                return value
            if value is None:
                return ""
            if kind is int:
                return str(value)
            if kind is date:
                return value.isoformat()
            return format_value(value)

    def cell(value):
        text = fmt(value)
        return escape_cell(text, numeric) if text and text[0] in _ESCAPE_START else text

    return cell


class ReadOnly(Col):
    """A read-only value (an annotation or a related field) shown in exports and ignored by imports."""

    def __init__(self, name, source, label, *, numeric=False, places=None):
        self.name = name
        self.source = source
        self.label = label
        self.numeric = numeric
        self.places = places

    def csv_columns(self):
        if self.places is not None:
            places = self.places

            def formatter(value):
                return format_decimal(value, places)
        else:
            formatter = format_value
        return [CsvColumn(self.name, self.label, self.source, numeric=self.numeric, formatter=formatter,
                          places=self.places)]

    def present(self, header):
        return False



class ForeignKey(Col):
    """A foreign key: exported as the related id (``purchaser``) plus readable columns (``purchaser_name``…);
    imported through ``lookup`` from the readable columns it names (natural keys), never from the id.

    ``extra`` lists ``(column name, values path, label)``; by default ``<name>_name`` from the related name.
    """

    def __init__(self, name, lookup, extra=None, *, id_column=True):
        self.field_name = name
        self.lookup = lookup
        self.extra = extra
        self.id_column = id_column

    def bind(self, spec):
        super().bind(spec)
        self.model_field = spec.model._meta.get_field(self.field_name)
        if self.extra is None:
            self.extra = [(f"{self.field_name}_name", f"{self.field_name}__name", None)]
        self.lookup.bind(self)

    def csv_columns(self):
        f = self.model_field
        cols = []
        if self.id_column:
            cols.append(CsvColumn(self.field_name, format_lazy("{} ({})", f.verbose_name, _("ID")),
                                  self.field_name, numeric=True))
        for name, source, label in self.extra:
            cols.append(CsvColumn(name, label or f.verbose_name, source, importable=name in self.lookup.columns))
        return cols

    @property
    def error_column(self):
        return self.lookup.columns[-1] if len(self.lookup.columns) > 1 and self.lookup.joint else \
            self.lookup.columns[0]

    def present(self, header):
        return any(c in header for c in self.lookup.columns)

    def keys_for_lookup(self, cells):
        return self.lookup.key(cells)

    def read(self, cells, ctx):
        key = self.lookup.key(cells)
        if key is None:
            return None
        found = ctx.lookups[self.field_name].get(key)
        if found is None:
            raise ValidationError(self.lookup.not_found_message(key), code="not_found")
        if found is AMBIGUOUS:
            raise ValidationError(self.lookup.ambiguous_message(key), code="ambiguous")
        return found


def _has_field(model, name):
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
