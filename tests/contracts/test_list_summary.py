"""The contract and payment lists take their row count and total from one cached query (``ObjectListView.
cache_summary``): the figures shown are right, follow a write made through the application, differ per filter and
are never shared between users who see different rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import Payment
from tests import factories as f
from tests.test_roles_matrix import World


@pytest.fixture
def world(db, role_groups):
    return World()


def figures(client, user, path, **params):
    """(result count, the total shown) of a list page, as the user sees it."""
    client.force_login(user)
    response = client.get(path, params)
    assert response.status_code == 200
    (_label, total), = response.context["totals"]
    return response.context["result_count"], total


def summary_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    # The summary's aggregate, or a COUNT of the paginator's own (the rows' paid_total subquery has a SUM too).
    return [q["sql"] for q in queries.captured_queries
            if any(alias in q["sql"] for alias in ('AS "count"', 'AS "total_0"', 'AS "__count"'))]


def test_payment_totals_by_hand_per_scope(client, world):
    # The NGO manager first: had the key no scope, the analyst would be shown the manager's figures next.
    assert figures(client, world.users["ngo_manager"], "/payments/") == (1, Decimal("30000.00"))
    assert figures(client, world.users["ngo_manager_b"], "/payments/") == (1, Decimal("70000.00"))
    assert figures(client, world.users["analyst"], "/payments/") == (2, Decimal("100000.00"))
    assert figures(client, world.users["ngo_manager"], "/payments/") == (1, Decimal("30000.00"))
    page = client.get("/payments/").content.decode()
    assert "30,000.00" in page and "100,000.00" not in page


def test_contract_totals_by_hand_per_scope(client, world):
    assert figures(client, world.users["staff_b"], "/contracts/") == (1, Decimal("250000.00"))
    assert figures(client, world.users["analyst"], "/contracts/") == (2, Decimal("350000.00"))
    assert figures(client, world.users["staff"], "/contracts/") == (1, Decimal("100000.00"))


def test_filters_have_their_own_summary(client, world):
    analyst = world.users["analyst"]
    assert figures(client, analyst, "/payments/") == (2, Decimal("100000.00"))
    assert figures(client, analyst, "/payments/", organization=world.org_b.pk) == (1, Decimal("70000.00"))
    assert figures(client, analyst, "/payments/", q="NG-2025") == (1, Decimal("30000.00"))
    # Sorting and the page size do not change the figures, and share them.
    assert figures(client, analyst, "/payments/", sort="-amount", per_page=50) == (2, Decimal("100000.00"))


@pytest.mark.parametrize("path", ["/payments/", "/contracts/"])
def test_the_summary_is_read_from_the_cache_until_a_write(client, world, path):
    analyst = world.users["analyst"]
    before = figures(client, analyst, path)
    assert summary_queries(client, path) == []  # the second view: no COUNT, no SUM
    # A write that bypasses the application (no history row) is not seen: the figures do come from the cache.
    Payment.objects.filter(pk=world.payment_a.pk).update(amount=Decimal("1.00"))
    world.contract_a.__class__.objects.filter(pk=world.contract_a.pk).update(amount=Decimal("100001.00"))
    assert figures(client, analyst, path) == before
    # A write through the application (a save: a history row) changes the data version, hence the key.
    contract = f.ContractFactory(purchaser=world.bureau_a, organization=world.org_a, amount=Decimal("5000.00"),
                                 restricted_amount=Decimal("0"))
    f.PaymentFactory(contract=contract, amount=Decimal("2500.00"))
    expected = {"/payments/": (3, Decimal("1.00") + Decimal("70000.00") + Decimal("2500.00")),
                "/contracts/": (3, Decimal("100001.00") + Decimal("250000.00") + Decimal("5000.00"))}[path]
    assert figures(client, analyst, path) == expected
    assert summary_queries(client, path) == []


def test_the_page_count_follows_the_summary(client, world):
    analyst = world.users["analyst"]
    contract = world.contract_a
    for _number in range(30):
        f.PaymentFactory(contract=contract, amount=Decimal("1.00"))
    count, total = figures(client, analyst, "/payments/")
    assert (count, total) == (32, Decimal("100030.00"))
    response = client.get("/payments/", {"page": 2})  # 25 a page: the second page holds the last 7
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 7
