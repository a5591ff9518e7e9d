"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015): validation and check-character completion."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
# A database CHECK can at least pin the shape; the check character is verified by the validator.
USCC_REGEX = r"^[0-9A-HJ-NPQRTUWXY]{18}$"


def normalize_uscc(value):
    """Upper-case and strip a USCC as typed (lower case is accepted and normalised)."""
    return (value or "").strip().upper()


def check_character(body):
    """Return the check character for a 17-character USCC body."""
    body = normalize_uscc(body)
    if len(body) != 17 or any(ch not in _VALUES for ch in body):
        raise ValueError("a USCC body is 17 characters from the USCC alphabet")
    total = sum(_VALUES[ch] * w for ch, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def complete_uscc(body):
    """Complete a 17-character body with its check character."""
    body = normalize_uscc(body)
    return body + check_character(body)


def validate_uscc(value):
    """Raise a ValidationError that says what is wrong, including the expected check character."""
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="uscc_length",
            params={"count": len(code)},
        )
    bad = sorted({ch for ch in code if ch not in _VALUES})
    if bad:
        raise ValidationError(
            _("The unified social credit code contains characters that are not allowed: %(chars)s "
              "(I, O, S, V and Z are never used)."),
            code="uscc_characters",
            params={"chars": ", ".join(bad)},
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character of this unified social credit code should be %(expected)s, not %(actual)s."),
            code="uscc_check",
            params={"expected": expected, "actual": code[17]},
        )


def uscc_check_condition(field):
    """A database expression that is true when ``field`` holds a USCC whose check character is right.

    Used in CheckConstraints so that raw SQL and bulk paths cannot store a code with a wrong check character.
    Each character's value is its 1-based position in the alphabet minus one (INSTR / STRPOS).
    """
    from django.db.models import F, IntegerField, Value
    from django.db.models.functions import Mod, StrIndex, Substr
    from django.db.models.lookups import Exact

    def value_at(position):
        return StrIndex(Value(ALPHABET), Substr(F(field), position, 1)) - Value(1)

    weighted = sum((value_at(i + 1) * Value(w) for i, w in enumerate(WEIGHTS)), start=Value(0))
    expected = Mod(Value(31) - Mod(weighted, Value(31)), Value(31), output_field=IntegerField())
    return Exact(value_at(18), expected)
