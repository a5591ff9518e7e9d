"""Organization-year and purchaser-year indicators, computed by the database.

Public functions (all take querysets already narrowed to what the user may see, and a year or several years):

- ``organization_indicators(organizations, years, thresholds=None)`` → list of ``OrganizationYear``
- ``purchaser_indicators(purchasers, years, thresholds=None, today=None)`` → list of ``PurchaserYear``
- ``income_by_source(organization, years=None)`` → funding mix of one organization per year (chart data)
- ``top_suppliers(purchaser, years=None, limit=5)``, ``spend_by_category(purchaser, years=None)``,
  ``spend_by_year_and_category(purchaser)``, ``review_grades(purchaser, years=None)`` → the purchaser summary
- ``ORGANIZATION_COLUMNS`` / ``PURCHASER_COLUMNS``: the field names of a row, in order (API fields, CSV headers).

How the money is aggregated: the database does it. Payments and income records are grouped by organization, year
and funder in two value querysets combined with ``UNION ALL``; a common table expression over that union merges
each funder's rows (a purchaser's subsidies with its contract payments) and aggregates per organization and year:
money sums, Σ funder², the largest funder and its name (``ROW_NUMBER()``). Purchasers likewise (contracts grouped
by purchaser, year and organization, then per purchaser and year). Python only divides the sums of each
entity-year: ratios are exact ``Decimal`` quotients (28 significant digits) of sums of cents, identical on SQLite
and PostgreSQL, never rounded here (templates and exports round for display). A ratio whose denominator is 0 or
missing is ``None`` ("undefined"), never 0 and never an error.

Query bound: ``organization_indicators`` runs at most 5 queries (organizations; the income totals, the peer
standing and the accountability split of contract income in one statement over one set of funder rows; the annual
reports; the prefecture medians of ``dashboards.accountability``; the thresholds when not passed in; with the peer
standing passed in, the totals and the split are two queries);
``purchaser_indicators`` at most 4 (purchasers, supplier rows, reviews and overdue payments as one union,
thresholds). Neither depends on the number of organizations, purchasers, years or rows.
"""

from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from django.db import connections
from django.db.models import Sum

from contracts.models import Payment
from organizations.choices import IncomeSource
from organizations.models import AnnualReport, IncomeRecord, Organization, Purchaser

from .accountability import FLAGGED as ACCOUNTABILITY_FLAGGED
from .accountability import add_accountability
from .choices import Indicator
from .flags import FLAG_ORDER, NONE, Thresholds, worst
from .funders import CONTRACT_SOURCE, DIFFUSE_SOURCES, funder_rows  # noqa: F401 - also read from here
from .numbers import (  # noqa: F401 - also read from here by the other modules and the tests
    CENT,
    FLOAT_CONTEXT,
    MONEY_FIELD,
    RATIO_CONTEXT,
    SUM_FIELD,
    TEN_THOUSAND,
    TWELVE,
    ZERO,
    Divide,
    Year,
    _cents,
    _date_filter,
    _decimal,
    _money,
    hhi,
    normalize_years,
    ratio,
)

# A purchaser-year with fewer counted contracts gets no concentration flags.
MIN_CONTRACTS_TO_JUDGE = 5


class Row:
    """Shared helpers of the indicator rows."""

    flagged: tuple = ()

    @classmethod
    def columns(cls):
        """Field names in order: the API fields and CSV headers."""
        return [f.name for f in fields(cls)]

    def as_dict(self):
        return asdict(self)

    @property
    def worst_flag(self):
        """The most severe flag of the row (``None`` when every flagged indicator is undefined)."""
        if "_worst_flag" in self.__dict__:
            return self.__dict__["_worst_flag"]
        return worst(getattr(self, f"{name}_flag") for name in self.flagged)

    @property
    def headline(self):
        """The row's headline level (its most severe flag; organizations override it with their status)."""
        return self.worst_flag

    def freeze(self):
        """Remember ``worst_flag`` (read several times per row by sorting, filtering and counting); only for rows
        whose flags no longer change (``dashboards.caching``)."""
        self.__dict__["_worst_flag"] = worst(getattr(self, f"{name}_flag") for name in self.flagged)

    def __getitem__(self, key):
        return getattr(self, key)


@dataclass
class OrganizationYear(Row):
    """The indicators of one organization in one year. Money in CNY; ratios are fractions 0..1;
    ``funder_hhi`` is 0..10 000; ``None`` means undefined."""

    organization: int
    organization_name: str
    year: int
    total_income: Decimal = ZERO
    contract_income: Decimal = ZERO
    government_income: Decimal = ZERO
    restricted_income: Decimal = ZERO
    government_share: Decimal | None = None
    top_funder_share: Decimal | None = None
    top_funder_name: str | None = None
    funder_hhi: Decimal | None = None
    restricted_ratio: Decimal | None = None
    reserve_months: Decimal | None = None
    management_expense_ratio: Decimal | None = None
    renewal_exposure: Decimal | None = None
    revenue_type_hhi: Decimal | None = None
    commercial_share: Decimal | None = None
    equity_ratio: Decimal | None = None
    operating_margin: Decimal | None = None
    status: str | None = None
    equity_ratio_percentile: Decimal | None = None
    revenue_type_hhi_percentile: Decimal | None = None
    management_expense_ratio_percentile: Decimal | None = None
    operating_margin_percentile: Decimal | None = None
    government_share_flag: str | None = None
    top_funder_share_flag: str | None = None
    funder_hhi_flag: str | None = None
    restricted_ratio_flag: str | None = None
    reserve_months_flag: str | None = None
    management_expense_ratio_flag: str | None = None
    renewal_exposure_flag: str | None = None
    # Accountability (``dashboards.accountability``); not part of ``flagged`` (the dependency flags).
    mission_drift: Decimal | None = None
    outside_scope_income: Decimal = ZERO
    salary_to_peers: Decimal | None = None
    salary_per_staff: Decimal | None = None
    peer_median_salary: Decimal | None = None
    peer_count: int = 0
    reported_government_income: Decimal | None = None
    reported_income_gap: Decimal | None = None
    related_party_income: Decimal = ZERO
    related_party_share: Decimal | None = None
    mission_drift_flag: str | None = None
    salary_to_peers_flag: str | None = None
    reported_income_gap_flag: str | None = None
    related_party_share_flag: str | None = None

    flagged = (Indicator.GOVERNMENT_SHARE.value, Indicator.TOP_FUNDER_SHARE.value, Indicator.FUNDER_HHI.value,
               Indicator.RESTRICTED_RATIO.value, Indicator.RESERVE_MONTHS.value,
               Indicator.MANAGEMENT_EXPENSE_RATIO.value, Indicator.RENEWAL_EXPOSURE.value)

    @property
    def headline(self):
        """The row's headline level: the vulnerability status (what "red organization" means)."""
        return self.status

    @property
    def accountability_flag(self):
        """The most severe of the four accountability flags, ``None`` when all are undefined."""
        return worst(getattr(self, f"{name}_flag") for name in ACCOUNTABILITY_FLAGGED)

    @property
    def standings(self):
        """``{ratio: vulnerability.Standing}`` of the four status ratios (empty when none is defined)."""
        return self.__dict__.get("_standings", {})

    @property
    def worst_fifth(self):
        """The status ratios on which the row is in the worst fifth of its peers, in order."""
        return [s for s in self.standings.values() if s.worst]

    def freeze(self):
        """Also remember ``risk_key``: sorting a province's cached rows by status read it three times per row per
        view, about a third of the dependency dashboard's CPU time (measured on 10,000 rows)."""
        super().freeze()
        self.__dict__["_risk_key"] = self.risk_key

    @property
    def risk_key(self):
        """Ranking of rows by risk: status, then the number of ratios in the worst fifth, then the mean
        percentile."""
        if "_risk_key" in self.__dict__:
            return self.__dict__["_risk_key"]
        percentiles = [s.percentile for s in self.standings.values() if s.percentile is not None]
        mean = sum(percentiles) / len(percentiles) if percentiles else -1
        return (FLAG_ORDER.get(self.status, -1), len(self.worst_fifth), mean)


@dataclass
class PurchaserYear(Row):
    """The indicators of one purchaser in one year."""

    purchaser: int
    purchaser_name: str
    year: int
    contract_count: int = 0
    spend: Decimal = ZERO
    supplier_hhi: Decimal | None = None
    top_supplier_share: Decimal | None = None
    single_source_share: Decimal | None = None
    average_review_score: Decimal | None = None
    failed_reviews: int = 0
    overdue_payments: int = 0
    supplier_hhi_flag: str | None = None
    single_source_share_flag: str | None = None

    flagged = (Indicator.SUPPLIER_HHI.value, Indicator.SINGLE_SOURCE_SHARE.value)


ORGANIZATION_COLUMNS = OrganizationYear.columns()
PURCHASER_COLUMNS = PurchaserYear.columns()


# --- organizations ------------------------------------------------------------------------------------------



def _funder_label(funder_purchaser, key, label):
    """Readable name of a funder: the purchaser's or donor's name, or the source's label."""
    if key and key.startswith("s:"):
        source = key[2:]
        try:
            return IncomeSource(source).label  # lazy: read in the reader's language wherever it is shown
        except ValueError:
            return source
    return label or None


# Second level, in the database: merge each funder's rows (a purchaser's subsidies with its payments), then one
# row per organization and year with the money sums, Σ funder², the largest funder and its name, and per income
# type (government = contracts + subsidies, then each other source) Σ type² and the service fees.
# Diffuse income (key ``d:…``) is in the sums but never a funder: it adds nothing to Σ funder² and never ranks.
# Ties between funders of equal income: a purchaser (lowest id), then a named funder (by folded name, in
# character-code order), then an unnamed source (in the code-list order of IncomeSource).
# The funders' order within an organization-year (the documented tie-break), shared by both statements below.
FUNDER_RANK = ("ROW_NUMBER() OVER (PARTITION BY o, y ORDER BY diffuse, ROUND(a, 2) DESC, "
               "CASE WHEN fp IS NULL THEN 1 ELSE 0 END, fp, CASE WHEN SUBSTR(fk, 1, 2) = 'n:' THEN 0 ELSE 1 END, "
               "{source_order}, fk{binary}) AS funder_rank")

# Portable SQL (SQLite ≥ 3.25 and PostgreSQL): a CTE over the ORM's union, GROUP BY and ROW_NUMBER().
ORGANIZATION_YEAR_SQL = """
WITH funder_rows (o, y, fp, fk, src, label, a, c, g, r, n) AS ({funder_rows}),
funders AS (
    SELECT o, y, fp, fk, MIN(label) AS label, SUM(a) AS a, SUM(c) AS c, SUM(g) AS g, SUM(r) AS r, SUM(n) AS n,
           CASE WHEN SUBSTR(fk, 1, 2) = 'd:' THEN 1 ELSE 0 END AS diffuse
    FROM funder_rows GROUP BY o, y, fp, fk
),
ranked AS (
    SELECT o, y, fp, fk, label, a, c, g, r, n, diffuse,
           {funder_rank}
    FROM funders
),
totals AS (
    SELECT o, y, SUM(a) AS a, SUM(c) AS c, SUM(g) AS g, ROUND(SUM(r), 2) AS r, SUM(n) AS n,
           SUM(CASE WHEN diffuse = 1 THEN 0 ELSE a * a END) AS squares,
           MAX(CASE WHEN diffuse = 1 THEN 0 ELSE a END) AS largest,
           MAX(CASE WHEN funder_rank = 1 AND diffuse = 0 THEN fp END) AS top_fp,
           MAX(CASE WHEN funder_rank = 1 AND diffuse = 0 THEN fk END) AS top_fk,
           MAX(CASE WHEN funder_rank = 1 AND diffuse = 0 THEN label END) AS top_label
    FROM ranked GROUP BY o, y
),
types AS (
    SELECT o, y, t, SUM(a) AS a FROM (
        SELECT o, y, CASE WHEN src IN ('{contract}', '{government}') THEN 'government' ELSE src END AS t, a
        FROM funder_rows
    ) typed GROUP BY o, y, t
),
type_totals AS (
    SELECT o, y, SUM(a * a) AS squares, SUM(CASE WHEN t = '{fees}' THEN a ELSE 0 END) AS fees
    FROM types GROUP BY o, y
)
SELECT totals.o, totals.y, ROUND(totals.a, 2), ROUND(c, 2), ROUND(g, 2), r, ROUND(n, 2), totals.squares,
       ROUND(largest, 2), top_fk, COALESCE(purchaser.name, top_label), type_totals.squares,
       ROUND(type_totals.fees, 2)
FROM totals
JOIN type_totals ON type_totals.o = totals.o AND type_totals.y = totals.y
LEFT JOIN {purchaser_table} purchaser ON purchaser.id = totals.top_fp
"""


# The same totals and the peer standing of ``dashboards.vulnerability`` in one statement, over one set of funder
# rows: the peers need every organization's income by type, the requested rows are a part of the same rows. The
# funder rows also carry the accountability split (outside-scope and related-party contract income,
# ``funder_rows(accountability=True)``). Two kinds of rows come back, told apart by the first column: 0, the
# totals of a requested organization-year (as ORGANIZATION_YEAR_SQL, then raw contract income, outside-scope and
# related-party income); 1, one standing of a requested organization-year (vulnerability.PEER_COLUMNS).
ORGANIZATION_YEAR_PEERS_SQL = """
WITH funder_rows (o, y, fp, fk, src, label, a, c, g, r, n, os, rp) AS ({funder_rows}),
requested (o) AS ({requested}),
reports (o, y, te, me, nau, nar) AS ({reports}),{peer_ctes},
funders AS (
    SELECT o, y, fp, fk, MIN(label) AS label, SUM(a) AS a, SUM(c) AS c, SUM(g) AS g, SUM(r) AS r, SUM(n) AS n,
           SUM(os) AS os, SUM(rp) AS rp, CASE WHEN SUBSTR(fk, 1, 2) = 'd:' THEN 1 ELSE 0 END AS diffuse
    FROM funder_rows WHERE o IN (SELECT o FROM requested) GROUP BY o, y, fp, fk
),
ranked AS (
    SELECT o, y, fp, fk, label, a, c, g, r, n, os, rp, diffuse,
           {funder_rank}
    FROM funders
),
totals AS (
    SELECT o, y, SUM(a) AS a, SUM(c) AS c, SUM(g) AS g, ROUND(SUM(r), 2) AS r, SUM(n) AS n,
           SUM(os) AS os, SUM(rp) AS rp,
           SUM(CASE WHEN diffuse = 1 THEN 0 ELSE a * a END) AS squares,
           MAX(CASE WHEN diffuse = 1 THEN 0 ELSE a END) AS largest,
           MAX(CASE WHEN funder_rank = 1 AND diffuse = 0 THEN fp END) AS top_fp,
           MAX(CASE WHEN funder_rank = 1 AND diffuse = 0 THEN fk END) AS top_fk,
           MAX(CASE WHEN funder_rank = 1 AND diffuse = 0 THEN label END) AS top_label
    FROM ranked GROUP BY o, y
),
type_totals AS (
    SELECT o, y, SUM(a * a) AS squares, SUM(CASE WHEN t = '{fees}' THEN a ELSE 0 END) AS fees
    FROM types WHERE o IN (SELECT o FROM requested) GROUP BY o, y
)
SELECT 0, totals.o, totals.y, ROUND(totals.a, 2), ROUND(c, 2), ROUND(g, 2), r, ROUND(n, 2), totals.squares,
       ROUND(largest, 2), top_fk, COALESCE(purchaser.name, top_label), type_totals.squares,
       ROUND(type_totals.fees, 2), totals.c, totals.os, totals.rp, NULL, NULL, NULL, NULL, NULL
FROM totals
JOIN type_totals ON type_totals.o = totals.o AND type_totals.y = totals.y
LEFT JOIN {purchaser_table} purchaser ON purchaser.id = totals.top_fp
UNION ALL
SELECT 1, peer_ranked.o, peer_ranked.y, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, {peer_columns}
FROM {peer_join}
WHERE peer_ranked.o IN (SELECT o FROM requested)
"""


def _source_order():
    """SQL: the code-list position of an unnamed source's funder key (``s:<source>``)."""
    whens = " ".join(f"WHEN 's:{value}' THEN {i}" for i, value in enumerate(IncomeSource.values))
    return f"CASE fk {whens} ELSE {len(IncomeSource.values)} END"


def organization_year_totals(organizations, years):
    """One query: ``{(organization, year): (total, contract, government, restricted, renewal, Σ funder²,
    largest funder, its key, its name, Σ income type², service fees)}`` for the organization-years that have any
    income. Built on ``funder_rows`` (the ORM's UNION ALL of the grouped payments and income records) inside a
    CTE that merges each funder's rows and aggregates per organization and year."""
    inner = funder_rows(organizations, years)
    sql, params = inner.query.sql_with_params()
    connection = connections[inner.db]
    purchaser_table = connection.ops.quote_name(Purchaser._meta.db_table)
    query = ORGANIZATION_YEAR_SQL.format(
        funder_rows=sql, purchaser_table=purchaser_table, funder_rank=_funder_rank(connection),
        contract=CONTRACT_SOURCE, government=IncomeSource.GOVERNMENT_SUBSIDY.value, fees=IncomeSource.SERVICE_FEE.value)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {(o, int(y)): rest for o, y, *rest in cursor.fetchall()}


def _funder_rank(connection):
    """``FUNDER_RANK`` for this database (texts compared byte by byte on PostgreSQL, as SQLite does)."""
    return FUNDER_RANK.format(source_order=_source_order(),
                              binary=' COLLATE "C"' if connection.vendor == "postgresql" else "")


def organization_year_totals_and_peers(organizations, years):
    """One query, one pass over the funder rows of every organization: ``(totals, peers, split)``.

    ``totals`` is ``organization_year_totals(organizations, years)``; ``peers`` is
    ``vulnerability.peer_standing(years)`` narrowed to ``organizations``; ``split`` is
    ``accountability.contract_income_split(organizations, years)`` without the scope (``{(organization, year):
    (contract income, outside scope, related party)}``, for the organization-years with any income)."""
    from .vulnerability import PEER_COLUMNS, PEER_CTES, PEER_JOIN, add_standing, cutoffs_sql, peer_reports

    inner = funder_rows(Organization.objects.all(), years, accountability=True)
    rows_sql, rows_params = inner.query.sql_with_params()
    requested_sql, requested_params = organizations.order_by().values("pk").query.sql_with_params()
    reports_sql, reports_params = peer_reports(years).query.sql_with_params()
    connection = connections[inner.db]
    government = IncomeSource.GOVERNMENT_SUBSIDY.value
    peer_ctes = PEER_CTES.format(contract=CONTRACT_SOURCE, government=government, cutoffs=cutoffs_sql(connection))
    query = ORGANIZATION_YEAR_PEERS_SQL.format(
        funder_rows=rows_sql, requested=requested_sql, reports=reports_sql, peer_ctes=peer_ctes,
        peer_columns=PEER_COLUMNS, peer_join=PEER_JOIN,
        purchaser_table=connection.ops.quote_name(Purchaser._meta.db_table), funder_rank=_funder_rank(connection),
        fees=IncomeSource.SERVICE_FEE.value)
    totals, peers, split = {}, {}, {}
    with connection.cursor() as cursor:
        cursor.execute(query, (*rows_params, *requested_params, *reports_params))
        for kind, o, y, *rest in cursor.fetchall():
            if kind == 0:
                key = (o, int(y))
                totals[key] = rest[:11]
                split[key] = rest[11:14]
            else:
                add_standing(peers, o, y, *rest[14:])
    return totals, peers, split


def organization_indicators(organizations, years, thresholds=None, peers=None):
    """The indicators of every organization in ``organizations`` for every year in ``years``.

    ``organizations``: an Organization queryset already narrowed to what the user may see (use
    ``Organization.objects.with_finances_visible_to(user)``) and by any filters; its ordering is kept.
    ``years``: an int or an iterable of ints. ``thresholds``: a ``Thresholds`` (loaded when omitted).
    ``peers``: the result of ``vulnerability.peer_standing(years)`` (computed when omitted).

    Returns one ``OrganizationYear`` per organization and year (years without any income give zero money and
    undefined ratios), ordered like ``organizations`` then by year.

    Income counts in the calendar year it is received: payments by ``paid_on`` whatever the contract's status
    (they are cash received); income records by ``fiscal_year``.

    The vulnerability status and percentiles are those of ``vulnerability.peer_standing`` (every organization of
    the database is a peer, whoever asks): without ``peers``, they come from the same statement as the income
    totals and the accountability split (``organization_year_totals_and_peers``: the funder rows of every
    organization are computed once, for the peers and for the requested rows).

    The accountability fields come from ``accountability.add_accountability``.

    At most 5 queries (organizations, totals with peers and split, annual reports, prefecture medians, and the
    thresholds when not passed in; one more with ``peers`` passed in), whatever the number of organizations,
    years and rows.
    """
    years = normalize_years(years)
    thresholds = thresholds or Thresholds.load()
    orgs = list(organizations.values_list("pk", "name", "service_scope"))
    if not orgs:
        return []
    split = None
    if peers is None:
        totals, peers, income_split = organization_year_totals_and_peers(organizations, years)
        scopes = {pk: scope for pk, _name, scope in orgs}
        split = {key: (*value, scopes.get(key[0])) for key, value in income_split.items()}
    else:
        totals = organization_year_totals(organizations, years)
    reports, accountability_reports = {}, {}
    for o, y, *rest in AnnualReport.objects.filter(
        organization__in=organizations.order_by().values("pk"), fiscal_year__in=years,
    ).order_by().values_list("organization_id", "fiscal_year", "total_expenses", "management_expenses",
                             "net_assets_unrestricted", "net_assets_restricted", "personnel_costs",
                             "staff_count", "reported_government_income"):
        reports[(o, y)] = tuple(rest[:4])
        accountability_reports[(o, y)] = tuple(rest[4:])
    level = {name: _leveller(thresholds, name) for name in OrganizationYear.flagged}
    gs_level, tf_level, hhi_level = level["government_share"], level["top_funder_share"], level["funder_hhi"]
    rr_level, rm_level = level["restricted_ratio"], level["reserve_months"]
    mer_level, re_level = level["management_expense_ratio"], level["renewal_exposure"]

    rows = []
    append = rows.append
    for pk, name, _scope in orgs:
        for year in years:
            key = (pk, year)
            row = OrganizationYear(pk, name, year)
            t = totals.get(key)
            if t is not None:
                _income(row, t)
            report = reports.get(key)
            if report is not None:
                total_expenses, management, unrestricted, restricted_assets = report
                row.__dict__["_report"] = report  # for the explanations (dashboards.explain)
                if total_expenses:
                    row.reserve_months = ratio(TWELVE * unrestricted, total_expenses)
                    row.management_expense_ratio = ratio(management, total_expenses)
                if row.total_income:
                    row.equity_ratio = ratio(unrestricted + restricted_assets, row.total_income)
                    row.operating_margin = ratio(row.total_income - total_expenses, row.total_income)
            row.government_share_flag = gs_level(row.government_share)
            row.top_funder_share_flag = tf_level(row.top_funder_share)
            row.funder_hhi_flag = hhi_level(row.funder_hhi)
            row.restricted_ratio_flag = rr_level(row.restricted_ratio)
            row.reserve_months_flag = rm_level(row.reserve_months)
            row.management_expense_ratio_flag = mer_level(row.management_expense_ratio)
            row.renewal_exposure_flag = re_level(row.renewal_exposure)
            standings = peers.get(key)
            if standings:
                _standing(row, standings)
            append(row)
    add_accountability(rows, organizations, years, thresholds, split=split, reports=accountability_reports)
    return rows


def _standing(row, standings):
    """Set the status and the four percentiles of a row from its peer standings."""
    from .vulnerability import RATIO_NAMES, status_of

    ordered = {name: standings[name] for name in RATIO_NAMES if name in standings}
    row.__dict__["_standings"] = ordered
    row.status = status_of(ordered)
    for name, standing in ordered.items():
        setattr(row, f"{name}_percentile", standing.percentile)


def _leveller(thresholds, name):
    """A function value → flag level for one indicator (``None`` for an undefined value; ``none`` when it has
    no threshold row)."""
    band = thresholds.get(name)
    if band is None:
        return lambda value: None if value is None else NONE
    return band.level


def _income(row, t):
    """Money and income ratios of one organization-year from its database totals."""
    (total, contract, government, restricted, renewal, squares, largest, top_key, top_label, type_squares,
     fees) = t
    row.total_income, row.contract_income = _cents(total), _cents(contract)
    row.government_income, row.restricted_income = _cents(government), _cents(restricted)
    total = row.total_income
    if not total:
        return
    row.government_share = ratio(row.government_income, total)
    row.top_funder_share = ratio(_cents(largest), total)
    row.top_funder_name = _funder_label(None, top_key, top_label)
    row.funder_hhi = hhi(_decimal(squares), total)
    row.restricted_ratio = ratio(row.restricted_income, total)
    row.renewal_exposure = ratio(_cents(renewal), total)
    row.revenue_type_hhi = hhi(_decimal(type_squares), total)
    row.commercial_share = ratio(_cents(fees), total)


def income_by_source(organization, years=None):
    """The funding mix of one organization: ``{year: {"contracts": amount, <income source>: amount, …}}`` for
    every year with any income (or the given years). Contract payments by ``paid_on`` year. Two queries."""
    payments = Payment.objects.filter(contract__organization=organization, paid_on__isnull=False)
    records = IncomeRecord.objects.filter(organization=organization)
    if years is not None:
        years = normalize_years(years)
        payments = payments.filter(_date_filter("paid_on", years))
        records = records.filter(fiscal_year__in=years)
    mix = {}
    for y, amount in (payments.order_by().values(y=Year("paid_on"))
                      .annotate(s=Sum("amount", output_field=SUM_FIELD)).values_list("y", "s")):
        mix.setdefault(int(y), {})["contracts"] = _money(amount)
    for y, source, amount in (records.order_by().values("fiscal_year", "source")
                              .annotate(s=Sum("amount", output_field=SUM_FIELD))
                              .values_list("fiscal_year", "source", "s")):
        mix.setdefault(int(y), {})[source] = _money(amount)
    return dict(sorted(mix.items()))
