"""Lists: the FilterSets narrow the rows, pages are bounded by page_size and its maximum, ordering works."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import ContractFactory, PaymentFactory, PurchaserFactory, user_with_role

from .conftest import client_for

pytestmark = pytest.mark.django_db


def refs(response):
    assert response.status_code == 200, response.json()
    return [row["reference"] for row in response.json()["results"]]


def test_contract_filters_narrow_results(world):
    client = client_for(world.admin)
    assert response_count(client, "/api/contracts/") == 3
    assert set(refs(client.get("/api/contracts/", {"purchaser": world.bureau_a.pk, "year": 2025}))) == {
        "CC-2025-001"}
    assert set(refs(client.get("/api/contracts/", {"year": 2024}))) == {"NG-2024-007"}
    # region with descendants: prefecture A covers the county below it
    assert set(refs(client.get("/api/contracts/", {"purchaser_region": world.pref_a.pk}))) == {
        "CC-2025-001", "NG-2024-007"}
    assert set(refs(client.get("/api/contracts/", {"procurement_method": "single_source"}))) == {"JL-2025-001"}
    assert set(refs(client.get("/api/contracts/", {"amount_min": "60000", "amount_max": "150000"}))) == {
        "CC-2025-001"}
    assert set(refs(client.get("/api/contracts/", {"signed_on_after": "2025-01-01"}))) == {
        "CC-2025-001", "JL-2025-001"}
    assert set(refs(client.get("/api/contracts/", {"q": "jl-2025"}))) == {"JL-2025-001"}
    assert set(refs(client.get("/api/contracts/", {"legal_form": "social_group"}))) == {"JL-2025-001"}
    assert set(refs(client.get("/api/contracts/", {"status": ["active", "completed"]}))) == {
        "CC-2025-001", "NG-2024-007", "JL-2025-001"}
    assert client.get("/api/contracts/", {"status": "unknown"}).status_code == 400


def response_count(client, url, params=None):
    return client.get(url, params or {}).json()["count"]


def test_other_filters_narrow_results(world):
    client = client_for(world.admin)
    PaymentFactory(contract=world.contract_a, kind="final", due_on=datetime.date(2020, 1, 1), paid_on=None,
                   amount=Decimal("5000"))
    assert response_count(client, "/api/payments/", {"overdue": "true"}) == 1
    assert response_count(client, "/api/payments/", {"purchaser": world.bureau_b.pk}) == 1
    assert response_count(client, "/api/organizations/", {"region": world.pref_a.pk}) == 1
    assert response_count(client, "/api/organizations/", {"legal_form": "social_group"}) == 1
    assert response_count(client, "/api/purchasers/", {"kind": "disabled_persons_federation"}) == 1
    assert response_count(client, "/api/purchasers/", {"region": world.province.pk}) == 3
    assert response_count(client, "/api/regions/", {"parent": world.pref_a.pk}) == 1
    assert response_count(client, "/api/regions/", {"level": "prefecture"}) == 2


def test_page_size_and_its_maximum(db):
    admin = user_with_role("administrator")
    purchaser = PurchaserFactory()
    for i in range(7):
        ContractFactory(purchaser=purchaser, reference=f"P-{i:02d}")
    client = client_for(admin)
    first = client.get("/api/contracts/", {"page_size": 3, "ordering": "reference"}).json()
    assert first["count"] == 7 and len(first["results"]) == 3 and first["next"] and first["previous"] is None
    third = client.get("/api/contracts/", {"page_size": 3, "page": 3, "ordering": "reference"}).json()
    assert [r["reference"] for r in third["results"]] == ["P-06"]
    assert client.get("/api/contracts/", {"page_size": 3, "page": 4}).status_code == 404
    # A page size above the maximum (500) is cut to the maximum, never refused.
    from core.api import Pagination

    assert Pagination.max_page_size == 500
    huge = client.get("/api/contracts/", {"page_size": 100000}).json()
    assert len(huge["results"]) == 7 and huge["next"] is None


def test_page_size_maximum_is_enforced(db, monkeypatch):
    from core.api import Pagination

    monkeypatch.setattr(Pagination, "max_page_size", 2)
    admin = user_with_role("administrator")
    for _ in range(3):
        ContractFactory()
    data = client_for(admin).get("/api/contracts/", {"page_size": 50}).json()
    assert data["count"] == 3 and len(data["results"]) == 2


def test_ordering(world):
    client = client_for(world.admin)
    assert refs(client.get("/api/contracts/", {"ordering": "amount"})) == ["NG-2024-007", "CC-2025-001",
                                                                            "JL-2025-001"]
    assert refs(client.get("/api/contracts/", {"ordering": "-amount"})) == ["JL-2025-001", "CC-2025-001",
                                                                             "NG-2024-007"]
    assert refs(client.get("/api/contracts/", {"ordering": "signed_on,reference"}))[0] == "NG-2024-007"
    assert refs(client.get("/api/contracts/", {"ordering": "-paid_total,reference"})) == [
        "CC-2025-001", "JL-2025-001", "NG-2024-007"]
    # Default order: newest signed first.
    assert refs(client.get("/api/contracts/"))[-1] == "NG-2024-007"
    # A field that is not offered for ordering is ignored (default order), not an error and not a leak.
    assert refs(client.get("/api/contracts/", {"ordering": "organization__uscc"})) == refs(
        client.get("/api/contracts/"))


@pytest.mark.parametrize("endpoint", ["contracts", "payments", "reviews", "organizations", "purchasers",
                                      "income-records", "annual-reports", "regions"])
def test_list_queries_do_not_grow_with_the_rows(db, endpoint):
    """A page costs the same number of queries for 1 row as for 12 (related names are joined, not fetched one
    by one)."""
    from tests.factories import AnnualReportFactory, IncomeRecordFactory, PerformanceReviewFactory

    staff = user_with_role("staff", purchasers=[PurchaserFactory()])
    purchaser = staff.purchaser_memberships.get().purchaser

    def make(n):
        for _ in range(n):
            contract = ContractFactory(purchaser=purchaser)
            PaymentFactory(contract=contract)
            PerformanceReviewFactory(contract=contract)
            IncomeRecordFactory(organization=contract.organization)
            AnnualReportFactory(organization=contract.organization)

    def queries(n):
        make(n)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = client_for(staff)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/{endpoint}/").status_code == 200
        return len(captured)

    one = queries(1)
    assert queries(11) == one
