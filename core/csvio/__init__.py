"""CSV files of POSC Tracker: one column definition per model for exports and imports (docs/csv.md).

- ``CsvSpec`` describes a model's file: its columns (``Id``, ``Field``, ``Choice``, ``ForeignKey``, ``ReadOnly``),
  the natural keys that find an existing object, and the lookups that resolve foreign keys from readable values.
  Each app declares its specs in ``<app>/tables.py`` (section "CSV columns") with ``register``.
- Exports (``export_response``; hooks ``list_export_response`` for list pages, ``CsvListMixin`` for API viewsets,
  ``rows_response`` for dashboards and indicator rows) stream ``values_list()`` rows in chunks: constant memory
  and a fixed number of queries, UTF-8 with a BOM, formula-injection escaping (a cell starting
  with ``= + - @`` gets a leading ``'`` so that spreadsheets do not run it).
- Imports (``Importer``) detect the encoding (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK) and the
  delimiter (comma or tab), accept field names or labels as headers, resolve natural keys in bulk, validate every
  row like the forms (field validators, ``clean()``, constraints, uniqueness) and write all rows or none.

The package is split by concern; its modules import no app module (each app declares its own specs):
``cells`` (escaping, formatting and parsing of cells; numbers through ``core.numbers``), ``columns`` (column
definitions), ``lookups`` (foreign keys by natural key), ``specs`` (``CsvSpec`` and the registry), ``reader``
(encodings, strict CSV parsing), ``importer`` (``Importer``), ``writer`` (streamed exports, the API renderer, list
and dashboard hooks), ``dbcells`` (on PostgreSQL the export's lines written by the database with ``COPY``).
Everything is importable from ``core.csvio`` as before.
"""

from core.csvio.cells import (  # noqa: F401
    BOM,
    CHANGE_REASON,
    DATE_FORMATS,
    EXPORT_CHUNK_SIZE,
    FALSE_WORDS,
    FORMULA_TRIGGERS,
    LOOKUP_CHUNK,
    PLAIN_NUMBER,
    TRUE_WORDS,
    escape_cell,
    format_value,
    header_key,
    needs_prefix,
    parse_bool,
    parse_date,
    parse_int,
    translations,
    unescape_cell,
)
from core.csvio.checks import refused_scope_fields  # noqa: F401
from core.csvio.columns import (  # noqa: F401
    Choice,
    Col,
    CsvColumn,
    Field,
    ForeignKey,
    Id,
    LabelFormatter,
    ReadOnly,
    Version,
)
from core.csvio.conditions import Unsupported, eval_q  # noqa: F401
from core.csvio.importer import (  # noqa: F401
    Importer,
    ImportResult,
    SystemUser,
    _mb,
)
from core.csvio.lookups import (  # noqa: F401
    AMBIGUOUS,
    CodeOrNameLookup,
    ContractLookup,
    Lookup,
    NameOrUsccLookup,
)
from core.csvio.reader import (  # noqa: F401
    FileError,
    RowError,
    Table,
    decode,
    read_table,
    sniff_delimiter,
)
from core.csvio.specs import (  # noqa: F401
    CsvSpec,
    all_specs,
    get_spec,
    register,
)
from core.csvio.sql import advance_sequence, update_rows  # noqa: F401
from core.csvio.writer import (  # noqa: F401
    CsvListMixin,
    CSVRenderer,
    CsvRendererMixin,
    ExportError,
    csv_filename,
    export_error_response,
    export_response,
    in_slices,
    list_export_response,
    rows_response,
    started,
    stream_csv,
    stream_csv_bytes,
    stream_lines_bytes,
    streaming_csv_response,
)
from core.numbers import MAX_NUMBER_DIGITS, format_decimal, parse_decimal  # noqa: F401
