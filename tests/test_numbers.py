"""One rule for reading numbers (forms and CSV imports accept and refuse the same inputs) and one way of writing
them (pages, CSV cells, indicator values)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from contracts.models import Contract
from core import csvio
from core.forms import MoneyField, MoneyInput
from core.numbers import format_decimal, format_money, format_number, format_percent, parse_decimal
from core.templatetags.posc import money, percent
from dashboards.tables import format_indicator

ACCEPTED = [
    ("1,234,567.89", Decimal("1234567.89")),
    ("1234567.89", Decimal("1234567.89")),
    ("¥1 234 567", Decimal("1234567")),
    ("１２３４．５", Decimal("1234.5")),
    ("1，234、567元", Decimal("1234567")),
    ("￥\u00a012\u3000345", Decimal("12345")),
    ("－1,000.50", Decimal("-1000.50")),  # the full-width minus of a Chinese input method
    ("-0.5", Decimal("-0.5")),
]
REFUSED = ["十万", "1.2.3", "abc", "NaN", "Infinity", "1..0", "--1", "1-"]


def csv_amount_column():
    column = csvio.Field("amount")
    column.bind(SimpleNamespace(model=Contract))
    return column


def form_field():
    return MoneyField(required=True, max_digits=14, decimal_places=2)


@pytest.mark.parametrize("text,expected", ACCEPTED)
def test_form_and_csv_read_the_same_amount(text, expected):
    assert parse_decimal(text) == expected
    assert csv_amount_column().parse(text) == expected
    assert form_field().clean(text) == expected


@pytest.mark.parametrize("text", REFUSED)
def test_form_and_csv_refuse_the_same_input(text):
    with translation.override("en"):
        with pytest.raises(ValidationError) as csv_error:
            csv_amount_column().parse(text)
        with pytest.raises(ValidationError) as form_error:
            form_field().clean(text)
        assert csv_error.value.messages == form_error.value.messages == ["Enter a number."]


def test_absurdly_large_numbers_are_refused_not_expanded():
    with pytest.raises(ValidationError) as error:
        parse_decimal("1e999999999")
    assert error.value.code == "max_value"


def test_money_reads_the_same_on_pages_forms_and_history():
    assert format_money(Decimal("1234567.8")) == "1,234,567.80"
    assert format_money(Decimal("-1000")) == "-1,000.00"
    assert format_money(Decimal("0.005")) == "0.01"  # half up, as people round
    assert format_money(None) == ""
    assert format_money("n/a") == "n/a"
    assert money(Decimal("1234567.8")) == "1,234,567.80"
    assert money(None) == "—"
    assert MoneyInput().format_value(Decimal("1234567.8")) == "1,234,567.80"
    assert format_indicator(Decimal("1234567.8"), "money") == "1,234,567.80"


def test_numbers_and_percentages_for_pages():
    assert format_number(Decimal("2500.4")) == "2,500"
    assert format_number(Decimal("3.25"), 1) == "3.3"
    assert format_percent(Decimal("0.4565")) == "45.7 %"
    assert format_percent(0.5, 0) == "50 %"
    assert percent(Decimal("0.456")) == "45.6 %"
    assert percent(None) == "—"
    assert format_indicator(Decimal("0.456"), "percent") == "45.6 %"
    assert format_indicator(Decimal("2500.5"), "hhi") == "2,501"
    assert format_indicator(None, "hhi") == "—"


def test_csv_cells_stay_exact_and_ungrouped():
    assert format_decimal(Decimal("1234567.8"), 2) == "1234567.80"
    assert format_decimal(Decimal("1E+2"), 2) == "100.00"
    assert format_decimal(None) == ""
    assert csvio.format_decimal is format_decimal and csvio.parse_decimal is parse_decimal
