"""The five user journeys of the product, in a real browser (civil-affairs staff, NGO manager, analyst, administrator).

Each test builds the little data it needs with the factories, then works only through the pages as a person would:
login form, navigation, forms, filters, buttons. Expected numbers are computed by hand in the comments.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

from playwright.sync_api import expect

from contracts.models import Contract, Payment, PerformanceReview
from organizations.models import IncomeRecord
from tests import factories as f
from tests.e2e.helpers import expect_indicator, log_in

D = Decimal


def _purchaser_and_organizations():
    region = f.RegionFactory(code="220104", name="朝阳区")
    purchaser = f.PurchaserFactory(name="长春市朝阳区民政局", region=region)
    organization = f.OrganizationFactory(name="长春市朝阳区春晖康复中心", region=region)
    other = f.OrganizationFactory(name="长春市朝阳区明德助残服务社", region=region)
    return region, purchaser, organization, other


# 1 -----------------------------------------------------------------------------------------------------------------

def test_staff_records_a_contract_with_payments_and_a_review(site, page):
    """Staff (Chinese UI) log in, enter a contract with two payments and a review, find it in the filtered list,
    open it, and see the organization's government share move from 0 % to 75 % (amber)."""
    _region, purchaser, org, other = _purchaser_and_organizations()
    staff = f.user_with_role("staff", purchasers=[purchaser], username="zhang")
    # An earlier contract (2024) makes the organization's money visible to this bureau's staff.
    earlier = f.ContractFactory(purchaser=purchaser, organization=org, reference="CY-2024-001",
                                signed_on=datetime.date(2024, 1, 10), start_on=datetime.date(2024, 2, 1),
                                end_on=datetime.date(2024, 12, 31), amount=D("50000"), restricted_amount=D("40000"))
    f.PaymentFactory(contract=earlier, due_on=datetime.date(2024, 3, 1), paid_on=datetime.date(2024, 3, 1),
                     amount=D("50000"))
    # 2025 before: only a 100,000 donation → government share 0 / 100,000 = 0.0 % (no flag).
    f.IncomeRecordFactory(organization=org, fiscal_year=2025, source="donation_individual", amount=D("100000"),
                          funder_name="爱心人士")
    # Another contract of the same bureau, same category and year: the search must leave it out.
    f.ContractFactory(purchaser=purchaser, organization=other, reference="CY-2025-009",
                      signed_on=datetime.date(2025, 1, 5))

    log_in(page, site, staff.username)
    expect(page.get_by_role("link", name="首页", exact=True)).to_be_visible()

    # The organization's page before.
    page.goto(f"{site}/organizations/{org.pk}/")
    expect_indicator(page, "government_share", "0.0 %", "none")
    expect_indicator(page, "restricted_ratio", "0.0 %", "none")

    # The contract form, with two payment rows.
    page.goto(f"{site}/contracts/")
    page.get_by_role("link", name="添加合同").click()
    expect(page.get_by_role("heading", name="添加合同")).to_be_visible()
    page.locator("#id_reference").fill("CY-2025-017")
    page.locator("#id_title").fill("朝阳区残疾儿童康复训练服务项目")
    page.locator("#id_purchaser").select_option(label=purchaser.name)
    page.locator("#id_organization").select_option(label=org.name)
    page.locator("#id_service_category").select_option(label="残疾儿童康复")
    page.locator("#id_procurement_method").select_option(label="公开招标")
    page.locator("#id_status").select_option(label="执行中")
    page.locator("#id_signed_on").fill("2025-01-15")
    page.locator("#id_start_on").fill("2025-02-01")
    page.locator("#id_end_on").fill("2025-12-31")
    page.locator("#id_amount").fill("300,000")
    page.locator("#id_restricted_amount").fill("240,000")
    rows = [("advance", "2025-02-10", "120,000"), ("interim", "2025-07-10", "180,000")]
    for i, (kind, day, amount) in enumerate(rows):
        page.locator(f"#id_payments-{i}-kind").select_option(kind)
        page.locator(f"#id_payments-{i}-due_on").fill(day)
        page.locator(f"#id_payments-{i}-paid_on").fill(day)
        page.locator(f"#id_payments-{i}-amount").fill(amount)
    expect(page.locator("#payments-total")).to_have_text("300,000.00")
    page.get_by_role("button", name="保存", exact=True).click()

    expect(page).to_have_url(re.compile(r"/contracts/\d+/$"))
    contract = Contract.objects.get(reference="CY-2025-017")
    assert contract.amount == D("300000.00") and contract.restricted_amount == D("240000.00")
    assert sorted(contract.payments.values_list("amount", flat=True)) == [D("120000.00"), D("180000.00")]
    expect(page.locator("#payments tbody tr")).to_have_count(2)

    # A review through its form, reached from the contract page (the contract is pre-filled).
    page.get_by_role("link", name="添加绩效评价").first.click()
    expect(page.locator("#id_contract")).to_have_value(str(contract.pk))
    page.locator("#id_reviewer_kind").select_option("third_party")
    page.locator("#id_reviewer_name").fill("吉林省社会组织评估中心")
    page.locator("#id_reviewed_on").fill("2025-12-20")
    for name, score in [("output", "90"), ("quality", "85"), ("satisfaction", "95"), ("financial", "80")]:
        page.locator(f"#id_{name}_score").fill(score)
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(re.compile(r"/reviews/\d+/$"))
    review = PerformanceReview.objects.get(contract=contract)
    # 0.3·90 + 0.3·85 + 0.2·95 + 0.2·80 = 27 + 25.5 + 19 + 16 = 87.5 → good (良好)
    assert review.total_score == D("87.5") and review.grade == "good"

    # Find it in the filtered list and open it.
    page.goto(f"{site}/contracts/")
    expect(page.locator(".result-count .fs-5")).to_have_text("3")
    filters = page.locator("form.filter-form")
    filters.locator("#id_q").fill("CY-2025-017")
    filters.get_by_label("残疾儿童康复").check()
    filters.get_by_role("button", name="应用").click()
    expect(page.locator(".result-count .fs-5")).to_have_text("1")
    expect(page.get_by_role("link", name="CY-2025-009")).to_have_count(0)
    page.get_by_role("link", name="CY-2025-017").click()
    expect(page).to_have_url(f"{site}/contracts/{contract.pk}/")
    expect(page.locator("#reviews")).to_contain_text("87.5")
    expect(page.locator("#reviews")).to_contain_text("良好")

    # The organization's funding mix after: contract income 300,000 paid in 2025 →
    # government share 300,000 / (300,000 + 100,000) = 75.0 % → amber (≥ 50 %, < 80 %).
    page.get_by_role("link", name=org.name).first.click()
    expect(page).to_have_url(f"{site}/organizations/{org.pk}/")
    expect_indicator(page, "government_share", "75.0 %", "amber")
    expect(page.locator("#funding-mix .funding-mix-table")).to_contain_text("400,000.00")
    # The bureau is now the top funder (75.0 %, red ≥ 50 %); HHI 75² + 25² = 6,250 (red ≥ 2,500); restricted part
    # 300,000 × 240,000 / 300,000 = 240,000 of 400,000 = 60.0 % (amber ≥ 60 %).
    expect_indicator(page, "top_funder_share", "75.0 %", "red")
    expect_indicator(page, "funder_hhi", "6,250", "red")
    expect_indicator(page, "restricted_ratio", "60.0 %", "amber")


# 2 -----------------------------------------------------------------------------------------------------------------

def test_ngo_manager_adds_income_and_sees_the_share_change(site, page):
    """An NGO manager lands on their organization's funding mix, adds service-fee income, sees the government share
    fall out of amber, and gets the not-found page for another organization."""
    _region, purchaser, org, other = _purchaser_and_organizations()
    manager = f.user_with_role("ngo_manager", organizations=[org], username="li")
    contract = f.ContractFactory(purchaser=purchaser, organization=org, reference="CY-2025-003",
                                 amount=D("100000"), restricted_amount=D("80000"))
    f.PaymentFactory(contract=contract, paid_on=datetime.date(2025, 3, 1), amount=D("100000"))
    f.IncomeRecordFactory(organization=org, fiscal_year=2025, source="donation_individual", amount=D("100000"),
                          funder_name="爱心人士")
    other_contract = f.ContractFactory(organization=other, reference="MD-2025-001")
    f.PaymentFactory(contract=other_contract, amount=D("90000"))

    log_in(page, site, manager.username)
    # Home is the organization's funding mix: 100,000 / 200,000 = 50.0 % → amber (≥ 50 %).
    expect(page).to_have_url(f"{site}/organizations/{org.pk}/funding/")
    expect(page.get_by_role("heading", name=org.name)).to_be_visible()
    expect_indicator(page, "government_share", "50.0 %", "amber")

    # Add 300,000 of service fees from the organization page.
    page.get_by_role("link", name="我的机构").click()
    page.get_by_role("link", name="添加收入记录").click()
    expect(page.locator("#id_organization")).to_have_value(str(org.pk))
    page.locator("#id_fiscal_year").fill("2025")
    page.locator("#id_source").select_option("service_fee")
    page.locator("#id_funder_name").fill("康复服务收费")
    page.locator("#id_amount").fill("300,000")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(re.compile(r"/income-records/\d+/$"))
    assert IncomeRecord.objects.filter(organization=org).count() == 2

    # 100,000 / (100,000 + 100,000 + 300,000) = 20.0 % → no flag.
    page.get_by_role("link", name="首页", exact=True).click()
    expect(page).to_have_url(f"{site}/organizations/{org.pk}/funding/")
    expect_indicator(page, "government_share", "20.0 %", "none")

    # Another organization's pages answer "not found" and show nothing of it.
    for path in (f"/organizations/{other.pk}/funding/", f"/organizations/{other.pk}/"):
        response = page.goto(f"{site}{path}")
        assert response.status == 404
        expect(page.get_by_role("heading", name="页面没有找到")).to_be_visible()
        expect(page.get_by_role("link", name="我的机构")).to_be_visible()  # the usual navigation is still there
        expect(page.locator("body")).not_to_contain_text(other.name)
        expect(page.locator("body")).not_to_contain_text("90,000")


# 3 -----------------------------------------------------------------------------------------------------------------

CONTRACT_CSV_HEADER = [
    "id", "reference", "title", "purchaser", "purchaser_name", "organization", "organization_name",
    "organization_uscc", "service_category", "service_category_label", "procurement_method",
    "procurement_method_label", "status", "status_label", "signed_on", "start_on", "end_on", "amount",
    "restricted_amount", "beneficiaries_target", "region", "region_code", "region_name", "description", "paid_total",
    "version",
]


def test_analyst_filters_contracts_and_downloads_the_csv(site, page):
    """An analyst filters contracts by year and category and downloads exactly those rows as Excel-friendly CSV."""
    _region, purchaser, org, other = _purchaser_and_organizations()
    analyst = f.user_with_role("analyst", username="wang")
    day = datetime.date
    wanted = [
        f.ContractFactory(purchaser=purchaser, organization=org, reference="CY-2025-101", signed_on=day(2025, 3, 1),
                          service_category="rehab_children", amount=D("120000"), restricted_amount=D("90000")),
        f.ContractFactory(organization=other, reference="KC-2025-102", signed_on=day(2025, 9, 30),
                          service_category="rehab_children", amount=D("80000"), restricted_amount=D("0")),
    ]
    f.ContractFactory(purchaser=purchaser, organization=org, reference="CY-2025-103", signed_on=day(2025, 4, 1),
                      service_category="daily_care")       # other category
    f.ContractFactory(purchaser=purchaser, organization=org, reference="CY-2024-104", signed_on=day(2024, 12, 31),
                      start_on=day(2025, 1, 1), service_category="rehab_children")  # other year
    f.ContractFactory(organization=other, reference="KC-2026-105", signed_on=day(2026, 1, 1),
                      start_on=day(2026, 1, 1), end_on=day(2026, 12, 31), service_category="rehab_children")

    log_in(page, site, analyst.username)
    page.goto(f"{site}/contracts/")
    expect(page.locator(".result-count .fs-5")).to_have_text("5")
    filters = page.locator("form.filter-form")
    filters.get_by_label("签订年度").fill("2025")
    filters.get_by_label("残疾儿童康复").check()
    filters.get_by_role("button", name="应用").click()
    expect(page.locator(".result-count .fs-5")).to_have_text("2")

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    data = open(download.path(), "rb").read()

    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark: Excel would garble the Chinese text"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == CONTRACT_CSV_HEADER
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert sorted(r["reference"] for r in body) == ["CY-2025-101", "KC-2025-102"]
    by_ref = {r["reference"]: r for r in body}
    first = by_ref["CY-2025-101"]
    assert first["id"] == str(wanted[0].pk)
    assert first["organization_name"] == org.name and first["purchaser_name"] == purchaser.name
    assert first["service_category"] == "rehab_children" and first["signed_on"] == "2025-03-01"
    assert D(first["amount"]) == D("120000") and D(first["restricted_amount"]) == D("90000")
    assert D(by_ref["KC-2025-102"]["amount"]) == D("80000")


# 4 -----------------------------------------------------------------------------------------------------------------

def test_invalid_contract_shows_errors_next_to_the_fields_and_saves_nothing(site, page):
    """A restricted amount above the amount and an end date before the start date are refused field by field; no
    contract and no payment is written, and what was typed is still there."""
    _region, purchaser, org, _other = _purchaser_and_organizations()
    staff = f.user_with_role("staff", purchasers=[purchaser], username="zhao")
    counts = (Contract.objects.count(), Payment.objects.count())

    log_in(page, site, staff.username)
    page.goto(f"{site}/contracts/add/")
    page.locator("#id_reference").fill("CY-2025-666")
    page.locator("#id_title").fill("无效合同")
    page.locator("#id_purchaser").select_option(label=purchaser.name)
    page.locator("#id_organization").select_option(label=org.name)
    page.locator("#id_service_category").select_option("rehab_adult")
    page.locator("#id_procurement_method").select_option("single_source")
    page.locator("#id_status").select_option("active")
    page.locator("#id_signed_on").fill("2025-03-01")
    page.locator("#id_start_on").fill("2025-06-01")
    page.locator("#id_end_on").fill("2025-05-31")
    page.locator("#id_amount").fill("100,000")
    page.locator("#id_restricted_amount").fill("150,000")
    page.locator("#id_payments-0-kind").select_option("advance")
    page.locator("#id_payments-0-due_on").fill("2025-06-01")
    page.locator("#id_payments-0-amount").fill("50,000")
    page.get_by_role("button", name="保存", exact=True).click()

    expect(page.get_by_role("alert").filter(has_text="请更正下列错误。")).to_be_visible()
    expect(page.locator("#div_id_restricted_amount")).to_contain_text("限定性金额不能超过合同金额。")
    expect(page.locator("#div_id_end_on")).to_contain_text("结束日期不能早于开始日期。")
    expect(page.locator("#id_restricted_amount")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_amount .invalid-feedback")).to_have_count(0)
    expect(page.locator("#id_reference")).to_have_value("CY-2025-666")
    expect(page.locator("#id_payments-0-amount")).to_have_value(re.compile(r"^50,000(\.00)?$"))
    assert (Contract.objects.count(), Payment.objects.count()) == counts


# 5 -----------------------------------------------------------------------------------------------------------------

def test_language_switch_sticks_across_pages(site, page):
    """中文 → English → 中文 with the switch in the navigation bar; each choice holds on the next page."""
    analyst = f.user_with_role("analyst", username="chen")
    log_in(page, site, analyst.username)
    nav = page.locator("nav.navbar")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(nav.get_by_role("link", name="首页", exact=True)).to_be_visible()

    nav.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav.get_by_role("link", name="Dashboard", exact=True)).to_be_visible()
    page.goto(f"{site}/contracts/")
    expect(page.get_by_role("heading", name="Contracts", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()
    page.goto(f"{site}/organizations/")
    expect(page.get_by_role("heading", name="Organizations", exact=True)).to_be_visible()

    nav.get_by_role("button", name="中文").click()
    expect(page).to_have_url(f"{site}/organizations/")
    expect(page.get_by_role("heading", name="承接主体", exact=True)).to_be_visible()
    page.goto(f"{site}/contracts/")
    expect(page.get_by_role("heading", name="合同", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="导出 CSV")).to_be_visible()
    expect(nav.get_by_role("link", name="首页", exact=True)).to_be_visible()
