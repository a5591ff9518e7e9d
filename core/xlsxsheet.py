"""A streaming .xlsx writer: one worksheet, a bold and frozen header row, typed cells.

Why not openpyxl (which reads the workbooks back in the tests): its write-only mode builds a cell object per
value and serializes it through an XML library, about 0.02× the rate of ``COPY`` for the contract export
(docs/performance.md, "Excel"). Here each row is one string built with f-strings and written straight into the
deflated zip entry of the sheet, so memory stays constant whatever the number of rows.

The package holds the minimal parts a spreadsheet program needs: ``[Content_Types].xml``, ``_rels/.rels``,
``xl/workbook.xml`` and its relationships, ``xl/styles.xml`` (style 1: bold header; 2: ``yyyy-mm-dd``; 3:
``yyyy-mm-dd hh:mm:ss``) and ``xl/worksheets/sheet1.xml``.

Cells, as openpyxl wrote them before (tests/daily/test_xlsxsheet.py compares the two):

- text is an inline string (``t="inlineStr"``), never a formula, even when it begins with ``=``; cut to Excel's
  32,767 characters; ``& < >`` escaped; the characters XML 1.0 does not allow (control characters other than
  tab, line feed and carriage return, U+FFFE, U+FFFF) removed (openpyxl refused them and the export failed);
- ``int`` and ``Decimal`` as their exact text (``Decimal`` in fixed-point notation), ``float`` as ``repr``
  (NaN and infinities: no cell), ``bool`` as ``t="b"``;
- dates and date-times as Excel serial numbers (days since 1899-12-30, with Excel's 1900 leap-year quirk) in the
  date styles; aware date-times in local time; ``None`` and ``""``: no cell.

``write_xlsx(output, header, chunks, title)`` writes the package around the rows' XML (bytes);
``encoded(python_rows(rows, width))`` makes it from Python values (one converter per value's type); the database
can also write it (``core.xlsxdb``).
"""

import datetime
import math
import queue
import re
import threading
import zipfile
from decimal import Decimal

from django.utils import timezone

MAX_TEXT = 32767  # Excel's limit on the characters of one cell
# Deflate level: 1 is about twice as fast as the default 6 for a file about 10 % larger (measured on the
# contract export; docs/performance.md).
COMPRESSION = 1
ROW = "\x01"  # the row number's placeholder in rows written by the database: never left in a text cell
BATCH = 500  # rows encoded and written into the zip entry at a time

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TITLE_ILLEGAL = re.compile(r"[\\*?:/\[\]]")
_EPOCH_DATE = datetime.date(1899, 12, 30)
_EPOCH = datetime.datetime(1899, 12, 30)

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = (
    f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>'
    "</Types>")
ROOT_RELS = (
    f'{XML_HEAD}<Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>")
WORKBOOK_RELS = (
    f'{XML_HEAD}<Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC_RELS}/styles" Target="styles.xml"/>'
    "</Relationships>")
STYLES = (
    f'{XML_HEAD}<styleSheet xmlns="{NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>")
SHEET_START = (
    f'{XML_HEAD}<worksheet xmlns="{NS}" xmlns:r="{DOC_RELS}">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/><sheetData>')
SHEET_END = "</sheetData></worksheet>"


def workbook_xml(title):
    return (f'{XML_HEAD}<workbook xmlns="{NS}" xmlns:r="{DOC_RELS}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name="{escape(sheet_title(title))}" sheetId="1" r:id="rId1"/></sheets></workbook>')


def sheet_title(title):
    """Excel's sheet name: at most 31 characters, none of ``\\ * ? : / [ ]`` (replaced by ``_``), not empty."""
    return _TITLE_ILLEGAL.sub("_", clean(str(title)))[:31] or "Sheet1"


def escape(text):
    """``& < >`` as entities (quotes need none in element text)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def clean(text):
    """``text`` without the characters XML 1.0 does not allow. ``isprintable`` is a quick test that nearly every
    cell passes; tab, CR, LF and the rest fall through to the regular expression."""
    return text if text.isprintable() else ILLEGAL.sub("", text)


def column_letters(count):
    """``A``, ``B``, … ``Z``, ``AA``, … for the first ``count`` columns."""
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


# --- cells: one function per Python type, (column letter, row number, value) -> the cell's XML ----------------

def text_cell(col, n, value):
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    value = escape(clean(value))
    if not value:
        return ""
    return f'<c r="{col}{n}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


def int_cell(col, n, value):
    return f'<c r="{col}{n}"><v>{value}</v></c>'


def decimal_cell(col, n, value):
    if not value.is_finite():
        return ""
    return f'<c r="{col}{n}"><v>{value:f}</v></c>'


def float_cell(col, n, value):
    if not math.isfinite(value):
        return ""
    return f'<c r="{col}{n}"><v>{value!r}</v></c>'


def bool_cell(col, n, value):
    return f'<c r="{col}{n}" t="b"><v>{1 if value else 0}</v></c>'


def date_cell(col, n, value):
    days = (value - _EPOCH_DATE).days
    if 0 < days <= 60:  # Excel counts 1900-02-29, which did not exist
        days -= 1
    return f'<c r="{col}{n}" s="2"><v>{days}</v></c>'


def datetime_cell(col, n, value):
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = timezone.localtime(value).replace(tzinfo=None)
    else:
        value = value.replace(tzinfo=None)
    days = (value - _EPOCH).days
    if 0 < days <= 60:
        days -= 1
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 10**6
    return f'<c r="{col}{n}" s="3"><v>{days + seconds / 86400:.16g}</v></c>'


def none_cell(col, n, value):
    return ""


def other_cell(col, n, value):
    """A value of another type (a subclass, a lazy translation): by what it is an instance of, else as text."""
    for kind, cell in _BY_KIND:
        if isinstance(value, kind):
            return cell(col, n, kind(value) if kind in (str, int) else value)
    return text_cell(col, n, str(value))


CELLS = {str: text_cell, int: int_cell, Decimal: decimal_cell, float: float_cell, bool: bool_cell,
         datetime.date: date_cell, datetime.datetime: datetime_cell, type(None): none_cell}
# bool before int (a bool is an int), datetime before date (a datetime is a date).
_BY_KIND = [(bool, bool_cell), (int, int_cell), (str, text_cell), (Decimal, decimal_cell), (float, float_cell),
            (datetime.datetime, datetime_cell), (datetime.date, date_cell)]


def header_xml(header):
    cells = "".join(f'<c r="{col}1" s="1" t="inlineStr"><is><t xml:space="preserve">{escape(clean(str(name)))}'
                    f"</t></is></c>" for col, name in zip(column_letters(len(header)), header, strict=True))
    return f'<row r="1">{cells}</row>'


def python_rows(rows, width):
    """The XML of data rows (from row 2) of Python values, ``width`` columns at most."""
    letters = column_letters(width)
    cells = CELLS
    for n, row in enumerate(rows, 2):
        parts = [f'<row r="{n}">']
        for col, value in zip(letters, row, strict=False):  # a longer row: cut at the header's width
            parts.append(cells.get(type(value), other_cell)(col, n, value))
        parts.append("</row>")
        yield "".join(parts)


def encoded(rows_xml, batch=BATCH):
    """Rows' XML (texts) as UTF-8 bytes, ``batch`` rows at a time."""
    rows = []
    for row in rows_xml:
        rows.append(row)
        if len(rows) >= batch:
            yield "".join(rows).encode()
            rows.clear()
    if rows:
        yield "".join(rows).encode()


def write_xlsx(output, header, chunks, title="Export", level=COMPRESSION):
    """Write the workbook into the binary file ``output``: ``header`` (bold, frozen) then ``chunks``: the data
    rows' ``<row>`` elements (from row 2, in order) as UTF-8 bytes, any number of rows a chunk (``encoded``).
    The sheet is deflated as it is written."""
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook_xml(title))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((SHEET_START + header_xml(header)).encode())
            write_behind(sheet, chunks)
            sheet.write(SHEET_END.encode())


def write_behind(sheet, chunks, ahead=8):
    """``sheet.write`` each of ``chunks`` in a second thread while this one makes the next: deflating and writing
    release the GIL, so they overlap with reading rows from the database. (The rows are read in this thread:
    Django's database connections belong to the thread that opened them.) At most ``ahead`` chunks wait."""
    pending = queue.Queue(maxsize=ahead)
    failures = []

    def writer():
        while (chunk := pending.get()) is not None:
            if not failures:
                try:
                    sheet.write(chunk)
                except BaseException as error:  # noqa: BLE001 - raised again in the reading thread
                    failures.append(error)

    thread = threading.Thread(target=writer, name="xlsx-writer", daemon=True)
    thread.start()
    try:
        for chunk in chunks:
            if failures:
                break
            pending.put(chunk)
    finally:
        pending.put(None)
        thread.join()
    if failures:
        raise failures[0]
