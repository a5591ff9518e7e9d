"""Specs and registry: a model's CSV file (columns, natural keys, import rules); each app registers its own
in ``<app>/tables.py``."""


from django.utils.module_loading import autodiscover_modules

from core.csvio.cells import EXPORT_CHUNK_SIZE
from core.csvio.columns import Version, _cell_function, _has_field

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
    ``save``: a function ``(user, obj, guard)`` that writes one new record through the app's own write path (which
    also changes other records: an amendment moves its contract) instead of the bulk insert. Rows are then written
    one by one in file order, stored records are never changed (a row whose natural key finds a stored record is
    unchanged if its values are the same, an error otherwise), and the preview's plan remembers the version of
    each row's ``parent`` so that a confirm after the parent changed is refused.
    """

    def __init__(self, model, slug, cols, *, keys=None, parent=None, importable=True, annotate=None, prepare=None,
                 example=None, filename=None, save=None):
        self.model = model
        self.parent_field = parent
        self.slug = slug
        self.cols = list(cols)
        self.keys = keys
        self.importable = importable
        self.annotate = annotate
        self.prepare = prepare
        self.save = save
        self.example = example or {}
        self.filename = filename or slug
        if _has_field(model, "version") and not any(isinstance(col, Version) for col in self.cols):
            self.cols.append(Version())  # every export carries the record's version, checked on import
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
            ordering.append("pk")
        # Always explicit: Django leaves out the model's default ordering in a query with GROUP BY (the contracts'
        # paid total), which would export the rows in whatever order the database finds them.
        return queryset.order_by(*ordering)

    def rows(self, queryset, chunk_size=EXPORT_CHUNK_SIZE):
        """The file's data rows (lists of escaped strings) for ``queryset``: one query, streamed in chunks."""
        columns = self.columns
        cells = [_cell_function(c) for c in columns]
        qs = self.export_queryset(queryset).values_list(*[c.source for c in columns])
        for row in qs.iterator(chunk_size=chunk_size):
            yield [cell(value) for cell, value in zip(cells, row, strict=True)]

    def csv_bytes(self, queryset):
        """The file's data rows as finished CSV bytes (escaped, quoted, CRLF lines, in pieces of a few hundred
        rows) written by the database (``COPY``, ``core.csvio.dbcells``); or None when the database cannot (not
        PostgreSQL, or a column of a kind it does not format), and ``rows`` is the way. The same bytes as
        ``rows`` through the csv module."""
        from core.csvio.dbcells import cells_queryset, copy_lines

        qs = cells_queryset(self, queryset)
        return None if qs is None else copy_lines(qs)

    def template_rows(self):
        """Header row and one example row of the downloadable import template (new records: no id column; an
        export of the list is the template for updates)."""
        columns = [c for c in self.import_columns() if c.name not in ("id", "version")]
        return [[c.name for c in columns], [self.example.get(c.name, "") for c in columns]]
