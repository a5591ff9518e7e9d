"""Cell-level rules: formula-injection escaping, number formatting, encoding and delimiter detection."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core import csvio


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ("+cmd", "'+cmd"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcalc", "'\tcalc"),
    ("\rcalc", "'\rcalc"),
    ("'=1+1", "''=1+1"),   # already looks escaped: escaped again, so the import restores it exactly
    ("'plain", "'plain"),
    ("残疾儿童康复", "残疾儿童康复"),
    ("a=b", "a=b"),
    ("", ""),
])
def test_text_cells_that_a_spreadsheet_would_run_are_escaped(value, expected):
    assert csvio.escape_cell(value) == expected
    assert csvio.unescape_cell(csvio.escape_cell(value)) == value


def test_plain_negative_numbers_stay_numbers_only_in_numeric_columns():
    assert csvio.escape_cell("-1500.00", numeric=True) == "-1500.00"
    assert csvio.escape_cell("-7", numeric=True) == "-7"
    assert csvio.escape_cell("-2+3", numeric=True) == "'-2+3"
    assert csvio.escape_cell("-1500.00", numeric=False) == "'-1500.00"


def test_values_are_formatted_exactly():
    assert csvio.format_decimal(Decimal("100000"), 2) == "100000.00"
    assert csvio.format_decimal(Decimal("1E+2"), 2) == "100.00"
    assert csvio.format_decimal(Decimal("123456789012.34"), 2) == "123456789012.34"
    assert csvio.format_value(datetime.date(2025, 1, 9)) == "2025-01-09"
    assert csvio.format_value(True) == "true"
    assert csvio.format_value(None) == ""


@pytest.mark.parametrize("text", ["2025-01-10", "2025/1/10", "2025.01.10", "2025年1月10日", "2025-01-10 00:00:00"])
def test_dates_as_spreadsheets_save_them(text):
    assert csvio.parse_date(text) == datetime.date(2025, 1, 10)


def test_amounts_with_separators_and_currency_signs():
    assert csvio.parse_decimal("1,234,567.89") == Decimal("1234567.89")
    assert csvio.parse_decimal("¥１２３４.５") == Decimal("1234.5")
    with pytest.raises(ValidationError):
        csvio.parse_decimal("十万")
    with pytest.raises(ValidationError):
        csvio.parse_int("1.5")


def test_encodings_are_detected():
    text = "名称,统一社会信用代码\r\n阳光康复,52110105MJ0123456N\r\n"
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("gb18030"),
                 text.encode("gbk"), text.encode("utf-16")):
        assert csvio.decode(data).lstrip(csvio.BOM) == text
    with pytest.raises(csvio.FileError):
        csvio.decode(b"\xff\xff\xff\x00\x81")


def test_comma_or_tab_is_detected_from_the_header():
    header, rows = csvio.read_table(b"a\tb\tc,d\r\n1\t2\t3,4\r\n")
    assert header == ["a", "b", "c,d"] and rows == [(2, ["1", "2", "3,4"])]
    header, rows = csvio.read_table(b"a,b\r\n1,\"x\ty\"\r\n\r\n3,4\r\n")
    assert header == ["a", "b"] and rows == [(2, ["1", "x\ty"]), (4, ["3", "4"])]


def test_stream_starts_with_bom_and_uses_crlf():
    data = b"".join(csvio.stream_csv_bytes(["a", "b"], iter([["1", "x,y"], ["2", "引号\"内"]])))
    assert data == "\ufeffa,b\r\n1,\"x,y\"\r\n2,\"引号\"\"内\"\r\n".encode()
