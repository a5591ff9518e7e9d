"""The one way numbers are read from people and written for them: forms, the API, CSV files and pages all call
these functions.

Reading (``parse_decimal``): people type amounts with thousands separators (ASCII, full-width or the Chinese
enumeration comma ``、``), spaces (also non-breaking and full-width), currency signs (``¥ ￥ 元``) and full-width
digits, point and minus (``－``, which a Chinese input method produces); all of these are accepted everywhere, and
anything else is refused with "Enter a number.".

Writing: pages group digits by three in every language and round half up (``format_money``, ``format_number``,
``format_percent``); CSV cells carry the exact value without grouping (``format_decimal``) so that a file read
back gives the same numbers.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters people type into amounts besides the number: thousands separators, spaces and currency signs.
NUMBER_NOISE = re.compile(r"[,，、\s\u00a0\u3000¥￥元]")
FULL_WIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")
# Far beyond any amount or count the database holds; also keeps 1e999999999 from becoming a huge integer.
MAX_NUMBER_DIGITS = 18


def normalize_number(text):
    """``"¥１，２３４.５"`` → ``"1234.5"``: full-width characters made ASCII, separators and currency signs dropped."""
    return NUMBER_NOISE.sub("", str(text).translate(FULL_WIDTH))


def parse_decimal(text):
    """The Decimal a person meant by ``text``; ``ValidationError`` when it is not a number or absurdly large."""
    try:
        value = Decimal(normalize_number(text))
    except InvalidOperation:
        raise ValidationError(_("Enter a number."), code="invalid") from None
    if not value.is_finite():
        raise ValidationError(_("Enter a number."), code="invalid")
    if value and value.adjusted() >= MAX_NUMBER_DIGITS:
        raise ValidationError(_("This number is too large."), code="max_value")
    return value


def round_to(value, step):
    """``value`` rounded half up to a multiple of ``step`` (``"0.01"``, ``"0.1"``, ``"1"``)."""
    return Decimal(value).quantize(Decimal(step), rounding=ROUND_HALF_UP)


def format_number(value, places=0):
    """``1234567.891, 2`` → ``"1,234,567.89"``: grouped by three, ``places`` decimals, rounded half up."""
    return f"{round_to(value, Decimal(1).scaleb(-places)):,.{places}f}"


def format_money(value):
    """``Decimal('1234567.8')`` → ``'1,234,567.80'``; ``None``/empty → ``''``; not a number → as it is."""
    if value is None or value == "":
        return ""
    try:
        return format_number(Decimal(str(value)), 2)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def format_percent(value, digits=1):
    """A 0..1 ratio as a percentage: ``0.456`` → ``"45.6 %"``."""
    digits = int(digits)
    return f"{round_to(Decimal(str(value)) * 100, Decimal(1).scaleb(-digits)):.{digits}f} %"


def format_decimal(value, places=None):
    """A number as a CSV cell: exact, without grouping (``"1234567.80"``); ``places`` pads or rounds to that many
    decimals; ``None`` → ``""``."""
    if value is None:
        return ""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places))
    return format(value, "f")
