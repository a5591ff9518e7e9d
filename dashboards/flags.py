"""Flags: thresholds turn an indicator value into none / amber / red (docs/indicators.md). The contract-level
integrity flags are in ``dashboards.integrity`` (docs/integrity.md).

``Thresholds.load()`` reads every Threshold row in one query; keep the instance for the whole request (the
indicator functions accept it as ``thresholds=``) so a page costs one threshold query whatever it shows.
"""

import operator
from dataclasses import dataclass
from decimal import Decimal

from .choices import Direction, FlagLevel, Indicator
from .models import Threshold

NONE = FlagLevel.NONE.value
AMBER = FlagLevel.AMBER.value
RED = FlagLevel.RED.value
FLAG_ORDER = {None: -1, NONE: 0, AMBER: 1, RED: 2}

# Indicators whose value is a fraction 0..1 (shown as a percentage); the others are HHI points or months.
RATIO_INDICATORS = {
    Indicator.GOVERNMENT_SHARE, Indicator.TOP_FUNDER_SHARE, Indicator.RESTRICTED_RATIO,
    Indicator.MANAGEMENT_EXPENSE_RATIO, Indicator.RENEWAL_EXPOSURE, Indicator.SINGLE_SOURCE_SHARE,
}


@dataclass(frozen=True)
class Band:
    """One indicator's thresholds."""

    indicator: str
    amber: Decimal
    red: Decimal
    direction: str
    source: str = ""

    def __post_init__(self):
        crossed = {Direction.AT_LEAST: operator.ge, Direction.ABOVE: operator.gt, Direction.BELOW: operator.lt}
        if self.direction not in crossed:
            raise ValueError(f"unknown direction {self.direction!r}")
        object.__setattr__(self, "_crossed", crossed[self.direction])

    def level(self, value):
        """``none``/``amber``/``red`` for ``value`` (a Decimal or int); ``None`` when the value is undefined."""
        if value is None:
            return None
        if self._crossed(value, self.red):
            return RED
        if self._crossed(value, self.amber):
            return AMBER
        return NONE

    @property
    def symbol(self):
        return {Direction.AT_LEAST: "≥", Direction.ABOVE: ">", Direction.BELOW: "<"}.get(self.direction, "")


class Thresholds:
    """All thresholds, read in one query. ``level(indicator, value)`` maps a value to a flag level."""

    def __init__(self, bands):
        self.bands = {b.indicator: b for b in bands}

    @classmethod
    def load(cls):
        """Read every Threshold row (one query)."""
        return cls(Band(t.indicator, t.amber, t.red, t.direction, t.source) for t in Threshold.objects.all())

    def get(self, indicator):
        return self.bands.get(str(indicator))

    def level(self, indicator, value):
        """Flag level of ``value`` for ``indicator``; ``None`` for an undefined value; ``none`` when no
        threshold row exists for the indicator."""
        if value is None:
            return None
        band = self.get(indicator)
        return band.level(value) if band else NONE


def flag_level(indicator, value, thresholds=None):
    """Map (indicator, value) to ``none``/``amber``/``red`` (``None`` for an undefined value).

    Pass a ``Thresholds`` instance to avoid a query per call; without it the thresholds are read (one query).
    """
    if value is None:
        return None
    return (thresholds or Thresholds.load()).level(indicator, value)


def worst(levels):
    """The most severe of several flag levels (``None`` if all are undefined)."""
    result = None
    for level in levels:
        if FLAG_ORDER.get(level, -1) > FLAG_ORDER.get(result, -1):
            result = level
    return result
