"""CSV exports formatted by the database (PostgreSQL): ``COPY (the export query) TO STDOUT WITH (FORMAT csv)``.

The Python path (``CsvSpec.rows``) fetches every value, formats it, escapes it and lets the ``csv`` module quote
it: about 0.3× the rate of a plain ``COPY`` for 200,000 contracts (docs/performance.md). Here each column is one
SQL expression giving the cell's final text, and PostgreSQL's own CSV writer quotes the cells; Python only passes
the bytes on. They are the Python path's bytes, byte for byte (tests/csvio compare both):

- numbers as PostgreSQL writes them (exact, no grouping, the stored scale; a ``places`` column rounded to its
  places first, which changes nothing for a value stored with that scale), dates as ``YYYY-MM-DD``, booleans as
  ``true``/``false``, ``NULL`` and empty text as an empty cell (``NULLIF(…, '')``: ``COPY`` would write an empty
  string as ``""``);
- choice labels in the language active when the export starts (translated once, sent as literals);
- formula-injection escaping (``core.csvio.cells.escape_cell``): a text cell whose first character after any
  apostrophes is ``= + - @``, tab or CR gets a leading ``'``; a number in a numeric column never does;
- CSV quoting: ``COPY`` quotes a cell holding the delimiter, a double quote, CR or LF and doubles its double
  quotes, which is what Python's ``csv`` module does (``QUOTE_MINIMAL``); ``COPY`` ends lines with LF, which is
  made CRLF here (a row's data message from the server is exactly one line).

PostgreSQL only (SQLite keeps the Python path: it stores decimals as floating numbers and has no ``COPY``). A
column of a kind not handled here (floats, date-times, JSON, a column with a formatter of its own and no
``db_text``) makes the whole export use the Python path.
"""

from django.db import connections, models
from django.db.models import F, Func, TextField

from core.csvio.cells import escape_cell, format_value

_INTEGER = (models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField)
_TEXT = (models.CharField, models.TextField)
# ``escape_cell(text)`` in SQL, ``{t}`` the text's SQL (maybe NULL: stays NULL). The first character alone
# decides for nearly every cell; the leading apostrophes are stripped only when it is one.
_ESCAPE = ("CASE WHEN left({t}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r', '''') "
           "AND left(ltrim({t}, ''''), 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || {t} ELSE {t} END")
_ESCAPE_USES = _ESCAPE.count("{t}")


def _kind(field):
    """``int``, ``decimal``, ``date``, ``bool``, ``text`` or None (not handled) for a resolved output field."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.BooleanField):
        return "bool"
    if isinstance(field, _INTEGER):
        return "int"
    if isinstance(field, models.DecimalField):
        return "decimal"
    if isinstance(field, models.DateTimeField):
        return None
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, _TEXT):
        return "text"
    return None


class Unsupported(Exception):
    """A column the database path does not format: the export takes the Python path."""


class Cell:
    """What the SQL of one cell needs to know of its ``CsvColumn`` (hashable, as an expression's argument)."""

    def __init__(self, column, labels=None):
        self.name, self.source, self.numeric, self.places = column.name, column.source, column.numeric, column.places
        self.labels = labels
        self.db_text = column.db_text
        # A formatter of its own (not the generic one, a choice label's or a decimal's places) needs its SQL.
        self.custom = (column.formatter is not format_value and labels is None and column.places is None
                       and column.db_text is None)

    def key(self):
        return (self.name, self.source, self.numeric, self.places, self.db_text, self.custom,
                None if self.labels is None else tuple(self.labels.items()))

    def __eq__(self, other):
        return isinstance(other, Cell) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())


class CsvCell(Func):
    """The final text of one CSV cell (formatted and escaped, not quoted) or NULL for an empty cell."""

    output_field = TextField()

    def __init__(self, cell):
        self.cell = cell
        super().__init__(F(cell.source))

    def get_group_by_cols(self):
        # Grouped (next to an aggregate such as a contract's paid total) by its column, not by the whole text.
        return self.source_expressions[0].get_group_by_cols()

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            raise Unsupported(connection.vendor)
        [expression] = self.source_expressions
        sql, params = compiler.compile(expression)
        return self.cell_sql(expression.output_field, f"({sql})", list(params))

    def cell_sql(self, field, value, params):
        cell = self.cell
        kind = _kind(field)
        if kind is None or cell.custom:
            raise Unsupported(f"{cell.name}: {type(field).__name__}")
        if cell.db_text is not None:
            return self.escaped(cell.db_text.replace("{}", f"{value}::text"), params)
        if cell.labels is not None:
            return self.label(kind, value, params)
        if kind == "date":
            return f"to_char({value}, 'YYYY-MM-DD')", params
        if kind == "bool":
            return f"(CASE WHEN {value} THEN 'true' WHEN NOT {value} THEN 'false' END)", params * 2
        if kind == "decimal" and cell.places is not None:
            value = f"round({value}, {int(cell.places)})"
        if kind in ("int", "decimal") and cell.numeric:
            return f"{value}::text", params  # a plain number: never escaped
        if kind == "text" and cell.numeric:
            raise Unsupported(f"{cell.name}: text in a numeric column")
        return self.escaped(value if kind == "text" else f"{value}::text", params)

    @staticmethod
    def escaped(text, params):
        """``text`` escaped, empty as NULL; the value's parameters repeat with each use of the value."""
        return f"NULLIF({_ESCAPE.replace('{t}', text)}, '')", list(params) * _ESCAPE_USES

    def label(self, kind, value, params):
        """A choice label: ``CASE WHEN value = code THEN 'label' …``; a code without a label as its text."""
        if kind not in ("int", "text") or params:
            raise Unsupported(f"{self.cell.name}: choice codes of this kind")
        whens, when_params = [], []
        for code, label in self.cell.labels.items():
            if code is None or code == "" or not label:
                continue
            whens.append(f"WHEN {value} = %s THEN %s ")
            when_params += [code, escape_cell(label, self.cell.numeric)]
        other, _other_params = self.escaped(f"{value}::text", ())
        empty = f"WHEN {value} = '' THEN NULL " if kind == "text" else ""
        return f"(CASE {empty}{''.join(whens)}ELSE {other} END)", when_params


def cells_queryset(spec, queryset):
    """``values_list`` of the cells' final texts (NULL for empty) in file order, or None when the database cannot
    format this spec's columns (not PostgreSQL, or a kind of value the database path does not handle)."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    if queryset.query.distinct:
        # A DISTINCT query (a multiple-choice filter) selects its ordering columns too, and COPY would write them
        # as extra cells: the Python path, which reads only the requested columns, exports it.
        return None
    annotations = {}
    for index, column in enumerate(spec.columns):
        fmt = column.make_formatter()
        labels = None
        if hasattr(fmt, "labels"):  # core.csvio.columns.LabelFormatter, in the active language
            labels = {code: str(label) for code, label in fmt.labels.items()}
        annotations[f"posc_csv_{index}"] = CsvCell(Cell(column, labels))
    qs = spec.export_queryset(queryset).annotate(**annotations).values_list(*annotations)
    try:
        qs.query.get_compiler(qs.db).as_sql()
    except Unsupported:
        return None
    return qs


def copy_lines(queryset, batch=500):
    """The CSV data lines of ``queryset`` (a ``cells_queryset``) as bytes, CRLF-terminated, in pieces of about
    ``batch`` lines, written by ``COPY … TO STDOUT WITH (FORMAT csv)`` on the queryset's connection."""
    connection = connections[queryset.db]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        statement = connection.ops.compose_sql(sql, params)
        with cursor.cursor.copy(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)") as copy:
            lines = []
            for data in copy:  # one data message per row, ending with LF
                lines.append(data)
                if len(lines) >= batch:
                    yield _crlf(lines)
                    lines = []
            if lines:
                yield _crlf(lines)


def _crlf(lines):
    """LF-terminated lines joined, each line ending with CRLF instead (a quoted cell may hold LF of its own)."""
    text = b"".join(lines)
    if text.count(b"\n") == len(lines):  # no LF inside a cell: every LF ends a line
        return text.replace(b"\n", b"\r\n")
    return b"".join(bytes(line[:-1]) + b"\r\n" for line in lines)
