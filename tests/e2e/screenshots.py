"""The README's screenshots, taken with the browser-test machinery from the demo data (``make screenshots``).

Not collected by the normal test run (the file name does not start with ``test_``); ``make screenshots`` runs it by
path. It loads the demo data (``seed_demo``) into the test database, logs in as the demo users through the login
form and writes, in Chinese at 1366 pixels wide:

- docs/screenshots/dashboard.png     the analyst's home dashboard
- docs/screenshots/funding-mix.png   an organization's funding mix (chart, indicator cards, income table)
- docs/screenshots/contract-form.png a contract's edit form with its payment rows (staff)
"""

import os
from pathlib import Path

from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Contract
from organizations.models import Organization, PurchaserMembership
from tests.e2e.helpers import log_in

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WAIT_FOR_CHART = """(selector) => {
    const canvas = document.querySelector(selector);
    const chart = canvas && window.Chart && window.Chart.getChart(canvas);
    return Boolean(chart && chart.data.datasets.length);
}"""


def _clip_to(page, locator, margin=16):
    """A clip rectangle from the top of the page to the bottom of ``locator`` (full width)."""
    box = locator.bounding_box()
    return {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": box["y"] + box["height"] + margin}


def _settle_chart(page, selector):
    page.wait_for_function(WAIT_FOR_CHART, arg=selector)
    page.wait_for_timeout(1200)  # let Chart.js finish its entry animation


def test_screenshots(site, browser_type, browser_type_launch_args):
    call_command("seed_demo", verbosity=0)
    OUT.mkdir(parents=True, exist_ok=True)
    # A Chinese browser process, so date pickers read 2025/04/22 (needs Debian's chromium-l10n; without it they
    # fall back to the US format).
    browser = browser_type.launch(**browser_type_launch_args, env={**os.environ, "LANG": "zh_CN.UTF-8",
                                                                   "LANGUAGE": "zh_CN:zh"})
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()

    # 1. The analyst's home dashboard: headline figures, most dependent organizations, latest contracts.
    log_in(page, site, "analyst")
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
    page.screenshot(path=OUT / "dashboard.png", full_page=True)

    # 2. The funding mix of the organization with the most varied income (the most distinct sources).
    org = (Organization.objects.annotate(sources=Count("income_records__source", distinct=True))
           .order_by("-sources", "pk").first())
    page.goto(f"{site}/organizations/{org.pk}/funding/")
    _settle_chart(page, "canvas[data-posc-chart='funding-mix']")
    expect(page.locator(".indicator-cards [data-indicator='government_share']")).to_be_visible()
    mix_card = page.locator(".funding-mix").locator("xpath=ancestor::div[contains(@class, 'card')][1]")
    page.screenshot(path=OUT / "funding-mix.png", clip=_clip_to(page, mix_card), full_page=True)
    context.clear_cookies()

    # 3. Staff editing one of their bureau's contracts of last year (several payments, most of them paid).
    log_in(page, site, "staff")
    purchasers = PurchaserMembership.objects.filter(user__username="staff").values("purchaser")
    contract = (Contract.objects.filter(purchaser__in=purchasers, signed_on__year=timezone.localdate().year - 1)
                .annotate(n=Count("payments"), paid=Count("payments__paid_on")).filter(n__gte=3)
                .order_by("-paid", "-signed_on", "pk").first())
    page.goto(f"{site}/contracts/{contract.pk}/edit/")
    expect(page.locator("#id_payments-2-amount")).not_to_have_value("")
    page.locator("body").click(position={"x": 5, "y": 5})  # no focus ring on a field
    page.screenshot(path=OUT / "contract-form.png", full_page=True)
    context.close()
    browser.close()

    for name in ("dashboard.png", "funding-mix.png", "contract-form.png"):
        assert (OUT / name).stat().st_size > 20_000, f"{name} looks empty"
