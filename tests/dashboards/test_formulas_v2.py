"""The second version of the indicator formulas against numbers computed by hand: diffuse income, the tie-break
order, revenue-type HHI, commercial share, equity ratio, operating margin; the output precision of the API and the
CSV exports; source labels in the reader's language."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation

from dashboards import caching
from dashboards.api.serializers import OrganizationYearSerializer, PurchaserYearSerializer
from dashboards.flag_counts import PURCHASER_EXPORT_COLUMNS
from dashboards.indicators import ORGANIZATION_COLUMNS, organization_indicators
from organizations.models import Organization
from tests.factories import (
    AnnualReportFactory,
    ContractFactory,
    IncomeRecordFactory,
    OrganizationFactory,
    PaymentFactory,
    PurchaserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def fresh_cache():
    caching.clear()
    yield
    caching.clear()


def one(org, year=2025):
    [row] = organization_indicators(Organization.objects.filter(pk=org.pk), year)
    return row


def income(org, source, amount, name="", **kwargs):
    return IncomeRecordFactory(organization=org, source=source, funder_name=name, amount=D(amount), **kwargs)


# --- diffuse income ------------------------------------------------------------------------------------------

def test_unnamed_fees_donations_and_dues_are_nobodys_share():
    """The issue's case: 97.5 % unnamed service fees, 2.5 % from one foundation. v1 made the fees the top funder
    (97.5 %, red); v2: the foundation is the only funder, 2.5 % of T, HHI 2.5² = 6.25."""
    org = OrganizationFactory()
    income(org, "service_fee", "39000")
    income(org, "foundation_grant", "1000", name="某基金会")
    row = one(org)
    assert row.total_income == D("40000.00")
    assert row.top_funder_share == D("0.025") and row.top_funder_name == "某基金会"
    assert row.funder_hhi == D("6.25")
    assert row.top_funder_share_flag == "none" and row.funder_hhi_flag == "none"
    assert row.commercial_share == D("0.975")


def test_all_income_diffuse_gives_zero_top_share_and_zero_hhi():
    org = OrganizationFactory()
    income(org, "donation_individual", "6000")
    income(org, "membership_dues", "3000")
    income(org, "service_fee", "1000")
    row = one(org)
    assert row.top_funder_share == D("0") and row.top_funder_name is None
    assert row.funder_hhi == D("0")
    # revenue types: individual 60 %, dues 30 %, fees 10 % → 3 600 + 900 + 100
    assert row.revenue_type_hhi == D("4600")
    assert row.commercial_share == D("0.1")


def test_named_individual_donor_is_a_funder():
    org = OrganizationFactory()
    income(org, "donation_individual", "3000", name="王五")
    income(org, "donation_individual", "7000")
    row = one(org)
    assert row.top_funder_share == D("0.3") and row.top_funder_name == "王五"
    assert row.funder_hhi == D("900")


def test_unnamed_foundation_grant_is_one_unknown_funder():
    org = OrganizationFactory()
    income(org, "foundation_grant", "2000")
    income(org, "foundation_grant", "2000")
    income(org, "donation_individual", "6000")
    row = one(org)
    assert row.top_funder_share == D("0.4")
    assert row.funder_hhi == D("1600")
    with translation.override("en"):
        assert str(row.top_funder_name) == "Foundation grant"


# --- tie-break order -------------------------------------------------------------------------------------------

def test_tie_purchaser_before_named_funder():
    org = OrganizationFactory()
    purchaser = PurchaserFactory(name="乙区民政局")
    PaymentFactory(contract=ContractFactory(organization=org, purchaser=purchaser), amount=D("5000"))
    income(org, "donation_corporate", "5000", name="Alpha Ltd")
    assert one(org).top_funder_name == "乙区民政局"


def test_tie_between_purchasers_lowest_id_first():
    org = OrganizationFactory()
    first, second = PurchaserFactory(name="Z 先建的"), PurchaserFactory(name="A 后建的")
    assert first.pk < second.pk
    PaymentFactory(contract=ContractFactory(organization=org, purchaser=second), amount=D("5000"))
    PaymentFactory(contract=ContractFactory(organization=org, purchaser=first), amount=D("5000"))
    assert one(org).top_funder_name == "Z 先建的"


def test_tie_between_named_funders_by_folded_name():
    org = OrganizationFactory()
    income(org, "donation_corporate", "5000", name="beta fund")
    income(org, "donation_corporate", "5000", name="Alpha Fund")
    assert one(org).top_funder_name == "Alpha Fund"  # "alpha fund" < "beta fund"


def test_tie_named_funder_before_unnamed_source():
    org = OrganizationFactory()
    income(org, "foundation_grant", "5000")
    income(org, "other", "5000", name="Zeta")
    assert one(org).top_funder_name == "Zeta"


def test_tie_between_unnamed_sources_in_code_list_order():
    """Government subsidy comes before foundation grant in the code list (alphabetically it would not)."""
    org = OrganizationFactory()
    income(org, "foundation_grant", "5000")
    income(org, "government_subsidy", "5000")
    with translation.override("en"):
        assert str(one(org).top_funder_name) == "Government subsidy"


# --- revenue-type HHI, commercial share, equity ratio, operating margin ------------------------------------------

def test_revenue_type_hhi_counts_contracts_and_subsidies_as_one_government_type():
    """Contract payments 50 000 + subsidy 10 000 = government 60 %; corporate 25 %; fees 15 %:
    60² + 25² + 15² = 3 600 + 625 + 225 = 4 450. Commercial share 15 %."""
    org = OrganizationFactory()
    PaymentFactory(contract=ContractFactory(organization=org), amount=D("50000"))
    income(org, "government_subsidy", "10000")
    income(org, "donation_corporate", "25000", name="某公司")
    income(org, "service_fee", "15000")
    row = one(org)
    assert row.total_income == D("100000.00")
    assert row.revenue_type_hhi == D("4450")
    assert row.commercial_share == D("0.15")


def test_equity_ratio_and_operating_margin():
    """T = 80 000; net assets 30 000 + 10 000 restricted; expenses 100 000:
    equity (30 000 + 10 000) / 80 000 = 0.5; margin (80 000 − 100 000) / 80 000 = −0.25."""
    org = OrganizationFactory()
    income(org, "government_subsidy", "80000")
    AnnualReportFactory(organization=org, total_expenses=D("100000"), program_expenses=D("85000"),
                        management_expenses=D("15000"), net_assets_unrestricted=D("30000"),
                        net_assets_restricted=D("10000"))
    row = one(org)
    assert row.equity_ratio == D("0.5")
    assert row.operating_margin == D("-0.25")


def test_zero_expenses_keep_equity_and_margin_defined():
    org = OrganizationFactory()
    income(org, "government_subsidy", "40000")
    AnnualReportFactory(organization=org, total_expenses=D("0"), program_expenses=D("0"),
                        management_expenses=D("0"), net_assets_unrestricted=D("10000"), net_assets_restricted=D("0"))
    row = one(org)
    assert row.reserve_months is None and row.management_expense_ratio is None
    assert row.operating_margin == D("1") and row.equity_ratio == D("0.25")


def test_no_income_or_no_report_leaves_them_undefined():
    with_report = OrganizationFactory()
    AnnualReportFactory(organization=with_report)
    row = one(with_report)
    assert row.equity_ratio is None and row.operating_margin is None and row.revenue_type_hhi is None
    assert row.management_expense_ratio == D("0.125")  # needs no income
    without_report = OrganizationFactory()
    income(without_report, "government_subsidy", "1000")
    row = one(without_report)
    assert row.equity_ratio is None and row.operating_margin is None
    assert row.revenue_type_hhi == D("10000")


# --- output precision and column order ----------------------------------------------------------------------------

@pytest.fixture
def thirds():
    """T = 30 000: contract 20 000 (government 2/3), unnamed other 10 000. Reserve months 12 × 6 125 / 30 000
    = 2.45 → 2.5 (half-up); HHI (2/3)² + (1/3)² = 5 555.56 → 5 556; equity 6 125 / 30 000 = 0.20416… → 0.2042."""
    org = OrganizationFactory(name="三分之一")
    PaymentFactory(contract=ContractFactory(organization=org), amount=D("20000"))
    income(org, "other", "10000")
    AnnualReportFactory(organization=org, total_expenses=D("30000"), program_expenses=D("25000"),
                        management_expenses=D("5000"), net_assets_unrestricted=D("6125"),
                        net_assets_restricted=D("0"))
    return org


def test_api_rounds_as_the_design_says(client, thirds):
    client.force_login(user_with_role("analyst"))
    [row] = client.get("/api/indicators/organizations/", {"year": 2025}).json()["results"]
    assert list(row) == ORGANIZATION_COLUMNS
    assert row["government_share"] == 0.6667
    assert row["funder_hhi"] == 5556 and row["revenue_type_hhi"] == 5556
    assert row["reserve_months"] == 2.5
    assert row["equity_ratio"] == 0.2042
    assert row["total_income"] == "30000.00"
    assert row["commercial_share"] == 0.0
    assert list(OrganizationYearSerializer().fields) == ORGANIZATION_COLUMNS
    assert list(PurchaserYearSerializer().fields) == PURCHASER_EXPORT_COLUMNS  # then flags_<code> per flag


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_dashboard_and_api_csv_have_the_same_columns_and_rounding(client, thirds):
    empty = OrganizationFactory(name="没有收入")
    client.force_login(user_with_role("analyst"))
    dashboard = csv_rows(client.get("/dashboards/dependency/", {"year": 2025, "export": "csv",
                                                                "sort": "organization_name"}))
    api = csv_rows(client.get("/api/indicators/organizations/", {"year": 2025, "format": "csv"}))
    assert dashboard[0] == api[0] == ORGANIZATION_COLUMNS
    assert sorted(dashboard[1:]) == sorted(api[1:])
    by_name = {line[1]: dict(zip(ORGANIZATION_COLUMNS, line, strict=True)) for line in dashboard[1:]}
    row = by_name["三分之一"]
    assert (row["government_share"], row["funder_hhi"], row["reserve_months"], row["equity_ratio"],
            row["total_income"], row["restricted_income"]) == ("0.6667", "5556", "2.5", "0.2042", "30000.00",
                                                               "16000.00")
    blank = by_name[empty.name]
    assert blank["total_income"] == "0.00" and blank["government_share"] == "" and blank["status"] == ""
    purchasers = csv_rows(client.get("/dashboards/purchasers/", {"year": 2025, "export": "csv"}))
    assert purchasers[0] == PURCHASER_EXPORT_COLUMNS
    assert purchasers[0] == csv_rows(client.get("/api/indicators/purchasers/", {"year": 2025, "format": "csv"}))[0]


def test_source_labels_follow_the_readers_language(client):
    org = OrganizationFactory(name="收费机构")
    income(org, "other", "9000")
    income(org, "service_fee", "1000")
    client.force_login(user_with_role("analyst"))
    english = client.get("/api/indicators/organizations/", {"year": 2025}, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get("/api/indicators/organizations/", {"year": 2025}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert english["results"][0]["top_funder_name"] == "Other"
    assert chinese["results"][0]["top_funder_name"] == "其他"
    # The dashboard page shares cached rows between languages: the label is still the reader's.
    page_en = client.get("/dashboards/dependency/", {"year": 2025}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    page_zh = client.get("/dashboards/dependency/", {"year": 2025}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">Other<" in page_en and ">其他<" in page_zh
