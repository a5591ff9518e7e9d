"""Every flag and status explains itself where it is shown: the formula in words, this row's numbers
put into it, and the threshold or peer cut-off crossed.

``indicator_explanations(row, thresholds)`` → one ``Explanation`` per indicator of an organization-year (flagged
ones first, in the table's order); ``status_explanation(row)`` → the vulnerability status with each ratio's value,
percentile and cut-off. Templates render them in an expandable row (``dashboards/_row_details.html``) or a
disclosure (``<details>``), both reachable from the keyboard.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import Indicator
from .flags import AMBER, RATIO_INDICATORS, RED
from .tables import DASH, KINDS, format_indicator
from .vulnerability import LABELS, RATIO_NAMES, STATUS_LABELS

DETAILS_ATTRIBUTE = "_report"


@dataclass
class Explanation:
    name: str
    label: str
    value: str
    formula: str
    numbers: str
    level: str | None = None
    threshold: str = ""


def _money(value):
    return format_indicator(value, "money")


def _pct(value):
    return format_indicator(value, "percent")


def report_figures(row):
    """``(total_expenses, management_expenses, unrestricted, restricted net assets)`` of the row's annual report,
    or ``None``."""
    return row.__dict__.get(DETAILS_ATTRIBUTE)


def threshold_text(thresholds, name):
    """``{% threshold_text thresholds "funder_hhi" %}`` → "amber ≥ 1,500, red ≥ 2,500"."""
    band = thresholds.get(name) if thresholds else None
    if band is None:
        return ""
    kind = KINDS.get(name, "percent" if name in RATIO_INDICATORS else "hhi")
    return _("amber %(symbol)s %(amber)s, red %(symbol)s %(red)s") % {
        "symbol": band.symbol, "amber": _threshold(band.amber, kind), "red": _threshold(band.red, kind)}


def _threshold(value, kind):
    """A threshold as people write it: 50 %, 1,500, 3 (no needless decimals)."""
    if kind == "percent":
        value = value * 100
    value = value.normalize()
    places = max(0, -value.as_tuple().exponent)
    text = f"{value:,.{places}f}"
    return f"{text} %" if kind == "percent" else text


def indicator_explanations(row, thresholds):
    """Explanations of an organization-year's indicators, flagged and shown-only alike."""
    t = row.total_income
    report = report_figures(row)
    te, me, nau, nar = report if report else (None, None, None, None)
    names = {
        Indicator.GOVERNMENT_SHARE: (
            _("Government income (contract payments and government subsidies) ÷ total income"),
            f"{_money(row.government_income)} ÷ {_money(t)}"),
        Indicator.TOP_FUNDER_SHARE: (
            _("The largest single funder's income ÷ total income; unnamed individual donations, service fees and "
              "membership dues are nobody's share"),
            f"{row.top_funder_name or DASH}: {_money(_cents(row.top_funder_share, t))} ÷ {_money(t)}"),
        Indicator.FUNDER_HHI: (
            _("Sum over the funders of (100 × the funder's share of total income)²"),
            _("top funder %(share)s → %(share_points)s² of the total") % {
                "share": _pct(row.top_funder_share),
                "share_points": format_indicator(None if row.top_funder_share is None else row.top_funder_share * 100,
                                             "months")}),
        Indicator.RESTRICTED_RATIO: (
            _("Restricted income ÷ total income"), f"{_money(row.restricted_income)} ÷ {_money(t)}"),
        Indicator.RESERVE_MONTHS: (
            _("Unrestricted net assets ÷ (total expenses ÷ 12), from the annual report"),
            f"{_money(nau)} ÷ ({_money(te)} ÷ 12)" if report else _("no annual report")),
        Indicator.MANAGEMENT_EXPENSE_RATIO: (
            _("Management expenses ÷ total expenses, from the annual report"),
            f"{_money(me)} ÷ {_money(te)}" if report else _("no annual report")),
        Indicator.RENEWAL_EXPOSURE: (
            _("Contract income from contracts ending by 31 December of the next year ÷ total income"),
            f"{_money(_cents(row.renewal_exposure, t))} ÷ {_money(t)}"),
    }
    shown = {
        "revenue_type_hhi": (
            _("Revenue concentration (HHI by income type)"), "hhi",
            _("Sum over the income types (government, individual donations, corporate donations, foundation "
              "grants, service fees, membership dues, investment, other) of (100 × the type's share)²"), ""),
        "commercial_share": (
            _("Commercial share"), "percent", _("Service-fee income ÷ total income"),
            f"{_money(_cents(row.commercial_share, t))} ÷ {_money(t)}"),
        "equity_ratio": (
            _("Equity ratio"), "percent",
            _("(Unrestricted + restricted net assets) ÷ total income, from the annual report"),
            f"({_money(nau)} + {_money(nar)}) ÷ {_money(t)}" if report else _("no annual report")),
        "operating_margin": (
            _("Operating margin"), "percent", _("(Total income − total expenses) ÷ total income"),
            f"({_money(t)} − {_money(te)}) ÷ {_money(t)}" if report else _("no annual report")),
    }
    result = []
    for name, (formula, numbers) in names.items():
        indicator = Indicator(name)
        level = getattr(row, f"{name}_flag")
        result.append(Explanation(
            name.value, str(indicator.label), format_indicator(getattr(row, name.value), KINDS[indicator]),
            str(formula), str(numbers), level, threshold_text(thresholds, name.value) if level in (AMBER, RED) else ""))
    for name, (label, kind, formula, numbers) in shown.items():
        result.append(Explanation(name, str(label), format_indicator(getattr(row, name), kind), str(formula),
                                  str(numbers)))
    return result


def _cents(share, total):
    if share is None or not total:
        return None
    return share * total


@dataclass
class RatioStanding:
    name: str
    label: str
    value: str
    percentile: str
    cutoff: str
    worst: bool
    peers: int


def status_explanation(row):
    """The vulnerability status of an organization-year: its label, how many ratios put it in the worst fifth,
    and each ratio's value, percentile among peers and cut-off."""
    kinds = {"equity_ratio": "percent", "revenue_type_hhi": "hhi", "management_expense_ratio": "percent",
             "operating_margin": "percent"}
    ratios = []
    for name in RATIO_NAMES:
        standing = row.standings.get(name)
        kind = kinds[name]
        if standing is None:
            ratios.append(RatioStanding(name, str(LABELS[name]), DASH, DASH, _("undefined"), False, 0))
            continue
        if standing.cutoff is None:
            cutoff = _("no cut-off: %(count)d peers, fewer than 5") % {"count": standing.peers}
        else:
            symbol = "≤" if standing.low_is_worse else "≥"
            cutoff = f"{symbol} {format_indicator(standing.cutoff, kind)}"
        ratios.append(RatioStanding(
            name, str(standing.label), format_indicator(getattr(row, name), kind),
            DASH if standing.percentile is None else f"{standing.percentile:.1f}", cutoff, standing.worst,
            standing.peers))
    worst = sum(1 for r in ratios if r.worst)
    judged = sum(1 for s in row.standings.values() if s.judged)
    if row.status is None:
        summary = _("Unknown: only %(judged)d of the 4 ratios can be compared with peers (3 are needed).") % {
            "judged": judged}
    else:
        summary = _("%(status)s: in the worst fifth of peers on %(worst)d of 4 ratios (red: all 4; amber: at least "
                    "2).") % {"status": STATUS_LABELS[row.status], "worst": worst}
    return {"status": row.status, "label": str(STATUS_LABELS[row.status]), "summary": summary, "ratios": ratios}
