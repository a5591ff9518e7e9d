"""Code lists of the dashboards app: indicators that carry thresholds, flag levels, threshold directions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    GOVERNMENT_SHARE = "government_share", _("Government share")
    TOP_FUNDER_SHARE = "top_funder_share", _("Top funder share")
    FUNDER_HHI = "funder_hhi", _("Funder concentration (HHI)")
    RESTRICTED_RATIO = "restricted_ratio", _("Restricted ratio")
    RESERVE_MONTHS = "reserve_months", _("Reserve months")
    MANAGEMENT_EXPENSE_RATIO = "management_expense_ratio", _("Management expense ratio")
    RENEWAL_EXPOSURE = "renewal_exposure", _("Renewal exposure")
    SUPPLIER_HHI = "supplier_hhi", _("Supplier concentration (HHI)")
    SINGLE_SOURCE_SHARE = "single_source_share", _("Single-source share")
    MISSION_DRIFT = "mission_drift", _("Mission drift")
    SALARY_TO_PEERS = "salary_to_peers", _("Pay per staff member to the prefecture's median")
    REPORTED_INCOME_GAP = "reported_income_gap", _("Gap between reported and recorded government income")
    RELATED_PARTY_SHARE = "related_party_share", _("Related-party share")


class FlagSetting(models.TextChoices):
    """Settings of the integrity flags (docs/integrity.md), kept as Threshold rows beside the indicators'. For a
    window or a limit, amber and red hold the same value."""

    AMENDED_VALUE = "amended_value", _("Amended value: share of the original (amber, red)")
    REPEAT_SINGLE_SOURCE = "repeat_single_source", _("Repeated single source: other contracts (amber, red)")
    REPEAT_WINDOW_DAYS = "repeat_window_days", _("Repeated single source: window in days")
    TENDER_THRESHOLD = "tender_threshold", _("Split award: tender threshold (CNY)")
    SPLIT_WINDOW_DAYS = "split_window_days", _("Split award: window in days")
    LATE_PAYMENT_DAYS = "late_payment_days", _("Late payment: days after the due date (amber, red)")
    RENEWAL_WINDOW_DAYS = "renewal_window_days", _("Renewal after failure: window in days")
    MISSING_REVIEW_DAYS = "missing_review_days", _("Missing review: days after the end date")


class Direction(models.TextChoices):
    AT_LEAST = "gte", _("Flag when the value is at least the threshold (≥)")
    ABOVE = "gt", _("Flag when the value is above the threshold (>)")
    BELOW = "lt", _("Flag when the value is below the threshold (<)")


class FlagLevel(models.TextChoices):
    NONE = "none", _("No flag")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")
