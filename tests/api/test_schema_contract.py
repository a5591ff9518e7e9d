"""The OpenAPI schema describes the API exactly (issue #21): every answer documented with one error component,
CSV as a media type of lists, JSON-only bodies, typed and bounded filters, the same structure in every language,
and the server refusing what the schema refuses (``?format=``, ``page_size``)."""

import pytest

from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


def schema(client, language="en"):
    response = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def spec(world):
    return schema(client_for(world.admin))


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_operation_documents_its_errors_with_the_shared_component(spec):
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, operation in operations(spec):
        responses = operation["responses"]
        expected = {"400", "401", "403", "429", "503"}
        if "{" in path:
            expected.add("404")
        if method in {"put", "patch", "delete"}:
            expected.add("409")
        assert expected <= set(responses), (method, path)
        for status in expected:
            assert responses[status]["content"]["application/json"]["schema"] == error, (method, path, status)
    assert "detail" in spec["components"]["schemas"]["Error"]["properties"]


def test_csv_is_a_documented_media_type_of_lists_and_indicators_only(spec):
    contracts = spec["paths"]["/api/contracts/"]["get"]
    assert contracts["responses"]["200"]["content"]["text/csv"]["schema"] == {"type": "string"}
    fmt = next(p for p in contracts["parameters"] if p["name"] == "format")
    assert fmt["schema"]["enum"] == ["json", "csv", "xlsx"]
    indicators = [op for path, _m, op in operations(spec) if "indicators" in path]
    assert indicators and all("text/csv" in op["responses"]["200"]["content"] for op in indicators)
    one = spec["paths"]["/api/contracts/{id}/"]["get"]
    assert "text/csv" in one["responses"]["200"]["content"]
    create = spec["paths"]["/api/contracts/"]["post"]
    assert "text/csv" not in create["responses"]["201"]["content"]


def test_request_bodies_are_json_only(spec):
    bodies = [op["requestBody"] for _p, _m, op in operations(spec) if "requestBody" in op]
    assert bodies and all(set(body["content"]) == {"application/json"} for body in bodies)


def test_filters_are_typed_and_bounded_as_validated(spec):
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/contracts/"]["get"]["parameters"]}
    assert params["year"] == {"type": "integer", "minimum": 1990, "maximum": 2100}
    assert params["amount_min"]["type"] == "number" and params["amount_min"]["minimum"] == 0
    assert params["page_size"] == {"type": "integer", "minimum": 1}
    assert params["status"]["items"]["enum"]  # an enum stays an enum
    amount = spec["components"]["schemas"]["ContractRequest"]["properties"]["amount"]
    assert amount["pattern"] == r"^\d{1,12}(?:\.\d{1,2})?$"  # no "" and no minus sign


def test_the_token_scheme_declares_its_prefix(spec):
    token = spec["components"]["securitySchemes"]["tokenAuth"]
    assert token["type"] == "apiKey" and token["in"] == "header" and token["name"] == "Authorization"
    assert "Token <key>" in token["description"]


def _structure(node):
    """The schema without its translated texts (descriptions and titles)."""
    if isinstance(node, dict):
        return {k: _structure(v) for k, v in node.items() if k not in {"description", "title", "summary"}}
    if isinstance(node, list):
        return [_structure(v) for v in node]
    return node


def test_the_same_schema_is_served_whatever_the_language(world):
    client = client_for(world.admin)
    english, chinese = schema(client, "en"), schema(client, "zh-hans")
    assert english["paths"]["/api/contracts/"]["get"]["description"] != \
        chinese["paths"]["/api/contracts/"]["get"]["description"]  # the texts are translated...
    assert _structure(english) == _structure(chinese)  # ...the names, types and enums are not
    assert all(name.isascii() for name in chinese["components"]["schemas"])
    legal_form = next(p for p in chinese["paths"]["/api/contracts/"]["get"]["parameters"] if p["name"] == "legal_form")
    assert "title" not in legal_form["schema"]["items"]  # generated clients name enum classes after a title


def test_unknown_or_empty_format_is_refused_in_json(world):
    client = client_for(world.analyst)
    for value in ("xml", "", "api"):
        response = client.get(f"/api/contracts/?format={value}")
        assert response.status_code == 400, value
        assert "format" in response.json()
    csv_response = client.get("/api/contracts/?format=csv")
    assert csv_response.status_code == 200
    # Read it whole: an abandoned stream keeps its server-side cursor until garbage collection, which on PostgreSQL
    # would then close it inside the next test's transaction.
    assert b"".join(csv_response.streaming_content).startswith(b"\xef\xbb\xbf")
    assert client.post("/api/contracts/?format=csv", {}, format="json").status_code == 400  # reads only


def test_page_size_must_be_a_whole_number_in_range(world):
    client = client_for(world.analyst)
    for value in ("false", "0", "-1", "1.5", "", "１"):
        response = client.get(f"/api/contracts/?page_size={value}")
        assert response.status_code == 400 and "page_size" in response.json(), value
    assert client.get("/api/contracts/?page_size=1").json()["results"].__len__() == 1


def test_errors_to_a_csv_request_are_json(world, api):
    response = api.get("/api/contracts/?format=csv")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json") and "detail" in response.json()
    bad = client_for(world.analyst).get("/api/contracts/?format=csv&year=1800")
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/json")
    indicators = client_for(world.analyst).get("/api/indicators/organizations/?format=csv&page_size=false")
    assert indicators.status_code == 400 and indicators["Content-Type"].startswith("application/json")


def test_amount_filters_refuse_negative_values_as_the_schema_says(world):
    response = client_for(world.analyst).get("/api/contracts/?amount_min=-1")
    assert response.status_code == 400 and "amount_min" in response.json()
