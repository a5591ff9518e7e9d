"""Excel rows written by the database (PostgreSQL): each row's cells as the sheet's XML, one text per row.

The Python writer (``core.xlsxsheet.python_rows``) fetches every value and formats it: about 0.15× the rate of
``COPY`` on the contract export, most of it in fetching and converting the values. Here each column is one SQL
expression giving the cell's XML exactly as ``core.xlsxsheet`` writes it (or NULL: no cell), ``concat`` joins a
row's cells (it skips NULLs), ``COPY`` sends the rows, and Python only puts in the row number (``xlsxsheet.ROW``
in each cell's reference) before the text is deflated. The bytes are the Python writer's
(tests/csv/test_xlsxdb.py compares them for every model's spec):

- text: cut to 32,767 characters, ``& < >`` escaped, empty text is no cell; the characters XML does not allow
  are removed in Python from the rare chunk of rows that holds any (a text left empty by it: no cell);
- integers and decimals as PostgreSQL writes them (exact, fixed-point: ``format(Decimal, "f")`` in Python);
  booleans ``t="b"``; dates as Excel's serial number (``date - 1899-12-30``, one day less before 1900-03-01);
- choice columns: the label (in the language active when the export starts) when the code has one, else the
  code as its own kind of cell; each label's cell is made by ``xlsxsheet.text_cell`` and sent as a parameter.

PostgreSQL only; a column of another kind (date-times, floats, JSON, a field converting its values in Python
such as a code list …) or a DISTINCT query (a multiple-choice filter, whose SELECT also carries its ordering
columns) takes the Python path.
"""

import re

from django.db import connections, models
from django.db.models import F, Func, TextField

from core import xlsxsheet

_INTEGER = (models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField)


def _kind(field):
    """``int``, ``decimal``, ``date``, ``bool``, ``text`` or None (not handled) for a resolved output field (as
    ``core.csvio.dbcells``, which this module cannot import: core.csvio imports core.xlsxio)."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if hasattr(field, "from_db_value"):  # a value Python converts (a code list …)
        return None
    if isinstance(field, models.BooleanField):
        return "bool"
    if isinstance(field, _INTEGER):
        return "int"
    if isinstance(field, models.DecimalField):
        return "decimal"
    if isinstance(field, models.DateTimeField | models.DurationField):
        return None
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.CharField | models.TextField):
        return "text"
    return None


class Unsupported(Exception):
    """A column the database path does not write: the export takes the Python path."""


# A text cell's markup is most of the row: the database sends it short and Python writes it out, chunk by chunk.
# The short forms cannot occur in a text, whose ``<`` are escaped (``"<`` and ``</`` are markup only).
TEXT_START = ' t="inlineStr"><is><t xml:space="preserve">'
TEXT_END = "</t></is></c>"
SHORT_START, SHORT_END = "<t>", "</t>"  # after the reference's closing quote: '<c r="B2"<t>text</t>'


def short(cell):
    """A text cell (``xlsxsheet.text_cell``) in its short form."""
    return cell.replace(f'"{TEXT_START}', f'"{SHORT_START}').replace(TEXT_END, SHORT_END)


def _long(chunk):
    return chunk.replace(b'"' + SHORT_START.encode(), b'"' + TEXT_START.encode()).replace(
        SHORT_END.encode(), TEXT_END.encode())


class XlsxCell(Func):
    """The XML of one cell (with ``xlsxsheet.ROW`` for its row number), NULL for no cell."""

    output_field = TextField()

    def __init__(self, letter, source, labels=None):
        self.letter, self.labels = letter, labels
        super().__init__(F(source))

    def get_group_by_cols(self):
        return self.source_expressions[0].get_group_by_cols()

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            raise Unsupported(connection.vendor)
        [expression] = self.source_expressions
        sql, params = compiler.compile(expression)
        field = expression.output_field
        kind = _kind(field)
        if kind is None:
            raise Unsupported(f"{self.letter}: {type(field).__name__}")
        if self.labels is not None:
            return self.label(kind, f"({sql})", list(params))
        return self.cell(kind, f"({sql})", list(params))

    def cell(self, kind, value, params):
        col, row = self.letter, xlsxsheet.ROW
        if kind == "text":
            # Cut to Excel's limit (``left`` counts characters, so only when the bytes may exceed it), the
            # placeholder character removed, empty as no cell, ``& < >`` escaped. The other characters XML does
            # not allow are removed from the whole row in Python (``translate`` per cell tripled the query's time).
            limit = xlsxsheet.MAX_TEXT
            cut = f"CASE WHEN octet_length({value}) > {limit} THEN left({value}, {limit}) ELSE {value} END"
            text = (f"replace(replace(replace(NULLIF(replace({cut}, %s, ''), ''), "
                    "'&', '&amp;'), '<', '&lt;'), '>', '&gt;')")
            return f"(%s || {text} || %s)", [f'<c r="{col}{row}"{SHORT_START}', *params * 3, row, SHORT_END]
        if kind in ("int", "decimal"):
            return f"(%s || ({value})::text || %s)", [f'<c r="{col}{row}"><v>', *params, "</v></c>"]
        if kind == "bool":
            return (f"(CASE WHEN {value} THEN %s WHEN NOT {value} THEN %s END)",
                    [*params, xlsxsheet.bool_cell(col, row, True), *params, xlsxsheet.bool_cell(col, row, False)])
        if kind == "date":
            # Excel counts a 1900-02-29 that did not exist: one day less before 1900-03-01.
            days = (f"({value} - DATE '1899-12-30' - CASE WHEN {value} > DATE '1899-12-30' "
                    f"AND {value} < DATE '1900-03-01' THEN 1 ELSE 0 END)")
            return f"(%s || {days}::text || %s)", [f'<c r="{col}{row}" s="2"><v>', *params * 3, "</v></c>"]
        raise Unsupported(f"{col}: {kind}")

    def label(self, kind, value, params):
        """``CASE WHEN value = code THEN 'the label's cell' … ELSE the code's own cell END``; an empty code: no
        cell (as ``core.xlsxio.spec_rows``)."""
        if kind not in ("int", "text") or params:
            raise Unsupported(f"{self.letter}: choice codes of this kind")
        whens, when_params = [], []
        for code, label in self.labels.items():
            if code is None or code == "":
                continue
            whens.append(f"WHEN {value} = %s THEN %s ")
            when_params += [code, short(xlsxsheet.text_cell(self.letter, xlsxsheet.ROW, label)) or None]
        other, other_params = self.cell(kind, value, [])
        return f"(CASE {''.join(whens)}ELSE {other} END)", when_params + other_params


def sheet_rows(spec, queryset, batch=xlsxsheet.BATCH):
    """The sheet's data rows (``<row>`` elements from row 2, UTF-8 bytes, ``batch`` rows a chunk) of ``spec``'s
    columns for ``queryset``, written by the database; None when it cannot (not PostgreSQL, a DISTINCT query or a
    column of a kind not handled)."""
    if connections[queryset.db].vendor != "postgresql" or queryset.query.distinct:
        return None
    cells = []
    for letter, column in zip(xlsxsheet.column_letters(len(spec.columns)), spec.columns, strict=True):
        fmt = column.make_formatter()
        labels = None
        if hasattr(fmt, "labels"):  # core.csvio.columns.LabelFormatter, in the active language
            labels = {code: str(label) for code, label in fmt.labels.items()}
        cells.append(XlsxCell(letter, column.source, labels))
    # concat() takes at most 100 arguments: groups of 50 cells, joined by another concat.
    groups = [Concat(*cells[i:i + 50]) for i in range(0, len(cells), 50)]
    qs = spec.export_queryset(queryset).annotate(posc_xlsx_row=Concat(*groups) if len(groups) > 1 else groups[0])
    qs = qs.values_list("posc_xlsx_row", flat=True)
    try:
        qs.query.get_compiler(qs.db).as_sql()
    except Unsupported:
        return None
    return _copy_rows(qs, batch)


# ``COPY … WITH (FORMAT csv)`` sends each row as one message and is about twice as fast as a cursor for these
# long texts. Its quote character is one the sheet cannot hold, so that a row is quoted only when it holds a line
# break or that character: then the text is between quote characters, and those inside (doubled) are removed
# with the other control characters (``_legal``).
QUOTE = b"\x02"
_CONTROL = bytes(range(32)).translate(None, b"\t\n\r")
_ILLEGAL_BYTES = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")  # U+FFFE, U+FFFF in UTF-8
_EMPTY_TEXT_CELL = re.compile(b'<c r="[A-Z]+[0-9]+" t="inlineStr"><is><t xml:space="preserve"></t></is></c>')


def _copy_rows(qs, batch):
    connection = connections[qs.db]
    sql, params = qs.query.sql_with_params()
    placeholder = xlsxsheet.ROW.encode()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        statement = connection.ops.compose_sql(sql, params)
        copy_sql = f"COPY ({statement}) TO STDOUT WITH (FORMAT csv, QUOTE E'\\x02')"
        with cursor.cursor.copy(copy_sql) as copy:
            rows = []
            for n, data in enumerate(copy, 2):
                data = bytes(data)
                if data[:1] == QUOTE:  # (a quote character inside, doubled, is removed by ``_legal``)
                    data = data[1:-2]
                else:
                    data = data[:-1]
                rows.append(b'<row r="%d">%s</row>' % (n, data.replace(placeholder, b"%d" % n)))
                if len(rows) >= batch:
                    yield _legal(_long(b"".join(rows)))
                    rows = []
            if rows:
                yield _legal(_long(b"".join(rows)))


def _legal(chunk):
    """``chunk`` without the characters XML does not allow (the markup has none: only text cells lose them), and
    a text cell left empty by it dropped, as ``xlsxsheet.text_cell`` does. Nearly every chunk has none."""
    if len(chunk.translate(None, _CONTROL)) == len(chunk) and b"\xef\xbf" not in chunk:  # U+FFC0 to U+FFFF
        return chunk
    return _EMPTY_TEXT_CELL.sub(b"", _ILLEGAL_BYTES.sub(b"", chunk))


class Concat(Func):
    """PostgreSQL's ``concat``: the texts joined, NULLs skipped (Django's ``Concat`` pairs them with COALESCE)."""

    function = "concat"
    output_field = TextField()

    def get_group_by_cols(self):
        return [col for expression in self.source_expressions for col in expression.get_group_by_cols()]

