"""Tokens (created and revoked on the profile page, shown once, accepted by the API), throttling, and the
OpenAPI schema and Swagger UI."""

import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_profile_needs_a_login(world):
    response = Client().get("/accounts/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_token_is_created_shown_once_and_works(world):
    page = logged_in(world.staff_a)
    assert "You have no API token." in page.get("/accounts/profile/").content.decode()

    created = page.post("/accounts/profile/", {"action": "create"})
    assert created.status_code == 200
    key = Token.objects.get(user=world.staff_a).key
    html = created.content.decode()
    assert key in html and "it will not be shown again" in html
    assert created["Cache-Control"] == "no-store"

    # Reading the page again never shows the key, only that a token exists.
    again = page.get("/accounts/profile/").content.decode()
    assert key not in again and "You have an API token" in again

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/contracts/")
    assert response.status_code == 200 and response.json()["count"] == 2  # staff_a's scope
    assert api.post("/api/contracts/", {}, format="json").status_code == 400  # a write without CSRF, by token


def test_token_is_regenerated_and_revoked(world):
    page = logged_in(world.ngo_a)
    page.post("/accounts/profile/", {"action": "create"})
    old = Token.objects.get(user=world.ngo_a).key
    page.post("/accounts/profile/", {"action": "regenerate"})
    new = Token.objects.get(user=world.ngo_a).key
    assert new != old and Token.objects.filter(user=world.ngo_a).count() == 1
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api.get("/api/contracts/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert api.get("/api/contracts/").status_code == 200

    revoked = page.post("/accounts/profile/", {"action": "revoke"}, follow=True)
    assert "has been revoked" in revoked.content.decode()
    assert not Token.objects.filter(user=world.ngo_a).exists()
    assert api.get("/api/contracts/").status_code == 401


def test_a_user_only_touches_their_own_token(world):
    Token.objects.create(user=world.staff_b)
    logged_in(world.staff_a).post("/accounts/profile/", {"action": "revoke"})
    assert Token.objects.filter(user=world.staff_b).exists()


def test_session_writes_need_csrf(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.admin)
    response = client.patch(f"/api/contracts/{world.contract_a.pk}/", {"title": "x"}, format="json")
    assert response.status_code == 403


def test_anonymous_and_authenticated_clients_are_throttled(world, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"})
    anonymous = APIClient()
    assert [anonymous.get("/api/regions/").status_code for _ in range(3)] == [401, 401, 429]
    token = Token.objects.create(user=world.analyst)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert [api.get("/api/regions/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_schema_describes_every_endpoint(world):
    client = APIClient()
    client.force_login(world.analyst)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/regions/", "/api/purchasers/", "/api/organizations/", "/api/income-records/",
                 "/api/annual-reports/", "/api/contracts/", "/api/payments/", "/api/reviews/",
                 "/api/indicators/organizations/", "/api/indicators/purchasers/"):
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"]["/api/contracts/"]["get"]["parameters"]}
    assert {"q", "purchaser", "year", "amount_min", "region", "ordering", "page", "page_size"} <= params
    indicator_params = {p["name"] for p in schema["paths"]["/api/indicators/organizations/"]["get"]["parameters"]}
    assert {"year", "year_min", "year_max", "region", "legal_form", "flag"} <= indicator_params
    contract = schema["components"]["schemas"]["Contract"]["properties"]
    assert all(field.get("description") for field in contract.values()), [
        name for name, field in contract.items() if not field.get("description")]
    assert "payments" in schema["components"]["schemas"]["ContractRequest"]["properties"]


def test_swagger_ui_is_served_locally(world):
    client = Client()
    client.force_login(world.analyst)
    html = client.get("/api/docs/").content.decode()
    scripts = re.findall(r'src="([^"]+)"', html)
    # Swagger UI from the static files; its start-up script from the docs view itself (no inline script, for CSP).
    assert scripts and all(s.startswith("/static/") or s == "/api/docs/?script=" for s in scripts), scripts
    assert "cdn" not in html.lower()
