"""Serializers of the indicator rows (DESIGN §6): ratios as numbers in 0..1 (null when undefined), money as strings
with two decimals, HHI as a number 0..10 000, each flagged indicator followed by its ``<name>_flag``."""

import decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import FlagLevel


def money(help_text):
    """Money: a string with two decimals."""
    return serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True, help_text=help_text)


def number(help_text, places, digits=10):
    """A number rounded half-up to ``places`` decimals (JSON number), null when undefined."""
    return serializers.DecimalField(max_digits=digits, decimal_places=places, coerce_to_string=False, allow_null=True,
                                    read_only=True, rounding=decimal.ROUND_HALF_UP, help_text=help_text)


def ratio(help_text):
    """A ratio: a number in 0..1 with six decimals, null when undefined."""
    return number(format_lazy("{} ({})", help_text, _("fraction 0..1, six decimals; null when undefined")), 6)


def flag(name):
    """The flag level of indicator ``name``."""
    return serializers.ChoiceField(
        choices=FlagLevel.choices, allow_null=True, read_only=True,
        help_text=format_lazy(_("Flag level of {}: none, amber or red against the thresholds; null when "
                                "undefined."), name))


class OrganizationYearSerializer(serializers.Serializer):
    """The indicators of one organization in one year."""

    organization = serializers.IntegerField(read_only=True, help_text=_("Organization id."))
    organization_name = serializers.CharField(read_only=True, help_text=_("Organization name."))
    year = serializers.IntegerField(read_only=True, help_text=_("Calendar (fiscal) year."))
    total_income = money(_("Total income T: contract payments received in the year plus income records (CNY)."))
    contract_income = money(_("Payments received in the year under tracked contracts (CNY)."))
    government_income = money(_("Contract income plus government subsidies (CNY)."))
    restricted_income = money(_("Restricted part of contract income plus restricted income records (CNY)."))
    government_share = ratio(_("Government income / total income"))
    government_share_flag = flag("government_share")
    top_funder_share = ratio(_("Largest single funder's income / total income"))
    top_funder_share_flag = flag("top_funder_share")
    top_funder_name = serializers.CharField(read_only=True, allow_null=True, help_text=_("Name of the largest funder."))
    funder_hhi = number(_("Funder concentration: Σ (100 · funder share)², 0..10 000; null when undefined."), 2)
    funder_hhi_flag = flag("funder_hhi")
    restricted_ratio = ratio(_("Restricted income / total income"))
    restricted_ratio_flag = flag("restricted_ratio")
    reserve_months = number(_("Unrestricted net assets / (total expenses / 12), from the annual report; null "
                              "without a report or with zero expenses."), 2, digits=24)
    reserve_months_flag = flag("reserve_months")
    management_expense_ratio = ratio(_("Management expenses / total expenses (annual report)"))
    management_expense_ratio_flag = flag("management_expense_ratio")
    renewal_exposure = ratio(_("Contract income from contracts ending by 31 December of the next year / total "
                               "income"))
    renewal_exposure_flag = flag("renewal_exposure")


class PurchaserYearSerializer(serializers.Serializer):
    """The indicators of one purchaser in one year (contracts by signing year; draft and cancelled never count)."""

    purchaser = serializers.IntegerField(read_only=True, help_text=_("Purchaser id."))
    purchaser_name = serializers.CharField(read_only=True, help_text=_("Purchaser name."))
    year = serializers.IntegerField(read_only=True, help_text=_("Calendar year."))
    contract_count = serializers.IntegerField(read_only=True, help_text=_("Contracts signed in the year."))
    spend = money(_("Sum of the amounts of the contracts signed in the year (CNY)."))
    supplier_hhi = number(_("Supplier concentration: Σ (100 · organization's share of spend)², 0..10 000; null "
                            "without spend."), 2)
    supplier_hhi_flag = flag("supplier_hhi")
    top_supplier_share = ratio(_("Largest organization's share of spend"))
    single_source_share = ratio(_("Spend on single-source contracts / spend"))
    single_source_share_flag = flag("single_source_share")
    average_review_score = number(_("Average total score of the reviews made in the year; null without reviews."), 2)
    failed_reviews = serializers.IntegerField(read_only=True, help_text=_("Reviews graded fail in the year."))
    overdue_payments = serializers.IntegerField(read_only=True,
                                                help_text=_("Unpaid payments due in the year and before today."))
