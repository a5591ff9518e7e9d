"""Flags: thresholds turn an indicator value into none / amber / red (docs/indicators.md), and the contract-level flags.

``Thresholds.load()`` reads every Threshold row in one query; keep the instance for the whole request (the
indicator functions accept it as ``thresholds=``) so a page costs one threshold query whatever it shows.
"""

import datetime
import operator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Case, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.choices import COUNTED_STATUSES, Grade, PaymentKind
from contracts.models import Payment, PerformanceReview
from organizations.models import MONEY

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


# --- contract-level flags -------------------------------------------------------------------------------

CONTRACT_FLAGS = {
    "flag_overpaid": _("Payments exceed the contract amount"),
    "flag_overdue": _("A payment is overdue"),
    "flag_final_before_review": _("Final payment made before any passing review"),
    "flag_no_review": _("No review 90 days after the end date"),
    # xgettext:no-python-format
    "flag_fully_restricted": _("100 % restricted: no unrestricted margin"),
}
NO_REVIEW_AFTER_DAYS = 90


def with_contract_flags(contracts, today=None):
    """Annotate a Contract queryset with the contract-level flags (booleans, one query in all):

    - ``flag_overpaid``: the payments recorded (paid and scheduled) add up to more than the contract amount;
    - ``flag_overdue``: a payment is unpaid and its due date has passed;
    - ``flag_final_before_review``: a final payment was made before (or without) any passing review
      (grade pass or better, reviewed on or before the payment date);
    - ``flag_no_review``: an active, completed or terminated contract has no review at all more than
      90 days after its end date;
    - ``flag_fully_restricted``: the restricted amount equals the amount (no unrestricted margin).

    Also annotates ``payments_total`` (all payments recorded; ``None`` without payments). Everything is a
    correlated subquery, so the annotations combine safely with other aggregates on the same queryset.
    """
    today = today or timezone.localdate()
    passing = [Grade.EXCELLENT, Grade.GOOD, Grade.PASS]
    payments_total = Subquery(
        Payment.objects.filter(contract=OuterRef("pk")).order_by().values("contract").annotate(s=Sum("amount"))
        .values("s")[:1], output_field=DecimalField(**MONEY))
    overdue = Payment.objects.filter(contract=OuterRef("pk"), paid_on__isnull=True, due_on__lt=today)
    passing_review_before = PerformanceReview.objects.filter(
        contract=OuterRef("contract"), grade__in=passing, reviewed_on__lte=OuterRef("paid_on"))
    final_early = Payment.objects.filter(
        contract=OuterRef("pk"), kind=PaymentKind.FINAL, paid_on__isnull=False,
    ).filter(~Exists(passing_review_before))
    any_review = PerformanceReview.objects.filter(contract=OuterRef("pk"))
    late = today - datetime.timedelta(days=NO_REVIEW_AFTER_DAYS)
    return contracts.annotate(
        payments_total=payments_total,
        flag_overpaid=Case(When(payments_total__gt=F("amount"), then=Value(True)), default=Value(False),
                           output_field=BooleanField()),
        flag_overdue=Exists(overdue),
        flag_final_before_review=Exists(final_early),
        flag_no_review=Case(
            When(Q(status__in=COUNTED_STATUSES, end_on__lt=late) & ~Exists(any_review), then=Value(True)),
            default=Value(False), output_field=BooleanField()),
        flag_fully_restricted=Case(When(restricted_amount=F("amount"), then=Value(True)), default=Value(False),
                                   output_field=BooleanField()),
    )


def contract_flag_labels(contract):
    """The labels of the flags raised on a contract annotated by ``with_contract_flags``."""
    return [label for name, label in CONTRACT_FLAGS.items() if getattr(contract, name, False)]
