"""WCAG 2.1 AA in a real browser: axe-core (tests/e2e/axe.py) on every page pattern the journeys reach, as each role,
in both languages; a test fails on any critical or serious violation and names the rule, the element and the page.

One browser for the run and one page per role and language (pytest-playwright's ``page``); the data is the smallest
set that fills every page pattern: one purchaser, two organizations, a contract with payments and a review, income
and an annual report. Pages a role may not open (403) are not part of its journeys and are left out.
"""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from contracts.models import Amendment
from tests import factories as f
from tests.e2e.axe import run_axe, serious_violations, use_axe
from tests.e2e.helpers import PASSWORD

D = Decimal
LANGUAGES = ["zh-hans", "en"]
ROLES = ["administrator", "staff", "ngo_manager", "analyst"]


def _data():
    region = f.RegionFactory(code="220104", name="朝阳区")
    purchaser = f.PurchaserFactory(name="长春市朝阳区民政局", region=region)
    org = f.OrganizationFactory(name="长春市朝阳区春晖康复中心", region=region,
                                service_scope=["rehab_children", "daily_care"])
    other = f.OrganizationFactory(name="长春市朝阳区明德助残服务社", region=region)
    contract = f.ContractFactory(purchaser=purchaser, organization=org, reference="CY-2025-001",
                                 signed_on=datetime.date(2025, 1, 10), start_on=datetime.date(2025, 2, 1),
                                 end_on=datetime.date(2025, 12, 31), amount=D("300000"),
                                 restricted_amount=D("300000"))
    f.ContractFactory(purchaser=purchaser, organization=other, reference="CY-2025-002",
                      signed_on=datetime.date(2025, 3, 1))
    payment = f.PaymentFactory(contract=contract, due_on=datetime.date(2025, 2, 10),
                               paid_on=datetime.date(2025, 2, 10), amount=D("120000"))
    f.PaymentFactory(contract=contract, due_on=datetime.date(2025, 6, 10), paid_on=None, amount=D("180000"))
    review = f.PerformanceReviewFactory(contract=contract)
    # An amendment (its pages), and flags with evidence on the contract and red-flags pages (the unpaid payment
    # below is late; two single-source awards to the same organization within a year).
    amendment = Amendment.objects.create(contract=contract, signed_on=datetime.date(2025, 6, 30),
                                         amount_change=D("20000"), reason="服务人数增加")
    for signed in (datetime.date(2024, 6, 1), datetime.date(2025, 2, 1)):
        f.ContractFactory(purchaser=purchaser, organization=org, procurement_method="single_source",
                          signed_on=signed, start_on=signed)
    income = f.IncomeRecordFactory(organization=org, fiscal_year=2025, source="donation_individual",
                                   amount=D("100000"), funder_name="爱心人士")
    report = f.AnnualReportFactory(organization=org, staff_count=4, reported_government_income=D("110000"))
    f.KeyPersonFactory(organization=org, name="王芳", role="legal_representative", post_purchaser=purchaser,
                       post_title="科员", post_from=datetime.date(2012, 3, 1), post_to=datetime.date(2023, 6, 30))
    users = {
        "administrator": f.user_with_role("administrator", username="a11y-admin"),
        "staff": f.user_with_role("staff", purchasers=[purchaser], username="a11y-staff"),
        "ngo_manager": f.user_with_role("ngo_manager", organizations=[org], username="a11y-ngo"),
        "analyst": f.user_with_role("analyst", username="a11y-analyst"),
    }
    objects = {"contracts": contract, "payments": payment, "reviews": review, "organizations": org,
               "purchasers": purchaser, "income-records": income, "annual-reports": report, "amendments": amendment}
    return users, objects


COMMON = ["/", "/work/", "/dashboards/dependency/", "/dashboards/purchasers/", "/dashboards/red-flags/",
          "/dashboards/accountability/?year=2025", "/accounts/profile/", "/no-such-page/", "/api/docs/"]
# The forms each role's journeys use (the roles of docs/roles.md); the administrator sees them all.
FORMS = {
    "staff": {"contracts": "aed", "payments": "ae", "reviews": "ae", "amendments": "a"},
    "ngo_manager": {"income-records": "aed", "annual-reports": "ae", "organizations": "e"},
    "analyst": {},
}
IMPORTS = {"staff": ["/import/", "/contracts/import/"], "ngo_manager": ["/import/", "/income-records/import/"],
           "analyst": []}


def _paths(role, objects):
    """The page patterns of ``role``: home, dashboards, profile, 404 and the API docs; every list and detail page
    and the organization's funding page; the add / edit / delete forms and import pages of its journeys (all of
    them for the administrator, with the password form)."""
    funding = f"/organizations/{objects['organizations'].pk}/funding/"
    paths = list(COMMON) + [funding, f"{funding}2025/report/",  # the what-if planner with a scenario, the report
                            f"{funding}?funding_year=2025&plan=1&add-TOTAL_FORMS=3&add-INITIAL_FORMS=0"
                            "&add-0-source=foundation_grant&add-0-amount=50000#what-if",
                            f"/organizations/{objects['organizations'].pk}/accountability/?year=2025"]
    for prefix, obj in objects.items():
        paths += [f"/{prefix}/", f"/{prefix}/{obj.pk}/"]
    # Amendments are added, never edited or deleted.
    forms = FORMS.get(role) or {prefix: "a" if prefix == "amendments" else "aed" for prefix in objects}
    for prefix, actions in forms.items():
        pk = objects[prefix].pk
        paths += [path for action, path in (("a", f"/{prefix}/add/"), ("e", f"/{prefix}/{pk}/edit/"),
                                            ("d", f"/{prefix}/{pk}/delete/")) if action in actions]
    if role == "administrator":
        paths += ["/import/", "/contracts/import/", "/income-records/import/", "/accounts/password/"]
    else:
        paths += IMPORTS[role]
    return paths


def _use_language(page, site, language):
    use_axe(page, site)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": site}])


def _log_in(page, site, username):
    page.goto(f"{site}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def _audit(page, site, path, label):
    response = page.goto(f"{site}{path}")
    if response.status == 403:
        return None
    if path.startswith("/api/docs/"):
        page.locator(".swagger-ui .opblock").first.wait_for()  # Swagger UI renders after fetching the schema
    return serious_violations(page, label)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_no_serious_violation_on_any_page(site, page, role, language):
    users, objects = _data()
    _use_language(page, site, language)
    problems = []
    if role == "administrator":  # the login page once per language
        page.goto(f"{site}/accounts/login/")
        problems += serious_violations(page, f"{language} anonymous /accounts/login/")
    _log_in(page, site, users[role].username)
    audited = 0
    for path in _paths(role, objects):
        found = _audit(page, site, path, f"{language} {role} {path}")
        if found is not None:
            audited += 1
            problems += found
    assert audited >= 20, f"only {audited} pages audited for {role}"  # the role does reach its pages
    assert not problems, f"{len(problems)} critical/serious axe violations:\n" + "\n".join(problems)


def test_contract_form_states_have_no_serious_violation(site, page):
    """The dynamic states of the contract form: an added payment row, the over-amount warning shown, a row
    removed."""
    users, _objects = _data()
    _use_language(page, site, "en")
    _log_in(page, site, users["administrator"].username)
    page.goto(f"{site}/contracts/add/")
    page.locator("#id_amount").fill("100")
    page.get_by_role("button", name=re.compile("Add a payment")).click()
    page.locator("#id_payments-0-amount").fill("150")
    expect(page.locator("#payments-exceed")).to_be_visible()
    problems = serious_violations(page, "contract form, warning shown")
    page.locator("[data-formset-remove]").last.click()
    problems += serious_violations(page, "contract form, row removed")
    assert not problems, "\n".join(problems)


def test_picker_with_no_matches_is_a_valid_listbox(site, page):
    """A search picker that finds nothing says so beside the listbox (announced), never as a non-option child of
    the listbox; one that finds rows announces how many."""
    from django.db import transaction

    from core.forms import LookupSelect

    users, _objects = _data()
    # The server is another process (gunicorn): make the organization list really larger than ``max_options`` so
    # the form offers the search picker (in one transaction: one commit).
    with transaction.atomic():
        f.OrganizationFactory.create_batch(LookupSelect.max_options)
    _use_language(page, site, "en")
    _log_in(page, site, users["administrator"].username)
    page.goto(f"{site}/contracts/add/")
    box = page.locator("#id_organization")
    expect(box).to_have_attribute("role", "combobox")
    box.fill("zzzz-nothing")
    status = page.locator("#id_organization").locator("xpath=..").locator("[data-lookup-status]")
    expect(status).to_have_text("No matches")
    listbox = page.locator("#id_organization_listbox")
    expect(listbox).to_be_hidden()
    assert listbox.locator(":scope > :not([role=option])").count() == 0
    violations = [v["id"] for v in run_axe(page) if v["impact"] in ("critical", "serious")]
    assert violations == []
    box.fill("春晖")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(status).to_have_text("Matches: 1")
    assert [v["id"] for v in run_axe(page) if v["impact"] in ("critical", "serious")] == []


def test_wide_tables_scroll_by_keyboard_and_forms_reflow_at_320_px(site, page):
    """At 320 CSS px (WCAG 1.4.10) the contract form has no sideways scroll; a table that must scroll is a named,
    focusable region (WCAG 2.1.1)."""
    users, objects = _data()
    _use_language(page, site, "en")
    _log_in(page, site, users["administrator"].username)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{site}/contracts/{objects['contracts'].pk}/edit/")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the contract form scrolls sideways by {overflow}px at 320px"
    page.goto(f"{site}/contracts/")
    region = page.locator(".table-container").first
    expect(region).to_have_attribute("role", "region")
    expect(region).to_have_attribute("tabindex", "0")
    expect(region).to_have_attribute("aria-label", re.compile(r"\S"))
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert region.evaluate("e => e.scrollLeft") > 0


def _contrast(rgb_a, rgb_b):
    def luminance(rgb):
        channels = [c / 255 for c in rgb]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    high, low = sorted([luminance(rgb_a), luminance(rgb_b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rgb(css):
    return [int(n) for n in re.findall(r"\d+", css)[:3]]


def test_focus_ring_is_visible_in_the_navbar_and_the_page(site, page):
    """A keyboard focus ring of at least 2 px and 3:1 against the background behind it (WCAG 1.4.11, 2.4.7): on
    the dark navbar and on the light page."""
    users, _objects = _data()
    _use_language(page, site, "en")
    _log_in(page, site, users["staff"].username)
    page.goto(f"{site}/contracts/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # the brand, in the navbar
    brand = page.locator(".navbar-brand")
    expect(brand).to_be_focused()
    ring = brand.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, "
                          "s.outlineColor]; }")
    assert ring[0] == "solid" and float(ring[1].rstrip("px")) >= 2
    assert _contrast(_rgb(ring[2]), (0x1F, 0x4E, 0x79)) >= 3, ring  # the navbar's lighter end
    export = page.get_by_role("link", name="Export CSV")
    for _ in range(40):
        if export.evaluate("e => e === document.activeElement"):
            break
        page.keyboard.press("Tab")
    ring = export.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth, "
                           "s.outlineColor]; }")
    assert ring[0] == "solid" and float(ring[1].rstrip("px")) >= 2
    assert _contrast(_rgb(ring[2]), (0xF8, 0xF9, 0xFA)) >= 3, ring  # the page background
