"""Excel (.xlsx) exports beside every CSV export: the same columns and rows, typed cells.

The workbook is written by ``core.xlsxsheet`` (our own streaming writer: openpyxl's per-cell cost made it the
slowest export, see docs/performance.md) row by row into a temporary file, so memory stays constant whatever the
number of rows; the finished file is streamed (``FileResponse``).
Numbers are numbers (``Decimal`` and ``int`` cells), dates are dates (formatted ``yyyy-mm-dd``), text is always
text: a value that begins with ``=`` is stored as a string, never as a formula (no formula injection, and the
value reads back exactly). One bold header row (the CSV column names), frozen.

Hooks: ``spec_response(spec, queryset)`` for list pages (the model's CSV columns, ``core.csvio``),
``rows_response(columns, rows, filename)`` for dashboards (dicts of output values), ``wants_xlsx(request)``;
``XlsxRenderer``: ``?format=xlsx`` on the API (lists are written by ``core.csvio.CsvListMixin`` with the model's
columns).
"""

import datetime
import json
import re
import tempfile
from decimal import Decimal

from django.http import FileResponse
from django.utils import timezone, translation
from rest_framework.renderers import BaseRenderer

from core import xlsxdb, xlsxsheet

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def wants_xlsx(request):
    return request.GET.get("export") == "xlsx"


def xlsx_filename(base):
    return f"{base}-{timezone.localdate().isoformat()}.xlsx"


def write_workbook(header, rows, title="Export"):
    """A temporary file holding the workbook: ``header`` (bold, frozen) then ``rows`` (iterables of values),
    written by ``core.xlsxsheet``."""
    header = [str(name) for name in header]
    return _workbook(header, xlsxsheet.encoded(xlsxsheet.python_rows(rows, len(header))), title)


def _workbook(header, chunks, title):
    output = tempfile.TemporaryFile()
    xlsxsheet.write_xlsx(output, header, chunks, title=title)
    output.seek(0)
    return output


def file_response(output, filename):
    response = FileResponse(output, as_attachment=True, filename=filename, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def spec_rows(spec, queryset):
    """The data rows of a model's CSV columns as typed values: the raw ``values_list`` values, choice codes
    beside their labels (in the active language)."""
    columns = spec.columns
    converters = []
    for column in columns:
        fmt = column.make_formatter()
        if hasattr(fmt, "labels"):  # a choice's label column (core.csvio.LabelFormatter)
            labels = {code: str(label) for code, label in fmt.labels.items()}
            converters.append(lambda value, labels=labels: None if value in (None, "") else labels.get(value, value))
        else:
            converters.append(None)
    qs = spec.export_queryset(queryset).values_list(*[c.source for c in columns])
    for row in qs.iterator(chunk_size=2000):
        yield [convert(value) if convert else value for convert, value in zip(converters, row, strict=True)]


def spec_response(spec, queryset, filename=None):
    """The .xlsx export of ``queryset`` (already narrowed to what the user may see, filtered, ordered)."""
    header = [str(name) for name in spec.header()]
    chunks = xlsxdb.sheet_rows(spec, queryset)  # written by the database (PostgreSQL), else in Python
    if chunks is None:
        chunks = xlsxsheet.encoded(xlsxsheet.python_rows(spec_rows(spec, queryset), len(header)))
    output = _workbook(header, chunks, spec.slug)
    return file_response(output, xlsx_filename(filename or spec.filename))


def rows_response(columns, rows, filename):
    """Rows (dicts, or objects supporting ``row[name]``) as an .xlsx attachment with ``columns`` as header."""
    language = translation.get_language()

    def generate():
        with translation.override(language):
            for row in rows:
                yield [row[name] for name in columns]

    return file_response(write_workbook(list(columns), generate(), title=filename), xlsx_filename(filename))


# --- the API: ?format=xlsx ------------------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _api_value(value):
    """A serialized API value as a cell: DRF's decimal strings as numbers, ISO dates as dates, nested values as
    JSON text."""
    if isinstance(value, str):
        if _PLAIN_NUMBER.match(value):
            return Decimal(value)
        if _ISO_DATE.match(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


class XlsxRenderer(BaseRenderer):
    """``?format=xlsx`` on the API. Lists of models and indicator rows are written by the views (typed columns,
    every row); anything else (one object, an error) is written here from the serialized data."""

    media_type = CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

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
        rows = ([_api_value(item.get(key)) for key in header] for item in data if isinstance(item, dict))
        with write_workbook(header, rows) as output:
            return output.read()
