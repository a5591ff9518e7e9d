"""The search box of a choice field over a large set, in a real browser: typed, picked with the keyboard, saved."""

import re

from django.db import transaction
from playwright.sync_api import expect

from core.forms import LookupSelect
from organizations.models import IncomeRecord
from tests import factories as f
from tests.e2e.helpers import log_in


def test_ngo_manager_picks_the_organization_by_typing(site, page):
    """Above ``max_options`` rows the organization is chosen by typing part of its name: only the manager's own
    organizations are offered, ↓ + Enter picks one, and the saved record belongs to it."""
    mine = [f.OrganizationFactory(name=name) for name in ("春晖康复中心", "春晖日间照料站", "明德助残服务社")]
    # The server is another process (gunicorn): make the manager's list really larger than ``max_options``
    # (in one transaction: one commit instead of a thousand).
    with transaction.atomic():
        fillers = f.OrganizationFactory.create_batch(LookupSelect.max_options - 2)
        f.OrganizationFactory(name="春晖养老院")  # someone else's: never offered
        manager = f.user_with_role("ngo_manager", organizations=mine + fillers, username="sun")

    log_in(page, site, manager.username)
    page.goto(f"{site}/income-records/add/")
    box = page.get_by_role("combobox", name=re.compile("承接主体"))
    expect(box).to_have_attribute("aria-expanded", "false")
    box.fill("春晖")
    listbox = page.locator("#id_organization_listbox")
    options = listbox.get_by_role("option")
    expect(options).to_have_count(2)
    expect(options).to_have_text(["春晖康复中心", "春晖日间照料站"])
    expect(listbox).not_to_contain_text("春晖养老院")
    box.press("ArrowDown")
    box.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(box).to_have_value("春晖日间照料站")
    expect(page.locator("input[type=hidden][name=organization]")).to_have_value(str(mine[1].pk))
    expect(box).to_have_attribute("aria-expanded", "false")

    page.locator("#id_fiscal_year").fill("2025")
    page.locator("#id_source").select_option("service_fee")
    page.locator("#id_amount").fill("12,000")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(re.compile(r"/income-records/\d+/$"))
    assert IncomeRecord.objects.get().organization == mine[1]

    # Editing shows the chosen organization by name.
    page.goto(f"{site}/income-records/{IncomeRecord.objects.get().pk}/edit/")
    expect(page.get_by_role("combobox", name=re.compile("承接主体"))).to_have_value("春晖日间照料站")
