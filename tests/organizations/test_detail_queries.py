"""The organization page costs the same number of queries whatever the size of the organization's record: one
contract, income record and annual report or many of each over several years."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AnnualReportFactory,
    ContractFactory,
    IncomeRecordFactory,
    OrganizationFactory,
    PaymentFactory,
    PurchaserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def count_queries(client, org):
    url = reverse("organizations:organization_detail", args=[org.pk])
    client.get(url)  # warm up (session, translations)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["analyst", "administrator"])
def test_query_count_does_not_depend_on_the_organization(client, role):
    unit = PurchaserFactory(name="主管单位")
    bare = OrganizationFactory(name="小机构", business_supervisory_unit=unit)
    PaymentFactory(contract=ContractFactory(organization=bare))
    IncomeRecordFactory(organization=bare, fiscal_year=2025)
    AnnualReportFactory(organization=bare, fiscal_year=2025)
    busy = OrganizationFactory(name="大机构", business_supervisory_unit=unit)
    for year in (2023, 2024, 2025):
        for _ in range(3):
            PaymentFactory(contract=ContractFactory(organization=busy))
        IncomeRecordFactory(organization=busy, fiscal_year=year)
        IncomeRecordFactory(organization=busy, fiscal_year=year, funder_name="李四")
        AnnualReportFactory(organization=busy, fiscal_year=year)
    client.force_login(user_with_role(role))
    few, many = count_queries(client, bare), count_queries(client, busy)
    assert few == many
    assert many <= 25  # 18 for an analyst; an administrator adds the "may change" questions
    assert "主管单位" in client.get(reverse("organizations:organization_detail", args=[busy.pk])).content.decode()
