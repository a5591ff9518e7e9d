"""The database's own floor for each benchmark: one hand-written PostgreSQL statement computing the same numbers
as the application code (docs/indicators.md; v2's diffuse income: unnamed individual donations, service fees and
dues are in the total but no funder's share), so that ``bench/run.py`` can time both side by side and check they
agree.
"""

# Organization-year indicators for every organization in one year: every number ``organization_indicators``
# returns (the flags are the thresholds' levels of these numbers, compared in Python): income and funder ratios,
# the income-type ratios, the four vulnerability ratios with their percentiles among every organization and the
# status, and the accountability fields (mission drift, related-party share, salary against the prefecture's
# median, reported income gap). Parameters: year, first day, last day, last day of the following year (renewal
# exposure). The vulnerability ratios are ranked as "badness" in double precision, as the application does, so
# that ties and cut-offs come out the same.
ORGANIZATION_YEAR = """
WITH pay AS (
    SELECT c.organization_id AS o, c.purchaser_id AS fp, ''::text AS fk, pu.name AS label,
           SUM(p.amount) AS income, SUM(p.amount) AS contract_income, SUM(p.amount) AS government,
           SUM(p.amount * c.restricted_amount / c.amount) AS restricted,
           SUM(p.amount) FILTER (WHERE c.end_on <= %(next_year_end)s) AS renewal,
           COALESCE(SUM(p.amount) FILTER (WHERE org.service_scope <> ''
               AND POSITION(',' || c.service_category || ',' IN ',' || org.service_scope || ',') = 0), 0) AS outside,
           COALESCE(SUM(p.amount) FILTER (WHERE c.status IN ('active', 'completed', 'terminated') AND EXISTS (
               SELECT 1 FROM organizations_keyperson k
               WHERE k.organization_id = c.organization_id AND k.post_purchaser_id = c.purchaser_id
                 AND (k.post_from IS NULL OR k.post_from <= c.signed_on)
                 AND (k.post_to IS NULL OR k.post_to >= CASE
                      WHEN TO_CHAR(c.signed_on, 'MM-DD') = '02-29'
                          THEN MAKE_DATE(EXTRACT(YEAR FROM c.signed_on)::int - 3, 3, 1)
                      ELSE (c.signed_on - INTERVAL '3 years')::date END))), 0) AS related
    FROM contracts_payment p
    JOIN contracts_contract c ON c.id = p.contract_id
    JOIN organizations_organization org ON org.id = c.organization_id
    JOIN organizations_purchaser pu ON pu.id = c.purchaser_id
    WHERE p.paid_on BETWEEN %(year_start)s AND %(year_end)s
    GROUP BY c.organization_id, c.purchaser_id, pu.name
), records AS (
    SELECT * FROM organizations_incomerecord WHERE fiscal_year = %(year)s
), inc AS (
    SELECT i.organization_id AS o, i.funder_purchaser_id AS fp,
           CASE WHEN i.funder_purchaser_id IS NOT NULL THEN ''
                WHEN TRIM(i.funder_name) = '' AND i.source IN ('donation_individual', 'service_fee', 'membership_dues')
                    THEN 'd:' || i.source
                WHEN TRIM(i.funder_name) = '' THEN 's:' || i.source
                ELSE 'n:' || LOWER(TRIM(i.funder_name)) END AS fk,
           MIN(COALESCE(fpu.name, NULLIF(TRIM(i.funder_name), ''), 's:' || i.source)) AS label,
           SUM(i.amount) AS income, 0 AS contract_income,
           COALESCE(SUM(i.amount) FILTER (WHERE i.source = 'government_subsidy'), 0) AS government,
           SUM(i.restricted_amount) AS restricted, 0 AS renewal, 0 AS outside, 0 AS related
    FROM records i
    LEFT JOIN organizations_purchaser fpu ON fpu.id = i.funder_purchaser_id
    GROUP BY 1, 2, 3
), funders AS (
    SELECT o, fp, fk, MIN(label) AS label, SUM(income) AS income, SUM(contract_income) AS contract_income,
           SUM(government) AS government, SUM(restricted) AS restricted, SUM(COALESCE(renewal, 0)) AS renewal,
           SUM(outside) AS outside, SUM(related) AS related
    FROM (SELECT * FROM pay UNION ALL SELECT * FROM inc) u
    GROUP BY o, fp, fk
), totals AS (
    SELECT o, SUM(income) AS t, SUM(contract_income) AS contract_income, SUM(government) AS government,
           SUM(restricted) AS restricted, SUM(renewal) AS renewal, SUM(outside) AS outside, SUM(related) AS related,
           SUM(income * income) FILTER (WHERE fk NOT LIKE 'd:%%') AS squares,
           COALESCE(MAX(income) FILTER (WHERE fk NOT LIKE 'd:%%'), 0) AS top
    FROM funders GROUP BY o
), top AS (
    SELECT DISTINCT ON (o) o, label FROM funders WHERE fk NOT LIKE 'd:%%' ORDER BY o, income DESC, label
), by_type AS (
    SELECT o, t, SUM(a) AS a FROM (
        SELECT o, 'government' AS t, contract_income AS a FROM pay
        UNION ALL
        SELECT organization_id, CASE WHEN source = 'government_subsidy' THEN 'government' ELSE source END, amount
        FROM records
    ) typed GROUP BY o, t
), types AS (
    SELECT o, SUM(a) AS t, SUM(a * a) AS squares, COALESCE(SUM(a) FILTER (WHERE t = 'service_fee'), 0) AS fees
    FROM by_type GROUP BY o
), ind AS (
    SELECT org.id AS o, org.name, org.service_scope, t.t, t.contract_income, t.government, t.restricted, t.renewal,
           t.outside, t.related, t.squares, t.top, ty.squares AS type_squares, ty.fees, ar.total_expenses AS te,
           ar.management_expenses AS me, ar.net_assets_unrestricted AS nau, ar.net_assets_restricted AS nar,
           ar.personnel_costs, ar.staff_count, ar.reported_government_income, ar.id IS NOT NULL AS reported,
           ty.t::float8 AS td
    FROM organizations_organization org
    LEFT JOIN totals t ON t.o = org.id
    LEFT JOIN types ty ON ty.o = org.id
    LEFT JOIN organizations_annualreport ar ON ar.organization_id = org.id AND ar.fiscal_year = %(year)s
), badness AS (
    SELECT ind.o, v.k, v.b FROM ind CROSS JOIN LATERAL (VALUES
        ('equity_ratio', CASE WHEN td > 0 AND reported THEN -(nau::float8 + nar::float8) / td END),
        ('revenue_type_hhi', CASE WHEN td > 0 THEN 10000.0 * type_squares::float8 / (td * td) END),
        ('management_expense_ratio', CASE WHEN te > 0 THEN -me::float8 / te::float8 END),
        ('operating_margin', CASE WHEN td > 0 AND reported THEN -(td - te::float8) / td END)
    ) v (k, b) WHERE v.b IS NOT NULL
), ranked AS (
    SELECT o, k, b, COUNT(*) OVER (PARTITION BY k) AS n, COUNT(*) OVER (PARTITION BY k ORDER BY b) AS no_worse
    FROM badness
), cutoffs AS (
    SELECT k, PERCENTILE_CONT(0.8) WITHIN GROUP (ORDER BY b) AS cut FROM badness GROUP BY k
), standing AS (
    SELECT r.o, r.k, r.n >= 5 AS judged, r.n >= 5 AND r.b >= c.cut AS worst,
           CASE WHEN r.n >= 5 THEN ROUND(100.0 * (r.no_worse - 1) / (r.n - 1), 1) END AS pct
    FROM ranked r JOIN cutoffs c ON c.k = r.k
), status AS (
    SELECT o,
           MAX(pct) FILTER (WHERE k = 'equity_ratio') AS equity_pct,
           MAX(pct) FILTER (WHERE k = 'revenue_type_hhi') AS hhi_pct,
           MAX(pct) FILTER (WHERE k = 'management_expense_ratio') AS mer_pct,
           MAX(pct) FILTER (WHERE k = 'operating_margin') AS margin_pct,
           CASE WHEN COUNT(*) FILTER (WHERE judged) < 3 THEN NULL
                WHEN COUNT(*) FILTER (WHERE worst) = 4 THEN 'red'
                WHEN COUNT(*) FILTER (WHERE worst) >= 2 THEN 'amber' ELSE 'none' END AS status
    FROM standing GROUP BY o
), prefecture AS (
    SELECT o.id AS o, pref.id AS pref
    FROM organizations_organization o
    JOIN organizations_region r ON r.id = o.region_id
    JOIN organizations_region pref ON pref.level = 'prefecture' AND r.path LIKE pref.path || '%%'
), salaries AS (
    SELECT prefecture.pref, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY a.personnel_costs * 1.0 / a.staff_count)
               AS median, COUNT(*) AS n
    FROM organizations_annualreport a JOIN prefecture ON prefecture.o = a.organization_id
    WHERE a.fiscal_year = %(year)s AND a.staff_count > 0
    GROUP BY prefecture.pref
)
SELECT ind.o, ind.name, COALESCE(ind.t, 0), COALESCE(ind.contract_income, 0), COALESCE(ind.government, 0),
       ROUND(COALESCE(ind.restricted, 0), 2),
       ind.government / NULLIF(ind.t, 0) AS government_share,
       ind.top / NULLIF(ind.t, 0) AS top_funder_share,
       top.label AS top_funder_name,
       10000 * COALESCE(ind.squares, 0) / NULLIF(ind.t * ind.t, 0) AS funder_hhi,
       ROUND(ind.restricted, 2) / NULLIF(ind.t, 0) AS restricted_ratio,
       12 * ind.nau / NULLIF(ind.te, 0) AS reserve_months,
       ind.me / NULLIF(ind.te, 0) AS management_expense_ratio,
       ind.renewal / NULLIF(ind.t, 0) AS renewal_exposure,
       10000 * ind.type_squares / NULLIF(ind.t * ind.t, 0) AS revenue_type_hhi,
       ind.fees / NULLIF(ind.t, 0) AS commercial_share,
       (ind.nau + ind.nar) / NULLIF(ind.t, 0) AS equity_ratio,
       (ind.t - ind.te) / NULLIF(ind.t, 0) AS operating_margin,
       status.status, status.equity_pct, status.hhi_pct, status.mer_pct, status.margin_pct,
       CASE WHEN ind.service_scope <> '' THEN ROUND(ind.outside, 2) / NULLIF(ind.contract_income, 0) END
           AS mission_drift,
       ROUND(COALESCE(ind.outside, 0), 2) AS outside_scope_income,
       ind.personnel_costs / NULLIF(ind.staff_count, 0) AS salary_per_staff,
       CASE WHEN s.n >= 5 THEN NULLIF(s.median, 0) END AS peer_median_salary,
       COALESCE(s.n, 0) AS peer_count,
       CASE WHEN s.n >= 5 THEN (ind.personnel_costs / NULLIF(ind.staff_count, 0)) / NULLIF(s.median, 0)::numeric END
           AS salary_to_peers,
       ind.reported_government_income,
       (ind.reported_government_income - ind.government) / NULLIF(ind.government, 0) AS reported_income_gap,
       ROUND(COALESCE(ind.related, 0), 2) AS related_party_income,
       ROUND(ind.related, 2) / NULLIF(ind.contract_income, 0) AS related_party_share
FROM ind
LEFT JOIN top ON top.o = ind.o
LEFT JOIN status ON status.o = ind.o
LEFT JOIN prefecture p ON p.o = ind.o
LEFT JOIN salaries s ON s.pref = p.pref
ORDER BY ind.name, ind.o
"""
ORGANIZATION_COLUMNS = ["organization", "organization_name", "total_income", "contract_income",
                        "government_income", "restricted_income", "government_share", "top_funder_share",
                        "top_funder_name", "funder_hhi", "restricted_ratio", "reserve_months",
                        "management_expense_ratio", "renewal_exposure", "revenue_type_hhi", "commercial_share",
                        "equity_ratio", "operating_margin", "status", "equity_ratio_percentile",
                        "revenue_type_hhi_percentile", "management_expense_ratio_percentile",
                        "operating_margin_percentile", "mission_drift", "outside_scope_income", "salary_per_staff",
                        "peer_median_salary", "peer_count", "salary_to_peers", "reported_government_income",
                        "reported_income_gap", "related_party_income", "related_party_share"]
# What the bench compares (every number of ORGANIZATION_COLUMNS but the ids and names; percentiles to 0.1).
ORGANIZATION_COMPARED = ORGANIZATION_COLUMNS[2:8] + ORGANIZATION_COLUMNS[9:]
ORGANIZATION_PERCENTILES = ORGANIZATION_COLUMNS[19:23]

# Purchaser-year indicators for every purchaser in one year. Parameters: year start/end, today.
PURCHASER_YEAR = """
WITH suppliers AS (
    SELECT purchaser_id AS b, organization_id AS o, COUNT(*) AS n, SUM(amount) AS spend,
           COALESCE(SUM(amount) FILTER (WHERE procurement_method = 'single_source'), 0) AS single
    FROM contracts_contract
    WHERE signed_on BETWEEN %(year_start)s AND %(year_end)s AND status IN ('active', 'completed', 'terminated')
    GROUP BY purchaser_id, organization_id
), spend AS (
    SELECT b, SUM(n) AS n, SUM(spend) AS spend, SUM(single) AS single, SUM(spend * spend) AS squares,
           MAX(spend) AS top
    FROM suppliers GROUP BY b
), reviews AS (
    SELECT c.purchaser_id AS b, AVG(r.total_score) AS score, COUNT(*) FILTER (WHERE r.grade = 'fail') AS failed
    FROM contracts_performancereview r JOIN contracts_contract c ON c.id = r.contract_id
    WHERE r.reviewed_on BETWEEN %(year_start)s AND %(year_end)s AND c.status IN ('active', 'completed', 'terminated')
    GROUP BY c.purchaser_id
), overdue AS (
    SELECT c.purchaser_id AS b, COUNT(*) AS n
    FROM contracts_payment p JOIN contracts_contract c ON c.id = p.contract_id
    WHERE p.due_on BETWEEN %(year_start)s AND %(year_end)s AND p.due_on < %(today)s AND p.paid_on IS NULL
      AND c.status IN ('active', 'completed', 'terminated')
    GROUP BY c.purchaser_id
)
SELECT pu.id, pu.name, COALESCE(s.n, 0), COALESCE(s.spend, 0),
       10000 * s.squares / NULLIF(s.spend * s.spend, 0) AS supplier_hhi,
       s.top / NULLIF(s.spend, 0) AS top_supplier_share,
       s.single / NULLIF(s.spend, 0) AS single_source_share,
       r.score AS average_review_score, COALESCE(r.failed, 0) AS failed_reviews,
       COALESCE(od.n, 0) AS overdue_payments
FROM organizations_purchaser pu
LEFT JOIN spend s ON s.b = pu.id
LEFT JOIN reviews r ON r.b = pu.id
LEFT JOIN overdue od ON od.b = pu.id
ORDER BY pu.name, pu.id
"""
PURCHASER_COLUMNS = ["purchaser", "purchaser_name", "contract_count", "spend", "supplier_hhi",
                     "top_supplier_share", "single_source_share", "average_review_score", "failed_reviews",
                     "overdue_payments"]
