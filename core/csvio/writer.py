"""Writing: streamed CSV responses (validated before the first byte), renderers and hooks for list pages, the
API and dashboards."""

import csv
import itertools
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework.renderers import BaseRenderer, JSONRenderer

from core.csvio.cells import BOM, FORMULA_TRIGGERS, PLAIN_NUMBER, escape_cell, format_value
from core.csvio.specs import get_spec

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


def stream_lines_bytes(header, pieces):
    """The CSV bytes: BOM and header, then ``pieces`` (bytes of finished CSV lines)."""
    yield (BOM + csv.writer(_Echo()).writerow(header)).encode("utf-8")
    yield from pieces


def csv_filename(base):
    return f"{base}-{timezone.localdate().isoformat()}.csv"


class ExportError(Exception):
    """The export's query cannot run (a filter value out of range): answered 400 before any byte is sent."""


def started(rows):
    """``rows`` with its first row already fetched: the query runs (and fails) now, while the view can still
    answer 400, not after a 200 has begun to stream and the file would be cut off."""
    iterator = iter(rows)
    try:
        first = next(iterator)
    except StopIteration:
        return iter(())
    except (ValueError, OverflowError, ValidationError) as exc:
        raise ExportError(str(exc)) from exc
    except DatabaseError as exc:
        raise ExportError("") from exc
    return itertools.chain([first], iterator)


def export_error_response(exc):
    """The 400 an export answers when its query cannot run."""
    reason = str(exc)
    message = (_("This export cannot be made with these filters (%(reason)s). Check the filter values, e.g. the "
                 "year, and export again.") % {"reason": reason} if reason else
               _("This export cannot be made with these filters. Check the filter values, e.g. the year, and export "
                 "again."))
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def streaming_csv_response(header, rows, filename, *, lines=False):
    """A ``StreamingHttpResponse`` serving ``rows`` (lists of cells; with ``lines``, bytes of finished lines) as an
    Excel-friendly UTF-8 CSV attachment; or a 400 when the rows' query fails (it is run before the response
    starts)."""
    try:
        rows = started(rows)
    except ExportError as exc:
        return export_error_response(exc)
    content = stream_lines_bytes(header, rows) if lines else stream_csv_bytes(header, rows)
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def export_response(spec, queryset, filename=None):
    """The streamed CSV export of ``queryset`` (already narrowed to what the user may see, filtered, ordered): on
    PostgreSQL the database writes the lines (``CsvSpec.csv_bytes``, ``core.csvio.dbcells``), elsewhere Python
    does (``CsvSpec.rows``); the bytes are the same."""
    name = csv_filename(filename or spec.filename)
    lines = spec.csv_bytes(queryset)
    if lines is not None:
        return streaming_csv_response(spec.header(), lines, name, lines=True)
    rows = _in_language(spec.rows(queryset), translation.get_language())
    return streaming_csv_response(spec.header(), rows, name)


def _in_language(rows, language):
    # Choice labels are formatted in the request's language, also while the response is streamed after the view
    # (and the locale middleware) have returned.
    with translation.override(language):
        yield from rows



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
    if view.request.GET.get("export") == "xlsx":
        from core.xlsxio import spec_response

        return spec_response(spec, queryset, filename=spec.filename)
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


_ESCAPE_START = frozenset(FORMULA_TRIGGERS) | {"'"}


def _quick_cell(value, _str=str, _int=int, _decimal=Decimal):
    """``_cell(value)`` with the common types first: text that cannot need the formula prefix, None, int and
    Decimal (a row of indicators is 45 cells; 10,000 organizations are 450,000 of them)."""
    kind = type(value)
    if kind is _str:
        if not value or value[0] not in _ESCAPE_START:
            return value
    elif value is None:
        return ""
    elif kind is _int:
        return str(value)
    elif kind is _decimal:
        text = format(value, "f")
        if text[0] != "-" or PLAIN_NUMBER.match(text):
            return text
    return _cell(value)


def rows_response(columns, rows, filename):
    """Stream rows (dicts, or objects supporting ``row[name]``) as a CSV attachment with ``columns`` as header;
    a number stays a number, every other cell is escaped (dashboards, indicator endpoints)."""
    columns = list(columns)

    def generate():
        for row in rows:
            yield [_quick_cell(row[name]) for name in columns]

    return streaming_csv_response(list(columns), generate(), csv_filename(filename))


class CsvRendererMixin:
    """API view mixin: accept ``?format=csv`` on lists (adds ``CSVRenderer`` to the renderers of a list view or a
    viewset's ``list`` action). An error is answered in JSON, never as a CSV body."""

    def get_renderers(self):
        from core.xlsxio import XlsxRenderer  # ?format=xlsx: the same rows as an Excel workbook

        renderers = super().get_renderers()
        if getattr(self, "action", "list") in {"list", "retrieve"}:  # reads only (writes answer JSON)
            for renderer_class in (CSVRenderer, XlsxRenderer):
                if not any(isinstance(r, renderer_class) for r in renderers):
                    renderers.append(renderer_class())
        return renderers

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        renderer = getattr(response, "accepted_renderer", None)
        if response.status_code >= 400 and getattr(renderer, "format", "json") in {"csv", "xlsx"}:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response

    def wants_csv(self):
        renderer = getattr(self.request, "accepted_renderer", None)
        return renderer is not None and renderer.format == "csv"

    def wants_xlsx(self):
        renderer = getattr(self.request, "accepted_renderer", None)
        return renderer is not None and renderer.format == "xlsx"


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
        if self.wants_csv() or self.wants_xlsx():
            queryset = self.get_queryset()
            spec = get_spec(queryset.model)
            if spec is not None and self.wants_xlsx():
                from core.xlsxio import spec_response

                return spec_response(spec, self.filter_queryset(queryset))
            if spec is not None:
                return export_response(spec, self.filter_queryset(queryset))
        return super().list(request, *args, **kwargs)
