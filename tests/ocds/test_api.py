"""The OCDS endpoints: who gets what, input validation, streaming and a bounded number of queries."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocds import dbrelease, mapping, packages
from tests.factories import ContractFactory, OrganizationFactory, PurchaserFactory, user_with_role

from .helpers import schema_errors

pytestmark = pytest.mark.django_db

RELEASES = reverse("api:ocds-releases")


def ocids(response):
    return {r["ocid"] for r in json.loads(b"".join(response.streaming_content))["releases"]}


def record_url(ocid):
    return reverse("api:ocds-record", args=[ocid])


@pytest.fixture
def two_sides():
    mine, other = PurchaserFactory(), PurchaserFactory()
    ngo, other_ngo = OrganizationFactory(), OrganizationFactory()
    return {
        "mine": ContractFactory(purchaser=mine, organization=ngo),
        "mine_other_ngo": ContractFactory(purchaser=mine, organization=other_ngo),
        "other": ContractFactory(purchaser=other, organization=other_ngo),
        "purchaser": mine, "ngo": ngo,
    }


def test_ngo_manager_gets_only_their_organization(api, two_sides):
    api.force_authenticate(user_with_role("ngo_manager", organizations=[two_sides["ngo"]]))
    assert ocids(api.get(RELEASES)) == {f"ocds-posc00-{two_sides['mine'].pk}"}
    assert api.get(record_url(f"ocds-posc00-{two_sides['other'].pk}")).status_code == 404
    assert api.get(record_url(f"ocds-posc00-{two_sides['mine'].pk}")).status_code == 200


def test_staff_gets_only_their_scope(api, two_sides):
    api.force_authenticate(user_with_role("staff", purchasers=[two_sides["purchaser"]]))
    assert ocids(api.get(RELEASES, {"year": 2025})) == {f"ocds-posc00-{two_sides['mine'].pk}",
                                                        f"ocds-posc00-{two_sides['mine_other_ngo'].pk}"}
    assert api.get(record_url(f"ocds-posc00-{two_sides['other'].pk}")).status_code == 404


def test_analyst_and_administrator_get_everything(api, two_sides):
    for role in ("analyst", "administrator"):
        api.force_authenticate(user_with_role(role))
        assert len(ocids(api.get(RELEASES))) == 3


def test_anonymous_is_refused(api, two_sides):
    assert api.get(RELEASES).status_code == 401
    assert api.get(record_url(f"ocds-posc00-{two_sides['mine'].pk}")).status_code == 401


def test_token_authentication(api, two_sides):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=user_with_role("analyst"))
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(RELEASES).status_code == 200


def test_session_authentication(client, two_sides):
    client.force_login(user_with_role("analyst"))
    response = client.get(RELEASES, {"year": 2025})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ocds-releases-2025.json"'


@pytest.mark.parametrize("year", ["1989", "2101", "abc", "2025.5"])
def test_invalid_year_is_400_naming_the_field(api, year):
    api.force_authenticate(user_with_role("analyst"))
    response = api.get(RELEASES, {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()


def test_year_filters_and_empty_year_is_404(api, two_sides):
    api.force_authenticate(user_with_role("analyst"))
    assert len(ocids(api.get(RELEASES, {"year": 2025}))) == 3
    response = api.get(RELEASES, {"year": 2024})
    assert response.status_code == 404
    assert response.json()["detail"] == "没有符合条件的已公开合同。"
    response = api.get(RELEASES, {"year": 2024}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "No published contract matches."


@pytest.mark.parametrize("ocid", ["ocds-posc00-", "ocds-posc00-abc", "ocds-posc00-01", "ocds-other1-1",
                                  "ocds-posc00-1-2", "ocds-posc00-99999", "ocds-posc00-１"])
def test_malformed_or_unknown_ocid_is_404(api, two_sides, ocid):
    api.force_authenticate(user_with_role("administrator"))
    assert api.get(record_url(ocid)).status_code == 404


def package_queries(api, user):
    api.force_authenticate(type(user).objects.get(pk=user.pk))  # a fresh user: its scope is not cached yet
    with CaptureQueriesContext(connection) as queries:
        response = api.get(RELEASES)
        body = b"".join(response.streaming_content)
    return len(queries), len(json.loads(body)["releases"])


def test_query_count_does_not_grow_with_the_number_of_contracts(api):
    purchaser = PurchaserFactory()
    user = user_with_role("staff", purchasers=[purchaser])
    api.force_authenticate(user)
    ContractFactory.create_batch(5, purchaser=purchaser)
    small = package_queries(api, user)
    for contract in ContractFactory.create_batch(45, purchaser=purchaser):
        contract.payments.create(kind="advance", due_on="2025-03-01", paid_on="2025-03-01", amount=1000)
        contract.reviews.create(reviewer_kind="purchaser", reviewed_on="2025-12-01", output_score=80,
                                quality_score=80, satisfaction_score=80, financial_score=80)
    large = package_queries(api, user)
    assert small[1] == 5 and large[1] == 50
    assert small[0] == large[0]


def test_package_is_written_batch_by_batch(api, monkeypatch):
    """The response is produced while it is read: after the first chunk only the first batch was queried (the
    Python path, which SQLite takes; PostgreSQL writes the releases in one streamed statement)."""
    monkeypatch.setattr(dbrelease, "release_texts", lambda queryset: None)
    monkeypatch.setattr(mapping, "BATCH_SIZE", 2)
    monkeypatch.setattr(packages, "CHUNK_CHARS", 1)
    ContractFactory.create_batch(6)
    api.force_authenticate(user_with_role("administrator"))
    with CaptureQueriesContext(connection) as queries:
        response = api.get(RELEASES)
        content = iter(response.streaming_content)
        next(content)
        after_first_chunk = len(queries)
        rest = list(content)
        total = len(queries)
    # Two more batches of 2 (four queries each: contracts, payments, reviews, amendments), then the query that
    # finds no more contracts.
    assert total - after_first_chunk == 2 * 4 + 1
    assert len(rest) >= 3


def test_the_validator_rejects_what_the_standard_rejects():
    """The schema check really looks into each release (the package schema's reference is resolved)."""
    contract = ContractFactory()
    release = next(mapping.iter_releases(type(contract).objects.all()))
    package = json.loads("".join(packages.release_package_chunks("https://example.org/p.json", [release])))
    assert schema_errors(package, "release-package-schema.json") == []
    broken = json.loads(json.dumps(package))
    broken["releases"][0]["tender"]["procurementMethod"] = "negotiated"
    broken["releases"][0]["contracts"][0]["status"] = "completed"
    errors = schema_errors(broken, "release-package-schema.json")
    assert errors and any("negotiated" in e for e in errors)
    del broken["releases"][0]["ocid"]
    assert len(schema_errors(broken, "release-package-schema.json")) > len(errors)
