"""Shared pieces of the browser tests: the default thresholds, logging in through the form, reading a funding-mix
indicator card."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from dashboards.models import Threshold

PASSWORD = "posc-demo"  # tests.factories.UserFactory's password

# The default thresholds (as the data migration seeds them). The live-server tests run on a transactional database
# that is emptied after every test, which removes the rows the data migration seeded; each test puts them back.
DEFAULT_THRESHOLDS = [
    ("government_share", "gte", "0.5", "0.8"),
    ("top_funder_share", "gte", "0.35", "0.5"),
    ("funder_hhi", "gte", "1500", "2500"),
    ("restricted_ratio", "gte", "0.6", "0.8"),
    ("reserve_months", "lt", "3", "1"),
    ("management_expense_ratio", "gt", "0.1", "0.2"),
    ("renewal_exposure", "gte", "0.5", "0.8"),
    ("supplier_hhi", "gte", "1500", "2500"),
    ("single_source_share", "gte", "0.05", "0.1"),
]


def seed_thresholds():
    """Create the default thresholds if they are missing."""
    for indicator, direction, amber, red in DEFAULT_THRESHOLDS:
        Threshold.objects.get_or_create(indicator=indicator, defaults={
            "direction": direction, "amber": Decimal(amber), "red": Decimal(red)})


def log_in(page, base_url, username, password=PASSWORD):
    """Log in through the login form (Chinese labels) and wait for the page it lands on."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def indicator_card(page, name):
    """The funding-mix card of one indicator (``government_share`` …): a locator with ``data-flag``."""
    return page.locator(f".indicator-cards [data-indicator='{name}']")


def expect_indicator(page, name, text, flag):
    """Assert the card of ``name`` shows ``text`` (e.g. "75.0 %") with flag level ``flag`` (none/amber/red)."""
    card = indicator_card(page, name)
    expect(card).to_have_attribute("data-flag", flag)
    expect(card.locator(".fs-5")).to_have_text(text)
