"""Keyboard only (WCAG 2.1.1, 2.4.1, 2.4.3, 4.1.3): a contract with two payments entered with Tab, typing, arrow
keys, Enter and Space; the skip link, the announced total and warning, the focus after "Remove", the saved rows."""

import re
from decimal import Decimal

from playwright.sync_api import expect

from contracts.models import Contract
from tests import factories as f
from tests.e2e.helpers import PASSWORD

D = Decimal


def focused(page):
    """A short description of the focused element: ``tag#id.class`` (``body`` when focus was dropped)."""
    return page.evaluate("""() => { const e = document.activeElement; if (!e) return 'none';
        return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className)
            .trim().split(/\\s+/).join('.') : ''); }""")


def tab_to(page, css, limit=120, backwards=False):
    """Press Tab (Shift+Tab) until the focused element matches ``css``; fails if it is not reached."""
    for _ in range(limit):
        if page.evaluate("(css) => !!document.activeElement && document.activeElement.matches(css)", css):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{css} not reached by Tab in {limit} presses (focus on {focused(page)})")


def arrow_to(page, css, text):
    """On a focused closed <select>, press ↓ until the option reading ``text`` is selected."""
    for _ in range(30):
        if page.locator(css).evaluate("(s, text) => s.options[s.selectedIndex].text.trim() === text", text):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {text!r} of {css} not reached with the arrow keys")


def type_into(page, css, text):
    tab_to(page, css)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


DATE_ORDERS = [("m", "d", "y"), ("y", "m", "d"), ("d", "m", "y")]


def type_date(page, css, iso):
    """Type a date segment by segment, as a person does. The segment order follows the browser's locale (ICU), so
    the first order that gives ``iso`` is kept; a two-digit month or day moves on by itself, a year (up to six
    digits) needs → when a segment follows."""
    parts = dict(zip("ymd", iso.split("-"), strict=True))
    tab_to(page, css)
    for order in DATE_ORDERS:
        for index, key in enumerate(order):
            page.keyboard.type(parts[key])
            if key == "y" and index < 2:
                page.keyboard.press("ArrowRight")
        if page.locator(css).input_value() == iso:
            DATE_ORDERS.remove(order)
            DATE_ORDERS.insert(0, order)
            return
        page.locator(css).fill("")  # reset a wrong guess (not part of the journey) and start again
        page.locator(css).focus()
    raise AssertionError(f"could not type {iso} into {css}")


def test_contract_with_two_payments_by_keyboard_alone(site, page):
    region = f.RegionFactory(code="220104", name="朝阳区")
    purchaser = f.PurchaserFactory(name="长春市朝阳区民政局", region=region)
    org = f.OrganizationFactory(name="长春市朝阳区春晖康复中心", region=region)
    staff = f.user_with_role("staff", purchasers=[purchaser], username="keyboard")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": site}])

    page.goto(f"{site}/accounts/login/")  # the user name has the focus
    page.keyboard.type(staff.username)
    type_into(page, "#id_password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    # The skip link is the first stop of the page and leads past the navigation to the form.
    page.goto(f"{site}/contracts/add/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_class(re.compile("skip-link"))
    page.keyboard.press("Enter")
    assert focused(page).startswith("main#main")
    type_into(page, "#id_reference", "KB-2025-001")
    type_into(page, "#id_title", "Rehabilitation for children")
    tab_to(page, "#id_purchaser")
    arrow_to(page, "#id_purchaser", purchaser.name)
    tab_to(page, "#id_organization")
    arrow_to(page, "#id_organization", org.name)
    tab_to(page, "#id_service_category")
    arrow_to(page, "#id_service_category", "Rehabilitation for disabled children")
    tab_to(page, "#id_procurement_method")
    arrow_to(page, "#id_procurement_method", "Public tender")
    tab_to(page, "#id_status")
    arrow_to(page, "#id_status", "Active")
    type_date(page, "#id_signed_on", "2025-01-15")
    type_date(page, "#id_start_on", "2025-02-01")
    type_date(page, "#id_end_on", "2025-12-31")
    type_into(page, "#id_amount", "250000")

    status = page.get_by_role("status").filter(has_text=re.compile("Total of the payments"))
    warning = page.locator("#payments-exceed")
    for i, (kind, day, amount) in enumerate([("Advance", "2025-02-10", "120000"), ("Interim payment", "2025-07-10",
                                                                                    "180000")]):
        if not page.locator(f"#id_payments-{i}-kind").count():
            tab_to(page, "[data-formset-add]")
            page.keyboard.press("Enter")
            assert focused(page).startswith(f"select#id_payments-{i}-kind")  # focus goes to the new row
        tab_to(page, f"#id_payments-{i}-kind")
        arrow_to(page, f"#id_payments-{i}-kind", kind)
        type_date(page, f"#id_payments-{i}-due_on", day)
        type_date(page, f"#id_payments-{i}-paid_on", day)
        type_into(page, f"#id_payments-{i}-amount", amount)
        page.keyboard.press("Tab")  # leaving the field formats it

    # 120,000 + 180,000 = 300,000 > 250,000: the total is announced (role=status), the warning sits in an
    # assertive live region and shows.
    expect(status).to_have_text("Total of the payments: 300,000.00")
    expect(warning).to_be_visible()
    assert warning.evaluate("e => e.closest('[aria-live=assertive]') !== null")
    # The contract amount was mistyped: Shift+Tab back to it and correct it; the warning goes.
    tab_to(page, "#id_amount", backwards=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("300000")
    expect(warning).to_be_hidden()

    # An extra row added by mistake and removed with Space: the focus stays in the payments, not on the page.
    tab_to(page, "[data-formset-add]")
    page.keyboard.press("Enter")
    new_row = page.locator(".formset-row").last
    tab_to(page, ".formset-row:last-child [data-formset-remove]")
    page.keyboard.press("Space")
    expect(new_row).to_be_hidden()
    assert re.match(r"(select|input)#id_payments-\d-|button", focused(page)), focused(page)

    tab_to(page, "button[name=_save]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/contracts/\d+/(#main)?$"))  # the skip link left its fragment
    contract = Contract.objects.get(reference="KB-2025-001")
    assert contract.amount == D("300000.00") and contract.organization == org
    assert sorted(contract.payments.values_list("amount", flat=True)) == [D("120000.00"), D("180000.00")]
