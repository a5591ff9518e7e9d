"""Serializers of the indicator rows: the fields of ``ORGANIZATION_COLUMNS`` /
``PURCHASER_COLUMNS`` in that order (the dashboards' CSV has the same header). Ratios are numbers in 0..1 rounded
half-up to 4 decimals, money strings with two decimals, HHI whole points, months one decimal, percentiles among
peers one decimal; null when undefined (``dashboards.output`` rounds the CSV the same way)."""

import decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import FlagLevel
from ..integrity import FLAGS
from ..output import PLACES, RATIO


def money(help_text):
    """Money: a string with two decimals."""
    return serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True, help_text=help_text)


def number(help_text, places, digits=12):
    """A number rounded half-up to ``places`` decimals (JSON number), null when undefined."""
    return serializers.DecimalField(max_digits=digits, decimal_places=places, coerce_to_string=False, allow_null=True,
                                    read_only=True, rounding=decimal.ROUND_HALF_UP, help_text=help_text)


class WholePoints(serializers.IntegerField):
    """An HHI in whole points (0..10 000), rounded half-up; null when undefined."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, min_value=0, max_value=10000, **kwargs)

    def to_representation(self, value):
        return int(decimal.Decimal(value).quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP))


def ratio(help_text):
    """A ratio: a number (a fraction, 0..1 for shares), four decimals, null when undefined."""
    return number(format_lazy("{} ({})", help_text, _("fraction, four decimals; null when undefined")),
                  PLACES[RATIO], digits=24)


def percentile(name):
    return number(format_lazy(_("Percentile of {} among all organizations with it defined in the year (0–100, "
                                "higher is worse); null with fewer than 5 peers."), name), 1, digits=4)


def level_field(help_text):
    return serializers.ChoiceField(choices=FlagLevel.choices, allow_null=True, read_only=True, help_text=help_text)


def flag(name):
    """The flag level of indicator ``name``."""
    return level_field(format_lazy(_("Flag level of {}: none, amber or red against the thresholds; null when "
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
    top_funder_share = ratio(_("Largest single funder's income / total income"))
    top_funder_name = serializers.CharField(read_only=True, allow_null=True, help_text=_("Name of the largest funder."))
    funder_hhi = WholePoints(help_text=_("Funder concentration: Σ (100 · funder share)², 0..10 000 whole points; "
                                         "null when undefined."))
    restricted_ratio = ratio(_("Restricted income / total income"))
    reserve_months = number(_("Unrestricted net assets / (total expenses / 12), from the annual report; null "
                              "without a report or with zero expenses."), 1, digits=24)
    management_expense_ratio = ratio(_("Management expenses / total expenses (annual report)"))
    renewal_exposure = ratio(_("Contract income from contracts ending by 31 December of the next year / total "
                               "income"))
    revenue_type_hhi = WholePoints(help_text=_("Revenue concentration: Σ (100 · income type's share)² over the "
                                               "income types, 0..10 000 whole points; null when undefined."))
    commercial_share = ratio(_("Service-fee income / total income"))
    equity_ratio = ratio(_("Net assets (unrestricted + restricted) / total income (annual report)"))
    operating_margin = ratio(_("(Total income − total expenses) / total income (annual report)"))
    status = level_field(_("Vulnerability status against peers: red (worst fifth on all four ratios), amber (on at "
                           "least two), none; null with fewer than three ratios judged."))
    equity_ratio_percentile = percentile("equity_ratio")
    revenue_type_hhi_percentile = percentile("revenue_type_hhi")
    management_expense_ratio_percentile = percentile("management_expense_ratio")
    operating_margin_percentile = percentile("operating_margin")
    government_share_flag = flag("government_share")
    top_funder_share_flag = flag("top_funder_share")
    funder_hhi_flag = flag("funder_hhi")
    restricted_ratio_flag = flag("restricted_ratio")
    reserve_months_flag = flag("reserve_months")
    management_expense_ratio_flag = flag("management_expense_ratio")
    renewal_exposure_flag = flag("renewal_exposure")
    mission_drift = ratio(_("Contract income from contracts outside the organization's service scope / contract "
                            "income; null without contract income or with an empty scope"))
    outside_scope_income = money(_("Contract income from contracts outside the service scope (CNY)."))
    salary_to_peers = number(_("Personnel costs per staff member / the median of the same in the organization's "
                               "prefecture (two decimals); null with fewer than 5 peers."), 2, digits=14)
    salary_per_staff = serializers.DecimalField(
        max_digits=20, decimal_places=2, read_only=True, allow_null=True,
        help_text=_("Personnel costs / staff count from the annual report (CNY); null without staff."))
    peer_median_salary = serializers.DecimalField(
        max_digits=20, decimal_places=2, read_only=True, allow_null=True,
        help_text=_("Median personnel costs per staff member in the prefecture (CNY); null with fewer than 5 "
                    "peers."))
    peer_count = serializers.IntegerField(read_only=True, help_text=_(
        "Organizations of the prefecture with an annual report for the year and staff (the peers)."))
    reported_government_income = serializers.DecimalField(
        max_digits=20, decimal_places=2, read_only=True, allow_null=True,
        help_text=_("Government income as the annual report declares it (CNY); null when not reported."))
    reported_income_gap = ratio(_("(Reported − recorded government income) / recorded government income, signed"))
    related_party_income = money(_("Contract income from related-party contracts (CNY)."))
    related_party_share = ratio(_("Contract income from related-party contracts / contract income"))
    mission_drift_flag = flag("mission_drift")
    salary_to_peers_flag = flag("salary_to_peers")
    reported_income_gap_flag = flag("reported_income_gap")
    related_party_share_flag = flag("related_party_share")


class PurchaserYearSerializer(serializers.Serializer):
    """The indicators of one purchaser in one year (contracts by signing year; draft and cancelled never count)."""

    purchaser = serializers.IntegerField(read_only=True, help_text=_("Purchaser id."))
    purchaser_name = serializers.CharField(read_only=True, help_text=_("Purchaser name."))
    year = serializers.IntegerField(read_only=True, help_text=_("Calendar year."))
    contract_count = serializers.IntegerField(read_only=True, help_text=_("Contracts signed in the year."))
    spend = money(_("Sum of the amounts of the contracts signed in the year (CNY)."))
    supplier_hhi = WholePoints(help_text=_("Supplier concentration: Σ (100 · organization's share of spend)², "
                                           "0..10 000 whole points; null without spend."))
    top_supplier_share = ratio(_("Largest organization's share of spend"))
    single_source_share = ratio(_("Spend on single-source contracts / spend"))
    average_review_score = number(_("Average total score of the reviews made in the year; null without reviews."), 2)
    failed_reviews = serializers.IntegerField(read_only=True, help_text=_("Reviews graded fail in the year."))
    overdue_payments = serializers.IntegerField(read_only=True,
                                                help_text=_("Unpaid payments due in the year and before today."))
    supplier_hhi_flag = flag("supplier_hhi")
    single_source_share_flag = flag("single_source_share")

    def get_fields(self):
        """The indicators, then ``flags_<code>`` for each integrity flag in registry order (the same columns as the
        purchaser dashboard's CSV, ``dashboards.flag_counts``)."""
        fields = super().get_fields()
        for code, definition in FLAGS.items():
            fields[f"flags_{code}"] = serializers.IntegerField(read_only=True, help_text=format_lazy(
                _("Contracts signed in the year that carry the integrity flag “{}” ({}), as far as you may see "
                  "them."), definition.label, code))
        return fields
