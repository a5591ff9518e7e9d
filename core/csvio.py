"""CSV files of POSC Tracker: one column definition per model for exports and imports (docs/csv.md).

- ``CsvSpec`` describes a model's file: its columns (``Id``, ``Field``, ``Choice``, ``ForeignKey``, ``ReadOnly``),
  the natural keys that find an existing object, and the lookups that resolve foreign keys from readable values.
  Each app declares its specs in ``<app>/tables.py`` (section "CSV columns") with ``register``.
- Exports (``export_response``; hooks ``list_export_response`` for list pages, ``CsvListMixin`` for API viewsets,
  ``rows_response`` for dashboards and indicator rows) stream ``values_list()`` rows in chunks: constant memory
  and a fixed number of queries, UTF-8 with a BOM, formula-injection escaping (DESIGN §7).
- Imports (``Importer``) detect the encoding (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK) and the
  delimiter (comma or tab), accept field names or labels as headers, resolve natural keys in bulk, validate every
  row like the forms (field validators, ``clean()``, constraints, uniqueness) and write all rows or none.
"""

import csv
import datetime
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q, Value
from django.db.models.expressions import CombinedExpression
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.renderers import BaseRenderer

BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
EXPORT_CHUNK_SIZE = 2000
LOOKUP_CHUNK = 2000
CHANGE_REASON = "CSV import"

# ---------------------------------------------------------------------------------------------------------------
# Cells: formula-injection escaping and value formatting
# ---------------------------------------------------------------------------------------------------------------


def needs_prefix(text):
    """True when a spreadsheet could read ``text`` as a formula (after any leading apostrophes)."""
    stripped = text.lstrip("'")
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


def escape_cell(text, numeric=False):
    """Prefix ``'`` to a cell that begins with ``= + - @``, tab or CR (also behind apostrophes, so that
    ``unescape_cell`` restores every value exactly); a plain number in a numeric column stays as it is."""
    if numeric and PLAIN_NUMBER.match(text):
        return text
    return "'" + text if needs_prefix(text) else text


def unescape_cell(text):
    """Undo ``escape_cell``: drop the ``'`` that an export put in front of a formula-like value."""
    if text.startswith("'") and needs_prefix(text[1:]):
        return text[1:]
    return text


def format_decimal(value, places=None):
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    return format(value, "f")


def format_value(value):
    """A Python value as a CSV cell: ISO dates, exact decimals, ``true``/``false``, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


TRUE_WORDS = {"true", "1", "yes", "y", "t", "on", "是", "真"}
FALSE_WORDS = {"false", "0", "no", "n", "f", "off", "否", "假"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_NUMBER_NOISE = re.compile(r"[,，、\s\u00a0\u3000¥￥元]")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")


def parse_decimal(text):
    cleaned = _NUMBER_NOISE.sub("", text.translate(_FULL_WIDTH))
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None
    if not value.is_finite():
        raise ValidationError(_("Enter a number."))
    return value


def parse_int(text):
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise ValidationError(_("Enter a whole number."))
    return int(value)


def parse_date(text):
    text = text.strip().translate(_FULL_WIDTH)
    if " " in text:  # "2025-01-10 00:00:00" as some spreadsheets save dates
        text = text.split(" ", 1)[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("Enter a valid date (YYYY-MM-DD)."))


def parse_bool(text):
    word = text.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(_("Enter true or false."))


def _languages():
    return [code for code, _name in settings.LANGUAGES]


def translations(text):
    """``text`` (a lazy string) in every configured language, plus its untranslated form."""
    result = {str(text)}
    for code in _languages():
        with translation.override(code):
            result.add(str(text))
    return result


def header_key(text):
    return re.sub(r"[\s_]+", " ", str(text)).strip().casefold()


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
        if isinstance(f, models.DecimalField):
            places = f.decimal_places

            def formatter(value):
                return format_decimal(value, places)

        return [CsvColumn(self.field_name, self._label or f.verbose_name, self.field_name, numeric=numeric,
                          formatter=formatter, importable=self.editable)]

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
        return [CsvColumn(self.name, self.label, self.source, numeric=self.numeric, formatter=formatter)]

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


AMBIGUOUS = object()


class Lookup:
    """Resolves readable values (natural keys) to related objects in bulk: one or two queries per import.

    ``scope`` is ``"visible"`` (``visible_to``) or ``"editable"`` (``editable_by``): a row naming an object out of
    that scope gets the same "not found or not yours" error as a row naming nothing. ``columns`` are the CSV
    columns read; the first non-empty one gives the key, unless ``joint`` (all together form the key).
    """

    model = None
    columns = ()
    scope = "visible"
    joint = False

    def __init__(self, model=None, scope=None, columns=None):
        if model is not None:
            self.model = model
        if scope:
            self.scope = scope
        if columns:
            self.columns = tuple(columns)

    def bind(self, col):
        self.col = col
        if not self.columns:
            self.columns = (f"{col.field_name}_name",)

    def queryset(self, user):
        manager = self.model._default_manager
        return manager.editable_by(user) if self.scope == "editable" else manager.visible_to(user)

    def key(self, cells):
        for column in self.columns:
            value = cells.get(column, "")
            if value:
                return value
        return None

    def fetch(self, keys, user, ctx):
        """{key: pk} for the keys found (``AMBIGUOUS`` for a name shared by several objects)."""
        raise NotImplementedError

    def not_found_message(self, key):
        verbose = self.model._meta.verbose_name
        if self.scope == "editable":
            return format_lazy(_("{model} “{key}” not found or not yours."), model=capfirst(verbose),
                               key=_key_text(key))
        return format_lazy(_("{model} “{key}” not found."), model=capfirst(verbose), key=_key_text(key))

    def ambiguous_message(self, key):
        return format_lazy(_("Several {models} are called “{key}”: give the code instead of the name."),
                           models=self.model._meta.verbose_name_plural, key=_key_text(key))


def _key_text(key):
    return " / ".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def _chunks(values, size=LOOKUP_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _add_found(found, key, pk):
    previous = found.get(key)
    found[key] = pk if previous is None or previous == pk else AMBIGUOUS


class CodeOrNameLookup(Lookup):
    """By a unique code (region ``code``), or by a name when exactly one object has it."""

    def __init__(self, model, code_field="code", **kwargs):
        super().__init__(model, **kwargs)
        self.code_field = code_field

    def bind(self, col):
        if not self.columns:
            self.columns = (f"{col.field_name}_{self.code_field}", f"{col.field_name}_name")
        super().bind(col)

    def fetch(self, keys, user, ctx):
        by_code, by_name = {}, {}
        for chunk in _chunks(keys):
            rows = self.queryset(user).filter(Q(**{f"{self.code_field}__in": chunk}) | Q(name__in=chunk))
            for pk, code, name in rows.values_list("pk", self.code_field, "name"):
                if code in keys:
                    by_code[code] = pk
                if name in keys:
                    _add_found(by_name, name, pk)
        return {**by_name, **by_code}  # a code wins over a name


class NameOrUsccLookup(Lookup):
    """By exact name or by unified social credit code (purchasers: both are unique; organizations: the USCC is,
    a name counts only when it names exactly one object). ``details`` are values remembered per object
    (``ctx.details[(field, pk)]``), e.g. a purchaser's region."""

    def __init__(self, model, details=(), **kwargs):
        super().__init__(model, **kwargs)
        self.details = tuple(details)

    def fetch(self, keys, user, ctx):
        from core.uscc import normalize_uscc

        found = {}
        usccs = {normalize_uscc(k): k for k in keys}
        for chunk in _chunks(keys):
            rows = self.queryset(user).filter(Q(name__in=chunk) | Q(uscc__in=[normalize_uscc(k) for k in chunk]))
            for row in rows.values_list("pk", "name", "uscc", *self.details):
                pk, name, uscc = row[:3]
                if self.details and ctx is not None:
                    ctx.details[(self.col.field_name, pk)] = dict(zip(self.details, row[3:], strict=True))
                if uscc and uscc in usccs:
                    found[usccs[uscc]] = pk
                if name in keys:
                    _add_found(found, name, pk)
        return found


class ContractLookup(Lookup):
    """A contract by its purchaser (name or USCC) and its contract number."""

    columns = ("purchaser_name", "contract_reference")
    scope = "editable"
    joint = True

    def __init__(self, model, purchaser_model, **kwargs):
        super().__init__(model, **kwargs)
        self.purchaser_model = purchaser_model

    def key(self, cells):
        purchaser, reference = (cells.get(c, "") for c in self.columns)
        if not purchaser and not reference:
            return None
        return (purchaser, reference)

    def fetch(self, keys, user, ctx):
        purchasers = NameOrUsccLookup(self.purchaser_model, scope="visible")
        purchasers.col = self.col
        purchaser_ids = purchasers.fetch({p for p, _r in keys if p}, user, None)
        wanted = {}
        for purchaser, reference in keys:
            pid = purchaser_ids.get(purchaser)
            if pid is not None and pid is not AMBIGUOUS:
                wanted.setdefault(pid, set()).add(reference)
        by_pair = {}
        refs = {r for rs in wanted.values() for r in rs}
        for chunk in _chunks(refs):
            qs = self.queryset(user).filter(purchaser_id__in=list(wanted), reference__in=chunk)
            for pk, pid, reference in qs.values_list("pk", "purchaser_id", "reference"):
                by_pair[(pid, reference)] = pk
        found = {}
        for purchaser, reference in keys:
            pid = purchaser_ids.get(purchaser)
            if pid is not None and (pid, reference) in by_pair:
                found[(purchaser, reference)] = by_pair[(pid, reference)]
        return found


# ---------------------------------------------------------------------------------------------------------------
# Specs and registry
# ---------------------------------------------------------------------------------------------------------------

_REGISTRY = {}


def register(spec):
    """Register a spec under its slug (``contracts``, ``income-records`` …)."""
    _REGISTRY[spec.slug] = spec
    return spec


_DISCOVERED = []


def _discover():
    """Import every app's ``tables`` module once (where the specs are registered)."""
    if not _DISCOVERED:
        autodiscover_modules("tables")
        _DISCOVERED.append(True)


def get_spec(slug_or_model):
    """The spec of a slug or a model class (None when the model has none)."""
    _discover()
    if isinstance(slug_or_model, str):
        return _REGISTRY.get(slug_or_model)
    for spec in _REGISTRY.values():
        if spec.model is slug_or_model:
            return spec
    return None


def all_specs(importable=None):
    _discover()
    specs = list(_REGISTRY.values())
    if importable is not None:
        specs = [s for s in specs if s.importable == importable]
    return specs


class CsvSpec:
    """A model's CSV file: columns, natural keys and import rules.

    ``keys``: alternative natural keys tried in order, each a tuple of field names (``("purchaser",
    "reference")``); ``None`` means the model has none and rows are matched by ``id``.
    ``annotate``: a function applied to the export queryset (for read-only annotated columns).
    ``parent``: for models matched by id, the foreign key a row may not change (a payment's contract).
    ``prepare``: a function ``(obj, values, details)`` run on each object before it is validated (what ``save()``
    would fill in, since imports write in bulk); ``details`` holds values the lookups fetched.
    """

    def __init__(self, model, slug, cols, *, keys=None, parent=None, importable=True, annotate=None, prepare=None,
                 example=None, filename=None):
        self.model = model
        self.parent_field = parent
        self.slug = slug
        self.cols = list(cols)
        self.keys = keys
        self.importable = importable
        self.annotate = annotate
        self.prepare = prepare
        self.example = example or {}
        self.filename = filename or slug
        for col in self.cols:
            col.bind(self)

    def __repr__(self):
        return f"<CsvSpec {self.slug}>"

    @property
    def columns(self):
        return [c for col in self.cols for c in col.csv_columns()]

    def header(self):
        return [c.name for c in self.columns]

    def field_names(self):
        """Model fields in file order (the order list pages may follow)."""
        return [col.field_name for col in self.cols if col.field_name]

    def import_columns(self):
        return [c for c in self.columns if c.importable]

    # ------------------------------------------------------------------ export

    def export_queryset(self, queryset):
        """The queryset as exported: annotations of read-only columns, and the id as the last sort key so that
        rows with equal sort values always come in the same order."""
        queryset = queryset.prefetch_related(None)
        if self.annotate:
            queryset = self.annotate(queryset)
        ordering = list(queryset.query.order_by) or list(self.model._meta.ordering)
        if not {"pk", "-pk", "id", "-id"} & {str(o) for o in ordering}:
            queryset = queryset.order_by(*ordering, "pk")
        return queryset

    def rows(self, queryset, chunk_size=EXPORT_CHUNK_SIZE):
        """The file's data rows (lists of escaped strings) for ``queryset``: one query, streamed in chunks."""
        columns = self.columns
        cells = [_cell_function(c) for c in columns]
        qs = self.export_queryset(queryset).values_list(*[c.source for c in columns])
        for row in qs.iterator(chunk_size=chunk_size):
            yield [cell(value) for cell, value in zip(cells, row, strict=True)]

    def template_rows(self):
        """Header row and one example row of the downloadable import template (new records: no id column; an
        export of the list is the template for updates)."""
        columns = [c for c in self.import_columns() if c.name != "id"]
        return [[c.name for c in columns], [self.example.get(c.name, "") for c in columns]]


# ---------------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def stream_csv(header, rows, batch=500):
    """Yield the CSV text (BOM, header, rows) in pieces of about ``batch`` rows."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(header)
    buffer = []
    for row in rows:
        buffer.append(writer.writerow(row))
        if len(buffer) >= batch:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def stream_csv_bytes(header, rows):
    for piece in stream_csv(header, rows):
        yield piece.encode("utf-8")


def csv_filename(base):
    return f"{base}-{timezone.localdate().isoformat()}.csv"


def streaming_csv_response(header, rows, filename):
    """A ``StreamingHttpResponse`` serving ``rows`` as an Excel-friendly UTF-8 CSV attachment."""
    response = StreamingHttpResponse(stream_csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def export_response(spec, queryset, filename=None):
    """The streamed CSV export of ``queryset`` (already narrowed to what the user may see, filtered, ordered)."""
    rows = _in_language(spec.rows(queryset), translation.get_language())
    return streaming_csv_response(spec.header(), rows, csv_filename(filename or spec.filename))


def _in_language(rows, language):
    # Choice labels are formatted in the request's language, also while the response is streamed after the view
    # (and the locale middleware) have returned.
    with translation.override(language):
        yield from rows


# ---------------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------------


class FileError(Exception):
    """The file as a whole cannot be read (encoding, size, header)."""


def decode(data):
    """Bytes → text: UTF-8 with or without BOM, UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FileError(_("The file is neither UTF-8 nor GB18030/GBK text. Save it as “CSV UTF-8” or “CSV”.")) \
            from None


def sniff_delimiter(text):
    """Comma or tab: whichever occurs more often in the header line."""
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def read_table(data, max_rows=None):
    """Bytes of a CSV file → (header cells, [(row number, cells)]); blank rows are skipped. Row numbers are the
    spreadsheet's (the header is row 1)."""
    text = decode(data).lstrip(BOM)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        header = next(reader)
    except StopIteration:
        raise FileError(_("The file is empty.")) from None
    except csv.Error as exc:
        raise FileError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from None
    rows = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append((reader.line_num, row))
            if max_rows is not None and len(rows) > max_rows:
                raise FileError(_("The file has more than %(max)d rows; split it into smaller files.")
                                % {"max": max_rows})
    except csv.Error as exc:
        raise FileError(_("The file is not valid CSV (line %(line)d): %(error)s")
                        % {"line": reader.line_num, "error": exc}) from None
    return header, rows


# ---------------------------------------------------------------------------------------------------------------
# Import engine
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    """What an import did (or, for a preview, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)
    read_only_columns: list = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self):
        return not self.errors

    @property
    def total(self):
        return self.created + self.updated + self.unchanged

    def add(self, row, column, message):
        self.errors.append(RowError(row, column, str(message)))


class _Context:
    def __init__(self):
        self.lookups = {}
        self.details = {}


class Unsupported(Exception):
    pass


def _eval_expr(expr, values):
    if isinstance(expr, F):
        return values[expr.name]
    if isinstance(expr, Value):
        return expr.value
    if isinstance(expr, CombinedExpression):
        lhs, rhs = _eval_expr(expr.lhs, values), _eval_expr(expr.rhs, values)
        if lhs is None or rhs is None:
            return None
        ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
        if expr.connector not in ops:
            raise Unsupported
        return ops[expr.connector](lhs, rhs)
    if hasattr(expr, "resolve_expression"):
        raise Unsupported
    return expr


_LOOKUPS = {
    "exact": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "regex": lambda a, b: re.search(b, str(a)) is not None,
    "startswith": lambda a, b: str(a).startswith(b),
}


def eval_q(q, values):
    """Evaluate a check constraint's ``Q`` against field values in Python with SQL's three-valued logic
    (True, False or None = unknown, which a CHECK accepts). Raises ``Unsupported`` for expressions it cannot
    evaluate; the caller then asks the database."""
    if not isinstance(q, Q):
        raise Unsupported
    results = []
    unsupported = False
    for child in q.children:
        try:
            if isinstance(child, Q):
                results.append(eval_q(child, values))
                continue
            if not isinstance(child, tuple):
                raise Unsupported
            path, rhs = child
            name, _sep, lookup = path.partition("__")
            lookup = lookup or "exact"
            lhs = values[name]
            if lookup == "isnull":
                results.append((lhs is None) == bool(rhs))
                continue
            if lookup == "in":
                results.append(None if lhs is None else lhs in rhs)
                continue
            if lookup not in _LOOKUPS or "__" in lookup:
                raise Unsupported
            rhs = _eval_expr(rhs, values)
            if lookup == "exact" and rhs is None:
                results.append(lhs is None)
            elif lhs is None or rhs is None:
                results.append(None)
            else:
                results.append(_LOOKUPS[lookup](lhs, rhs))
        except (Unsupported, KeyError, TypeError):
            unsupported = True
    if q.connector == Q.AND:
        if False in results:
            value = False
        elif unsupported:
            raise Unsupported
        else:
            value = None if None in results else True
    else:
        if True in results:
            value = True
        elif unsupported:
            raise Unsupported
        else:
            value = None if None in results else False
    if q.negated:
        value = None if value is None else not value
    return value


def _q_fields(q):
    """Field names a condition refers to, in order of appearance."""
    names = []
    if not isinstance(q, Q):
        if hasattr(q, "flatten"):
            names.extend(node.name for node in q.flatten() if isinstance(node, F))
        return list(dict.fromkeys(names))
    for child in q.children:
        if isinstance(child, tuple):
            names.append(child[0].split("__", 1)[0])
        else:
            names.extend(_q_fields(child))
    return list(dict.fromkeys(names))


class Importer:
    """Validate (and, when ``commit``, write) one CSV file for one spec as one user.

    ``user=None`` runs with an administrator's scope (management commands). Everything happens in one
    transaction; a preview rolls it back, so it reports exactly what a confirm would do, and a confirm with any
    invalid row writes nothing.
    """

    def __init__(self, spec, user=None):
        self.spec = spec
        self.model = spec.model
        self.user = user or SystemUser()
        self.history_user = user if getattr(user, "pk", None) else None

    # --------------------------------------------------------------- helpers

    @property
    def is_admin(self):
        from core.roles import get_scope

        return get_scope(self.user).is_admin

    def may_import(self):
        return self.model.user_can_add(self.user)

    def map_header(self, header, result):
        """{csv column name: index}; unknown headers are reported in ``result.ignored_columns``."""
        known = {}
        importable = {c.name for c in self.spec.import_columns()}
        for col in self.spec.columns:
            known[header_key(col.name)] = col.name
            for text in translations(col.label):
                known.setdefault(header_key(text), col.name)
        mapping = {}
        for index, cell in enumerate(header):
            name = known.get(header_key(cell.lstrip(BOM)))
            if name is None:
                if cell.strip():
                    result.ignored_columns.append(cell.strip())
                continue
            if name in mapping:
                raise FileError(_("The column “%(name)s” appears twice.") % {"name": cell})
            mapping[name] = index
            if name not in importable:
                result.read_only_columns.append(cell.strip())
        return mapping

    # --------------------------------------------------------------- main

    def run(self, data, commit=False):
        result = ImportResult()
        if not self.may_import():
            raise FileError(_("Your role may not add %(models)s.")
                            % {"models": self.model._meta.verbose_name_plural})
        max_bytes = settings.CSV_IMPORT_MAX_BYTES
        if len(data) > max_bytes:
            raise FileError(_("The file is %(size)s MB; at most %(max)s MB can be imported at once.")
                            % {"size": _mb(len(data)), "max": _mb(max_bytes)})
        header, rows = read_table(data, max_rows=settings.CSV_IMPORT_MAX_ROWS)
        mapping = self.map_header(header, result)
        importable = {c.name for c in self.spec.import_columns()}
        if not (importable & set(mapping)):
            raise FileError(_("None of the columns is known. The first row must hold the column names (see the "
                              "template)."))
        try:
            with transaction.atomic():
                self._run(mapping, rows, result)
                if result.errors or not commit:
                    transaction.set_rollback(True)
        except IntegrityError as exc:
            result.add(0, "", _("The database refused the rows: %(error)s") % {"error": exc})
        result.committed = commit and not result.errors
        return result

    def _cells(self, mapping, row):
        cells = {}
        for name, index in mapping.items():
            text = row[index] if index < len(row) else ""
            cells[name] = unescape_cell(text.strip())
        return cells

    def _run(self, mapping, rows, result):
        spec = self.spec
        header = set(mapping)
        cols = [col for col in spec.cols if col.present(header) or isinstance(col, Id) and "id" in header]
        cells_by_row = [(number, self._cells(mapping, row)) for number, row in rows]

        # 1. Foreign keys, in bulk: one lookup per foreign key.
        ctx = _Context()
        for col in cols:
            if isinstance(col, ForeignKey):
                keys = {k for _n, cells in cells_by_row if (k := col.keys_for_lookup(cells)) is not None}
                ctx.lookups[col.field_name] = col.lookup.fetch(keys, self.user, ctx) if keys else {}

        # 2. Parse every row's values.
        parsed = []
        for number, cells in cells_by_row:
            values, bad = {}, set()
            for col in cols:
                try:
                    values[col.field_name] = col.read(cells, ctx)
                except ValidationError as exc:
                    bad.add(col.field_name)
                    for message in exc.messages:
                        result.add(number, col.error_column, message)
            parsed.append((number, values, bad))

        # 3. Existing objects, by natural key (or id).
        targets = self._match(parsed, result, cols)

        # 4. Build and validate each object.
        fields_present = [col.field_name for col in cols if col.field_name != "id" and _editable(col)]
        # Every stored field (derived ones too: a review's total and grade), except bookkeeping.
        tracked = [f for f in self.model._meta.concrete_fields
                   if not f.primary_key and f.name != "version" and not getattr(f, "auto_now", False)
                   and not getattr(f, "auto_now_add", False)]
        plan = self._validation_plan(cols, fields_present)
        to_create, to_update, rows_of = [], [], {}
        changed_fields = set()
        explicit_ids = False
        for (number, values, bad), target in zip(parsed, targets, strict=True):
            if target is _SKIP:
                continue
            obj = target if target is not None else self.model()
            before = _snapshot(obj, tracked) if target else None
            for name in fields_present:
                if name in values and name not in bad:
                    setattr(obj, _attname(self.model, name), values[name])
            if target is None and values.get("id") is not None and self._may_keep_id(values["id"]):
                obj.pk = values["id"]
                explicit_ids = True
            if spec.prepare:
                spec.prepare(obj, values, ctx.details)
            self._validate(obj, number, bad, plan, result)
            if target is None:
                to_create.append(obj)
                rows_of[id(obj)] = number
            else:
                after = _snapshot(obj, tracked)
                diff = {f.name for f in tracked if before[f.name] != after[f.name]}
                if diff:
                    changed_fields |= diff
                    to_update.append(obj)
                    rows_of[id(obj)] = number
                else:
                    result.unchanged += 1
        self._check_unique(to_create + to_update, rows_of, result, cols)
        result.created, result.updated = len(to_create), len(to_update)
        if result.errors:
            return
        self._write(to_create, to_update, changed_fields, explicit_ids)
        self._check_scope(to_create + to_update, rows_of, result, cols)

    # --------------------------------------------------------------- matching

    def _may_keep_id(self, pk):
        """A created object keeps the file's id only for an administrator and only when no object has it (so a
        file exported from one database restores the same ids in an empty one)."""
        return self.is_admin and pk not in self._taken_ids

    def _match(self, parsed, result, cols):
        """For each parsed row: the existing object to update, None to create, or _SKIP (row has errors)."""
        spec, model = self.spec, self.model
        targets = [None] * len(parsed)
        self._taken_ids = set()
        key_col = {col.field_name: col for col in cols}
        if spec.keys is None:
            ids = {values.get("id") for _n, values, _b in parsed if values.get("id") is not None}
            editable = {}
            existing = set()
            for chunk in _chunks(ids):
                editable.update({o.pk: o for o in model._default_manager.editable_by(self.user).filter(pk__in=chunk)})
                if self.is_admin:
                    existing |= set(model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))
            seen = {}
            for i, (number, values, bad) in enumerate(parsed):
                pk = values.get("id")
                if pk is None:
                    continue
                if pk in seen:
                    result.add(number, "id", _("The same id as row %(row)d.") % {"row": seen[pk]})
                    targets[i] = _SKIP
                    continue
                seen[pk] = number
                if pk in editable:
                    obj = editable[pk]
                    parent = spec.parent_field
                    if parent and parent in values and parent not in bad and values[parent] is not None \
                            and getattr(obj, f"{parent}_id") != values[parent]:
                        result.add(number, key_col[parent].error_column if parent in key_col else parent,
                                   _("Row id %(id)s belongs to another %(parent)s; leave the id empty to create "
                                     "a new record.") % {"id": pk, "parent": model._meta.get_field(parent)
                                                         .verbose_name})
                        targets[i] = _SKIP
                        continue
                    targets[i] = obj
                elif self.is_admin and pk not in existing:
                    targets[i] = None  # created with this id
                else:
                    result.add(number, "id", _("No %(model)s with id %(id)s that you may change; leave the id empty "
                                               "to create a new one.") % {"model": model._meta.verbose_name, "id": pk})
                    targets[i] = _SKIP
            return targets

        self._taken_ids = set()
        if self.is_admin:
            ids = {values.get("id") for _n, values, _b in parsed if values.get("id") is not None}
            for chunk in _chunks(ids):
                self._taken_ids |= set(model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))

        # Natural keys: the keys whose values the row has, in order; the first that finds a record decides (a
        # purchaser row with a new USCC and a known name updates that purchaser), else the first one is the new
        # record's identity.
        candidates = []
        for _number, values, bad in parsed:
            candidates.append([(key, tuple(values[name] for name in key)) for key in spec.keys
                               if all(values.get(name) not in (None, "") and name not in bad for name in key)])
        existing = {}
        for key in spec.keys:
            wanted = [kv[1] for row in candidates for kv in row if kv[0] == key]
            if not wanted:
                continue
            for chunk in _chunks(wanted):
                condition = Q()
                for name_index, name in enumerate(key):
                    attname = _attname(model, name)
                    condition &= Q(**{f"{attname}__in": {v[name_index] for v in chunk}})
                for obj in model._default_manager.filter(condition):
                    existing[(key, tuple(getattr(obj, _attname(model, n)) for n in key))] = obj
        editable_pks = set()
        for chunk in _chunks({o.pk for o in existing.values()}):
            editable_pks |= set(model._default_manager.editable_by(self.user).filter(pk__in=chunk)
                                .values_list("pk", flat=True))
        seen = {}
        for i, ((number, _values, _bad), row_keys) in enumerate(zip(parsed, candidates, strict=True)):
            if not row_keys:
                continue
            kv = next((kv for kv in row_keys if kv in existing), row_keys[0])
            key = kv[0]
            column = key_col[key[-1]].error_column if key[-1] in key_col else key[-1]
            obj = existing.get(kv)
            identity = ("obj", obj.pk) if obj is not None else kv
            if identity in seen:
                result.add(number, column, _("Row %(row)d already has the same %(key)s.")
                           % {"row": seen[identity], "key": _key_label(model, key)})
                targets[i] = _SKIP
                continue
            seen[identity] = number
            if obj is None:
                continue
            if obj.pk not in editable_pks:
                result.add(number, column, _("This %(model)s already exists and you may not change it.")
                           % {"model": model._meta.verbose_name})
                targets[i] = _SKIP
                continue
            targets[i] = obj
        return targets

    # --------------------------------------------------------------- validation

    def _validation_plan(self, cols, fields_present):
        """What ``_validate`` needs for every row, computed once per file."""
        model = self.model
        concrete = model._meta.concrete_fields
        fk_names = {f.name for f in concrete if f.is_relation}
        checks = [(c, _q_fields(c.condition)) for c in model._meta.constraints
                  if isinstance(c, models.CheckConstraint)]
        return {
            "column_of": {col.field_name: col.error_column for col in cols if col.field_name},
            "fk_names": fk_names,
            "required_fks": [f for f in concrete if f.is_relation and not f.null],
            # Foreign keys were resolved by the lookups (they exist and are in scope); derived fields are set by
            # clean() or prepare, as a form does with the fields it does not show.
            "always_excluded": fk_names | {f.name for f in concrete if not f.editable},
            # On update, fields the file does not carry keep their stored values (on create they are validated).
            "absent": {f.name for f in concrete} - set(fields_present),
            "checks": checks,
        }

    def _validate(self, obj, number, bad, plan, result):
        model = self.model
        exclude = set(bad) | plan["always_excluded"]
        if not obj._state.adding:
            exclude |= plan["absent"]
        errors = {}
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.message_dict
        for f in plan["required_fks"]:
            if f.name not in bad and getattr(obj, f.attname) is None:
                errors.setdefault(f.name, []).append(gettext("This field is required."))
        failed = exclude | set(errors)
        values = None
        for constraint, referenced in plan["checks"]:
            if not bad.isdisjoint(referenced) or not errors.keys().isdisjoint(referenced):
                continue  # a field it checks is already reported
            if values is None:
                values = {f.name: getattr(obj, f.attname) for f in model._meta.concrete_fields}
            try:
                ok = eval_q(constraint.condition, values) is not False
            except Unsupported:
                try:
                    constraint.validate(model, obj, exclude=failed - plan["fk_names"])
                    ok = True
                except ValidationError:
                    ok = False
            if not ok:
                name = referenced[0] if referenced else NON_FIELD_ERRORS
                errors.setdefault(name, []).append(str(constraint.get_violation_error_message()))
        column_of = plan["column_of"]
        for name, messages in errors.items():
            column = column_of.get(name, name if name != NON_FIELD_ERRORS else "")
            for message in messages:
                result.add(number, column, message)

    def _check_unique(self, objs, rows_of, result, cols):
        """Unique fields and UniqueConstraints: against the database (one query per set) and within the file."""
        model = self.model
        column_of = {col.field_name: col.error_column for col in cols if col.field_name}
        objs = sorted(objs, key=lambda o: rows_of[id(o)])
        sets = []
        for f in model._meta.concrete_fields:
            if f.unique and not f.primary_key:
                message = f.error_messages["unique"] % {"model_name": model._meta.verbose_name,
                                                        "field_label": f.verbose_name}
                sets.append(((f.name,), None, message))
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields and not constraint.expressions:
                sets.append((tuple(constraint.fields), constraint.condition,
                             str(constraint.get_violation_error_message())))
        for names, condition, message in sets:
            attnames = [_attname(model, n) for n in names]
            keyed = []
            for obj in objs:
                key = tuple(getattr(obj, a) for a in attnames)
                if any(k is None for k in key):
                    continue
                if condition is not None:
                    try:
                        if eval_q(condition, {f.name: getattr(obj, f.attname) for f in model._meta.concrete_fields}) \
                                is False:
                            continue
                    except Unsupported:
                        pass
                keyed.append((key, obj))
            owners = {}
            for chunk in _chunks([k for k, _o in keyed]):
                condition_q = Q()
                for index, attname in enumerate(attnames):
                    condition_q &= Q(**{f"{attname}__in": {k[index] for k in chunk}})
                for row in model._default_manager.filter(condition_q).values_list("pk", *attnames):
                    owners[tuple(row[1:])] = row[0]
            seen = {}
            column = column_of.get(names[-1], names[-1])
            for key, obj in keyed:
                number = rows_of[id(obj)]
                owner = owners.get(key)
                if owner is not None and owner != obj.pk:
                    result.add(number, column, message)
                elif key in seen:
                    result.add(number, column, _("Row %(row)d has the same value.") % {"row": seen[key]})
                else:
                    seen[key] = number

    # --------------------------------------------------------------- writing

    def _write(self, to_create, to_update, changed_fields, explicit_ids):
        from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

        model = self.model
        now = timezone.now()
        concrete = {f.name: f for f in model._meta.concrete_fields}
        if to_update:
            fields = set(changed_fields)
            if "version" in concrete:
                for obj in to_update:
                    obj.version = (obj.version or 0) + 1
                fields.add("version")
            for f in concrete.values():
                if getattr(f, "auto_now", False):
                    for obj in to_update:
                        setattr(obj, f.attname, now)
                    fields.add(f.name)
            update_rows(model, to_update, sorted(fields))
            get_history_manager_for_model(model).bulk_history_create(
                to_update, batch_size=500, update=True, default_user=self.history_user,
                default_change_reason=CHANGE_REASON, default_date=now)
        if to_create:
            bulk_create_with_history(to_create, model, batch_size=500, default_user=self.history_user,
                                     default_change_reason=CHANGE_REASON, default_date=now)
            if explicit_ids:
                advance_sequence(model)

    def _check_scope(self, objs, rows_of, result, cols):
        """Nobody creates or moves a record out of their own scope: every written object must be changeable."""
        pks = [o.pk for o in objs]
        allowed = set()
        for chunk in _chunks(pks):
            allowed |= set(self.model._default_manager.editable_by(self.user).filter(pk__in=chunk)
                           .values_list("pk", flat=True))
        column = cols[0].error_column if cols else ""
        for obj in objs:
            if obj.pk not in allowed:
                result.add(rows_of[id(obj)], column, _("This row would put the %(model)s outside your scope.")
                           % {"model": self.model._meta.verbose_name})


_SKIP = object()


def advance_sequence(model):
    """After rows were inserted with explicit ids: move PostgreSQL's id sequence past them (never backwards, since
    other transactions may have drawn ids meanwhile). SQLite's AUTOINCREMENT follows the largest id by itself."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(COALESCE((SELECT MAX({quote(column)}) FROM "
            f"{quote(table)}), 1), nextval(pg_get_serial_sequence(%s, %s))))",
            [table, column, table, column])


def update_rows(model, objs, fields):
    """``UPDATE … SET f = %s … WHERE pk = %s`` for each object, sent with ``executemany`` (one statement prepared
    once; psycopg pipelines it): much faster than ``bulk_update``'s ``CASE WHEN`` for thousands of rows."""
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    sql = (f"UPDATE {quote(model._meta.db_table)} SET "
           + ", ".join(f"{quote(f.column)} = %s" for f in columns)
           + f" WHERE {quote(model._meta.pk.column)} = %s")
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 1000):
            cursor.executemany(sql, params[start:start + 1000])


def _snapshot(obj, fields):
    return {f.name: getattr(obj, f.attname) for f in fields}


def _attname(model, name):
    return model._meta.get_field(name).attname


def _editable(col):
    return getattr(col, "editable", True) and not isinstance(col, ReadOnly)


def _key_label(model, key):
    return " + ".join(str(model._meta.get_field(n).verbose_name) for n in key)


def _mb(size):
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


class SystemUser:
    """The scope of management commands: an administrator that is no database user."""

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True
    is_anonymous = False
    username = "system"

    def __str__(self):
        return gettext("system")


# ---------------------------------------------------------------------------------------------------------------
# Hooks for list pages and the API
# ---------------------------------------------------------------------------------------------------------------


def list_export_response(view, queryset):
    """``ObjectListView.get_export_response``: every row the list shows (filters, the user's visibility), in the
    table's current sort order, not just the page."""
    from django.http import Http404

    spec = get_spec(view.model)
    if spec is None:
        raise Http404(_("Export is not available for this list."))
    table_class = view.get_table_class()
    sort = view.request.GET.get(table_class._meta.order_by_field or "sort")
    if sort:
        queryset = table_class(queryset, order_by=sort).data.data
    return export_response(spec, queryset, filename=spec.filename)


class CSVRenderer(BaseRenderer):
    """``?format=csv`` on the API. Lists of models are streamed by ``CsvListMixin`` with the model's CSV columns;
    anything else (one object, indicator rows, an error) is rendered here from the serialized data."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    render_style = "text"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data = data["results"]
        if isinstance(data, dict):
            data = [data]
        header = []
        for item in data:
            for key in item if isinstance(item, dict) else ():
                if key not in header:
                    header.append(key)
        rows = ([_cell(item.get(key)) for key in header] for item in data if isinstance(item, dict))
        return "".join(stream_csv(header, rows)).encode("utf-8")


def _cell(value):
    numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if isinstance(value, str) and PLAIN_NUMBER.match(value):
        numeric = True  # DRF renders decimals as strings
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return escape_cell(format_value(value), numeric)


def rows_response(columns, rows, filename):
    """Stream rows (dicts, or objects supporting ``row[name]``) as a CSV attachment with ``columns`` as header;
    a number stays a number, every other cell is escaped (dashboards, indicator endpoints)."""

    def generate():
        for row in rows:
            yield [_cell(row[name]) for name in columns]

    return streaming_csv_response(list(columns), generate(), csv_filename(filename))


class CsvRendererMixin:
    """API view mixin: accept ``?format=csv`` (adds ``CSVRenderer`` to the view's renderers)."""

    def get_renderers(self):
        renderers = super().get_renderers()
        if not any(isinstance(r, CSVRenderer) for r in renderers):
            renderers.append(CSVRenderer())
        return renderers

    def wants_csv(self):
        renderer = getattr(self.request, "accepted_renderer", None)
        return renderer is not None and renderer.format == "csv"


def in_slices(rows, size=500):
    """Iterate a lazily sliced sequence (indicator rows) slice by slice, so that memory stays bounded."""
    if isinstance(rows, list):
        yield from rows
        return
    for start in range(0, len(rows), size):
        yield from rows[start:start + size]


class CsvListMixin(CsvRendererMixin):
    """Viewset mixin: ``?format=csv`` on a list streams every matching row (the user's visibility, the filters
    and ``ordering`` applied; not paginated) with the model's CSV columns."""

    def list(self, request, *args, **kwargs):
        if self.wants_csv():
            queryset = self.get_queryset()
            spec = get_spec(queryset.model)
            if spec is not None:
                return export_response(spec, self.filter_queryset(queryset))
        return super().list(request, *args, **kwargs)
