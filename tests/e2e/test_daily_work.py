"""Daily work in a real browser: attachments (allowed and refused users), the what-if planner, the print view."""

import io
import os
import re
from decimal import Decimal

from playwright.sync_api import expect
from pypdf import PdfReader

from attachments.models import Attachment
from tests import factories as f
from tests.dashboards.test_vulnerability import INCOME, REPORTS, YEAR
from tests.e2e.helpers import log_in

D = Decimal
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_attachment_upload_and_download(site, page, browser, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    purchaser, other_purchaser = f.PurchaserFactory(), f.PurchaserFactory()
    organization = f.OrganizationFactory()
    contract = f.ContractFactory(purchaser=purchaser, organization=organization, reference="CY-2025-077")
    staff = f.user_with_role("staff", purchasers=[purchaser], username="wang")
    outsider = f.user_with_role("staff", purchasers=[other_purchaser], username="li")
    manager = f.user_with_role("ngo_manager", organizations=[organization], username="zhao")

    log_in(page, site, staff.username)
    page.goto(f"{site}{contract.get_absolute_url()}")
    panel = page.locator("#attachments")
    # A PNG named .pdf is refused, with a message naming the field and what the content is.
    panel.get_by_label("文件").set_input_files({"name": "凭证.pdf", "mimeType": "application/pdf", "buffer": PNG_BYTES})
    panel.get_by_role("button", name="上传").click()
    expect(page.locator(".alert-danger")).to_contain_text("PNG")
    # A real PDF is attached and listed.
    panel = page.locator("#attachments")
    panel.get_by_label("文件").set_input_files({"name": "合同扫描件.pdf", "mimeType": "application/pdf",
                                                "buffer": PDF_BYTES})
    panel.get_by_label("说明").fill("签字盖章版")
    panel.get_by_role("button", name="上传").click()
    expect(page.locator("#attachments").get_by_role("link", name="合同扫描件.pdf")).to_be_visible()
    with page.expect_download() as info:
        page.locator("#attachments").get_by_role("link", name="合同扫描件.pdf").click()
    download = info.value
    assert download.suggested_filename == "合同扫描件.pdf"
    assert open(download.path(), "rb").read() == PDF_BYTES
    attachment = Attachment.objects.get()
    download_url = f"{site}/attachments/{attachment.pk}/download/"

    # The NGO manager sees and downloads the file but has no upload form or delete button.
    other = browser.new_context(locale="zh-CN", accept_downloads=True)
    manager_page = other.new_page()
    log_in(manager_page, site, manager.username)
    manager_page.goto(f"{site}{contract.get_absolute_url()}")
    expect(manager_page.locator("#attachments").get_by_role("link", name="合同扫描件.pdf")).to_be_visible()
    expect(manager_page.locator("#attachments form")).to_have_count(0)
    assert manager_page.request.get(download_url).status == 200
    other.close()

    # Another bureau's staff cannot download it, even with the URL.
    third = browser.new_context(locale="zh-CN")
    outsider_page = third.new_page()
    log_in(outsider_page, site, outsider.username)
    assert outsider_page.request.get(download_url).status == 404
    third.close()

    # The staff member deletes it; the history keeps the upload and the deletion.
    page.locator("#attachments").get_by_role("button", name=re.compile("合同扫描件")).click()
    expect(page.locator("#attachments")).to_contain_text("暂无附件")
    page.locator("#attachments summary").click()
    expect(page.locator("#attachments details")).to_contain_text("删除")


def _peers():
    orgs = {}
    for name, income in INCOME.items():
        org = orgs[name] = f.OrganizationFactory(name=f"机构{name}")
        for source, thousands in income.items():
            f.IncomeRecordFactory(organization=org, fiscal_year=YEAR, source=source, funder_name="",
                                  amount=D(thousands * 1000))
    for name, (assets, expenses, management) in REPORTS.items():
        f.AnnualReportFactory(organization=orgs[name], fiscal_year=YEAR, total_expenses=D(expenses),
                              program_expenses=D(expenses - management), management_expenses=D(management),
                              fundraising_expenses=D(0), net_assets_unrestricted=D(assets),
                              net_assets_restricted=D(0))
    return orgs


def test_what_if_planner_changes_the_status(site, page):
    """Organization A is red (worst fifth on all four ratios). Its manager adds a hoped-for foundation grant of
    100,000: revenue concentration halves and the margin turns positive, so the scenario is amber; nothing is
    saved."""
    org = _peers()["A"]
    manager = f.user_with_role("ngo_manager", organizations=[org], username="chen")
    log_in(page, site, manager.username)
    page.goto(f"{site}/organizations/{org.pk}/funding/?funding_year={YEAR}")
    planner = page.locator("#what-if")
    planner.locator("select[name='add-0-source']").select_option("foundation_grant")
    planner.locator("input[name='add-0-amount']").fill("100,000")
    planner.get_by_role("button", name="重新计算").click()
    result = page.locator(".what-if-result")
    expect(result.locator("[data-which='today'] .status-badge")).to_have_attribute("data-status", "red")
    expect(result.locator("[data-which='scenario'] .status-badge")).to_have_attribute("data-status", "amber")
    if os.environ.get("POSC_SCREENSHOTS"):
        planner.scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(os.environ["POSC_SCREENSHOTS"], "what-if.png"), full_page=True)
    # Nothing was saved: the page without the scenario still shows red and the same income.
    page.goto(f"{site}/organizations/{org.pk}/funding/?funding_year={YEAR}")
    expect(page.locator(".status-panel")).to_have_attribute("data-status", "red")
    assert org.income_records.count() == 1


def test_print_view_and_print_styles(site, page):
    org = _peers()["B"]
    contract = f.ContractFactory(organization=org, reference="CY-2025-123")
    manager = f.user_with_role("ngo_manager", organizations=[org], username="sun")
    log_in(page, site, manager.username)
    # A contract prints without the menus, the attachment form and the change history.
    page.goto(f"{site}{contract.get_absolute_url()}")
    expect(page.locator("#history")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("#history")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CY-2025-123")
    page.emulate_media(media="screen")
    page.goto(f"{site}/organizations/{org.pk}/funding/?funding_year={YEAR}")
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("#what-if")).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("link", name="打印版报告").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(org.name)
    expect(page.locator(".report-chart svg rect").first).to_be_visible()
    expect(page.locator(".report-indicators tbody tr")).to_have_count(11)
    if os.environ.get("POSC_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["POSC_SCREENSHOTS"], "funding-report.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".report-actions")).to_be_hidden()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)  # Chromium's own print of the report
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1  # one A4 page for the board
