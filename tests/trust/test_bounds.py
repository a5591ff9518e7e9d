"""Bounds on every input: years 1990–2100 and dates within them in filters, forms, API and imports;
ids parsed strictly; NUL refused; JSON bodies must be objects of bounded depth and size. A bad value answers 400
(413 for a body too large) with a translated message naming the parameter, never 500, never a cut-off CSV."""

import json

import django_filters
import pytest
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from contracts.models import Contract, Payment
from core import csvio
from core.filtersets import is_year_filter
from tests.factories import ContractFactory, OrganizationFactory, PurchaserFactory, user_with_role

pytestmark = pytest.mark.django_db

YEAR_EN = "Enter a year between 1990 and 2100."
YEAR_ZH = "请输入 1990 至 2100 之间的年份。"
DATE_EN = "Enter a date between 1990-01-01 and 2100-12-31."


@pytest.fixture(autouse=True)
def _production():
    with override_settings(DEBUG=False):
        yield


@pytest.fixture
def admin():
    return user_with_role("administrator")


@pytest.fixture
def page(admin):
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    return client


@pytest.fixture
def api(admin):
    client = APIClient(raise_request_exception=False)
    client.force_login(admin)
    return client


@pytest.fixture
def contract():
    return ContractFactory()


def english(client):
    client.cookies["django_language"] = "en"
    return client


# Years and dates in filters: every filter of every list page, dashboard, API list and export ----------------


def list_endpoints():
    """(url, FilterSet class, is_api) of every list page, dashboard and API list that has a FilterSet, found by
    walking the URL patterns (a list added later is covered without anyone listing it here)."""
    found = {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
                continue
            if not pattern.name:
                continue
            view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
            actions = getattr(pattern.callback, "actions", None) or {}
            filterset_class = getattr(view, "filterset_class", None)
            if filterset_class is None or (actions and actions.get("get") != "list"):
                continue
            try:
                url = reverse(f"{namespace}{pattern.name}")
            except NoReverseMatch:
                continue  # needs arguments: not a list
            found[url] = (url, filterset_class, url.startswith("/api/"))

    walk(get_resolver().url_patterns, "")
    return sorted(found.values(), key=lambda e: e[0])


LISTS = list_endpoints()


def test_every_list_is_found():
    urls = {url for url, _fs, _api in LISTS}
    assert {"/contracts/", "/payments/", "/reviews/", "/income-records/", "/annual-reports/", "/organizations/",
            "/purchasers/", "/dashboards/dependency/", "/dashboards/purchasers/", "/api/contracts/",
            "/api/payments/", "/api/reviews/", "/api/indicators/organizations/"} <= urls


def bounded_cases(kind):
    """(url, is_api, parameter, query) for every year filter (``kind="year"``) or date range (``"date"``)."""
    cases = []
    for url, filterset_class, is_api in LISTS:
        for name, filter_ in filterset_class.base_filters.items():
            if kind == "year" and isinstance(filter_, django_filters.NumberFilter) and is_year_filter(name, filter_):
                cases += [(url, is_api, name, {name: value}) for value in ("99999", "1989", "2101")]
            if kind == "date" and isinstance(filter_, django_filters.DateFromToRangeFilter):
                cases += [(url, is_api, name, {f"{name}_after": "0001-01-01"}),
                          (url, is_api, name, {f"{name}_before": "9999-12-31"})]
    return cases


def case_id(case):
    return f"{case[0]}?{'&'.join(case[3])}={next(iter(case[3].values()))}"


@pytest.mark.parametrize("case", bounded_cases("year") + bounded_cases("date"), ids=case_id)
def test_a_year_or_date_out_of_range_is_a_400_naming_the_parameter(page, api, contract, case):
    url, is_api, name, query = case
    message = DATE_EN if "_after" in next(iter(query)) or "_before" in next(iter(query)) else YEAR_EN
    if is_api:
        response = api.get(url, query, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert response.json()[name] == [message]
        csv = api.get(url, {**query, "format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    else:
        response = english(page).get(url, query)
        assert response.status_code == 400
        assert response.context["filter"].errors[name] == [message]
        assert message in response.content.decode()  # beside the field of the filter form
        csv = page.get(url, {**query, "export": "csv"})
        assert csv.json() == {name: [message]}  # JSON naming the parameter, not a cut-off CSV
    assert csv.status_code == 400
    assert not csv.streaming


def test_the_message_is_translated(page, contract):
    response = page.get("/contracts/", {"year": "99999"})
    assert response.status_code == 400
    assert YEAR_ZH in response.content.decode()


def test_a_year_in_range_still_filters(page, api):
    ContractFactory(reference="IN-2025")
    response = page.get("/contracts/", {"year": "2025"})
    assert response.status_code == 200
    assert "IN-2025" in response.content.decode()
    assert [row["reference"] for row in api.get("/api/contracts/", {"year": "2025"}).json()["results"]] == \
        ["IN-2025"]
    assert api.get("/api/contracts/", {"year": "2024"}).json()["results"] == []


# Dates on every write path -----------------------------------------------------------------------------------


def contract_body(**changes):
    purchaser = PurchaserFactory()
    organization = OrganizationFactory()
    body = {"reference": "CC-2025-200", "title": "康复服务", "purchaser": purchaser.pk,
            "organization": organization.pk, "service_category": "rehab_children",
            "procurement_method": "public_tender", "status": "active", "signed_on": "2025-01-05",
            "start_on": "2025-02-01", "end_on": "2025-12-31", "amount": "50000.00", "restricted_amount": "10000.00"}
    body.update(changes)
    return body


@pytest.mark.parametrize("field", ["signed_on", "start_on", "end_on"])
@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1989-12-31", "2101-01-01"])
def test_the_api_refuses_a_contract_date_out_of_range(api, field, value):
    body = contract_body(**{field: value})
    if field == "signed_on":
        body["start_on"], body["end_on"] = "2101-02-01", "2101-12-31"  # after the signature, still refused
    response = api.post("/api/contracts/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert DATE_EN in response.json()[field]
    assert not Contract.objects.exists()


def test_the_api_refuses_a_payment_date_out_of_range(api, contract):
    response = api.post("/api/payments/", {"contract": contract.pk, "kind": "installment", "due_on": "9999-12-31",
                                           "paid_on": "0001-01-01", "amount": "10.00"},
                        format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert DATE_EN in response.json()["due_on"]
    assert DATE_EN in response.json()["paid_on"]
    assert not Payment.objects.exists()


def test_the_form_refuses_a_date_out_of_range(page):
    body = contract_body(signed_on="0001-01-01")
    response = english(page).post(reverse("contracts:contract_add"), body)
    assert response.status_code == 200  # the form again, with the error
    assert response.context["form"].errors["signed_on"] == [DATE_EN]
    assert not Contract.objects.exists()


def test_an_import_refuses_a_date_out_of_range(admin):
    purchaser = PurchaserFactory(name="界外日期民政局")
    organization = OrganizationFactory()
    header = ("reference,title,purchaser_name,organization_uscc,service_category,procurement_method,status,"
              "signed_on,start_on,end_on,amount,restricted_amount,region_code")
    row = (f"IMP-1,康复服务,{purchaser.name},{organization.uscc},rehab_children,public_tender,active,"
           "0001-01-10,2025-02-01,2025-12-31,100000.00,80000.00,")
    result = csvio.Importer(csvio.get_spec("contracts"), admin).run(f"{header}\r\n{row}\r\n".encode(), commit=True)
    assert [e.column for e in result.errors] == ["signed_on"]
    assert not Contract.objects.exists()


# Strict ids and numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_text", [False, True])
def test_a_fractional_purchaser_id_is_refused_not_rounded(api, as_text):
    body = contract_body()
    fractional = body["purchaser"] + 0.5
    body["purchaser"] = str(fractional) if as_text else fractional
    response = api.post("/api/contracts/", body, format="json")
    assert response.status_code == 400
    assert "purchaser" in response.json()
    assert not Contract.objects.exists()


@pytest.mark.parametrize("value", [True, "1e0", [1], {"id": 1}, 99999999999999999999, "99999999999999999999",
                                   -1, 0])
def test_other_non_ids_are_refused(api, value):
    body = contract_body()
    body["purchaser"] = value
    response = api.post("/api/contracts/", body, format="json")
    assert response.status_code == 400
    assert "purchaser" in response.json()


def test_a_whole_id_sent_as_text_is_still_accepted(api):
    body = contract_body()
    body["purchaser"] = str(body["purchaser"])
    assert api.post("/api/contracts/", body, format="json").status_code == 201


@pytest.mark.parametrize("url", ["/contracts/", "/api/contracts/"])
@pytest.mark.parametrize("value", ["8.5", "99999999999999999999", "-3", "1e3", "0x10"])
def test_a_filter_takes_whole_ids_only(page, api, contract, url, value):
    client = api if url.startswith("/api/") else page
    assert client.get(url, {"purchaser": value}).status_code == 400
    assert client.get(url, {"organization": value}).status_code == 400


def test_an_id_filter_still_works(api, contract):
    ContractFactory()
    rows = api.get("/api/contracts/", {"purchaser": contract.purchaser_id}).json()["results"]
    assert [row["id"] for row in rows] == [contract.pk]


@pytest.mark.parametrize("value", ["1e400", "-1e400", "NaN", "Infinity", "1" * 100])
def test_number_filters_are_bounded(page, api, contract, value):
    assert page.get("/contracts/", {"amount_min": value}).status_code == 400
    assert api.get("/api/contracts/", {"amount_min": value}).status_code == 400
    assert api.get("/api/reviews/", {"total_min": value}).status_code == 400


# NUL ---------------------------------------------------------------------------------------------------------


def test_nul_in_a_lookup_search_is_a_400_naming_q(page, contract):
    response = english(page).get("/lookup/organization/", {"q": "阳光\x00"})
    assert response.status_code == 400
    assert response.json() == {"q": ["Null characters are not allowed."]}


@pytest.mark.parametrize("url", ["/contracts/", "/organizations/", "/api/contracts/", "/api/organizations/"])
def test_nul_in_a_list_search_is_a_400(page, api, url):
    client = api if url.startswith("/api/") else page
    assert client.get(url, {"q": "a\x00b"}).status_code == 400


def test_a_search_is_bounded_in_length(page):
    assert page.get("/contracts/", {"q": "x" * 201}).status_code == 400
    assert page.get("/contracts/", {"q": "x" * 200}).status_code == 200


def test_nul_in_a_json_body_is_refused(api):
    body = contract_body(title="康复\x00服务")
    response = api.post("/api/contracts/", body, format="json")
    assert response.status_code == 400
    assert not Contract.objects.exists()
    body = contract_body()
    body["unknown\x00"] = 1
    assert api.post("/api/contracts/", body, format="json").status_code == 400


# JSON bodies -------------------------------------------------------------------------------------------------

WRITES = [("post", "/api/contracts/"), ("put", "/api/contracts/{pk}/"), ("patch", "/api/contracts/{pk}/")]


@pytest.mark.parametrize("method,url", WRITES)
@pytest.mark.parametrize("raw", ["[]", '"x"', "1", "null", "true", "[{}]"])
def test_a_body_that_is_not_an_object_is_a_400(api, contract, method, url, raw):
    before = Contract.objects.values().get()
    response = getattr(api, method)(url.format(pk=contract.pk), raw, content_type="application/json",
                                    HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON body must be an object: {…} with the fields."}
    assert Contract.objects.values().get() == before


@pytest.mark.parametrize("depth", [25, 1000, 100_000])
def test_deep_nesting_is_a_400(api, depth):
    raw = '{"title": ' + "[" * depth + "]" * depth + "}"
    response = api.post("/api/contracts/", raw, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON body is nested more than 20 levels deep."}


def test_nesting_within_the_bound_reaches_the_fields(api):
    raw = json.dumps(contract_body(title=[[["x"]]]))
    response = api.post("/api/contracts/", raw, content_type="application/json")
    assert response.status_code == 400
    assert "title" in response.json()


@pytest.mark.parametrize("raw", ['{"amount": NaN}', '{"amount": Infinity}', '{"amount": -Infinity}', "{",
                                 '{"a": 1} x'])
def test_invalid_json_is_a_400(api, raw):
    response = api.post("/api/contracts/", raw, content_type="application/json")
    assert response.status_code == 400


def test_a_body_over_the_upload_limit_is_a_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps(contract_body(title="x" * 2000))
    response = api.post("/api/contracts/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}
    assert not Contract.objects.exists()


def test_a_12_mb_body_is_refused_with_the_default_limit(api):
    body = '{"title": "' + "x" * (12 * 1024 * 1024) + '"}'
    assert api.post("/api/contracts/", body, content_type="application/json").status_code == 413


def test_a_body_within_the_limit_is_read(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5000
    assert api.post("/api/contracts/", json.dumps(contract_body()), content_type="application/json") \
        .status_code == 201


# NUL in headers and cookies (PostgreSQL refuses NUL in the session or token lookup) ---------------------------


@pytest.mark.parametrize("url", ["/contracts/", "/api/contracts/", "/accounts/login/"])
@pytest.mark.parametrize("headers", [
    {"HTTP_AUTHORIZATION": "Token abc\x00def"},
    {"HTTP_COOKIE": "sessionid=abcdefgh\x00ij"},
    {"HTTP_COOKIE": 'sessionid="abcdefgh\\000ij"'},  # the octal escape of a quoted cookie value
    {"HTTP_COOKIE": "csrftoken=a\x00b"},
    {"HTTP_ACCEPT_LANGUAGE": "en\x00"},
], ids=["token", "session", "session-escaped", "csrf", "language"])
def test_nul_in_a_header_or_cookie_is_a_400(url, headers):
    client = Client(raise_request_exception=False)
    response = client.get(url, **headers)
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()  # our 400 page


def test_headers_without_nul_pass(page):
    assert page.get("/contracts/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200


@pytest.mark.parametrize("url", ["/contracts/{pk}/", "/contracts/{pk}/edit/", "/contracts/{pk}/delete/",
                                 "/organizations/{pk}/funding/", "/api/contracts/{pk}/", "/api/payments/{pk}/"])
@pytest.mark.parametrize("pk", ["99999999999999999999", "9223372036854775808", "0"])
def test_an_id_in_the_path_beyond_any_database_integer_is_a_404(page, url, pk):
    assert page.get(url.format(pk=pk)).status_code == 404
