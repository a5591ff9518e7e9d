"""The indicator endpoints return the numbers of docs/indicators.md for a hand-built case, the same as the dashboard
functions, with ratios as numbers in 0..1, money as strings with two decimals, HHI as a number, and flags."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards.flag_counts import PURCHASER_EXPORT_COLUMNS
from dashboards.indicators import ORGANIZATION_COLUMNS, organization_indicators
from dashboards.integrity import FLAGS
from dashboards.purchaser_indicators import purchaser_indicators
from organizations.models import Organization, Purchaser
from tests.factories import (
    AnnualReportFactory,
    ContractFactory,
    IncomeRecordFactory,
    OrganizationFactory,
    PaymentFactory,
    PerformanceReviewFactory,
    PurchaserFactory,
    RegionFactory,
    user_with_role,
)

from .conftest import client_for

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def case(db):
    """Organization "O" in 2025:
    contract C1 (purchaser P1, 100 000, restricted 80 000, ends 2025-12-31): paid 30 000 + 50 000 in 2025
    contract C2 (purchaser P2, 200 000, restricted 100 000, daily care, ends 2027-06-30): paid 40 000 in 2025
    income: subsidy from P1 20 000 (all restricted); corporate donations "  ABC Ltd " 30 000 and "abc ltd" 10 000;
            service fees without a funder name 20 000
    annual report 2025: total expenses 240 000, management 36 000, unrestricted net assets 30 000
    Purchaser P1 in 2025 also buys from "O2" (C3, 300 000, single source, completed) and has a draft contract.
    """
    region = RegionFactory(code="229900", name="测试市", level="prefecture")
    p1 = PurchaserFactory(name="甲民政局", region=region)
    p2 = PurchaserFactory(name="乙残联", region=region)
    o = OrganizationFactory(name="O 康复中心", region=region)
    o2 = OrganizationFactory(name="O2 服务社", region=region)
    c1 = ContractFactory(purchaser=p1, organization=o, amount=Decimal("100000"), restricted_amount=Decimal("80000"),
                         signed_on=D(2025, 1, 5), start_on=D(2025, 1, 10), end_on=D(2025, 12, 31))
    c2 = ContractFactory(purchaser=p2, organization=o, amount=Decimal("200000"), restricted_amount=Decimal("100000"),
                         service_category="daily_care", signed_on=D(2025, 2, 1), start_on=D(2025, 3, 1),
                         end_on=D(2027, 6, 30))
    c3 = ContractFactory(purchaser=p1, organization=o2, amount=Decimal("300000"), restricted_amount=Decimal("0"),
                         procurement_method="single_source", status="completed", signed_on=D(2025, 4, 1),
                         start_on=D(2025, 4, 1), end_on=D(2025, 10, 31))
    draft = ContractFactory(purchaser=p1, organization=o2, amount=Decimal("999999"), status="draft",
                            signed_on=D(2025, 5, 1), start_on=D(2025, 5, 1), end_on=D(2025, 12, 31))
    PaymentFactory(contract=c1, due_on=D(2025, 3, 1), paid_on=D(2025, 3, 1), amount=Decimal("30000"))
    PaymentFactory(contract=c1, kind="interim", due_on=D(2025, 9, 1), paid_on=D(2025, 9, 1), amount=Decimal("50000"))
    PaymentFactory(contract=c1, kind="final", due_on=D(2027, 1, 31), paid_on=None, amount=Decimal("20000"))
    PaymentFactory(contract=c2, due_on=D(2025, 6, 1), paid_on=D(2025, 6, 1), amount=Decimal("40000"))
    PaymentFactory(contract=c3, due_on=D(2025, 5, 1), paid_on=None, amount=Decimal("100000"))
    IncomeRecordFactory(organization=o, source="government_subsidy", funder_purchaser=p1, amount=Decimal("20000"),
                        restricted_amount=Decimal("20000"))
    IncomeRecordFactory(organization=o, source="donation_corporate", funder_name="  ABC Ltd ",
                        amount=Decimal("30000"))
    IncomeRecordFactory(organization=o, source="donation_corporate", funder_name="abc ltd", amount=Decimal("10000"))
    IncomeRecordFactory(organization=o, source="service_fee", funder_name="", amount=Decimal("20000"))
    AnnualReportFactory(organization=o, fiscal_year=2025, total_expenses=Decimal("240000"),
                        program_expenses=Decimal("180000"), management_expenses=Decimal("36000"),
                        net_assets_unrestricted=Decimal("30000"))
    PerformanceReviewFactory(contract=c1, reviewed_on=D(2025, 12, 20), output_score=90, quality_score=80,
                             satisfaction_score=70, financial_score=60)
    PerformanceReviewFactory(contract=c3, reviewed_on=D(2025, 11, 1), output_score=50, quality_score=50,
                             satisfaction_score=50, financial_score=50)
    PerformanceReviewFactory(contract=draft, reviewed_on=D(2025, 11, 1), output_score=0, quality_score=0,
                             satisfaction_score=0, financial_score=0)
    return {"o": o, "o2": o2, "p1": p1, "p2": p2, "region": region, "analyst": user_with_role("analyst")}


def test_organization_row_by_hand(case):
    response = client_for(case["analyst"]).get("/api/indicators/organizations/", {"year": 2025})
    assert response.status_code == 200
    rows = {r["organization"]: r for r in response.json()["results"]}
    row = rows[case["o"].pk]
    # T = 80 000 (C1) + 40 000 (C2) + 20 000 + 30 000 + 10 000 + 20 000 = 200 000
    # G = 120 000 contract income + 20 000 subsidy = 140 000 → 0.7
    # funders: P1 80 000 + 20 000 = 100 000 (50 %), P2 40 000 (20 %), "abc ltd" 40 000 (20 %); the unnamed
    # service fees (20 000) are diffuse income, nobody's share (v2; v1 added 10² for them: 3 400)
    # HHI = 50² + 20² + 20² = 3300
    # income types: government 140 000 (70 %), corporate 40 000 (20 %), service fees 20 000 (10 %)
    # → revenue-type HHI 70² + 20² + 10² = 5400; commercial share 0.1
    # equity ratio = (30 000 + 5 000 restricted net assets) / 200 000 = 0.175
    # operating margin = (200 000 − 240 000) / 200 000 = −0.2
    # status: one annual report in the database, so fewer than 5 peers per ratio → unknown (null)
    # restricted = 80 000 × 0.8 + 40 000 × 0.5 + 20 000 = 104 000 → 0.52
    # renewal: C1 ends by 2026-12-31: 80 000 / 200 000 = 0.4
    # reserve months = 30 000 / (240 000 / 12) = 1.5; management ratio = 36 000 / 240 000 = 0.15
    assert row == {
        "organization": case["o"].pk, "organization_name": "O 康复中心", "year": 2025,
        "total_income": "200000.00", "contract_income": "120000.00", "government_income": "140000.00",
        "restricted_income": "104000.00",
        "government_share": 0.7, "government_share_flag": "amber",
        "top_funder_share": 0.5, "top_funder_share_flag": "red", "top_funder_name": "甲民政局",
        "funder_hhi": 3300, "funder_hhi_flag": "red",
        "restricted_ratio": 0.52, "restricted_ratio_flag": "none",
        "reserve_months": 1.5, "reserve_months_flag": "amber",
        "management_expense_ratio": 0.15, "management_expense_ratio_flag": "amber",
        "renewal_exposure": 0.4, "renewal_exposure_flag": "none",
        "revenue_type_hhi": 5400, "commercial_share": 0.1, "equity_ratio": 0.175, "operating_margin": -0.2,
        "status": None, "equity_ratio_percentile": None, "revenue_type_hhi_percentile": None,
        "management_expense_ratio_percentile": None, "operating_margin_percentile": None,
        # accountability: no service scope → mission drift undefined; no staff in the report → no pay
        # ratio; nothing reported → no gap; no key persons → related-party share 0 of 120 000 contract income
        "mission_drift": None, "mission_drift_flag": None, "outside_scope_income": "0.00",
        "salary_to_peers": None, "salary_to_peers_flag": None, "salary_per_staff": None,
        "peer_median_salary": None, "peer_count": 0,
        "reported_government_income": None, "reported_income_gap": None, "reported_income_gap_flag": None,
        "related_party_income": "0.00", "related_party_share": 0.0, "related_party_share_flag": "none",
    }
    assert list(row) == ORGANIZATION_COLUMNS  # the published columns, in order (the CSV header too)
    # O2 received nothing in 2025 (its payment is unpaid): money 0, ratios undefined (null, not 0).
    empty = rows[case["o2"].pk]
    assert empty["total_income"] == "0.00"
    assert empty["government_share"] is None and empty["government_share_flag"] is None
    assert empty["funder_hhi"] is None and empty["reserve_months"] is None


def test_purchaser_row_by_hand(case):
    response = client_for(case["analyst"]).get("/api/indicators/purchasers/", {"year": 2025})
    rows = {r["purchaser"]: r for r in response.json()["results"]}
    # P1 2025: C1 100 000 (O) + C3 300 000 (O2); the draft does not count. spend 400 000
    # HHI = 25² + 75² = 6250; top share 0.75; single source 300 000 / 400 000 = 0.75
    # reviews: C1 77.00, C3 50.00 (fail) → average 63.5; the draft's review does not count
    # overdue: C3's 100 000 due 2025-05-01, unpaid
    assert rows[case["p1"].pk] == {
        "purchaser": case["p1"].pk, "purchaser_name": "甲民政局", "year": 2025, "contract_count": 2,
        "spend": "400000.00", "supplier_hhi": 6250, "supplier_hhi_flag": None, "top_supplier_share": 0.75,
        "single_source_share": 0.75, "single_source_share_flag": None, "average_review_score": 63.5,
        "failed_reviews": 1, "overdue_payments": 1,
        # Integrity flags of C1 and C3 (the draft never counts): only C3's payment, due 2025-05-01 and still unpaid,
        # is late; C3 is single-source but P1 gave O2 no other counted single-source contract; both have reviews.
        **{f"flags_{code}": 0 for code in FLAGS}, "flags_late_payment": 1,
    }  # v2: 2 contracts, too few to judge concentration: flags null (v1: red, red)
    assert list(rows[case["p1"].pk]) == PURCHASER_EXPORT_COLUMNS
    # P2: one supplier → HHI 10 000, top share 1, no single source, no reviews (null average).
    p2 = rows[case["p2"].pk]
    assert (p2["spend"], p2["supplier_hhi"], p2["top_supplier_share"], p2["single_source_share"],
            p2["single_source_share_flag"], p2["average_review_score"]) == ("200000.00", 10000, 1.0, 0.0,
                                                                             None, None)


def test_api_numbers_equal_the_dashboard_functions(case):
    api_rows = client_for(case["analyst"]).get("/api/indicators/organizations/", {"year_min": 2024,
                                                                                 "year_max": 2025}).json()
    assert api_rows["count"] == 4  # 2 organizations × 2 years
    expected = organization_indicators(Organization.objects.all(), [2024, 2025])
    by_key = {(r["organization"], r["year"]): r for r in api_rows["results"]}
    for row in expected:
        got = by_key[(row.organization, row.year)]
        for name in ("government_share", "top_funder_share", "restricted_ratio", "renewal_exposure",
                     "management_expense_ratio"):
            value = getattr(row, name)
            assert got[name] == (None if value is None else float(round(value, 4))), name
        assert got["funder_hhi"] == (None if row.funder_hhi is None else int(round(row.funder_hhi)))
        assert got["total_income"] == f"{row.total_income:.2f}"
        assert got["government_share_flag"] == row.government_share_flag
    purchasers = purchaser_indicators(Purchaser.objects.all(), [2025])
    api = {r["purchaser"]: r for r in client_for(case["analyst"]).get("/api/indicators/purchasers/",
                                                                       {"year": 2025}).json()["results"]}
    for row in purchasers:
        assert api[row.purchaser]["spend"] == f"{row.spend:.2f}"
        assert api[row.purchaser]["supplier_hhi"] == (None if row.supplier_hhi is None
                                                      else int(round(row.supplier_hhi)))


def test_filters_flags_and_pages(case):
    client = client_for(case["analyst"])
    other = OrganizationFactory(name="外地机构", region=RegionFactory(code="229800"), legal_form="foundation")
    assert client.get("/api/indicators/organizations/", {"year": 2025}).json()["count"] == 3
    narrowed = client.get("/api/indicators/organizations/", {"year": 2025, "region": case["region"].pk}).json()
    assert {r["organization"] for r in narrowed["results"]} == {case["o"].pk, case["o2"].pk}
    foundations = client.get("/api/indicators/organizations/", {"year": 2025, "legal_form": "foundation"}).json()
    assert [r["organization"] for r in foundations["results"]] == [other.pk]
    # v2: the flag filter reads the vulnerability status, not the worst indicator flag: O has red indicator flags
    # but, with a single annual report in the database, too few peers for a status (tests/dashboards/
    # test_vulnerability.py filters a full peer set).
    red = client.get("/api/indicators/organizations/", {"year": 2025, "flag": "red"}).json()
    assert red["count"] == 0
    flagged = client.get("/api/indicators/organizations/", {"year": 2025, "flag": "flagged"}).json()
    assert flagged["count"] == 0
    assert client.get("/api/indicators/organizations/", {"year": 2025, "flag": "amber"}).json()["count"] == 0
    assert client.get("/api/indicators/organizations/", {"year": 2025, "flag": "purple"}).status_code == 400
    # The dependency dashboard's filter by service category of a contract: only O holds a daily-care contract (C2).
    by_category = client.get("/api/indicators/organizations/", {"year": 2025, "service_category": "daily_care"})
    assert [r["organization"] for r in by_category.json()["results"]] == [case["o"].pk]
    # Without a year: the dashboards' default, the last complete calendar year (v2; v1: the latest year with a
    # payment the user can see).
    last_complete = timezone.localdate().year - 1
    assert {r["year"] for r in client.get("/api/indicators/organizations/").json()["results"]} == {last_complete}
    # 3 organizations × 3 years = 9 rows; pages of 4 give 4 + 4 + 1 rows with no row twice.
    seen = []
    for page in (1, 2, 3):
        data = client.get("/api/indicators/organizations/", {"year_min": 2023, "year_max": 2025, "page": page,
                                                             "page_size": 4}).json()
        assert data["count"] == 9
        seen += [(r["organization"], r["year"]) for r in data["results"]]
    assert len(seen) == 9 and len(set(seen)) == 9
    kinds = client.get("/api/indicators/purchasers/", {"year": 2025, "kind": "finance"}).json()
    assert kinds["count"] == 0


def test_bad_year_parameters(case):
    client = client_for(case["analyst"])
    assert client.get("/api/indicators/organizations/", {"year": "abc"}).status_code == 400
    assert client.get("/api/indicators/organizations/", {"year": 1800}).status_code == 400
    assert client.get("/api/indicators/organizations/", {"year_min": 2025, "year_max": 2024}).status_code == 400
    assert client.get("/api/indicators/organizations/", {"year_min": 1990, "year_max": 2100}).status_code == 400
    assert client.get("/api/indicators/organizations/", {"year": 2025, "year_min": 2024}).status_code == 400
