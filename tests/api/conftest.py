"""Shared fixtures of the API tests: an API client, a small world with every role, and no throttling leftovers."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import (
    ContractFactory,
    OrganizationFactory,
    PaymentFactory,
    PurchaserFactory,
    RegionFactory,
    UserFactory,
    user_with_role,
)


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """Throttle counters live in the cache: start every test with none, so no test is throttled by another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


def client_for(user):
    """An API client logged in (session) as ``user``."""
    client = APIClient()
    client.force_login(user)
    return client


class World:
    """Two prefectures; staff of prefecture A (their purchaser's region and the county below it), staff of B, an
    NGO manager for an organization in each, an analyst, an administrator and a user without a role.

    region tree: 220000 province ─ 220100 prefecture A ─ 220102 county A1
                                  └ 220200 prefecture B
    purchasers: bureau_a (220100), bureau_a1 (220102), bureau_b (220200)
    contracts:  contract_a  bureau_a  → org_a (2025, 100 000.00)
                contract_a1 bureau_a1 → org_a (2024, 50 000.00)
                contract_b  bureau_b  → org_b (2025, 200 000.00)
    """

    def __init__(self):
        self.province = RegionFactory(code="220000", name="吉林省", level="province")
        self.pref_a = RegionFactory(code="220100", name="长春市", level="prefecture", parent=self.province)
        self.county_a1 = RegionFactory(code="220102", name="南关区", level="county", parent=self.pref_a)
        self.pref_b = RegionFactory(code="220200", name="吉林市", level="prefecture", parent=self.province)
        self.bureau_a = PurchaserFactory(name="长春市民政局", region=self.pref_a, level="municipal")
        self.bureau_a1 = PurchaserFactory(name="南关区残联", region=self.county_a1, kind="disabled_persons_federation")
        self.bureau_b = PurchaserFactory(name="吉林市民政局", region=self.pref_b, level="municipal")
        self.org_a = OrganizationFactory(name="南关区康复中心", region=self.county_a1)
        self.org_b = OrganizationFactory(name="吉林市助残服务社", region=self.pref_b, legal_form="social_group")
        self.contract_a = ContractFactory(reference="CC-2025-001", purchaser=self.bureau_a, organization=self.org_a)
        self.contract_a1 = ContractFactory(reference="NG-2024-007", purchaser=self.bureau_a1, organization=self.org_a,
                                           signed_on=datetime.date(2024, 3, 1), start_on=datetime.date(2024, 4, 1),
                                           end_on=datetime.date(2024, 12, 31), amount=Decimal("50000.00"),
                                           restricted_amount=Decimal("0.00"))
        self.contract_b = ContractFactory(reference="JL-2025-001", purchaser=self.bureau_b, organization=self.org_b,
                                          amount=Decimal("200000.00"), restricted_amount=Decimal("150000.00"),
                                          procurement_method="single_source")
        self.payment_a = PaymentFactory(contract=self.contract_a)
        self.payment_b = PaymentFactory(contract=self.contract_b)
        self.admin = user_with_role("administrator", username="admin")
        self.staff_a = user_with_role("staff", purchasers=[self.bureau_a], username="staff_a")
        self.staff_b = user_with_role("staff", purchasers=[self.bureau_b], username="staff_b")
        self.ngo_a = user_with_role("ngo_manager", organizations=[self.org_a], username="ngo_a")
        self.ngo_b = user_with_role("ngo_manager", organizations=[self.org_b], username="ngo_b")
        self.analyst = user_with_role("analyst", username="analyst")
        self.nobody = UserFactory(username="nobody")


@pytest.fixture
def world(db):
    return World()
