"""The staff member's day in a browser: the home dashboard's work-queue counts lead to the work queue, whose lists
link to the records and download as CSV; a filter panel's organization picker works from the keyboard; the English
organization page fits a phone's width."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect

from tests import factories as f
from tests.e2e.helpers import PASSWORD, log_in


def test_staff_member_starts_the_day_on_the_work_queue(site, page):
    today = timezone.localdate()
    purchaser = f.PurchaserFactory(name="南关区残联")
    organization = f.OrganizationFactory(name="春晖助残服务中心")
    ending = f.ContractFactory(purchaser=purchaser, organization=organization, reference="HT-END-1",
                               signed_on=today - datetime.timedelta(days=300),
                               start_on=today - datetime.timedelta(days=300),
                               end_on=today + datetime.timedelta(days=20))
    f.PaymentFactory(contract=ending, due_on=today - datetime.timedelta(days=3), paid_on=None)
    f.ContractFactory(purchaser=purchaser, organization=f.OrganizationFactory(name="明德服务社"), reference="HT-OLD-1",
                      signed_on=today - datetime.timedelta(days=400), start_on=today - datetime.timedelta(days=400),
                      end_on=today - datetime.timedelta(days=10))
    f.ContractFactory(reference="HT-OTHER-1", end_on=today + datetime.timedelta(days=5),
                      signed_on=today - datetime.timedelta(days=100), start_on=today - datetime.timedelta(days=100))
    staff = f.user_with_role("staff", purchasers=[purchaser], username="zhao")

    log_in(page, site, staff.username)
    page.goto(f"{site}/")
    summary = page.locator(".work-queue-summary")
    expect(summary.locator("#work-payments strong")).to_have_text("1")
    expect(summary.locator("#work-ending strong")).to_have_text("1")
    expect(summary.locator("#work-unreviewed strong")).to_have_text("1")
    summary.locator("#work-ending").click()
    expect(page).to_have_url(re.compile(r"/work/#ending$"))
    expect(page.locator("nav .nav-link.active")).to_have_count(1)
    expect(page.locator("nav .nav-work-queue")).to_have_attribute("aria-current", "page")
    ending_list = page.locator("section#ending")
    expect(ending_list).to_contain_text("HT-END-1")
    expect(page.locator("main")).not_to_contain_text("HT-OTHER-1")  # another purchaser's: out of scope
    expect(page.locator("section#unreviewed")).to_contain_text("HT-OLD-1")
    expect(page.locator("section#payments")).to_contain_text("HT-END-1")

    with page.expect_download() as download:
        page.locator("section#payments").get_by_role("link", name="下载 CSV").click()
    assert "HT-END-1" in open(download.value.path(), encoding="utf-8-sig").read()

    ending_list.get_by_role("link", name="HT-END-1").click()
    expect(page).to_have_url(re.compile(rf"/contracts/{ending.pk}/$"))


def test_filter_picker_from_the_keyboard(site, page):
    kept = f.ContractFactory(organization=f.OrganizationFactory(name="春晖助残服务中心"), reference="HT-KEEP")
    f.ContractFactory(organization=f.OrganizationFactory(name="明德服务社"), reference="HT-DROP")
    analyst = f.user_with_role("analyst", username="qian")
    log_in(page, site, analyst.username)
    page.goto(f"{site}/contracts/")
    box = page.locator("#filter-body").get_by_role("combobox", name="承接主体")
    box.fill("春晖")
    expect(page.locator("#id_organization_listbox").get_by_role("option")).to_have_text(["春晖助残服务中心"])
    box.press("ArrowDown")
    box.press("Enter")
    page.locator("#filter-body").get_by_role("button", name="应用").click()
    expect(page).to_have_url(re.compile(rf"organization={kept.organization_id}"))
    expect(page.locator("main table")).to_contain_text("HT-KEEP")
    expect(page.locator("main table")).not_to_contain_text("HT-DROP")


def test_english_organization_page_fits_a_phone(site, browser):
    organization = f.OrganizationFactory(name="长春市南关区春晖助残服务中心")
    f.ContractFactory(organization=organization)
    staff = f.user_with_role("administrator", username="li")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    page = context.new_page()
    page.goto(f"{site}/accounts/login/")
    page.locator("#id_username").fill(staff.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{site}/organizations/{organization.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("春晖")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .slice(0, 12).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 40))""")
    context.close()
