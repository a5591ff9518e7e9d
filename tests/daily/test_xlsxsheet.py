"""The streaming .xlsx writer (core.xlsxsheet) against openpyxl's write-only writer, which wrote the exports
before: read back with openpyxl, the same cells (values, types, date formats), the same header and frozen row."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils.exceptions import IllegalCharacterError

from core import xlsxsheet
from core.xlsxio import write_workbook

ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def openpyxl_workbook(header, rows, title="Export"):
    """The previous writer (core/xlsxio.py before the streaming writer), as a reference."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    head = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=str(name))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime.datetime) and timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            elif isinstance(value, str):
                value = value[:32767]
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    return output


def cells(sheet):
    """Each cell's value, type, number format and boldness (an empty cell: its value; openpyxl wrote "" as an
    empty text cell, read back as None like a missing one)."""
    return [[(c.value, c.data_type, c.number_format, bool(c.font.b)) if c.value is not None else None for c in row]
            for row in sheet.iter_rows()]


HEADER = ["text", "number", "other"]
ROWS = [
    ["春晖社工 (民办非企业单位)", Decimal("123456.78"), 42],
    ["=HYPERLINK(\"http://x\")", Decimal("-0.0000012345678901"), -7],
    ["<&>\"' ]]> &amp;", Decimal("-98765432.1"), True],
    ["  leading and trailing  ", Decimal("0.00"), False],
    ["line\nfeed\ttab", 10**15, None],
    ["x" * 40_000, None, datetime.date(2025, 3, 4)],
    [None, datetime.date(1900, 3, 1), datetime.date(1900, 1, 1)],
    [datetime.datetime(2025, 3, 4, 5, 6, 7, 123456), datetime.datetime(1999, 12, 31, 23, 59, 59), ""],
    [timezone.make_aware(datetime.datetime(2025, 12, 31, 20, 0), datetime.UTC), 1.5, "+1"],
    ["-5", "@x", Decimal("1E+2")],
]


@pytest.mark.parametrize("level", [1, 6])
def test_same_cells_as_openpyxl(level):
    new = io.BytesIO()
    xlsxsheet.write_xlsx(new, HEADER, xlsxsheet.encoded(xlsxsheet.python_rows(ROWS, 3)), title="contracts", level=level)
    new.seek(0)
    assert zipfile.ZipFile(new).testzip() is None
    new_sheet = load_workbook(new).active
    old_sheet = load_workbook(openpyxl_workbook(HEADER, ROWS, title="contracts")).active
    assert new_sheet.title == old_sheet.title == "contracts"
    assert new_sheet.freeze_panes == old_sheet.freeze_panes == "A2"
    assert cells(new_sheet) == cells(old_sheet)
    # What a user reads, spelled out for the cells whose writing changed the most.
    values = list(new_sheet.iter_rows(values_only=True))
    assert values[0] == ("text", "number", "other")
    assert [c.font.b for c in new_sheet[1]] == [True, True, True]
    assert values[2][0] == "=HYPERLINK(\"http://x\")" and new_sheet["A3"].data_type == "s"
    assert values[3][0] == "<&>\"' ]]> &amp;"
    assert values[4][0] == "  leading and trailing  "
    assert len(values[6][0]) == 32767
    assert values[7][1] == datetime.datetime(1900, 3, 1) and values[7][2] == datetime.datetime(1900, 1, 1)
    assert values[8][0] == datetime.datetime(2025, 3, 4, 5, 6, 7, 123000)  # Excel keeps milliseconds
    assert values[9][0] == datetime.datetime(2026, 1, 1, 4, 0)  # 20:00 UTC is 04:00 next day in Shanghai
    assert values[2][1] == pytest.approx(-0.0000012345678901) and values[5][1] == 10**15
    assert new_sheet["C4"].data_type == "b" and values[3][2] is True
    assert new_sheet["C5"].value is False and new_sheet["C6"].value is None
    assert new_sheet["A9"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert new_sheet["C7"].number_format == "yyyy-mm-dd"


def test_decimals_and_ints_are_written_exactly():
    rows = [[Decimal("-12345678901234.5678"), Decimal("1E+2"), 2**62, 0.1]]
    sheet = "".join(xlsxsheet.python_rows(rows, 4)).encode()
    assert b"<v>-12345678901234.5678</v>" in sheet
    assert b"<v>100</v>" in sheet
    assert f"<v>{2**62}</v>".encode() in sheet
    assert b"<v>0.1</v>" in sheet


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl's abandoned writer
def test_control_characters_are_removed():
    """openpyxl refused them (the export failed); they are dropped, tab, CR and LF kept."""
    text = "a\x00b\x01c\x08d\x0be\x0cf\x1fg\ufffeh\tI\nJ"
    with pytest.raises(IllegalCharacterError):
        openpyxl_workbook(["h"], [[text]])
    new = io.BytesIO()
    xlsxsheet.write_xlsx(new, ["h\x02"], xlsxsheet.encoded(xlsxsheet.python_rows([[text], ["\x07"]], 1)))
    new.seek(0)
    sheet = load_workbook(new).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["h"], ["abcdefgh\tI\nJ"]]
    assert sheet["A3"].value is None
    old = load_workbook(openpyxl_workbook(["h"], [[ILLEGAL.sub("", text).replace("\ufffe", "")]])).active
    assert sheet["A2"].value == old["A2"].value


def test_write_workbook_sheet_title_and_columns():
    output = write_workbook(["编号", "名称"], [[1, "一"], [2, "二"]], title="organization-indicators-2025-xyz")
    sheet = load_workbook(output).active
    assert sheet.title == "organization-indicators-2025-xyz"[:31]
    assert len(sheet.title) == 31
    assert list(sheet.iter_rows(values_only=True)) == [("编号", "名称"), (1, "一"), (2, "二")]
    assert xlsxsheet.sheet_title("a/b:c") == "a_b_c"


def test_many_columns_and_lazy_values():
    from django.utils.translation import gettext_lazy

    header = [f"c{i}" for i in range(30)]
    row = list(range(29)) + [gettext_lazy("Contracts")]
    sheet = load_workbook(write_workbook(header, [row])).active
    assert sheet["AC2"].value == 28
    assert isinstance(sheet["AD2"].value, str) and sheet["AD2"].value
    assert xlsxsheet.column_letters(28)[-3:] == ["Z", "AA", "AB"]
    assert xlsxsheet.column_letters(703)[-1] == "AAA"
