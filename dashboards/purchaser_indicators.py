"""Purchaser-year indicators, computed by the database: spend, supplier concentration (HHI, top supplier share),
single-source share, review quality and overdue payments; and the summaries of a purchaser's page (top
suppliers, spend by category and year, review grades). The organization-year indicators are in
``dashboards.indicators``."""

from django.db import connections
from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.choices import COUNTED_STATUSES, Grade, ProcurementMethod
from contracts.models import Contract, Payment, PerformanceReview

from .flags import Thresholds
from .indicators import MIN_CONTRACTS_TO_JUDGE, PurchaserYear
from .numbers import SUM_FIELD, ZERO, Year, _date_filter, _decimal, _money, hhi, normalize_years, ratio

PURCHASER_YEAR_SQL = """
WITH suppliers (b, y, o, n, spend, single) AS ({inner})
SELECT b, y, SUM(n), ROUND(SUM(spend), 2), ROUND(SUM(single), 2), SUM(spend * spend), ROUND(MAX(spend), 2)
FROM suppliers GROUP BY b, y
"""
QUALITY_SQL = """
WITH quality (b, y, score, n, failed, overdue) AS ({inner})
SELECT b, y, SUM(score), SUM(n), SUM(failed), SUM(overdue) FROM quality GROUP BY b, y
"""


def _run(queryset, template):
    """Run ``template`` with the queryset's SQL as ``{inner}`` (a CTE over the ORM's query); all rows."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(template.format(inner=sql), params)
        return cursor.fetchall()


def counted_contracts(purchasers, years=None):
    """Contracts that count for purchaser indicators: of ``purchasers``, status active/completed/terminated,
    signed in one of ``years`` (all years when ``None``)."""
    qs = Contract.objects.filter(purchaser__in=purchasers.order_by().values("pk"), status__in=COUNTED_STATUSES)
    if years is not None:
        qs = qs.filter(_date_filter("signed_on", normalize_years(years)))
    return qs


def purchaser_indicators(purchasers, years, thresholds=None, today=None):
    """The indicators of every purchaser in ``purchasers`` for every year in ``years``.

    Contracts count by ``signed_on`` year; draft and cancelled contracts never count (nor their reviews and
    payments). Reviews count by ``reviewed_on`` year; overdue payments are unpaid payments due in the year and
    before ``today``.

    The database groups the counted contracts by purchaser, year and organization, then (in a CTE) by purchaser
    and year with Σ spend², the largest supplier's spend and the single-source spend; reviews and overdue
    payments are one UNION ALL, grouped per purchaser and year.

    At most 4 queries, whatever the number of purchasers, years and rows.
    """
    years = normalize_years(years)
    thresholds = thresholds or Thresholds.load()
    today = today or timezone.localdate()
    buyers = list(purchasers.values_list("pk", "name"))
    if not buyers:
        return []
    purchaser_ids = purchasers.order_by().values("pk")

    supplier_rows = (
        counted_contracts(purchasers, years).order_by()
        .values(b=F("purchaser_id"), y=Year("signed_on"), o=F("organization_id"))
        .annotate(n=Count("pk"), spend=Sum("amount", output_field=SUM_FIELD),
                  single=Coalesce(Sum("amount", filter=Q(procurement_method=ProcurementMethod.SINGLE_SOURCE),
                                      output_field=SUM_FIELD), Value(ZERO), output_field=SUM_FIELD))
        .values_list("b", "y", "o", "n", "spend", "single")
    )
    spend = {(b, int(y)): rest for b, y, *rest in _run(supplier_rows, PURCHASER_YEAR_SQL)}

    reviews = (
        PerformanceReview.objects.filter(_date_filter("reviewed_on", years), contract__purchaser__in=purchaser_ids,
                                         contract__status__in=COUNTED_STATUSES)
        .order_by()
        .values(b=F("contract__purchaser_id"), y=Year("reviewed_on"))
        .annotate(score=Sum("total_score", output_field=SUM_FIELD), n=Count("pk"),
                  failed=Count("pk", filter=Q(grade=Grade.FAIL)), overdue=Value(0, output_field=IntegerField()))
        .values_list("b", "y", "score", "n", "failed", "overdue")
    )
    overdue = (
        Payment.objects.filter(_date_filter("due_on", years), contract__purchaser__in=purchaser_ids,
                               contract__status__in=COUNTED_STATUSES, paid_on__isnull=True, due_on__lt=today)
        .order_by()
        .values(b=F("contract__purchaser_id"), y=Year("due_on"))
        .annotate(score=Value(ZERO, output_field=SUM_FIELD), n=Value(0, output_field=IntegerField()),
                  failed=Value(0, output_field=IntegerField()), overdue=Count("pk"))
        .values_list("b", "y", "score", "n", "failed", "overdue")
    )
    quality = {(b, int(y)): rest for b, y, *rest in _run(reviews.union(overdue, all=True), QUALITY_SQL)}

    rows = []
    for pk, name in buyers:
        for year in years:
            row = PurchaserYear(purchaser=pk, purchaser_name=name, year=year)
            a = spend.get((pk, year))
            if a is not None:
                count, total, single, squares, largest = a
                row.contract_count, row.spend = int(count), _money(total)
                if row.spend:
                    row.supplier_hhi = hhi(_decimal(squares), row.spend)
                    row.top_supplier_share = ratio(_money(largest), row.spend)
                    row.single_source_share = ratio(_money(single), row.spend)
            q = quality.get((pk, year))
            if q is not None:
                score, reviewed, failed, late = q
                if reviewed:
                    row.average_review_score = ratio(_money(score), int(reviewed))
                row.failed_reviews, row.overdue_payments = int(failed), int(late)
            if row.contract_count >= MIN_CONTRACTS_TO_JUDGE:  # fewer: too few contracts to judge (flags null)
                for indicator in PurchaserYear.flagged:
                    setattr(row, f"{indicator}_flag", thresholds.level(indicator, getattr(row, indicator)))
            rows.append(row)
    return rows


def top_suppliers(purchaser, years=None, limit=5):
    """The ``limit`` organizations with the largest spend of ``purchaser`` (counted contracts signed in
    ``years``, all years when ``None``): dicts with organization, organization_name, contract_count, spend,
    share. One query plus one for the total."""
    contracts = counted_contracts(type(purchaser).objects.filter(pk=purchaser.pk), years)
    total = _money(contracts.aggregate(s=Sum("amount", output_field=SUM_FIELD))["s"])
    rows = (contracts.order_by().values("organization_id", "organization__name")
            .annotate(n=Count("pk"), spend=Sum("amount", output_field=SUM_FIELD))
            .order_by("-spend", "organization__name")[:limit])
    return [{"organization": r["organization_id"], "organization_name": r["organization__name"],
             "contract_count": r["n"], "spend": _money(r["spend"]), "share": ratio(_money(r["spend"]), total)}
            for r in rows]


def spend_by_category(purchaser, years=None):
    """Spend of ``purchaser`` per service category (counted contracts signed in ``years``): list of
    ``(category, contract_count, spend)`` ordered by spend, largest first. One query."""
    rows = (counted_contracts(type(purchaser).objects.filter(pk=purchaser.pk), years).order_by()
            .values("service_category").annotate(n=Count("pk"), spend=Sum("amount", output_field=SUM_FIELD))
            .values_list("service_category", "n", "spend"))
    return sorted(((c, n, _money(s)) for c, n, s in rows), key=lambda r: (-r[2], r[0]))


def spend_by_year_and_category(purchaser):
    """``{year: {category: spend}}`` for every year with counted contracts of ``purchaser``. One query."""
    rows = (counted_contracts(type(purchaser).objects.filter(pk=purchaser.pk)).order_by()
            .values(y=Year("signed_on"), c=F("service_category"))
            .annotate(spend=Sum("amount", output_field=SUM_FIELD)).values_list("y", "c", "spend"))
    result = {}
    for y, c, spend in rows:
        result.setdefault(int(y), {})[c] = _money(spend)
    return dict(sorted(result.items()))


def review_grades(purchaser, years=None):
    """Reviews of ``purchaser``'s counted contracts reviewed in ``years`` (all years when ``None``):
    ``{grade: count}``. One query."""
    reviews = PerformanceReview.objects.filter(contract__purchaser=purchaser, contract__status__in=COUNTED_STATUSES)
    if years is not None:
        reviews = reviews.filter(_date_filter("reviewed_on", normalize_years(years)))
    return dict(reviews.order_by().values("grade").annotate(n=Count("pk")).values_list("grade", "n"))
