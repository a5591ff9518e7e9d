"""Reading: encoding detection and strict CSV parsing of uploaded files."""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.csvio.cells import BOM

# ---------------------------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------------------------


class FileError(Exception):
    """The file as a whole cannot be read (encoding, size, header)."""


def _bad_bytes(data, exc, encoding):
    """“byte 0xB3 at offset 12” for an error message: what the decoder found."""
    bad = data[exc.start:exc.end][:4]
    return {"encoding": encoding, "offset": exc.start + 1, "bytes": " ".join(f"0x{b:02X}" for b in bad)}


def decode(data):
    """Bytes → text: UTF-8 with or without BOM, UTF-16 with BOM, else GB18030 (a superset of GBK).

    A byte-order mark promises an encoding: bytes that break that promise are a ``FileError`` naming the mark and
    the first bad bytes (a UTF-8 BOM in front of GB18030 text is not silently read as something else)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict")
        except UnicodeDecodeError as exc:
            raise FileError(_("The file begins with a UTF-8 byte-order mark, but byte %(offset)d (%(bytes)s) is not "
                              "UTF-8: the file mixes encodings. Save it again as “CSV UTF-8”.")
                            % _bad_bytes(data[3:], exc, "UTF-8")) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileError(_("The file begins with a UTF-16 byte-order mark, but byte %(offset)d (%(bytes)s) is not "
                              "UTF-16. Save it again as “CSV UTF-8”.") % _bad_bytes(data, exc, "UTF-16")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileError(_("The file is neither UTF-8 nor GB18030/GBK text (byte %(offset)d: %(bytes)s). Save it as "
                          "“CSV UTF-8” or “CSV”.") % _bad_bytes(data, exc, "GB18030")) from None


def sniff_delimiter(text):
    """Comma or tab: whichever occurs more often in the header line."""
    first = text.split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


@dataclass
class Table:
    """A file as read: the header cells, the data rows as ``(row number, cells)`` and the rows that could not be
    read as ``RowError``s. Row numbers are the spreadsheet's line numbers (the header is line 1)."""

    header: list
    rows: list
    errors: list

    def __iter__(self):  # ``header, rows = read_table(data)``
        return iter((self.header, self.rows))


def _looks_like_rows(cell, delimiter, width):
    """Whether a quoted cell that spans lines swallowed whole rows: one of its later lines holds as many cells as
    the header (the mark of a missing closing quote, not of a description with line breaks)."""
    if width < 3 or "\n" not in cell and "\r" not in cell:
        return False
    for line in cell.splitlines()[1:]:
        if line.count(delimiter) + 1 >= width:
            return True
    return False


def read_table(data, max_rows=None):
    """Bytes of a CSV file → ``Table``. Blank rows are skipped.

    Strict: a row the CSV syntax cannot read (an unclosed or stray quote), a row with more cells than the header,
    a cell with a NUL character, and a quoted cell that swallowed following rows are each a row error naming the
    row; the reader then goes on with the next line, so one broken row never hides (or merges) the rows after it.
    An encoding problem, an empty file or an unreadable header is a ``FileError``."""
    text = decode(data)
    if text.startswith(BOM):
        text = text[1:]
    if not text:
        raise FileError(_("The file is empty."))
    delimiter = sniff_delimiter(text)
    has_nul = "\x00" in text
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FileError(_("The first row (the column names) is not valid CSV: check its quotes.")) from None
    if has_nul and any("\x00" in cell for cell in header):
        raise FileError(_("The first row (the column names) contains a NUL character: this is not a text file."))
    width = len(header)
    rows, errors = [], []
    lines = None  # the physical lines, split only when a broken row makes the reader start again
    base = 0  # lines before the current reader's first line
    done = reader.line_num  # lines read so far
    while True:
        try:
            for row in reader:
                number = done + 1
                end = base + reader.line_num
                several_lines = end - number > 0
                done = end
                if not any(cell.strip() for cell in row):
                    continue
                if has_nul and any("\x00" in cell for cell in row):
                    errors.append(RowError(number, "", gettext("This row contains a NUL character (an invisible "
                                                               "control character): remove it.")))
                elif len(row) > width and any(cell.strip() for cell in row[width:]):
                    errors.append(RowError(number, "", gettext(
                        "This row has %(cells)d cells but the header has %(width)d columns: check the quotes and "
                        "delimiters of this row.") % {"cells": len(row), "width": width}))
                elif several_lines and any(_looks_like_rows(cell, delimiter, width) for cell in row):
                    errors.append(RowError(number, "", gettext(
                        "A quoted cell of this row runs over the following lines and swallows what look like "
                        "whole rows: a closing quote is probably missing.")))
                else:
                    rows.append((number, row))
                if max_rows is not None and len(rows) + len(errors) > max_rows:
                    raise FileError(_("The file has more than %(max)d rows; split it into smaller files.")
                                    % {"max": max_rows})
            break
        except csv.Error:
            errors.append(RowError(done + 1, "", gettext(
                "This row is not valid CSV: a quote is not closed, or text follows a closing quote.")))
            if lines is None:
                lines = list(io.StringIO(text, newline=""))
            base = done = done + 1  # go on with the line after the broken row's first line
            reader = csv.reader(iter(lines[base:]), delimiter=delimiter, strict=True)
    return Table(header, rows, errors)


@dataclass
class RowError:
    row: int
    column: str  # the column's code (``start_on``)
    message: str
    title: str = ""  # what the user reads: the header they typed, or the column's label when they typed the code
