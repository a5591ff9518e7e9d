"""The red-flags page and /api/flags/: filters, counts, scope, CSV, and a query count that does not grow with the
rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import ContractFactory, PaymentFactory, PurchaserFactory, user_with_role

pytestmark = pytest.mark.django_db
URL = reverse("dashboards:red_flags")
D = Decimal


def single(purchaser, organization, signed_on, **kwargs):
    return ContractFactory(purchaser=purchaser, organization=organization, procurement_method="single_source",
                           signed_on=signed_on, start_on=signed_on, end_on=datetime.date(2099, 1, 1), **kwargs)


@pytest.fixture
def world():
    first = ContractFactory(procurement_method="single_source", signed_on=datetime.date(2025, 1, 10),
                            end_on=datetime.date(2099, 1, 1))
    repeat = single(first.purchaser, first.organization, datetime.date(2025, 5, 1), reference="REPEAT-1")
    late = ContractFactory(end_on=datetime.date(2099, 1, 1), reference="LATE-1")  # another purchaser
    PaymentFactory(contract=late, due_on=datetime.date(2024, 1, 1), paid_on=datetime.date(2024, 6, 1))
    clean = ContractFactory(end_on=datetime.date(2099, 1, 1), reference="CLEAN-1")
    return {"first": first, "repeat": repeat, "late": late, "clean": clean}


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")


def test_lists_flagged_contracts_with_evidence(client, world):
    response = get(client, user_with_role("analyst"))
    content = response.content.decode()
    assert "REPEAT-1" in content and "LATE-1" in content and "CLEAN-1" not in content
    assert world["first"].get_absolute_url() in content  # the evidence of the repeat award, one click away
    assert response.context["flagged_total"] == 2
    totals = {code: n for code, _d, n in response.context["flag_totals"]}
    assert totals["repeat_single_source"] == 1 and totals["late_payment"] == 1 and totals["split_award"] == 0
    assert {row["total"] for row in response.context["purchaser_rows"]} == {1}


def test_filters_by_flag_level_purchaser_and_year(client, world):
    analyst = user_with_role("analyst")
    assert [c.reference for c in get(client, analyst, code="late_payment").context["contracts"]] == ["LATE-1"]
    assert [c.reference for c in get(client, analyst, level="red").context["contracts"]] == ["LATE-1"]
    assert [c.reference for c in get(client, analyst, purchaser=world["repeat"].purchaser_id).context["contracts"]] \
        == ["REPEAT-1"]
    assert get(client, analyst, year=2024).context["contracts"] == []


def test_staff_see_only_their_purchasers_flags(client, world):
    staff = user_with_role("staff", purchasers=[world["repeat"].purchaser])
    content = get(client, staff).content.decode()
    assert "REPEAT-1" in content and "LATE-1" not in content
    assert get(client, staff).context["flagged_total"] == 1


def test_csv_export(client, world):
    client.force_login(user_with_role("analyst"))
    response = client.get(URL, {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("contract,reference,")
    repeat_line = next(line for line in lines if "REPEAT-1" in line)
    assert "repeat_single_source,amber" in repeat_line and f"contract:{world['first'].pk}" in repeat_line


# session, user, settings, data version, the flagged rows (when not cached), the page's contracts, the purchasers'
# names, evidence (one per flag raised on the page), visibility (one per kind of evidence); on PostgreSQL the
# flagged rows' query turns JIT compilation off for itself first (one more statement)
QUERIES = 14


@pytest.mark.parametrize("cached", [True, False])
@pytest.mark.parametrize("rows", [5, 50])
def test_query_count_is_fixed(client, rows, cached):
    """Every flag raised on every row (repeat, split, late, overpaid, paid before signing, duplicate, missing
    review...): the page costs the same number of queries for 5 rows as for 50."""
    purchaser = PurchaserFactory()
    organization = ContractFactory(status="draft").organization
    analyst = user_with_role("analyst")
    for _n in range(rows):
        contract = ContractFactory(
            purchaser=purchaser, organization=organization, procurement_method="single_source",
            signed_on=datetime.date(2025, 1, 10), start_on=datetime.date(2025, 1, 10),
            end_on=datetime.date(2025, 1, 31), amount=D("600000"), restricted_amount=0)
        PaymentFactory(contract=contract, amount=D("700000"), paid_on=datetime.date(2025, 1, 1),
                       due_on=datetime.date(2024, 1, 1))
        PaymentFactory(contract=contract, amount=D("700000"), paid_on=datetime.date(2025, 1, 1),
                       due_on=datetime.date(2024, 1, 1))
    client.force_login(analyst)
    client.get(URL)  # warm up the session and caches
    if not cached:
        from django.core.cache import cache

        cache.clear()  # the flagged rows are computed again: one query for all of them
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["contracts"]) == rows
    assert response.context["flagged_total"] == rows
    computed = 0 if cached else 1 + (connection.vendor == "postgresql")
    assert len(queries) == QUERIES + computed, [q["sql"][:120] for q in queries]


def test_api_flags(world):
    client = APIClient()
    client.force_login(user_with_role("analyst"))
    data = client.get("/api/flags/", {"year": 2025, "code": "repeat_single_source"}).json()
    [row] = data["results"]
    assert row["reference"] == "REPEAT-1"
    assert row["flags"] == [{"code": "repeat_single_source", "level": "amber",
                             "evidence": [{"type": "contract", "id": world["first"].pk}],
                             "evidence_outside_scope": 0}]
    assert client.get("/api/flags/", {"level": "red"}).json()["count"] == 1
    csv = b"".join(client.get("/api/flags/", {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert "LATE-1" in csv and "late_payment,red" in csv


def test_api_flags_needs_login_and_follows_scope(world):
    assert APIClient().get("/api/flags/").status_code in (401, 403)
    client = APIClient()
    client.force_login(user_with_role("ngo_manager", organizations=[world["late"].organization]))
    data = client.get("/api/flags/").json()
    assert [r["reference"] for r in data["results"]] == ["LATE-1"]


def test_purchaser_dashboard_counts_each_flag(client, world):
    client.force_login(user_with_role("analyst"))
    response = client.get(reverse("dashboards:purchasers"), {"year": 2025}, HTTP_ACCEPT_LANGUAGE="en")
    rows = {row.purchaser: row for row in response.context["rows"]}
    repeat_row = rows[world["repeat"].purchaser_id]
    assert repeat_row.flags_repeat_single_source == 1 and repeat_row.flags_late_payment == 0
    assert rows[world["late"].purchaser_id].flags_late_payment == 1
    assert "Repeated single-source award" in response.content.decode()


def test_home_counts_flagged_contracts_for_staff(client, world):
    from django.core.cache import cache

    cache.clear()
    staff = user_with_role("staff", purchasers=[world["late"].purchaser])
    client.force_login(staff)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    year = response.context["year"]
    expected = 1 if year == 2025 else 0
    assert response.context["flag_red_count"] == expected
    assert 'id="flag-red-count"' in response.content.decode()


def test_sorting_and_paging_follow_the_flagged_set(client):
    """Sorted by amount, 60 flagged contracts over two pages of 50; the counts cover every page. (Amounts above
    the tender threshold: not a split award.)"""
    purchaser = PurchaserFactory()
    organization = ContractFactory(status="draft").organization
    for n in range(60):
        contract = ContractFactory(purchaser=purchaser, organization=organization, amount=D(1000000 + n),
                                   restricted_amount=0, signed_on=datetime.date(2025, 3, 1),
                                   start_on=datetime.date(2025, 3, 1), end_on=datetime.date(2099, 1, 1))
        PaymentFactory(contract=contract, due_on=datetime.date(2024, 1, 1), paid_on=datetime.date(2024, 2, 15))
    analyst = user_with_role("analyst")
    first = get(client, analyst, sort="amount")
    amounts = [c.amount for c in first.context["contracts"]]
    assert amounts == [D(1000000 + n) for n in range(50)]
    assert first.context["flagged_total"] == 60
    totals = {code: n for code, _d, n in first.context["flag_totals"]}
    assert totals["late_payment"] == 60 and totals["overpaid"] == 0 and totals["split_award"] == 0
    assert [row["total"] for row in first.context["purchaser_rows"]] == [60]
    second = get(client, analyst, sort="-amount", page=2)
    assert [c.amount for c in second.context["contracts"]] == [D(1000000 + n) for n in range(9, -1, -1)]
    # 45 days late: amber, not red (the red filter keeps none of them)
    assert {c.worst_flag for c in second.context["contracts"]} == {"amber"}
    assert get(client, analyst, level="red").context["flagged_total"] == 0
    assert get(client, analyst, code="late_payment", level="amber").context["flagged_total"] == 60


def test_a_new_flagged_contract_shows_at_once(client, world):
    """The flagged set is cached, keyed by the data version: a contract saved after the first view is counted by
    the next one."""
    analyst = user_with_role("analyst")
    assert get(client, analyst).context["flagged_total"] == 2
    late = ContractFactory(end_on=datetime.date(2099, 1, 1), reference="LATE-2")
    PaymentFactory(contract=late, due_on=datetime.date(2024, 1, 1), paid_on=datetime.date(2024, 6, 1))
    response = get(client, analyst)
    assert response.context["flagged_total"] == 3
    assert "LATE-2" in response.content.decode()


def test_api_flags_pages_and_refuses_bad_filters(world):
    client = APIClient()
    client.force_login(user_with_role("analyst"))
    data = client.get("/api/flags/", {"page_size": 1}).json()
    assert data["count"] == 2 and len(data["results"]) == 1
    assert data["results"][0]["reference"] == "REPEAT-1"  # newest first: signed 2025-05-01
    assert client.get("/api/flags/", {"level": "purple"}).status_code == 400
    assert client.get("/api/flags/", {"year": "soon"}).status_code == 400
