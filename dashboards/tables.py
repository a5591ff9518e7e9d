"""Columns of the dashboards, declared once: the page tables, the indicator cards and the CSV export use them.

``DisplayColumn.kind`` says how a value reads: ``money`` (CNY), ``percent`` (a 0..1 ratio), ``hhi`` (0..10 000),
``months``, ``score``, ``count``, ``flag`` (the row's most severe flag), ``status`` (an organization's
vulnerability status) or ``text``.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.numbers import format_money, format_number, format_percent

from .choices import Indicator
from .flag_counts import PURCHASER_EXPORT_COLUMNS  # noqa: F401 - also read from here
from .flags import FLAG_ORDER
from .indicators import ORGANIZATION_COLUMNS
from .integrity import FLAGS

DASH = "—"


@dataclass(frozen=True)
class DisplayColumn:
    """One column of a dashboard table."""

    name: str
    label: str
    kind: str = "text"
    flagged: bool = False
    explanation: str = ""

    @property
    def numeric(self):
        return self.kind not in ("text",)


EXPLANATIONS = {
    Indicator.GOVERNMENT_SHARE: _("Share of the year's income that came from government: contract payments and "
                                  "government subsidies."),
    Indicator.TOP_FUNDER_SHARE: _("Share of the year's income that came from the single largest funder."),
    Indicator.FUNDER_HHI: _("How concentrated the funders are: 10 000 means a single funder; below 1 500 the income "
                            "is spread over many funders."),
    Indicator.RESTRICTED_RATIO: _("Share of the year's income that may only be spent on designated project "
                                  "activities, leaving nothing for the organization's own development."),
    Indicator.RESERVE_MONTHS: _("How many months of the year's spending the unrestricted net assets would cover."),
    Indicator.MANAGEMENT_EXPENSE_RATIO: _("Management expenses as a share of total expenses."),
    Indicator.RENEWAL_EXPOSURE: _("Share of the year's income from contracts that end by 31 December of the next "
                                  "year: money that disappears unless the contracts are renewed."),
    Indicator.SUPPLIER_HHI: _("How concentrated the purchaser's spend is across organizations: 10 000 means a "
                              "single supplier."),
    Indicator.SINGLE_SOURCE_SHARE: _("Share of the year's spend awarded by single-source procurement, without "
                                     "competition."),
    Indicator.MISSION_DRIFT: _("Share of the year's contract income from contracts whose service category is "
                               "outside the organization's registered service scope."),
    Indicator.SALARY_TO_PEERS: _("Personnel costs per staff member, divided by the median of the same among the "
                                 "organizations of its prefecture (at least 5)."),
    Indicator.REPORTED_INCOME_GAP: _("Government income as the annual report declares it, minus the government "
                                     "income recorded here, as a share of the recorded one; flagged on its size "
                                     "either way."),
    Indicator.RELATED_PARTY_SHARE: _("Share of the year's contract income from contracts signed with a purchaser "
                                     "where a key person of the organization held a post in the 3 years before; "
                                     "amber above 0 %, red at or above the red threshold."),
}

KINDS = {
    Indicator.GOVERNMENT_SHARE: "percent", Indicator.TOP_FUNDER_SHARE: "percent", Indicator.FUNDER_HHI: "hhi",
    Indicator.RESTRICTED_RATIO: "percent", Indicator.RESERVE_MONTHS: "months",
    Indicator.MANAGEMENT_EXPENSE_RATIO: "percent", Indicator.RENEWAL_EXPOSURE: "percent",
    Indicator.SUPPLIER_HHI: "hhi", Indicator.SINGLE_SOURCE_SHARE: "percent",
    Indicator.MISSION_DRIFT: "percent", Indicator.SALARY_TO_PEERS: "ratio", Indicator.REPORTED_INCOME_GAP: "percent",
    Indicator.RELATED_PARTY_SHARE: "percent",
}


def indicator_column(indicator):
    indicator = Indicator(indicator)
    return DisplayColumn(indicator.value, indicator.label, KINDS[indicator], True, EXPLANATIONS[indicator])


# The dependency dashboard shows the columns that matter, so that it fits a 1366 px
# screen in both languages; every
# other figure, with the explanations, is in each row's expandable details (``dashboards/_row_details.html``).
ORGANIZATION_TABLE = [
    DisplayColumn("organization_name", _("Organization")),
    DisplayColumn("status", _("Status"), "status",
                  explanation=_("Vulnerability against peers: the worst fifth of all organizations on equity ratio, "
                                "revenue concentration, management expense ratio and operating margin.")),
    indicator_column(Indicator.GOVERNMENT_SHARE),
    indicator_column(Indicator.TOP_FUNDER_SHARE),
    indicator_column(Indicator.RENEWAL_EXPOSURE),
    indicator_column(Indicator.RESERVE_MONTHS),
]

PURCHASER_TABLE = [
    DisplayColumn("purchaser_name", _("Purchaser")),
    DisplayColumn("worst_flag", _("Flag"), "flag"),
    DisplayColumn("contract_count", _("Contracts"), "count"),
    DisplayColumn("spend", _("Spend"), "money"),
    indicator_column(Indicator.SUPPLIER_HHI),
    DisplayColumn("top_supplier_share", _("Top supplier share"), "percent",
                  explanation=_("Share of the year's spend that went to the largest supplier.")),
    indicator_column(Indicator.SINGLE_SOURCE_SHARE),
    DisplayColumn("average_review_score", _("Average review score"), "score"),
    DisplayColumn("failed_reviews", _("Failed reviews"), "count"),
    DisplayColumn("overdue_payments", _("Overdue payments"), "count"),
    # One column per integrity flag: the purchaser's contracts signed in the year that carry it (docs/integrity.md).
    *[DisplayColumn(f"flags_{code}", definition.label, "count", explanation=definition.description)
      for code, definition in FLAGS.items()],
]

# The accountability dashboard: the four indicators with the money behind them; its CSV has the
# organization, the year, the income it divides and every accountability field (the API has them too).
ACCOUNTABILITY_TABLE = [
    DisplayColumn("organization_name", _("Organization")),
    DisplayColumn("accountability_flag", _("Flag"), "flag"),
    DisplayColumn("contract_income", _("Contract income"), "money"),
    indicator_column(Indicator.MISSION_DRIFT),
    indicator_column(Indicator.SALARY_TO_PEERS),
    indicator_column(Indicator.REPORTED_INCOME_GAP),
    indicator_column(Indicator.RELATED_PARTY_SHARE),
]
ACCOUNTABILITY_COLUMNS = ["organization", "organization_name", "year", "contract_income", "government_income",
                          *ORGANIZATION_COLUMNS[ORGANIZATION_COLUMNS.index("mission_drift"):]]

# CSV export of the dashboards: every field of the rows, named as in the API and docs/indicators.md.
ORGANIZATION_EXPORT_COLUMNS = ORGANIZATION_COLUMNS
# The purchaser file: the indicators, then flags_<code> per integrity flag (dashboards.flag_counts).

SORT_EXTRA = {"worst_flag": lambda row: FLAG_ORDER.get(row.worst_flag, -1), "status": lambda row: row.risk_key,
              "accountability_flag": lambda row: (FLAG_ORDER.get(row.accountability_flag, -1),
                                                  row.related_party_share or 0, row.mission_drift or 0)}


def format_indicator(value, kind):
    """How an indicator value reads in a page, the same in every language (as money is), rounded half up:
    percentages with one decimal, HHI as whole points grouped by three, months and scores with one decimal, money
    with cents; "—" when undefined."""
    if value is None or value == "":
        return DASH
    if kind == "percent":
        return format_percent(value)
    if kind == "hhi":
        return format_number(value)
    if kind == "ratio":
        return format_number(value, 2)
    if kind in ("months", "score"):
        return format_number(value, 1)
    if kind == "money":
        return format_money(value)
    if kind == "count":
        return f"{int(value):,d}"
    return str(value)


def sort_rows(rows, key):
    """Sort computed rows by ``key`` (``-key`` for descending); undefined values always come last."""
    descending = key.startswith("-")
    name = key.lstrip("-")
    getter = SORT_EXTRA.get(name) or (lambda row: getattr(row, name))
    present = [row for row in rows if getter(row) is not None]
    missing = [row for row in rows if getter(row) is None]
    present.sort(key=getter, reverse=descending)
    return present + missing


# Figures shown but never flagged (no threshold applies to them): in the details of a row and on an organization's page.
SHOWN_COLUMNS = [
    DisplayColumn("revenue_type_hhi", _("Revenue concentration (HHI by income type)"), "hhi",
                  explanation=_("How concentrated the income is across income types (government, donations, "
                                "grants, fees…): 10 000 means a single type.")),
    DisplayColumn("commercial_share", _("Commercial share"), "percent",
                  explanation=_("Share of the year's income from service fees.")),
    DisplayColumn("equity_ratio", _("Equity ratio"), "percent",
                  explanation=_("Net assets as a share of the year's income.")),
    DisplayColumn("operating_margin", _("Operating margin"), "percent",
                  explanation=_("What is left of the year's income after the year's expenses, as a share of it.")),
]
