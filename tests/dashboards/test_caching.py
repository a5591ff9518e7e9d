"""The dashboards' short-lived cache of whole-scope computations: a change made through the application shows at
once, different users and filters never share rows, paging a sorted table stays in order."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards import caching
from tests.factories import (
    ContractFactory,
    IncomeRecordFactory,
    OrganizationFactory,
    PaymentFactory,
    PurchaserFactory,
    RegionFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db
D = Decimal
DEPENDENCY = reverse("dashboards:dependency")


def shares(response):
    return {row.organization_name: row.government_share for row in response.context["rows"]}


def test_second_view_is_served_from_the_cache_with_fewer_queries(client, django_assert_max_num_queries):
    org = OrganizationFactory(name="甲机构")
    PaymentFactory(contract=ContractFactory(organization=org), amount=D("30000"))
    client.force_login(user_with_role("analyst"))
    client.get(DEPENDENCY, {"year": 2025})
    assert len(caching._entries) == 1
    with django_assert_max_num_queries(8):
        response = client.get(DEPENDENCY, {"year": 2025, "sort": "organization_name"})
    assert shares(response) == {"甲机构": D("1")}


def test_a_new_income_record_shows_at_once(client):
    org = OrganizationFactory(name="甲机构")
    PaymentFactory(contract=ContractFactory(organization=org), amount=D("30000"))
    client.force_login(user_with_role("analyst"))
    assert shares(client.get(DEPENDENCY, {"year": 2025})) == {"甲机构": D("1")}
    IncomeRecordFactory(organization=org, amount=D("10000"))  # 30,000 of 40,000 from government
    assert shares(client.get(DEPENDENCY, {"year": 2025})) == {"甲机构": D("0.75")}


def test_a_deleted_payment_shows_at_once(client):
    org = OrganizationFactory(name="甲机构")
    contract = ContractFactory(organization=org)
    PaymentFactory(contract=contract, amount=D("30000"))
    extra = PaymentFactory(contract=contract, amount=D("10000"))
    IncomeRecordFactory(organization=org, amount=D("10000"))
    client.force_login(user_with_role("analyst"))
    assert shares(client.get(DEPENDENCY, {"year": 2025})) == {"甲机构": D("0.8")}
    extra.delete()
    assert shares(client.get(DEPENDENCY, {"year": 2025})) == {"甲机构": D("0.75")}


def test_users_with_different_scopes_do_not_share_rows(client):
    north, south = RegionFactory(name="北区"), RegionFactory(name="南区")
    pa, pb = PurchaserFactory(region=north), PurchaserFactory(region=south)
    PaymentFactory(contract=ContractFactory(purchaser=pa, organization=OrganizationFactory(name="北机构")))
    PaymentFactory(contract=ContractFactory(purchaser=pb, organization=OrganizationFactory(name="南机构")))
    client.force_login(user_with_role("analyst"))
    assert set(shares(client.get(DEPENDENCY, {"year": 2025}))) == {"北机构", "南机构"}
    client.force_login(user_with_role("staff", purchasers=[pa]))
    assert set(shares(client.get(DEPENDENCY, {"year": 2025}))) == {"北机构"}


def test_filters_do_not_share_rows(client):
    north, south = RegionFactory(name="北区"), RegionFactory(name="南区")
    PaymentFactory(contract=ContractFactory(organization=OrganizationFactory(name="北机构", region=north)))
    PaymentFactory(contract=ContractFactory(organization=OrganizationFactory(name="南机构", region=south)))
    client.force_login(user_with_role("analyst"))
    assert set(shares(client.get(DEPENDENCY, {"year": 2025}))) == {"北机构", "南机构"}
    assert set(shares(client.get(DEPENDENCY, {"year": 2025, "region": south.pk}))) == {"南机构"}


def test_pages_of_a_table_sorted_by_an_indicator_follow_each_other(client):
    # 30 organizations; the n-th has 1,000 × n from government and 1,000 × (31 − n) from a donor.
    for n in range(1, 31):
        org = OrganizationFactory(name=f"机构{n:02d}")
        PaymentFactory(contract=ContractFactory(organization=org), amount=D(1000 * n))
        IncomeRecordFactory(organization=org, amount=D(1000 * (31 - n)))
    client.force_login(user_with_role("analyst"))
    query = {"year": 2025, "sort": "-government_share", "per_page": 25}
    first = [row.organization_name for row in client.get(DEPENDENCY, query).context["rows"]]
    second = [row.organization_name for row in client.get(DEPENDENCY, {**query, "page": 2}).context["rows"]]
    assert first == [f"机构{n:02d}" for n in range(30, 5, -1)]
    assert second == [f"机构{n:02d}" for n in range(5, 0, -1)]


def test_cache_keeps_a_bounded_number_of_computations(client):
    PaymentFactory()
    client.force_login(user_with_role("analyst"))
    for year in range(2010, 2010 + caching.MAX_ENTRIES + 3):
        client.get(DEPENDENCY, {"year": year})
    assert len(caching._entries) == caching.MAX_ENTRIES


def test_home_figures_follow_a_new_contract_at_once(client):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    signed = datetime.date(today.year, 1, 2)
    ContractFactory(signed_on=signed, start_on=signed, end_on=datetime.date(today.year, 12, 31),
                    amount=D("100000"))
    client.force_login(user_with_role("analyst"))
    first = client.get(reverse("home")).context
    assert (first["contract_count"], first["spend"]) == (1, D("100000"))
    ContractFactory(signed_on=signed, start_on=signed, end_on=datetime.date(today.year, 12, 31),
                    amount=D("50000"), restricted_amount=D("0"))
    second = client.get(reverse("home")).context
    assert (second["contract_count"], second["spend"]) == (2, D("150000"))
