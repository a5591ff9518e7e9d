"""Dashboard pages: what each role sees, filters, sorting, the funding mix and purchaser summary, query counts."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.flags import Thresholds
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

pytestmark = pytest.mark.django_db
D = Decimal
DEPENDENCY = reverse("dashboards:dependency")
PURCHASERS = reverse("dashboards:purchasers")


def funding_url(org):
    return reverse("dashboards:organization_funding", args=[org.pk])


@pytest.fixture
def world():
    """Two purchasers in two regions, each with one organization it pays in 2025."""
    north, south = RegionFactory(name="北区"), RegionFactory(name="南区")
    pa, pb = PurchaserFactory(name="北区民政局", region=north), PurchaserFactory(name="南区民政局", region=south)
    oa = OrganizationFactory(name="北区康复中心", region=north, legal_form="social_service_org")
    ob = OrganizationFactory(name="南区助残协会", region=south, legal_form="social_group")
    ca = ContractFactory(purchaser=pa, organization=oa, service_category="rehab_children")
    cb = ContractFactory(purchaser=pb, organization=ob, service_category="employment",
                         procurement_method="single_source")
    PaymentFactory(contract=ca, amount=D("30000"))
    PaymentFactory(contract=cb, amount=D("10000"))
    IncomeRecordFactory(organization=ob, funder_name="张三", amount=D("10000"))
    return {"pa": pa, "pb": pb, "oa": oa, "ob": ob, "ca": ca, "cb": cb, "north": north}


def names(response):
    return [row.organization_name if hasattr(row, "organization_name") else row.purchaser_name
            for row in response.context["rows"]]


# --- dependency dashboard -----------------------------------------------------------------------------------

def test_login_required(client):
    response = client.get(DEPENDENCY)
    assert response.status_code == 302 and "login" in response.url


def test_analyst_sees_every_organization_with_its_indicators(client, world):
    client.force_login(user_with_role("analyst"))
    response = client.get(DEPENDENCY, {"year": 2025})
    assert response.status_code == 200
    rows = {row.organization_name: row for row in response.context["rows"]}
    assert set(rows) == {"北区康复中心", "南区助残协会"}
    assert rows["北区康复中心"].government_share == D("1")
    assert rows["南区助残协会"].government_share == D("0.5")
    content = response.content.decode()
    assert "北区康复中心" in content and "100.0 %" in content and "50.0 %" in content


def test_staff_sees_only_organizations_paid_by_their_purchasers(client, world):
    client.force_login(user_with_role("staff", purchasers=[world["pa"]]))
    response = client.get(DEPENDENCY, {"year": 2025})
    assert names(response) == ["北区康复中心"]
    assert "南区助残协会" not in response.content.decode()


def test_ngo_manager_sees_only_their_organization(client, world):
    client.force_login(user_with_role("ngo_manager", organizations=[world["ob"]]))
    response = client.get(DEPENDENCY, {"year": 2025})
    assert names(response) == ["南区助残协会"]


def test_filters_region_legal_form_category_and_flag(client, world):
    client.force_login(user_with_role("analyst"))
    assert names(client.get(DEPENDENCY, {"year": 2025, "region": world["north"].pk})) == ["北区康复中心"]
    assert names(client.get(DEPENDENCY, {"year": 2025, "legal_form": ["social_group"]})) == ["南区助残协会"]
    assert names(client.get(DEPENDENCY, {"year": 2025, "service_category": ["employment"]})) == ["南区助残协会"]
    # v2: the flag filter reads the vulnerability status. Both organizations have red indicator flags (HHI 10 000
    # and 5 000) but, without annual reports and with 2 peers, no status: neither is "red" (v1 listed both).
    assert names(client.get(DEPENDENCY, {"year": 2025, "flag": "red"})) == []
    assert names(client.get(DEPENDENCY, {"year": 2025, "flag": "none"})) == []
    assert names(client.get(DEPENDENCY, {"year": 2024, "flag": "flagged"})) == []


def test_region_filter_includes_regions_below(client, world):
    below = RegionFactory(name="北区某街道", parent=world["north"], level="township")
    org = OrganizationFactory(name="街道助残站", region=below)
    PaymentFactory(contract=ContractFactory(organization=org, purchaser=world["pa"]))
    client.force_login(user_with_role("analyst"))
    assert set(names(client.get(DEPENDENCY, {"year": 2025, "region": world["north"].pk}))) == {
        "北区康复中心", "街道助残站"}


def test_sorting_by_indicator_puts_undefined_last(client, world):
    OrganizationFactory(name="没有收入的机构")
    client.force_login(user_with_role("analyst"))
    assert names(client.get(DEPENDENCY, {"year": 2025, "sort": "government_share"})) == [
        "南区助残协会", "北区康复中心", "没有收入的机构"]
    assert names(client.get(DEPENDENCY, {"year": 2025, "sort": "-government_share"})) == [
        "北区康复中心", "南区助残协会", "没有收入的机构"]
    assert names(client.get(DEPENDENCY, {"year": 2025, "sort": "-total_income"}))[0] == "北区康复中心"


def test_default_year_is_the_last_complete_year(client, world):
    """v2: the last complete calendar year, whose annual reports can exist (v1: the latest year with payments)."""
    client.force_login(user_with_role("analyst"))
    with mock.patch("django.utils.timezone.localdate", return_value=datetime.date(2031, 3, 1)):
        assert client.get(DEPENDENCY).context["year"] == 2030
        assert client.get(PURCHASERS).context["year"] == 2030


def test_rows_and_columns_for_export(rf, world):
    from dashboards.indicators import ORGANIZATION_COLUMNS
    from dashboards.views import DependencyDashboardView

    request = rf.get(DEPENDENCY, {"year": "2025", "sort": "organization_name"})
    request.user = user_with_role("analyst")
    view = DependencyDashboardView()
    view.setup(request)
    rows = view.get_rows()
    assert view.columns == ORGANIZATION_COLUMNS
    assert [r.organization_name for r in rows] == ["北区康复中心", "南区助残协会"]
    assert rows[0].as_dict()["total_income"] == D("30000.00")


def test_page_query_count_does_not_depend_on_the_number_of_organizations(client):
    """The whole dashboard (filters, computation, rendering) takes the same number of queries for 5 and for 100
    organizations."""
    user = user_with_role("analyst")
    client.force_login(user)

    def make(n):
        purchaser = PurchaserFactory()
        for i in range(n):
            org = OrganizationFactory()
            PaymentFactory(contract=ContractFactory(organization=org, purchaser=purchaser))
            IncomeRecordFactory(organization=org, funder_name=f"捐赠人{i % 4}")
            AnnualReportFactory(organization=org)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(DEPENDENCY, {"year": 2025, "per_page": 100})
        assert response.status_code == 200
        return len(queries), len(response.context["rows"])

    make(5)
    five, rows = count()
    assert rows == 5
    make(95)
    hundred, rows = count()
    assert rows == 100
    assert hundred == five


# --- purchaser dashboard ------------------------------------------------------------------------------------

def test_purchaser_dashboard_rows(client, world):
    client.force_login(user_with_role("analyst"))
    response = client.get(PURCHASERS, {"year": 2025})
    rows = {row.purchaser_name: row for row in response.context["rows"]}
    assert set(rows) == {"北区民政局", "南区民政局"}
    assert rows["南区民政局"].single_source_share == D("1")
    assert rows["南区民政局"].single_source_share_flag is None  # v2: one contract, too few to judge (v1: red)
    assert rows["北区民政局"].spend == D("100000.00")


def test_staff_sees_only_their_purchasers_portfolio(client, world):
    client.force_login(user_with_role("staff", purchasers=[world["pb"]]))
    assert names(client.get(PURCHASERS, {"year": 2025})) == ["南区民政局"]


def test_ngo_manager_does_not_see_purchasers_with_other_organizations_contracts(client, world):
    ContractFactory(purchaser=world["pa"])  # pa also pays someone else
    client.force_login(user_with_role("ngo_manager", organizations=[world["oa"]]))
    assert names(client.get(PURCHASERS, {"year": 2025})) == []


# --- organization funding page and tags ---------------------------------------------------------------------

def test_ngo_manager_gets_404_on_another_organizations_funding_page(client, world):
    client.force_login(user_with_role("ngo_manager", organizations=[world["oa"]]))
    assert client.get(funding_url(world["oa"])).status_code == 200
    assert client.get(funding_url(world["ob"])).status_code == 404


def test_staff_gets_404_for_an_organization_without_contracts_of_theirs(client, world):
    client.force_login(user_with_role("staff", purchasers=[world["pa"]]))
    assert client.get(funding_url(world["ob"])).status_code == 404


def test_funding_page_shows_chart_data_cards_and_table(client, world):
    org = world["ob"]
    AnnualReportFactory(organization=org, total_expenses=D("120000"), management_expenses=D("15000"),
                        net_assets_unrestricted=D("24000"))
    PaymentFactory(contract=world["cb"], amount=D("5000"), paid_on=datetime.date(2024, 6, 1),
                   due_on=datetime.date(2024, 6, 1))
    client.force_login(user_with_role("ngo_manager", organizations=[org]))
    response = client.get(funding_url(org), {"funding_year": 2025})
    content = response.content.decode()
    assert f'id="funding-mix-{org.pk}"' in content and 'type="application/json"' in content
    assert "dashboards/charts.js" in content
    # the table under the chart: 2024 and 2025, contracts and individual donations
    assert "10,000.00" in content and "5,000.00" in content and "20,000.00" in content
    # cards: government share 50 % (amber, threshold shown), reserve months 2.4, management 12.5 %
    assert 'data-indicator="government_share" data-flag="amber"' in content
    assert "50.0 %" in content and "2.4" in content and "12.5 %" in content
    assert "≥ 50 %" in content
    # integrity flags (docs/integrity.md): no payment more than 90 days late yet
    assert 'data-flag="late_payment" data-level="red"' not in content
    PaymentFactory(contract=world["cb"], amount=D("1000"), due_on=datetime.date(2025, 1, 1), paid_on=None)
    assert 'data-flag="late_payment" data-level="red"' in client.get(funding_url(org)).content.decode()


def test_funding_page_query_count_does_not_depend_on_years_and_contracts(client, world):
    org = world["oa"]
    client.force_login(user_with_role("ngo_manager", organizations=[org]))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(funding_url(org)).status_code == 200
        return len(queries)

    before = count()
    for year in range(2019, 2025):
        contract = ContractFactory(organization=org, purchaser=world["pa"], signed_on=datetime.date(year, 1, 5),
                                   start_on=datetime.date(year, 2, 1), end_on=datetime.date(year, 12, 31))
        PaymentFactory(contract=contract, due_on=datetime.date(year, 3, 1), paid_on=datetime.date(year, 3, 1))
        IncomeRecordFactory(organization=org, fiscal_year=year, funder_name=f"基金会{year}")
        AnnualReportFactory(organization=org, fiscal_year=year)
    assert count() == before


def test_funding_tag_hides_money_from_users_without_finance_access(rf, world):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = user_with_role("staff", purchasers=[world["pa"]])
    html = Template("{% load indicators %}{% funding_mix org %}").render(Context({"request": request,
                                                                                 "org": world["ob"]}))
    assert "10,000.00" not in html and "funding-mix-" not in html


def test_purchaser_summary_on_the_purchaser_page(client, world):
    c = world["ca"]
    PerformanceReviewFactory(contract=c, reviewed_on=datetime.date(2025, 12, 20))
    PaymentFactory(contract=c, due_on=datetime.date(2025, 4, 1), paid_on=None, amount=D("1000"))
    client.force_login(user_with_role("staff", purchasers=[world["pa"]]))
    response = client.get(reverse("organizations:purchaser_detail", args=[world["pa"].pk]))
    content = response.content.decode()
    assert f'id="spend-{world["pa"].pk}"' in content
    assert 'data-indicator="supplier_hhi"' in content and "10,000" in content
    assert "北区康复中心" in content and "100,000.00" in content


def test_purchaser_summary_hidden_when_some_contracts_are_out_of_scope(client, world):
    client.force_login(user_with_role("ngo_manager", organizations=[world["oa"]]))
    ContractFactory(purchaser=world["pa"])
    response = client.get(reverse("organizations:purchaser_detail", args=[world["pa"].pk]))
    assert f'id="spend-{world["pa"].pk}"' not in response.content.decode()


# --- home ---------------------------------------------------------------------------------------------------

def test_ngo_manager_lands_on_their_funding_mix(client, world):
    client.force_login(user_with_role("ngo_manager", organizations=[world["oa"]]))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == funding_url(world["oa"])


def test_home_headline_figures_for_staff(client, world):
    today = datetime.date.today()
    this_year = ContractFactory(purchaser=world["pa"], organization=world["oa"], amount=D("5000"),
                                restricted_amount=D("0"), signed_on=today, start_on=today, end_on=today)
    ContractFactory(purchaser=world["pb"], signed_on=today, start_on=today, end_on=today)  # not in scope
    PaymentFactory(contract=this_year, due_on=today - datetime.timedelta(days=3), paid_on=None, amount=D("100"))
    PerformanceReviewFactory(contract=this_year, reviewed_on=today, output_score=D("10"), quality_score=D("10"),
                             satisfaction_score=D("10"), financial_score=D("10"))
    client.force_login(user_with_role("staff", purchasers=[world["pa"]]))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    ctx = response.context
    assert ctx["contract_count"] == 1 and ctx["spend"] == D("5000")
    assert ctx["overdue_count"] == 1 and ctx["failed_count"] == 1
    assert [row.organization_name for row in ctx["most_dependent"]] == ["北区康复中心"]
    assert [c.pk for c in ctx["latest_contracts"]][0] == this_year.pk
    assert "南区助残协会" not in response.content.decode()


def test_thresholds_load_once_per_dashboard_page(client, world, django_assert_max_num_queries):
    client.force_login(user_with_role("analyst"))
    client.get(DEPENDENCY, {"year": 2025})  # warm up session
    with CaptureQueriesContext(connection) as queries:
        client.get(DEPENDENCY, {"year": 2025})
    threshold_queries = [q for q in queries if "dashboards_threshold" in q["sql"]]
    assert len(threshold_queries) == 1
    assert Thresholds.load().get("funder_hhi").amber == D("1500")


# --- methodology ---------------------------------------------------------------------------------------------

def test_methodology_page_in_the_readers_language_linked_from_every_dashboard(client, world):
    client.force_login(user_with_role("analyst"))
    url = reverse("dashboards:methodology")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Vulnerability status (Tuckman &amp; Chang)" in english and "脆弱性状态" not in english
    assert "脆弱性状态（Tuckman &amp; Chang）" in chinese and "Vulnerability status" not in chinese
    assert "<table" in english and "<h3" in english  # rendered Markdown, not the raw text
    for page in (DEPENDENCY, PURCHASERS, "/"):
        assert f'href="{url}"' in client.get(page).content.decode(), page


def test_purchaser_dashboard_explains_the_small_number_rule_and_its_columns(client, world):
    client.force_login(user_with_role("analyst"))
    html = client.get(PURCHASERS, {"year": 2025}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html.count("too few to judge concentration") == 2  # each purchaser signed one contract in 2025
    assert "Share of the year&#x27;s spend awarded by single-source procurement" in html  # the legend
