"""Every URL pattern and API route is declared below with how it is protected and where that is tested; a route
that is not declared fails ``test_every_route_is_declared`` (add it to ``ROUTES`` with its kind, and make sure the
kind's test below really exercises it).

For each role, every list / detail / edit / delete / export / lookup / dashboard route is requested with the
objects outside that role's scope (declared by hand in ``OUT``): single objects answer 404 on pages and API
(also to POST, PATCH, PUT and DELETE), and the out-of-scope rows appear in no list, CSV export, API list, API CSV,
lookup or dashboard, while the in-scope rows do (so that the checks cannot pass on an empty page). Anonymous
clients are sent to the login page (pages) or get 401 (API) on every route that is not public.

Removing the ``visible_to`` restriction from any one page view or viewset makes these tests fail.
"""

import csv
import io
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dashboards import aggregates
from ocds.mapping import ocid_for
from tests.test_roles_matrix import World

# --- the declared table --------------------------------------------------------------------------------------------

# Kinds (how the route is protected → how it is tested here):
#   public     no login needed, shows no rows                        → answers without a login redirect
#   own        the signed-in user's own account pages                → login required
#   doc        documentation pages (the indicator methodology): no rows → login required
#   home       the dashboard home: aggregates of visible rows        → login; out-of-scope rows not named
#   workqueue  the work queue: lists of visible rows (+ ?export=<list>) → login; out rows in neither HTML nor CSV
#   list       a model's list page (+ ?export=csv)                   → login; out rows in neither HTML nor CSV
#   add        a model's create form (choices: visible/editable)     → login; writes: tests/trust/test_writes.py,
#                                                                        tests/test_roles_matrix.py
#   object     detail / edit / delete of one row                     → login; 404 outside the scope (GET and POST)
#   import     CSV import pages (rows written through core.writes)    → login; tests/csv/test_import.py
#   lookup     the search-as-you-type endpoint                       → login; out rows never offered
#   dashboard  indicator dashboards (+ ?export=csv)                  → login; out entities in no CSV
#   funding    one organization's indicators page (+ its report, PDF) → login; 404 outside the scope
#   attachment a visible row's files (upload, download, delete)      → login; 404 outside the scope
#   api-list   an API list (JSON and ?format=csv / .csv)             → 401; out rows absent
#   api-object an API row (GET, PUT, PATCH, DELETE)                  → 401; 404 outside the scope
#   api-indicators  indicator endpoints (JSON and CSV)               → 401; out entities absent
#   api-root   the API's index                                       → 401
#   api-ocds   OCDS release / record packages of visible contracts   → 401; out contracts 404 / absent
#   api-schema the OpenAPI schema and its docs page (no rows)        → who may read it: the authentication work
#   admin      Django's admin (superusers only)                      → login; other roles refused
MODEL_PAGES = {
    "organizations": ["purchaser", "organization", "incomerecord", "annualreport"],
    "contracts": ["contract", "payment", "performancereview"],
}
API_MODELS = ["region", "purchaser", "organization", "incomerecord", "annualreport", "contract", "payment",
              "performancereview"]
IMPORTABLE = ["organizations:purchaser", "organizations:organization", "organizations:incomerecord",
              "organizations:keyperson", "contracts:contract", "contracts:payment", "contracts:performancereview",
              "contracts:amendment"]

ROUTES = {
    "home": "home",
    "set_language": "public",
    "healthz": "public",
    "readyz": "public",  # the readiness probe: SELECT 1, no rows (tests/trust/test_faults.py)
    "favicon.ico": "public",  # unnamed: declared by its pattern
    "login": "public",
    "logout": "own",
    "profile": "own",
    "password_change": "own",
    "password_change_done": "own",
    "imports": "own",
    "lookup": "lookup",
    "api:schema": "api-schema",
    "api:docs": "api-schema",
    "api:api-root": "api-root",
    "api:indicators-organizations": "api-indicators",
    "api:indicators-purchasers": "api-indicators",
    "api:ocds-releases": "api-ocds",
    "api:ocds-record": "api-ocds",
    "dashboards:dependency": "dashboard",
    "dashboards:purchasers": "dashboard",
    "dashboards:red_flags": "dashboard",  # flagged contracts in scope: tests/dashboards/test_red_flags.py
    "api:flags": "api-indicators",
    # Amendments: list, add and detail pages, GET/POST API (no edit or delete): tests/contracts/test_amendments.py
    "contracts:amendment_list": "list",
    "contracts:amendment_add": "add",
    "contracts:amendment_detail": "object",
    "api:amendment-list": "api-list",
    "api:amendment-detail": "api-object",
    "dashboards:organization_funding": "funding",
    "dashboards:funding_report": "funding",
    "dashboards:funding_report_pdf": "funding",
    "attachments:upload": "attachment",
    "attachments:download": "attachment",
    "attachments:delete": "attachment",
    "dashboards:accountability": "dashboard",
    "dashboards:organization_accountability": "funding",
    # Key persons: public profile, scoped like their organization (test_key_persons_api_follows_the_organization)
    "api:keyperson-list": "api-list",
    "api:keyperson-detail": "api-object",
    "dashboards:methodology": "doc",
    "dashboards:work_queue": "workqueue",
    **{f"{app}:{m}_list": "list" for app, models in MODEL_PAGES.items() for m in models},
    **{f"{app}:{m}_add": "add" for app, models in MODEL_PAGES.items() for m in models},
    **{f"{app}:{m}_{action}": "object" for app, models in MODEL_PAGES.items() for m in models
       for action in ("detail", "edit", "delete")},
    **{f"{name}_import": "import" for name in IMPORTABLE},
    **{f"api:{m}-list": "api-list" for m in API_MODELS},
    **{f"api:{m}-detail": "api-object" for m in API_MODELS},
}
ROUTE_PREFIXES = {"admin:": "admin", "admin/": "admin"}  # named and unnamed admin patterns
ROUTES["admin:login"] = ROUTES["admin:logout"] = "public"  # the admin's own sign-in and sign-out

PAGE_PREFIX = {"purchaser": "/purchasers/", "organization": "/organizations/", "incomerecord": "/income-records/",
               "annualreport": "/annual-reports/", "contract": "/contracts/", "payment": "/payments/",
               "performancereview": "/reviews/"}
API_PREFIX = {"purchaser": "/api/purchasers/", "organization": "/api/organizations/",
              "incomerecord": "/api/income-records/", "annualreport": "/api/annual-reports/",
              "contract": "/api/contracts/", "payment": "/api/payments/", "performancereview": "/api/reviews/"}

# Which side-b objects each role may NOT see (World: the staff member and the NGO manager belong to county A).
# Written by hand from the role table in docs/roles.md, not computed by the code under test.
OUT = {
    "administrator": [],
    "analyst": [],
    "staff": ["incomerecord", "annualreport", "contract", "payment", "performancereview"],
    "ngo_manager": ["organization", "incomerecord", "annualreport", "contract", "payment", "performancereview"],
}
IN = ["purchaser", "organization", "incomerecord", "annualreport", "contract", "payment", "performancereview"]
ROLES = ["administrator", "staff", "ngo_manager", "analyst"]


def walk(resolver=None, namespace=(), prefix=""):
    """(declared key, pattern) of every URL pattern, recursively through includes."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace + ((entry.namespace,) if entry.namespace else ())
            yield from walk(entry, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            key = ":".join(namespace + (entry.name,)) if entry.name else prefix + str(entry.pattern)
            yield key, prefix + str(entry.pattern)


def kind_of(key):
    if key in ROUTES:
        return ROUTES[key]
    for prefix, kind in ROUTE_PREFIXES.items():
        if key.startswith(prefix):
            return kind
    return None


def test_every_route_is_declared():
    found = dict(walk())
    undeclared = sorted(f"{key} ({pattern})" for key, pattern in found.items() if kind_of(key) is None)
    assert not undeclared, f"routes without a declared protection and test: {undeclared}"
    stale = sorted(set(ROUTES) - set(found))
    assert not stale, f"declared routes that no longer exist: {stale}"
    assert any(kind_of(k) == "admin" for k in found)


def test_the_walk_finds_api_routes_with_format_suffixes():
    patterns = [pattern for key, pattern in walk() if key == "api:contract-list"]
    assert len(patterns) == 2 and any("format" in p for p in patterns)


# --- fixtures --------------------------------------------------------------------------------------------------

@pytest.fixture
def world(db, role_groups):
    return World()


def login(client, world, role):
    client.force_login(world.users[role])
    return client


def ids_in_csv(response):
    """The ``id`` column of a CSV response (BOM and header handled)."""
    text = b"".join(response.streaming_content).decode("utf-8-sig") if response.streaming \
        else response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows, "empty CSV"
    header = [h.strip().lower() for h in rows[0]]
    assert "id" in header, f"no id column in {rows[0]}"
    col = header.index("id")
    return {int(r[col]) for r in rows[1:] if r and r[col].strip().isdigit()}


def csv_text(response):
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode("utf-8-sig")


def sample_kwargs(world, pattern):
    kwargs = {}
    if "<int:pk>" in pattern or "(?P<pk>" in pattern:
        kwargs["pk"] = world.contract_b.pk
    if "<slug:model>" in pattern:
        kwargs["model"] = "contract"
    if "<slug:key>" in pattern:
        kwargs["key"] = "contract"
    if "<int:year>" in pattern:
        kwargs["year"] = 2025
    if "<str:ocid>" in pattern:
        kwargs["ocid"] = ocid_for(world.contract_b.pk)
    if "format" in pattern:
        kwargs["format"] = "json"
    return kwargs


# --- anonymous -------------------------------------------------------------------------------------------------

def test_anonymous_is_sent_to_log_in_on_every_route_that_is_not_public(client, world):
    checked = 0
    for key, pattern in walk():
        kind = kind_of(key)
        if kind in ("public", "api-schema"):
            continue
        kwargs = sample_kwargs(world, pattern)
        if kind == "admin":
            if "<" in pattern or "(" in pattern or key == pattern:
                continue  # the admin's object pages: its changelists and index are enough
            url = reverse(key)
        else:
            url = reverse(key, kwargs=kwargs)
        response = client.get(url)
        if kind.startswith("api"):
            assert response.status_code == 401, (key, url, response.status_code)
        elif kind == "admin":
            assert response.status_code == 302 and "/admin/login/" in response["Location"], (key, url)
        elif kind == "own" and key == "logout":
            assert response.status_code in (302, 405), (key, url)  # logging out is a POST; nothing to show
        else:
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), \
                (key, url, response.status_code)
        checked += 1
    assert checked > 60


# --- single objects outside the scope: 404 everywhere ------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_objects_outside_the_scope_answer_404_on_pages(client, world, role):
    login(client, world, role)
    for model in OUT[role]:
        obj = world.obj(model, "b")
        base = f"{PAGE_PREFIX[model]}{obj.pk}/"
        for url in (base, f"{base}edit/", f"{base}delete/"):
            assert client.get(url).status_code == 404, (role, url)
            assert client.post(url, {}).status_code in (404, 405), (role, url)
    for model in IN:  # and the same routes answer for the rows inside the scope (not a dead route)
        obj = world.obj(model, "a")
        assert client.get(f"{PAGE_PREFIX[model]}{obj.pk}/").status_code == 200, (role, model)
    if role in ("administrator", "analyst"):  # they see everything: side b too
        for model in IN:
            assert client.get(f"{PAGE_PREFIX[model]}{world.obj(model, 'b').pk}/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_objects_outside_the_scope_answer_404_on_the_api(client, world, role):
    login(client, world, role)
    for model in OUT[role]:
        obj = world.obj(model, "b")
        url = f"{API_PREFIX[model]}{obj.pk}/"
        assert client.get(url).status_code == 404, (role, url)
        assert client.get(f"{API_PREFIX[model]}{obj.pk}.json").status_code == 404, (role, url)
        assert client.patch(url, {}, content_type="application/json").status_code == 404, (role, url)
        assert client.put(url, {}, content_type="application/json").status_code == 404, (role, url)
        assert client.delete(url).status_code == 404, (role, url)
    for model in IN:
        assert client.get(f"{API_PREFIX[model]}{world.obj(model, 'a').pk}/").status_code == 200, (role, model)


@pytest.mark.parametrize("role", ["staff", "ngo_manager"])
def test_public_profiles_list_nothing_outside_the_scope(client, world, role):
    """A purchaser's or organization's page is public, but the contracts, money and history it shows are not."""
    login(client, world, role)
    pages = [f"/purchasers/{world.bureau_b.pk}/"]
    if "organization" not in OUT[role]:
        pages.append(f"/organizations/{world.org_b.pk}/")
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        html = response.content.decode()
        assert world.contract_b.reference not in html, (role, url)
        assert world.income_b.funder_name not in html, (role, url)
    # the same pages on side A do show them (the check above is not vacuous)
    html = client.get(f"/organizations/{world.org_a.pk}/").content.decode()
    assert world.contract_a.reference in html and world.income_a.funder_name in html


@pytest.mark.parametrize("role", ["staff", "ngo_manager"])
def test_funding_page_of_an_organization_outside_the_scope_is_404(client, world, role):
    login(client, world, role)
    assert client.get(f"/organizations/{world.org_b.pk}/funding/").status_code == 404
    assert client.get(f"/organizations/{world.org_a.pk}/funding/").status_code == 200
    assert client.get(f"/organizations/{world.org_b.pk}/accountability/").status_code == 404
    assert client.get(f"/organizations/{world.org_a.pk}/accountability/").status_code == 200


@pytest.mark.parametrize("role", ["staff", "ngo_manager"])
def test_reports_and_attachments_outside_the_scope_are_404(client, world, role, settings, tmp_path):
    from django.core.files.base import ContentFile

    from attachments.models import Attachment

    settings.MEDIA_ROOT = str(tmp_path)
    files = {}
    for side, contract in (("a", world.contract_a), ("b", world.contract_b)):
        attachment = Attachment(parent=contract, name=f"{side}.pdf", kind="pdf", size=9)
        attachment.file.save("x", ContentFile(b"%PDF-1.4\n"), save=True)
        files[side] = attachment
    login(client, world, role)
    for org, status in ((world.org_b, 404), (world.org_a, 200)):
        assert client.get(f"/organizations/{org.pk}/funding/2025/report/").status_code == status, (role, org)
    assert client.get(f"/organizations/{world.org_b.pk}/funding/2025/report.pdf").status_code == 404
    assert client.get(f"/attachments/{files['b'].pk}/download/").status_code == 404
    assert client.get(f"/attachments/{files['a'].pk}/download/").status_code == 200
    assert client.post(f"/attachments/{files['b'].pk}/delete/").status_code == 404
    assert client.post(f"/attachments/contract/{world.contract_b.pk}/upload/").status_code == 404
    assert Attachment.objects.count() == 2


# --- lists, exports, lookups, dashboards: out-of-scope rows never appear ------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_lists_and_csv_exports_show_no_row_outside_the_scope(client, world, role):
    login(client, world, role)
    for model in IN:
        inside, outside = world.obj(model, "a"), world.obj(model, "b")
        hidden = model in OUT[role]
        page = client.get(PAGE_PREFIX[model])
        assert page.status_code == 200
        html = page.content.decode()
        link = re.compile(rf'href="{re.escape(PAGE_PREFIX[model])}(\d+)/"')
        shown = {int(pk) for pk in link.findall(html)}
        assert inside.pk in shown, (role, model)
        assert (outside.pk in shown) is not hidden, (role, model, "page")

        export = client.get(PAGE_PREFIX[model], {"export": "csv"})
        assert export.status_code == 200, (role, model)
        ids = ids_in_csv(export)
        assert inside.pk in ids and (outside.pk in ids) is not hidden, (role, model, "export")

        api = client.get(API_PREFIX[model], {"page_size": 100})
        assert api.status_code == 200
        ids = {row["id"] for row in api.json()["results"]}
        assert inside.pk in ids and (outside.pk in ids) is not hidden, (role, model, "api")

        for url in (f"{API_PREFIX[model]}?format=csv", f"{API_PREFIX[model].rstrip('/')}.csv"):
            ids = ids_in_csv(client.get(url))
            assert inside.pk in ids and (outside.pk in ids) is not hidden, (role, model, url)


@pytest.mark.parametrize("role", ROLES)
def test_lookups_offer_no_row_outside_the_scope(client, world, role):
    login(client, world, role)
    for key, model in (("contract", "contract"), ("organization", "organization"), ("purchaser", "purchaser")):
        for mode in ("visible", "editable"):
            response = client.get(f"/lookup/{key}/", {"q": "", "mode": mode})
            assert response.status_code == 200
            ids = {row["id"] for row in response.json()["results"]}
            if model in OUT[role]:
                assert world.obj(model, "b").pk not in ids, (role, key, mode)
            if mode == "visible":
                assert world.obj(model, "a").pk in ids, (role, key)


@pytest.mark.parametrize("role", ROLES)
def test_dashboards_and_indicators_name_no_entity_outside_the_scope(client, world, role):
    login(client, world, role)
    org_hidden = role in ("staff", "ngo_manager")  # org B's money: neither sees it
    purchaser_hidden = role in ("staff", "ngo_manager")  # bureau B's contracts: neither sees them
    checks = [
        ("/dashboards/dependency/?export=csv", world.org_a.name, world.org_b.name, org_hidden),
        ("/dashboards/accountability/?export=csv", world.org_a.name, world.org_b.name, org_hidden),
        ("/dashboards/purchasers/?export=csv", world.bureau_a.name, world.bureau_b.name, purchaser_hidden),
        ("/api/indicators/organizations/?format=csv", world.org_a.name, world.org_b.name, org_hidden),
        ("/api/indicators/purchasers/?format=csv", world.bureau_a.name, world.bureau_b.name, purchaser_hidden),
    ]
    for url, inside, outside, hidden in checks:
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        text = csv_text(response)
        assert inside in text, (role, url)
        assert (outside in text) is not hidden, (role, url)
    for url, inside, outside, hidden in (
            ("/api/indicators/organizations/", world.org_a.name, world.org_b.name, org_hidden),
            ("/api/indicators/purchasers/", world.bureau_a.name, world.bureau_b.name, purchaser_hidden)):
        text = client.get(url, {"page_size": 100}).content.decode()
        assert inside in text and (outside in text) is not hidden, (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_ocds_packages_hold_no_contract_outside_the_scope(client, world, role):
    login(client, world, role)
    hidden = "contract" in OUT[role]
    inside, outside = ocid_for(world.contract_a.pk), ocid_for(world.contract_b.pk)
    assert client.get(f"/api/ocds/records/{inside}/").status_code == 200, role
    assert client.get(f"/api/ocds/records/{outside}/").status_code == (404 if hidden else 200), role
    text = csv_text(client.get("/api/ocds/releases/"))
    assert inside in text and (outside in text) is not hidden, role


@pytest.mark.parametrize("role", ["staff", "ngo_manager"])
def test_home_page_names_nothing_outside_the_scope(client, world, role):
    login(client, world, role)
    html = client.get("/").content.decode()
    assert world.contract_b.reference not in html
    assert world.contract_b.title not in html


@pytest.mark.parametrize("role", ROLES)
def test_work_queue_names_nothing_outside_the_scope(client, world, role):
    """Contract B is made due, ending without successor and ended without review: still never shown outside B's
    scope, on the page or in any of its CSV lists."""
    import datetime

    from django.utils import timezone

    from contracts.models import Contract

    today = timezone.localdate()
    Contract.objects.filter(pk=world.contract_b.pk).update(status="active", end_on=today + datetime.timedelta(days=5))
    world.contract_b.payments.update(paid_on=None, due_on=today - datetime.timedelta(days=1))
    aggregates.refresh([world.contract_b.organization_id])  # update() sends no signals
    login(client, world, role)
    url = reverse("dashboards:work_queue")
    html = client.get(url).content.decode()
    exports = [b"".join(client.get(url, {"export": key}).streaming_content).decode("utf-8-sig")
               for key in ("payments", "ending", "unreviewed")]
    sees_b = role in ("administrator", "analyst")
    for text in [html, *exports]:
        assert (world.contract_b.reference in text) is (sees_b and text is not exports[2])


# --- the admin -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["staff", "ngo_manager", "analyst"])
def test_admin_is_for_administrators_only(client, world, role):
    login(client, world, role)
    for url in ("/admin/", "/admin/contracts/contract/", "/admin/organizations/purchasermembership/",
                f"/admin/contracts/contract/{world.contract_b.pk}/change/"):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (role, url)
        assert world.contract_b.reference.encode() not in response.content


def test_admin_works_for_administrators(client, world):
    login(client, world, "administrator")
    assert client.get("/admin/contracts/contract/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_key_persons_api_follows_the_organization(client, world, role):
    from tests.factories import KeyPersonFactory

    person_a = KeyPersonFactory(organization=world.org_a, name="甲负责人")
    person_b = KeyPersonFactory(organization=world.org_b, name="乙负责人")
    login(client, world, role)
    hidden = "organization" in OUT[role]  # key persons are the organization's public profile
    assert client.get(f"/api/key-persons/{person_a.pk}/").status_code == 200
    assert client.get(f"/api/key-persons/{person_b.pk}/").status_code == (404 if hidden else 200)
    for response in (client.get("/api/key-persons/", {"page_size": 100}), client.get("/api/key-persons/?format=csv")):
        text = csv_text(response) if response.streaming or "csv" in response["Content-Type"] \
            else response.content.decode()
        assert "甲负责人" in text and ("乙负责人" in text) is not hidden, role
