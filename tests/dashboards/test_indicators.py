"""Organization-year indicators (docs/indicators.md) against numbers computed by hand."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from dashboards.flags import Thresholds
from dashboards.indicators import ORGANIZATION_COLUMNS, organization_indicators
from organizations.models import Organization
from tests.factories import (
    AnnualReportFactory,
    ContractFactory,
    IncomeRecordFactory,
    OrganizationFactory,
    PaymentFactory,
    PurchaserFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal


def one(org, year=2025):
    rows = organization_indicators(Organization.objects.filter(pk=org.pk), year)
    assert len(rows) == 1
    return rows[0]


@pytest.fixture
def hand_built():
    """The case of issue 4, computed by hand below.

    Purchaser A pays contract CA (100 000, 60 % restricted, ends 2025-12-31): 20 000 on 2024-12-31 (not 2025),
    40 000 and 30 000 in 2025 → 70 000, restricted 42 000. Purchaser B pays contract CB (50 000, 100 % restricted,
    ends 2027-06-30): 25 000 paid in 2025 (restricted 25 000) and 25 000 not paid yet.
    A corporate donation of 20 000 (15 000 restricted), a service fee of 10 000; an annual report with total
    expenses 120 000, management 15 000, unrestricted net assets 24 000.
    """
    org = OrganizationFactory(name="阳光康复中心")
    a = PurchaserFactory(name="长春市朝阳区民政局")
    b = PurchaserFactory(name="长春市残疾人联合会")
    ca = ContractFactory(organization=org, purchaser=a, amount=D("100000"), restricted_amount=D("60000"),
                         signed_on=datetime.date(2024, 12, 1), start_on=datetime.date(2024, 12, 1),
                         end_on=datetime.date(2025, 12, 31))
    cb = ContractFactory(organization=org, purchaser=b, amount=D("50000"), restricted_amount=D("50000"),
                         start_on=datetime.date(2025, 2, 1), end_on=datetime.date(2027, 6, 30))
    PaymentFactory(contract=ca, amount=D("20000"), due_on=datetime.date(2024, 12, 31),
                   paid_on=datetime.date(2024, 12, 31))
    PaymentFactory(contract=ca, amount=D("40000"), paid_on=datetime.date(2025, 3, 1))
    PaymentFactory(contract=ca, kind="interim", amount=D("30000"), due_on=datetime.date(2025, 9, 1),
                   paid_on=datetime.date(2025, 9, 1))
    PaymentFactory(contract=cb, amount=D("25000"), paid_on=datetime.date(2025, 5, 10))
    PaymentFactory(contract=cb, kind="final", amount=D("25000"), due_on=datetime.date(2025, 12, 1), paid_on=None)
    IncomeRecordFactory(organization=org, source="donation_corporate", funder_name="腾讯公益慈善基金会",
                        amount=D("20000"), restricted_amount=D("15000"))
    IncomeRecordFactory(organization=org, source="service_fee", funder_name="", amount=D("10000"))
    IncomeRecordFactory(organization=org, fiscal_year=2024, source="donation_individual", amount=D("99999"))
    AnnualReportFactory(organization=org, fiscal_year=2025, total_expenses=D("120000"),
                        program_expenses=D("100000"), management_expenses=D("15000"),
                        net_assets_unrestricted=D("24000"))
    return org, a, b


def test_hand_built_case(hand_built):
    org, a, _ = hand_built
    row = one(org)
    # T = 70 000 + 25 000 + 20 000 + 10 000
    assert row.total_income == D("125000.00")
    assert row.contract_income == D("95000.00")
    assert row.government_income == D("95000.00")
    # 0.6 × 70 000 + 1.0 × 25 000 + 15 000
    assert row.restricted_income == D("82000.00")
    assert row.government_share == D("0.76")  # 95 000 / 125 000
    assert row.top_funder_share == D("0.56")  # purchaser A: 70 000 / 125 000
    assert row.top_funder_name == a.name
    # v2: the unnamed service fee (8 %) is diffuse income, nobody's share: 56² + 20² + 16² (v1: + 8² = 3 856)
    assert row.funder_hhi == D("3792")
    assert row.restricted_ratio == D("0.656")  # 82 000 / 125 000
    assert row.reserve_months == D("2.4")  # 24 000 / (120 000 / 12)
    assert row.management_expense_ratio == D("0.125")  # 15 000 / 120 000
    assert row.renewal_exposure == D("0.56")  # contract A ends before 2026-12-31: 70 000 / 125 000
    assert (row.government_share_flag, row.top_funder_share_flag, row.funder_hhi_flag, row.restricted_ratio_flag,
            row.reserve_months_flag, row.management_expense_ratio_flag, row.renewal_exposure_flag) == (
        "amber", "red", "red", "amber", "amber", "amber", "amber")
    assert row.worst_flag == "red"
    # v2 (docs/indicators.md, worked example): revenue types government 76 %, corporate 16 %, fees 8 %
    assert row.revenue_type_hhi == D("6096")  # 76² + 16² + 8²
    assert row.commercial_share == D("0.08")  # 10 000 / 125 000
    assert row.equity_ratio == D("0.232")  # (24 000 + 5 000 restricted net assets) / 125 000
    assert row.operating_margin == D("0.04")  # (125 000 − 120 000) / 125 000


def test_payment_of_december_31_counts_in_its_own_year(hand_built):
    org, a, _ = hand_built
    row = one(org, 2024)
    assert row.contract_income == D("20000.00")
    assert row.total_income == D("119999.00")  # + the 2024 individual donation
    # v2: the unnamed individual donations are diffuse; the top funder is purchaser A (v1: the donations)
    assert row.top_funder_share == D("20000") / D("119999")
    assert row.reserve_months is None  # no annual report for 2024
    assert row.reserve_months_flag is None


def test_row_has_the_design_field_names(hand_built):
    org, _, _ = hand_built
    row = one(org).as_dict()
    names = ["organization", "organization_name", "year", "total_income", "contract_income", "government_income",
             "restricted_income", "government_share", "top_funder_share", "top_funder_name", "funder_hhi",
             "restricted_ratio", "reserve_months", "management_expense_ratio", "renewal_exposure",
             "revenue_type_hhi", "commercial_share", "equity_ratio", "operating_margin", "status",
             "equity_ratio_percentile", "revenue_type_hhi_percentile", "management_expense_ratio_percentile",
             "operating_margin_percentile"]
    assert ORGANIZATION_COLUMNS[:len(names)] == names
    flags = {f"{n}_flag" for n in ["government_share", "top_funder_share", "funder_hhi", "restricted_ratio",
                                   "reserve_months", "management_expense_ratio", "renewal_exposure"]}
    assert set(ORGANIZATION_COLUMNS[len(names):len(names) + len(flags)]) == flags
    # then the accountability fields, with their flags last
    assert ORGANIZATION_COLUMNS[len(names) + len(flags):] == [
        "mission_drift", "outside_scope_income", "salary_to_peers", "salary_per_staff", "peer_median_salary",
        "peer_count", "reported_government_income", "reported_income_gap", "related_party_income",
        "related_party_share", "mission_drift_flag", "salary_to_peers_flag", "reported_income_gap_flag",
        "related_party_share_flag"]
    assert list(row) == ORGANIZATION_COLUMNS
    assert row["organization"] == org.pk and row["organization_name"] == "阳光康复中心" and row["year"] == 2025


def test_range_of_years_gives_one_row_per_organization_year(hand_built):
    org, _, _ = hand_built
    other = OrganizationFactory(name="啊啊 first by name")
    rows = organization_indicators(Organization.objects.filter(pk__in=[org.pk, other.pk]), range(2024, 2027))
    assert [(r.organization, r.year) for r in rows] == [
        (other.pk, 2024), (other.pk, 2025), (other.pk, 2026), (org.pk, 2024), (org.pk, 2025), (org.pk, 2026)]
    assert rows[4].funder_hhi == D("3792")
    assert rows[5].total_income == D("0") and rows[5].government_share is None


def test_renewal_exposure_boundary_is_december_31_of_next_year():
    org = OrganizationFactory()
    ends_in_time = ContractFactory(organization=org, end_on=datetime.date(2026, 12, 31))
    ends_later = ContractFactory(organization=org, end_on=datetime.date(2027, 1, 1))
    PaymentFactory(contract=ends_in_time, amount=D("30000"))
    PaymentFactory(contract=ends_later, amount=D("10000"))
    assert one(org).renewal_exposure == D("0.75")


def test_payments_of_cancelled_and_draft_contracts_still_count_as_cash_received():
    org = OrganizationFactory()
    PaymentFactory(contract=ContractFactory(organization=org, status="cancelled"), amount=D("1000"))
    PaymentFactory(contract=ContractFactory(organization=org, status="draft"), amount=D("3000"))
    assert one(org).contract_income == D("4000.00")


def test_restricted_part_is_not_truncated_for_whole_amounts():
    """30 000 paid on a contract of 100 000 with 60 001 restricted: 18 000.30 restricted (SQLite would
    divide whole numbers as integers)."""
    org = OrganizationFactory()
    c = ContractFactory(organization=org, amount=D("100000"), restricted_amount=D("60001"))
    PaymentFactory(contract=c, amount=D("30000"))
    row = one(org)
    assert row.restricted_income == D("18000.30")
    assert row.restricted_ratio == D("0.60001")


def test_restricted_income_rounds_to_cents_once_per_year():
    """Three payments of 100.00 on a contract of 300.00 with 100.00 restricted: 3 × 33.333… = 100.00."""
    org = OrganizationFactory()
    c = ContractFactory(organization=org, amount=D("300"), restricted_amount=D("100"))
    for day in (1, 2, 3):
        PaymentFactory(contract=c, amount=D("100"), paid_on=datetime.date(2025, 4, day))
    assert one(org).restricted_income == D("100.00")


# --- funder grouping -----------------------------------------------------------------------------------------

def test_same_donor_with_different_case_and_spaces_is_one_funder():
    org = OrganizationFactory()
    IncomeRecordFactory(organization=org, source="donation_individual", funder_name="Li Hua", amount=D("1000"))
    IncomeRecordFactory(organization=org, source="donation_individual", funder_name="  li hua ", amount=D("2000"))
    IncomeRecordFactory(organization=org, source="donation_corporate", funder_name="LI HUA", amount=D("3000"))
    IncomeRecordFactory(organization=org, source="donation_corporate", funder_name=" 腾讯公益 ", amount=D("2000"))
    IncomeRecordFactory(organization=org, source="donation_corporate", funder_name="腾讯公益", amount=D("2000"))
    row = one(org)
    # Li Hua 6 000 (60 %), 腾讯公益 4 000 (40 %)
    assert row.top_funder_share == D("0.6")
    assert row.top_funder_name.lower() == "li hua"
    assert row.funder_hhi == D("5200")  # 60² + 40²
    assert row.government_share == D("0")
    assert row.government_share_flag == "none"


def test_subsidy_naming_a_purchaser_merges_with_its_contract_income():
    org = OrganizationFactory()
    a = PurchaserFactory(name="某区民政局")
    PaymentFactory(contract=ContractFactory(organization=org, purchaser=a), amount=D("10000"))
    IncomeRecordFactory(organization=org, source="government_subsidy", funder_purchaser=a, amount=D("4000"),
                        restricted_amount=D("4000"))
    IncomeRecordFactory(organization=org, source="donation_individual", funder_name="", amount=D("6000"))
    row = one(org)
    assert row.total_income == D("20000.00")
    assert row.government_income == D("14000.00")
    assert row.government_share == D("0.7")
    assert row.top_funder_share == D("0.7")
    assert row.top_funder_name == "某区民政局"
    assert row.funder_hhi == D("4900")  # 70²; v2: the unnamed individual donations are diffuse (v1: + 30²)
    # 80 % of 10 000 (factory contract) + 4 000
    assert row.restricted_income == D("12000.00")


def test_records_without_funder_name_group_by_source():
    org = OrganizationFactory()
    IncomeRecordFactory(organization=org, source="other", funder_name="", amount=D("1000"))
    IncomeRecordFactory(organization=org, source="other", funder_name="", amount=D("1000"))
    IncomeRecordFactory(organization=org, source="service_fee", funder_name="", amount=D("3000"))
    row = one(org)
    # v2: unnamed "other" income is one funder (2 000 of 5 000); the unnamed service fees are diffuse
    # (v1 counted them as the top funder: 60 %, HHI 5 200)
    assert row.top_funder_share == D("0.4")
    assert row.funder_hhi == D("1600")  # 40²
    with translation.override("en"):
        assert str(row.top_funder_name) == "Other"  # the source's label, in the reader's language
    with translation.override("zh-hans"):
        assert str(row.top_funder_name) == "其他"


def test_a_purchaser_and_a_donor_with_the_same_name_stay_two_funders():
    org = OrganizationFactory()
    a = PurchaserFactory(name="某区民政局")
    PaymentFactory(contract=ContractFactory(organization=org, purchaser=a), amount=D("5000"))
    IncomeRecordFactory(organization=org, source="other", funder_name="某区民政局", amount=D("5000"))
    assert one(org).funder_hhi == D("5000")  # 50² + 50²


# --- zero and empty cases ------------------------------------------------------------------------------------

def test_organization_without_any_income_is_undefined_not_zero():
    row = one(OrganizationFactory())
    assert row.total_income == D("0")
    for name in ("government_share", "top_funder_share", "top_funder_name", "funder_hhi", "restricted_ratio",
                 "reserve_months", "management_expense_ratio", "renewal_exposure"):
        assert getattr(row, name) is None, name
        if name != "top_funder_name":
            assert getattr(row, f"{name}_flag") is None
    assert row.worst_flag is None


def test_annual_report_with_zero_expenses_is_undefined():
    org = OrganizationFactory()
    AnnualReportFactory(organization=org, total_expenses=D("0"), program_expenses=D("0"),
                        management_expenses=D("0"), net_assets_unrestricted=D("5000"))
    row = one(org)
    assert row.reserve_months is None and row.management_expense_ratio is None


def test_negative_unrestricted_net_assets_give_negative_reserve_months():
    org = OrganizationFactory()
    AnnualReportFactory(organization=org, total_expenses=D("120000"), net_assets_unrestricted=D("-5000"))
    row = one(org)
    assert row.reserve_months == D("-0.5")
    assert row.reserve_months_flag == "red"


def test_unpaid_payments_are_not_income():
    org = OrganizationFactory()
    PaymentFactory(contract=ContractFactory(organization=org), paid_on=None)
    row = one(org)
    assert row.total_income == D("0") and row.government_share is None


def test_empty_queryset_gives_no_rows():
    assert organization_indicators(Organization.objects.none(), 2025) == []


def test_exact_boundaries_through_the_database():
    """Four equal purchasers: HHI exactly 2 500 (red); government share exactly 50 % with a donation."""
    org = OrganizationFactory()
    for _ in range(4):
        PaymentFactory(contract=ContractFactory(organization=org, restricted_amount=D("0")), amount=D("2500"))
    row = one(org)
    assert row.funder_hhi == D("2500") and row.funder_hhi_flag == "red"
    assert row.top_funder_share == D("0.25") and row.top_funder_share_flag == "none"

    org2 = OrganizationFactory()
    PaymentFactory(contract=ContractFactory(organization=org2, restricted_amount=D("0")), amount=D("3000"))
    IncomeRecordFactory(organization=org2, funder_name="张三", amount=D("3000"))
    row = one(org2)
    assert row.government_share == D("0.5") and row.government_share_flag == "amber"
    assert row.funder_hhi == D("5000")


# --- query count ---------------------------------------------------------------------------------------------

def _make_organizations(n):
    a, b = PurchaserFactory(), PurchaserFactory()
    for i in range(n):
        org = OrganizationFactory()
        PaymentFactory(contract=ContractFactory(organization=org, purchaser=a if i % 2 else b))
        IncomeRecordFactory(organization=org, funder_name=f"donor {i % 3}")
        AnnualReportFactory(organization=org)


@pytest.mark.parametrize("n", [5, 100])
def test_query_count_does_not_grow_with_the_number_of_organizations(n, django_assert_num_queries):
    _make_organizations(n)
    thresholds = Thresholds.load()
    # organizations; the income totals, the peer standing and the accountability split of contract income in one
    # statement over one set of funder rows; the annual reports (the indicators' and the accountability fields'
    # columns in one query); the prefecture medians (before: 7, the funder rows computed twice and the split apart)
    with django_assert_num_queries(4):
        rows = organization_indicators(Organization.objects.all(), range(2024, 2026), thresholds=thresholds)
    assert len(rows) == 2 * n
    assert all(r.total_income == D("40000.00") for r in rows if r.year == 2025)
    assert all(r.status is not None for r in rows if r.year == 2025)  # four ratios against ≥ 5 peers
    with django_assert_num_queries(5):  # and the thresholds
        organization_indicators(Organization.objects.all(), 2025)


def test_one_statement_gives_the_rows_of_separate_totals_peers_and_split():
    """The indicators computed in one statement (totals, peer standing and accountability split over one set of
    funder rows) equal those computed with the peer standing and the split queried apart, also for a part of the
    organizations (whose peers are still every organization)."""
    from dashboards.vulnerability import peer_standing

    _make_organizations(12)
    org = Organization.objects.order_by("pk").first()
    org.service_scope = "no_such_category"
    org.save()
    years = [2024, 2025]
    for organizations in (Organization.objects.all(), Organization.objects.filter(pk__in=[org.pk])):
        together = organization_indicators(organizations, years)
        apart = organization_indicators(organizations, years, peers=peer_standing(years))
        assert [(r.as_dict(), r.standings) for r in together] == [(r.as_dict(), r.standings) for r in apart]
        assert together[-1].status is not None and together[-1].equity_ratio_percentile is not None
    mine = [r for r in together if r.year == 2025][0]
    assert mine.outside_scope_income == mine.contract_income > 0 and mine.mission_drift == 1
