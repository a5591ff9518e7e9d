"""Cells: formula-injection escaping, formatting of exported values and parsing of imported ones."""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.numbers import FULL_WIDTH, parse_decimal

BOM = "\ufeff"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
EXPORT_CHUNK_SIZE = 2000
LOOKUP_CHUNK = 2000
CHANGE_REASON = "CSV import"


# ---------------------------------------------------------------------------------------------------------------
# Cells: formula-injection escaping and value formatting
# ---------------------------------------------------------------------------------------------------------------


def needs_prefix(text):
    """True when a spreadsheet could read ``text`` as a formula (after any leading apostrophes)."""
    stripped = text.lstrip("'")
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


def escape_cell(text, numeric=False):
    """Prefix ``'`` to a cell that begins with ``= + - @``, tab or CR (also behind apostrophes, so that
    ``unescape_cell`` restores every value exactly); a plain number in a numeric column stays as it is."""
    if numeric and PLAIN_NUMBER.match(text):
        return text
    return "'" + text if needs_prefix(text) else text


def unescape_cell(text):
    """Undo ``escape_cell``: drop the ``'`` that an export put in front of a formula-like value."""
    if text.startswith("'") and needs_prefix(text[1:]):
        return text[1:]
    return text


def format_value(value):
    """A Python value as a CSV cell: ISO dates, exact decimals, ``true``/``false``, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


TRUE_WORDS = {"true", "1", "yes", "y", "t", "on", "是", "真"}
FALSE_WORDS = {"false", "0", "no", "n", "f", "off", "否", "假"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def parse_int(text):
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise ValidationError(_("Enter a whole number."))
    return int(value)


def parse_date(text):
    text = text.strip().translate(FULL_WIDTH)
    if " " in text:  # "2025-01-10 00:00:00" as some spreadsheets save dates
        text = text.split(" ", 1)[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(_("Enter a valid date (YYYY-MM-DD)."))


def parse_bool(text):
    word = text.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(_("Enter true or false."))


def _languages():
    return [code for code, _name in settings.LANGUAGES]


def translations(text):
    """``text`` (a lazy string) in every configured language, plus its untranslated form."""
    result = {str(text)}
    for code in _languages():
        with translation.override(code):
            result.add(str(text))
    return result


def header_key(text):
    return re.sub(r"[\s_]+", " ", str(text)).strip().casefold()
