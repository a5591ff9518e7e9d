"""Template tags of the dashboards: ``{% load indicators %}``.

``{% funding_mix organization %}``    an organization's income by source per year (stacked bars, government share
                                      as a line), indicator cards and the same numbers as tables. Renders nothing
                                      but a notice unless the user may see the organization's money.
``{% purchaser_summary purchaser %}`` a purchaser's spend by category and year (chart and table), supplier
                                      concentration, top 5 suppliers, single-source share, reviews, overdue
                                      payments. Only when the user may see the purchaser's whole portfolio.
``{% contract_flags contract %}``     the contract-level flags raised on a contract (overpaid, overdue…; one query).
``{{ value|indicator:"percent" }}``   an indicator value as it reads (see ``dashboards.tables.format_indicator``).
``{{ row|cell:"name" }}``              a row's field by name.
``{% threshold_text thresholds "government_share" %}``  "amber ≥ 50 %, red ≥ 80 %".
``{{ level|flag_class }}``             Bootstrap table-cell class of a flag level.
``{{ row.status|status_badge }}``     an organization's vulnerability status as a badge (icon and text).
``{% row_explanations row thresholds as ex %}``  the explanations of a row's status and indicators.
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from contracts.choices import Grade, ServiceCategory
from organizations.choices import IncomeSource
from organizations.models import AnnualReport, Organization, Purchaser

from ..caching import cached_figures, thresholds_key
from ..explain import indicator_explanations, status_explanation, threshold_text
from ..flags import Thresholds
from ..indicators import OrganizationYear, income_by_source, organization_indicators
from ..integrity import flags_for, with_flags
from ..purchaser_indicators import purchaser_indicators, review_grades, spend_by_year_and_category, top_suppliers
from ..scope import default_year, finance_organizations, portfolio_purchasers
from ..tables import PURCHASER_TABLE, SHOWN_COLUMNS, format_indicator, indicator_column

register = template.Library()

FLAG_CLASSES = {"amber": "table-warning", "red": "table-danger"}
SOURCE_COLORS = {"contracts": "#1f4e79", "government_subsidy": "#2e86c1", "donation_individual": "#48c9b0",
                 "donation_corporate": "#f5b041", "foundation_grant": "#af7ac5", "service_fee": "#ec7063",
                 "membership_dues": "#5d6d7e", "investment": "#a3e4d7", "other": "#85929e"}


@register.filter
def indicator(value, kind):
    """``{{ row.government_share|indicator:"percent" }}`` → "76.0 %"; "—" when undefined."""
    return format_indicator(value, kind)


@register.filter
def cell(row, name):
    """``{{ row|cell:column.name }}``: a row's field by name."""
    return getattr(row, name, None)


@register.filter
def flag_class(level):
    """The table-cell class of a flag level (amber / red), empty otherwise."""
    return FLAG_CLASSES.get(level or "", "")


STATUS_BADGES = {"red": ("text-bg-danger", "▲"), "amber": ("text-bg-warning", "●"),
                 "none": ("text-bg-light border", "○")}


@register.filter
def status_badge(status):
    """An organization's vulnerability status as a badge: an icon and the status in words, never colour alone."""
    from ..vulnerability import STATUS_LABELS

    if status not in STATUS_BADGES:
        return format_html('<span class="badge text-bg-light border status-badge" data-status="">? {}</span>',
                           STATUS_LABELS[None])
    css, icon = STATUS_BADGES[status]
    return format_html('<span class="badge {} status-badge" data-status="{}"><span aria-hidden="true">{}</span> {}'
                       '</span>', css, status, icon, STATUS_LABELS[status])


@register.simple_tag
def row_explanations(row, thresholds):
    """``{% row_explanations row thresholds as ex %}``: ``ex.status`` and ``ex.indicators`` of an
    organization-year (``dashboards.explain``)."""
    return {"status": status_explanation(row), "indicators": indicator_explanations(row, thresholds)}


register.simple_tag(threshold_text)


def _thresholds(context):
    value = context.get("thresholds")
    return value if isinstance(value, Thresholds) else Thresholds.load()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


def _chosen_year(context, years):
    """The year of the indicator cards: ``?funding_year=`` when it is one of ``years``, else the last complete
    year (or the latest year before it)."""
    request = context.get("request")
    try:
        wanted = int(request.GET.get("funding_year", ""))
    except (AttributeError, TypeError, ValueError):
        wanted = None
    if wanted in years:
        return wanted
    return _default_of(years)


def _default_of(years):
    """The last complete calendar year when it is among ``years`` (whose annual reports can
    exist), else the latest year before
    it, else the earliest year."""
    last_complete = default_year()
    return max([y for y in years if y <= last_complete] or [min(years)])


def _json_safe(value):
    return None if value is None else float(value)


@register.inclusion_tag("dashboards/_funding_mix.html", takes_context=True)
def funding_mix(context, organization):
    """Funding mix of ``organization`` by year, its indicators and flags (a fixed number of queries)."""
    user = _user(context)
    if user is None or not finance_organizations(user).filter(pk=organization.pk).exists():
        return {"hidden": True}
    thresholds = _thresholds(context)

    def compute():
        mix = income_by_source(organization)
        report_years = AnnualReport.objects.filter(organization=organization).values_list("fiscal_year", flat=True)
        years = sorted(set(mix) | set(report_years))
        rows = (organization_indicators(Organization.objects.filter(pk=organization.pk), years, thresholds=thresholds)
                if years else [])
        return mix, years, rows

    # Six queries over the organization's payments and income, kept until its data changes (dashboards.caching).
    mix, years, rows = cached_figures("funding-mix", user, compute, parts=(organization.pk, thresholds_key(thresholds)))
    if not years:
        return {"empty": True, "organization": organization}
    present = {key for amounts in mix.values() for key in amounts}
    sources = [("contracts", _("Government contracts"))] + [(s.value, s.label) for s in IncomeSource]
    sources = [(key, str(label)) for key, label in sources if key in present]
    by_year = {row.year: row for row in rows}
    latest = by_year[_chosen_year(context, years)]
    table = [{"year": y, "amounts": [mix.get(y, {}).get(key) for key, _label in sources], "row": by_year[y]}
             for y in years]
    explanations = {e.name: e for e in indicator_explanations(latest, thresholds)}
    cards = []
    for column in [indicator_column(name) for name in OrganizationYear.flagged] + SHOWN_COLUMNS:
        name = column.name
        cards.append({"column": column, "value": getattr(latest, name), "flag": getattr(latest, f"{name}_flag", None),
                      "threshold": threshold_text(thresholds, name) if column.flagged else "",
                      "explain": explanations.get(name)})
    chart = {
        "labels": [str(y) for y in years],
        "series": [{"label": label, "color": SOURCE_COLORS.get(key),
                    "data": [_json_safe(mix.get(y, {}).get(key)) for y in years]} for key, label in sources],
        "share": [None if by_year[y].government_share is None else float(by_year[y].government_share * 100)
                  for y in years],
        "shareLabel": _("Government share"),
        "amountLabel": _("Income (CNY)"),
    }
    return {
        "organization": organization,
        "years": years,
        "sources": sources,
        "table": table,
        "rows": rows,
        "latest": latest,
        "cards": cards,
        "chart_id": f"funding-mix-{organization.pk}",
        "chart": chart,
        "indicator_columns": [indicator_column(n) for n in OrganizationYear.flagged] + SHOWN_COLUMNS,
        "status": status_explanation(latest),
        "thresholds": thresholds,
    }


@register.inclusion_tag("dashboards/_purchaser_summary.html", takes_context=True)
def purchaser_summary(context, purchaser):
    """Spend, supplier concentration, reviews and overdue payments of ``purchaser`` (a fixed number of
    queries); only when the user may see every contract of the purchaser."""
    user = _user(context)
    if user is None or not portfolio_purchasers(user).filter(pk=purchaser.pk).exists():
        return {"hidden": True}
    thresholds = _thresholds(context)
    by_year = spend_by_year_and_category(purchaser)
    if not by_year:
        return {"empty": True, "purchaser": purchaser}
    years = list(by_year)
    year = _default_of(years)
    present = {c for amounts in by_year.values() for c in amounts}
    categories = [(c.value, str(c.label)) for c in ServiceCategory if c.value in present]
    table = [{"year": y, "amounts": [by_year[y].get(c) for c, _label in categories],
              "total": sum(by_year[y].values())} for y in years]
    [row] = purchaser_indicators(Purchaser.objects.filter(pk=purchaser.pk), year, thresholds=thresholds)
    grades = review_grades(purchaser, year)
    chart = {
        "labels": [str(y) for y in years],
        "series": [{"label": label, "data": [_json_safe(by_year[y].get(c)) for y in years]}
                   for c, label in categories],
        "amountLabel": _("Spend (CNY)"),
    }
    return {
        "purchaser": purchaser,
        "year": year,
        "row": row,
        "categories": categories,
        "table": table,
        "suppliers": top_suppliers(purchaser, year),
        "grades": [(g.label, grades.get(g.value, 0), g.value) for g in Grade],
        "chart_id": f"spend-{purchaser.pk}",
        "chart": chart,
        "hhi_column": indicator_column("supplier_hhi"),
        "top_column": next(c for c in PURCHASER_TABLE if c.name == "top_supplier_share"),
        "single_column": indicator_column("single_source_share"),
        "thresholds": thresholds,
        "supplier_hhi_threshold": threshold_text(thresholds, "supplier_hhi"),
        "single_source_threshold": threshold_text(thresholds, "single_source_share"),
    }


@register.inclusion_tag("dashboards/_contract_flags.html", takes_context=True)
def contract_flags(context, contract):
    """The integrity flags of one contract with their evidence (docs/integrity.md): what the reader may see is
    linked, the rest counted. A fixed number of queries."""
    from contracts.models import Contract

    user = context["request"].user
    rows = list(with_flags(Contract.objects.filter(pk=contract.pk)))
    return {"flags": flags_for(rows, user).get(contract.pk, [])}
