"""The Content-Security-Policy in a real browser: the pages work under it with no violation in the
console — the funding-mix chart (Chart.js), the contract form and its pickers, the "rows per page" switch (a
listener, not an inline handler) and the Swagger UI (drf-spectacular's sidecar, start-up script served as a file)."""

import datetime
import re
from decimal import Decimal

from playwright.sync_api import expect

from tests import factories as f
from tests.e2e.helpers import log_in


def watch_console(page):
    """Every console error and page error, to assert on at the end."""
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_pages_work_under_the_content_security_policy(site, page):
    region = f.RegionFactory(code="220104", name="朝阳区")
    purchaser = f.PurchaserFactory(name="长春市朝阳区民政局", region=region)
    org = f.OrganizationFactory(name="长春市朝阳区春晖康复中心", region=region)
    contract = f.ContractFactory(purchaser=purchaser, organization=org, signed_on=datetime.date(2025, 1, 10),
                                 start_on=datetime.date(2025, 2, 1), end_on=datetime.date(2025, 12, 31),
                                 amount=Decimal("80000"))
    f.PaymentFactory(contract=contract, due_on=datetime.date(2025, 3, 1), paid_on=datetime.date(2025, 3, 1),
                     amount=Decimal("80000"))
    f.IncomeRecordFactory(organization=org, fiscal_year=2025, source="donation_individual", amount=Decimal("20000"))
    staff = f.user_with_role("staff", purchasers=[purchaser], username="zhang")
    problems = watch_console(page)

    response = page.goto(f"{site}/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    log_in(page, site, staff.username)

    # The chart is drawn: Chart.js sizes its canvas.
    page.goto(f"{site}/organizations/{org.pk}/funding/")
    canvas = page.locator("canvas[data-posc-chart='funding-mix']")
    expect(canvas).to_be_visible()
    page.wait_for_function("() => { const c = document.querySelector(\"canvas[data-posc-chart='funding-mix']\");"
                           " return window.Chart && c && Chart.getChart(c) !== undefined; }")

    # The contract form with its pickers and money inputs.
    page.goto(f"{site}/contracts/add/")
    expect(page.locator("form.posc-form, form").first).to_be_visible()

    # "Rows per page" submits its form with its button (never on an arrow key).
    page.goto(f"{site}/contracts/")
    page.locator("select#per-page").select_option("100")
    page.locator("form.page-size-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"per_page=100"))

    # The Swagger UI renders the API's title.
    page.goto(f"{site}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("POSC Tracker API", timeout=15000)

    assert not [p for p in problems if "Content Security Policy" in p or "Refused to" in p], problems
    assert not problems, problems
