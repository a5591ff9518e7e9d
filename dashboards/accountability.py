"""Accountability of organizations: four organization-year indicators, computed by the database.

- ``mission_drift`` = contract income in *y* from contracts whose service category is outside the organization's
  ``service_scope`` / contract income (undefined without contract income or with an empty scope);
- ``salary_to_peers`` = (personnel_costs / staff_count) / the median of the same over the organizations of the
  same prefecture with an annual report for *y* and staff_count > 0, itself included (undefined with fewer than
  ``MIN_PEERS`` of them, without a prefecture, or without its own report with staff);
- ``reported_income_gap`` = (reported_government_income − recorded government income G) / G, signed, flagged on
  its absolute value (undefined when G = 0 or nothing is reported);
- ``related_party_share`` = contract income in *y* from related-party contracts (``organizations.related_party``;
  counted statuses only: a draft or cancelled contract raises no flag) / contract income.

Income is cash: payments by ``paid_on``, whatever the contract's status. ``add_accountability(rows, ...)`` fills
these fields of ``OrganizationYear`` rows in 3 queries (contract income by scope and related party; the
organizations' own annual reports; the prefecture medians), whatever the number of rows; ``organization_indicators``
passes in the first two (the split comes with its income totals, ``funder_rows(accountability=True)``, the reports
with its own), leaving one.
"""

from decimal import Decimal

from django.db import connections
from django.db.models import CharField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Concat
from django.db.models.lookups import Contains

from contracts.choices import COUNTED_STATUSES
from contracts.models import Payment
from organizations.choices import RegionLevel
from organizations.models import AnnualReport, Organization, Region
from organizations.related_party import related_party

from .flags import AMBER, NONE, RED
from .numbers import CENT, SUM_FIELD, ZERO, Year, _date_filter, _decimal, ratio

MIN_PEERS = 5

FLAGGED = ("mission_drift", "salary_to_peers", "reported_income_gap", "related_party_share")
FIELDS = ("mission_drift", "outside_scope_income", "salary_to_peers", "salary_per_staff", "peer_median_salary",
          "peer_count", "reported_government_income", "reported_income_gap", "related_party_income",
          "related_party_share")


def _padded(expression):
    return Concat(Value(","), expression, Value(","), output_field=CharField())


def outside_scope():
    """Boolean expression on payments: the contract's service category is not in its organization's (non-empty)
    service scope."""
    in_scope = Contains(_padded(F("contract__organization__service_scope")), _padded(F("contract__service_category")))
    return ~Q(contract__organization__service_scope="") & ~Q(in_scope)


def related_party_counted():
    """Boolean expression on payments: the contract is related-party and in a counted status."""
    return Q(related_party("contract__")) & Q(contract__status__in=COUNTED_STATUSES)


def contract_income_split(organizations, years):
    """One query: ``{(organization, year): (contract income, outside scope, related party, scope)}``."""
    zero = Value(ZERO, output_field=SUM_FIELD)
    rows = (
        Payment.objects.filter(_date_filter("paid_on", years),
                               contract__organization__in=organizations.order_by().values("pk"))
        .order_by()
        .values(o=F("contract__organization_id"), y=Year("paid_on"), scope=F("contract__organization__service_scope"))
        .annotate(
            income=Sum("amount", output_field=SUM_FIELD),
            outside=Coalesce(Sum("amount", filter=outside_scope(), output_field=SUM_FIELD), zero),
            related=Coalesce(Sum("amount", filter=related_party_counted(), output_field=SUM_FIELD), zero),
        )
        .values_list("o", "y", "income", "outside", "related", "scope")
    )
    return {(o, int(y)): rest for o, y, *rest in rows}


# The median of personnel costs per staff member over each prefecture's organizations with a report and staff,
# per year (portable SQL: the middle one or two values by ROW_NUMBER() among COUNT() peers), with the prefecture
# of each requested organization. The prefecture of an organization is the prefecture-level region whose path
# is a prefix of its region's path (the region itself when it is one).
PEER_SQL = """
WITH org_pref AS (
    SELECT o.id AS o, pref.id AS pref
    FROM {organization} o
    JOIN {region} r ON r.id = o.region_id
    JOIN {region} pref ON pref.level = %s AND r.path LIKE pref.path || '%%'
),
per AS (
    SELECT op.pref, a.fiscal_year AS y, a.personnel_costs * 1.0 / a.staff_count AS s
    FROM {report} a JOIN org_pref op ON op.o = a.organization_id
    WHERE a.staff_count > 0 AND a.fiscal_year IN ({years})
),
ranked AS (
    SELECT pref, y, s, ROW_NUMBER() OVER (PARTITION BY pref, y ORDER BY s) AS rn,
           COUNT(*) OVER (PARTITION BY pref, y) AS n
    FROM per
),
medians AS (
    SELECT pref, y, AVG(s) AS m, MAX(n) AS n FROM ranked WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY pref, y
)
SELECT op.o, op.pref, medians.y, medians.m, medians.n
FROM org_pref op LEFT JOIN medians ON medians.pref = op.pref
WHERE op.o IN ({organizations})
"""


def peer_medians(organizations, years):
    """One query: ``({(organization, year): (median, peers)}, {organization: prefecture id})``. Peers are every
    organization of the prefecture (not only those the reader may see); only the median is ever shown."""
    inner_sql, inner_params = organizations.order_by().values("pk").query.sql_with_params()
    connection = connections[organizations.db]
    quote = connection.ops.quote_name
    sql = PEER_SQL.format(organization=quote(Organization._meta.db_table), region=quote(Region._meta.db_table),
                          report=quote(AnnualReport._meta.db_table), years=", ".join(["%s"] * len(years)),
                          organizations=inner_sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, [RegionLevel.PREFECTURE.value, *years, *inner_params])
        result, prefectures = {}, {}
        for o, pref, y, median, n in cursor.fetchall():
            prefectures[o] = pref
            if y is not None:
                result[(o, int(y))] = (median, int(n))
    return result, prefectures


def _band_level(band, value):
    """The flag level of ``value`` against its Threshold row (``none`` without a row, ``None`` if undefined)."""
    if value is None:
        return None
    return band.level(value) if band is not None else NONE


def _related_level(band, value):
    """``related_party_share``: amber above its amber threshold (> 0 %), red at or above its red one (≥ 25 %),
    as the accountability table in docs/indicators.md says (the Threshold row's direction is "above", for the
    amber band)."""
    if value is None:
        return None
    if band is None:
        return NONE
    if value >= band.red:
        return RED
    return AMBER if value > band.amber else NONE


def add_accountability(rows, organizations, years, thresholds, split=None, reports=None):
    """Fill the accountability fields of ``rows`` (``OrganizationYear``, their income already computed) in 3
    queries. ``organizations`` is the queryset the rows came from. ``split`` (the result of
    ``contract_income_split``) and ``reports`` (``{(organization, year): (personnel_costs, staff_count,
    reported_government_income)}``) save a query each when the caller already has them."""
    if not rows:
        return rows
    if split is None:
        split = contract_income_split(organizations, years)
    if reports is None:
        reports = {
            (o, y): rest for o, y, *rest in AnnualReport.objects.filter(
                organization__in=organizations.order_by().values("pk"), fiscal_year__in=years,
            ).order_by().values_list("organization_id", "fiscal_year", "personnel_costs", "staff_count",
                                     "reported_government_income")
        }
    medians, _prefectures = peer_medians(organizations, years)
    bands = {name: thresholds.get(name) for name in FLAGGED}
    for row in rows:
        key = (row.organization, row.year)
        income, outside, related, scope = split.get(key, (None, ZERO, ZERO, []))
        if income:
            income = _decimal(income)
            row.outside_scope_income = _decimal(outside).quantize(CENT)
            row.related_party_income = _decimal(related).quantize(CENT)
            if scope:
                row.mission_drift = ratio(row.outside_scope_income, income)
            row.related_party_share = ratio(row.related_party_income, income)
        report = reports.get(key)
        if report is not None:
            personnel, staff, reported = report
            row.reported_government_income = reported
            if staff:
                row.salary_per_staff = ratio(personnel, Decimal(staff))
            if reported is not None and row.government_income:
                row.reported_income_gap = ratio(reported - row.government_income, row.government_income)
        peer = medians.get(key)
        if peer is not None:
            median, row.peer_count = peer
            if row.peer_count >= MIN_PEERS and median:
                row.peer_median_salary = _decimal(median)
                row.salary_to_peers = ratio(row.salary_per_staff, row.peer_median_salary)
        row.mission_drift_flag = _band_level(bands["mission_drift"], row.mission_drift)
        row.salary_to_peers_flag = _band_level(bands["salary_to_peers"], row.salary_to_peers)
        gap = row.reported_income_gap
        row.reported_income_gap_flag = _band_level(bands["reported_income_gap"], None if gap is None else abs(gap))
        row.related_party_share_flag = _related_level(bands["related_party_share"], row.related_party_share)
    return rows
