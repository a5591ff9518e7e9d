"""The indicator API's JSON pages are written by ``core.representation`` from the rows, not by running each row
through the serializer: the bytes must be those the serializer gave (every field, decimals as strings or numbers,
None, the pagination links and counts)."""

import json
from decimal import Decimal

import pytest
from rest_framework.renderers import JSONRenderer

from core.representation import representer
from dashboards import caching
from dashboards.api import views
from dashboards.api.serializers import OrganizationYearSerializer, PurchaserYearSerializer
from dashboards.indicators import ORGANIZATION_COLUMNS, OrganizationYear, PurchaserYear
from dashboards.integrity import FLAGS

from .conftest import client_for
from .test_indicators import case  # noqa: F401  (the hand-built organizations and purchasers)

pytestmark = pytest.mark.django_db


def serializer_json(serializer_class, rows):
    return JSONRenderer().render(serializer_class(rows, many=True).data)


def fast_json(serializer_class, rows):
    return JSONRenderer().render(representer(serializer_class())(rows))


def tricky_organization(**values):
    """A row whose values sit on every rounding edge: half-way ties (which the money fields round half-even like
    DRF's default context, the numbers half-up), more places than shown, negatives, floats, zero and None."""
    base = {"organization": 7, "organization_name": "康复 \"中心\", 1", "year": 2025}
    return OrganizationYear(**{**base, **values})


TRICKY = [
    tricky_organization(),  # the defaults: zeros and None
    tricky_organization(
        total_income=Decimal("1234567.125"), contract_income=Decimal("0.135"), government_income=Decimal("-2.005"),
        restricted_income=Decimal("10"), government_share=Decimal("0.76125"), top_funder_share=Decimal("0.00005"),
        top_funder_name="甲民政局", funder_hhi=Decimal("2500.5"), restricted_ratio=Decimal("-0.33335"),
        reserve_months=Decimal("3.25"), management_expense_ratio=0.12345, renewal_exposure=Decimal("1"),
        revenue_type_hhi=Decimal("9999.4999"), commercial_share=Decimal("0.99995"), equity_ratio=Decimal("12.3"),
        operating_margin=Decimal("-0.00005"), status="red", equity_ratio_percentile=Decimal("83.35"),
        revenue_type_hhi_percentile=Decimal("100"), management_expense_ratio_percentile=Decimal("0.05"),
        operating_margin_percentile=Decimal("49.95"), government_share_flag="red", top_funder_share_flag="amber",
        funder_hhi_flag="none", mission_drift=Decimal("0.5"), outside_scope_income=Decimal("50000.125"),
        salary_to_peers=Decimal("1.005"), salary_per_staff=Decimal("50000.125"),
        peer_median_salary=Decimal("41234.565"), peer_count=12, reported_government_income=Decimal("0"),
        reported_income_gap=Decimal("-1.23455"), related_party_income=Decimal("3.3333333"),
        related_party_share=Decimal("0.66665"), mission_drift_flag="amber", related_party_share_flag="red"),
]


def test_tricky_values_are_written_as_the_serializer_writes_them():
    body = fast_json(OrganizationYearSerializer, TRICKY)
    assert body == serializer_json(OrganizationYearSerializer, TRICKY)
    written = json.loads(body)[1]
    assert list(written) == ORGANIZATION_COLUMNS
    # By hand, so that the comparison cannot pass with both sides wrong the same way.
    assert written["total_income"] == "1234567.12"  # money: a string, DRF's default rounding (half-even)
    assert written["government_income"] == "-2.00"
    assert written["government_share"] == 0.7613  # ratios: numbers, half-up to 4 places
    assert written["top_funder_share"] == 0.0001
    assert written["funder_hhi"] == 2501 and written["revenue_type_hhi"] == 9999
    assert written["management_expense_ratio"] == 0.1235  # a float, converted through its text like DRF
    assert written["equity_ratio_percentile"] == 83.4 and written["operating_margin"] == -0.0001
    assert written["salary_to_peers"] == 1.01 and written["peer_count"] == 12
    assert written["reserve_months_flag"] is None and written["status"] == "red"
    assert json.loads(body)[0]["total_income"] == "0.00" and json.loads(body)[0]["government_share"] is None


def test_purchaser_rows_with_flag_counts_are_written_as_the_serializer_writes_them():
    rows = [PurchaserYear(purchaser=3, purchaser_name="乙残联", year=2024),
            PurchaserYear(purchaser=4, purchaser_name="甲民政局", year=2025, contract_count=6,
                          spend=Decimal("100.005"), supplier_hhi=Decimal("3333.5"), top_supplier_share=Decimal("0.5"),
                          single_source_share=Decimal("0.12345"), average_review_score=Decimal("77.125"),
                          failed_reviews=2, overdue_payments=1, supplier_hhi_flag="amber",
                          single_source_share_flag="none")]
    for number, row in enumerate(rows):
        for code in FLAGS:
            setattr(row, f"flags_{code}", number * 3)
    body = fast_json(PurchaserYearSerializer, rows)
    assert body == serializer_json(PurchaserYearSerializer, rows)
    written = json.loads(body)[1]
    assert written["spend"] == "100.00" and written["average_review_score"] == 77.13
    assert written["supplier_hhi"] == 3334 and written[f"flags_{next(iter(FLAGS))}"] == 3


def test_a_field_reading_another_attribute_is_refused():
    from rest_framework import serializers

    class Nested(serializers.Serializer):
        name = serializers.CharField(source="organization.name")

    with pytest.raises(ValueError):
        representer(Nested())


def reference_representer(serializer):
    """What the view did before: every row through the serializer's fields."""
    return lambda rows: type(serializer)(rows, many=True, context=serializer.context).data


@pytest.mark.parametrize("path, queries", [
    ("/api/indicators/organizations/", [{"year_min": 2023, "year_max": 2025, "page_size": 2, "page": page}
                                        for page in (1, 2, 3)] + [{"year": 2025}]),
    ("/api/indicators/purchasers/", [{"year_min": 2024, "year_max": 2025, "page_size": 1, "page": page}
                                     for page in (1, 2, 4)] + [{"year": 2025}]),
])
def test_pages_are_the_same_bytes_as_through_the_serializer(case, monkeypatch, path, queries):  # noqa: F811
    client = client_for(case["analyst"])
    for query in queries:
        caching.clear()
        fast = client.get(path, query)
        monkeypatch.setattr(views, "representer", reference_representer)
        caching.clear()
        slow = client.get(path, query)
        monkeypatch.undo()
        assert fast.status_code == slow.status_code == 200
        assert fast.content == slow.content, query
        data = fast.json()
        assert data["results"], query  # a comparison of empty pages would prove nothing
        if query.get("page_size"):
            assert data["count"] > query["page_size"]
            assert (data["next"] is None) == (query["page"] * query["page_size"] >= data["count"])
