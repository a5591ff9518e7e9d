"""The database's own floor for each benchmark: one hand-written PostgreSQL statement computing the same numbers
as the application code (docs/indicators.md; v2's diffuse income: unnamed individual donations, service fees and
dues are in the total but no funder's share), so that ``bench/run.py`` can time both side by side and check they
agree.
"""

# Organization-year indicators for every organization in one year. Parameters: year, first day, last day,
# last day of the following year (renewal exposure).
ORGANIZATION_YEAR = """
WITH pay AS (
    SELECT c.organization_id AS o, c.purchaser_id AS fp, ''::text AS fk, pu.name AS label,
           SUM(p.amount) AS income, SUM(p.amount) AS contract_income, SUM(p.amount) AS government,
           SUM(p.amount * c.restricted_amount / c.amount) AS restricted,
           SUM(p.amount) FILTER (WHERE c.end_on <= %(next_year_end)s) AS renewal
    FROM contracts_payment p
    JOIN contracts_contract c ON c.id = p.contract_id
    JOIN organizations_purchaser pu ON pu.id = c.purchaser_id
    WHERE p.paid_on BETWEEN %(year_start)s AND %(year_end)s
    GROUP BY c.organization_id, c.purchaser_id, pu.name
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
           SUM(i.restricted_amount) AS restricted, 0 AS renewal
    FROM organizations_incomerecord i
    LEFT JOIN organizations_purchaser fpu ON fpu.id = i.funder_purchaser_id
    WHERE i.fiscal_year = %(year)s
    GROUP BY 1, 2, 3
), funders AS (
    SELECT o, fp, fk, MIN(label) AS label, SUM(income) AS income, SUM(contract_income) AS contract_income,
           SUM(government) AS government, SUM(restricted) AS restricted, SUM(COALESCE(renewal, 0)) AS renewal
    FROM (SELECT * FROM pay UNION ALL SELECT * FROM inc) u
    GROUP BY o, fp, fk
), totals AS (
    SELECT o, SUM(income) AS t, SUM(contract_income) AS contract_income, SUM(government) AS government,
           SUM(restricted) AS restricted, SUM(renewal) AS renewal,
           SUM(income * income) FILTER (WHERE fk NOT LIKE 'd:%%') AS squares,
           COALESCE(MAX(income) FILTER (WHERE fk NOT LIKE 'd:%%'), 0) AS top
    FROM funders GROUP BY o
), top AS (
    SELECT DISTINCT ON (o) o, label FROM funders WHERE fk NOT LIKE 'd:%%' ORDER BY o, income DESC, label
)
SELECT org.id, org.name, COALESCE(t.t, 0), COALESCE(t.contract_income, 0), COALESCE(t.government, 0),
       ROUND(COALESCE(t.restricted, 0), 2),
       t.government / NULLIF(t.t, 0) AS government_share,
       t.top / NULLIF(t.t, 0) AS top_funder_share,
       top.label AS top_funder_name,
       10000 * COALESCE(t.squares, 0) / NULLIF(t.t * t.t, 0) AS funder_hhi,
       ROUND(t.restricted, 2) / NULLIF(t.t, 0) AS restricted_ratio,
       12 * ar.net_assets_unrestricted / NULLIF(ar.total_expenses, 0) AS reserve_months,
       ar.management_expenses / NULLIF(ar.total_expenses, 0) AS management_expense_ratio,
       t.renewal / NULLIF(t.t, 0) AS renewal_exposure
FROM organizations_organization org
LEFT JOIN totals t ON t.o = org.id
LEFT JOIN top ON top.o = org.id
LEFT JOIN organizations_annualreport ar ON ar.organization_id = org.id AND ar.fiscal_year = %(year)s
ORDER BY org.name, org.id
"""
ORGANIZATION_COLUMNS = ["organization", "organization_name", "total_income", "contract_income",
                        "government_income", "restricted_income", "government_share", "top_funder_share",
                        "top_funder_name", "funder_hhi", "restricted_ratio", "reserve_months",
                        "management_expense_ratio", "renewal_exposure"]

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
