"""The dependency dashboard in a browser at 1366 px: it fits the screen in both languages, and each
row's explanation opens from the keyboard."""

import datetime
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from tests import factories as f
from tests.e2e.helpers import log_in

D = Decimal
YEAR = timezone.localdate().year - 1  # the dashboards open on the last complete year


def _organizations(n=6):
    purchaser = f.PurchaserFactory(name="长春市朝阳区民政局")
    for i in range(n):
        org = f.OrganizationFactory(name=f"长春市朝阳区阳光残疾人综合康复与职业培训服务中心{i}")
        contract = f.ContractFactory(organization=org, purchaser=purchaser, signed_on=datetime.date(YEAR, 1, 5),
                                     start_on=datetime.date(YEAR, 1, 10), end_on=datetime.date(YEAR, 12, 31))
        f.PaymentFactory(contract=contract, amount=D(50000 + 10000 * i), due_on=datetime.date(YEAR, 3, 1),
                         paid_on=datetime.date(YEAR, 3, 1))
        f.IncomeRecordFactory(organization=org, fiscal_year=YEAR, source="donation_individual", funder_name="",
                              amount=D(5000 * i + 1000))
        f.AnnualReportFactory(organization=org, fiscal_year=YEAR, total_expenses=D(60000 + 9000 * i),
                              program_expenses=D(40000), management_expenses=D(1000 + 2000 * i),
                              net_assets_unrestricted=D(3000 * (i + 1)), net_assets_restricted=D(0))


def _fits(page):
    return page.evaluate("""() => {
        const table = document.querySelector('.organization-table');
        return {table: table.scrollWidth, container: table.closest('.table-container').clientWidth,
                page: document.documentElement.scrollWidth, window: window.innerWidth};
    }""")


def test_dashboard_fits_1366_px_in_both_languages_and_rows_open_from_the_keyboard(site, page):
    _organizations()
    analyst = f.user_with_role("analyst", username="wang")
    log_in(page, site, analyst.username)
    for language in ("中文", "English"):
        page.locator("nav.navbar").get_by_role("button", name=language).click()
        page.goto(f"{site}/dashboards/dependency/")
        size = _fits(page)
        assert size["page"] <= size["window"] == 1366, size
        assert size["table"] <= size["container"], size

    toggle = page.locator("button.row-toggle").first
    details = page.locator("tr.row-details").first
    expect(details).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(details).to_be_visible()
    expect(details.get_by_text("Worst-fifth cut-off")).to_be_visible()
    expect(details.get_by_text("Government income (contract payments and government subsidies) ÷ total income")
           ).to_be_visible()
    page.keyboard.press("Enter")
    expect(details).to_be_hidden()
