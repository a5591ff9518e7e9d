"""Arithmetic shared by the indicator modules (``indicators``, ``accountability``): exact Decimal ratios, money
rounding, the year of a date and year filters, in the same way on SQLite and PostgreSQL."""

import datetime
import decimal
from decimal import Decimal

from django.db.models import DecimalField, Func, IntegerField, Q
from django.db.models.functions import Cast, ExtractYear

ZERO = Decimal("0")
CENT = Decimal("0.01")
TWELVE = Decimal("12")
TEN_THOUSAND = Decimal("10000")
# Money sums as the database returns them; wide enough for the unrounded restricted parts of payments.
SUM_FIELD = DecimalField(max_digits=30, decimal_places=10)
MONEY_FIELD = DecimalField(max_digits=20, decimal_places=2)
RATIO_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)
FLOAT_CONTEXT = decimal.Context(prec=15)


class Divide(Func):
    """``numerator / denominator`` that never truncates. SQLite stores whole Decimal values as integers and
    divides two integers as integers (7 / 2 = 3), so there the numerator is multiplied by 1.0 first."""

    arg_joiner = " / "
    template = "(%(expressions)s)"
    output_field = SUM_FIELD

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sqlite(compiler, connection, arg_joiner=" * 1.0 / ", **extra_context)


def Year(field):  # noqa: N802 - reads like the ORM's functions
    """The calendar year of a date as an integer (PostgreSQL's EXTRACT returns numeric)."""
    return Cast(ExtractYear(field), IntegerField())


def normalize_years(years):
    """``2025``, ``range(2023, 2026)`` or any iterable of years → sorted list of distinct ints."""
    if isinstance(years, int | str):
        years = [years]
    result = sorted({int(y) for y in years})
    if not result:
        raise ValueError("at least one year is needed")
    return result


def _date_filter(field, years):
    """Q for ``field`` (a date) falling in one of ``years`` (an index-friendly range, plus the exact years
    when they are not consecutive)."""
    q = Q(**{f"{field}__gte": datetime.date(years[0], 1, 1), f"{field}__lte": datetime.date(years[-1], 12, 31)})
    if years[-1] - years[0] + 1 != len(years):
        q &= Q(**{f"{field}__year__in": years})
    return q


def ratio(numerator, denominator):
    """numerator / denominator as an exact Decimal (28 significant digits); ``None`` when the denominator is
    0 or missing (the indicator is undefined)."""
    if numerator is None or not denominator:
        return None
    return RATIO_CONTEXT.divide(numerator, denominator)


def hhi(sum_of_squares, total):
    """Σ (100·sᵢ)² with sᵢ = partᵢ / total, from Σ partᵢ² and the total: 10 000 · Σ partᵢ² / total²."""
    if not total:
        return None
    return RATIO_CONTEXT.divide(TEN_THOUSAND * sum_of_squares, RATIO_CONTEXT.multiply(total, total))


def _decimal(value):
    """A number from a raw cursor as Decimal. SQLite returns floats for sums: keep 15 significant digits as
    Django does, so that 0.1 + 0.2 is 0.3 again."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        return FLOAT_CONTEXT.create_decimal_from_float(value)
    return Decimal(value)


def _cents(value):
    """A money sum the SQL already rounded to cents: PostgreSQL returns it as a Decimal with two places, SQLite as
    a float (converted and quantized)."""
    return value if value.__class__ is Decimal else _money(value)


def _money(value):
    """A money sum from the database as Decimal with cents (PostgreSQL's numeric sums of cents already are)."""
    if value.__class__ is not Decimal:
        value = _decimal(value)
    return value.quantize(CENT, rounding=decimal.ROUND_HALF_UP)
