"""Purchaser-year indicators (docs/indicators.md) on a hand-built case."""

import datetime
from decimal import Decimal

import pytest

from dashboards.flags import Thresholds
from dashboards.indicators import PURCHASER_COLUMNS
from dashboards.purchaser_indicators import (
    purchaser_indicators,
    spend_by_category,
    spend_by_year_and_category,
    top_suppliers,
)
from organizations.models import Purchaser
from tests.factories import (
    ContractFactory,
    OrganizationFactory,
    PaymentFactory,
    PerformanceReviewFactory,
    PurchaserFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2025, 7, 1)


def scores(value):
    return {f: D(value) for f in ("output_score", "quality_score", "satisfaction_score", "financial_score")}


@pytest.fixture
def hand_built():
    """Purchaser P signs in 2025: X 60 000 (public tender) and 20 000 (single source), Y 40 000 (inquiry),
    Z 30 000 (single source). Not counted: a draft and a cancelled contract of Z, a contract of Y signed on
    2024-12-31."""
    p = PurchaserFactory(name="某区残联")
    x, y, z = (OrganizationFactory(name=n) for n in ("X 中心", "Y 协会", "Z 基金会"))
    def contract(organization, amount, **kwargs):
        return ContractFactory(purchaser=p, organization=organization, amount=D(amount), restricted_amount=D("0"),
                               **kwargs)

    x1 = contract(x, "60000", service_category="rehab_children")
    contract(x, "20000", procurement_method="single_source", service_category="daily_care",
             signed_on=datetime.date(2025, 12, 31))
    y1 = contract(y, "40000", procurement_method="inquiry", service_category="daily_care")
    contract(z, "30000", procurement_method="single_source", service_category="employment")
    draft = contract(z, "100000", status="draft", procurement_method="single_source")
    contract(z, "50000", status="cancelled")
    contract(y, "70000", signed_on=datetime.date(2024, 12, 31), start_on=datetime.date(2025, 1, 1))
    # Reviews in 2025: 85 and 50 (failed); not counted: one of the draft contract, one from 2024.
    PerformanceReviewFactory(contract=x1, reviewed_on=datetime.date(2025, 6, 1), **scores("85"))
    PerformanceReviewFactory(contract=y1, reviewed_on=datetime.date(2025, 6, 2), **scores("50"))
    PerformanceReviewFactory(contract=draft, reviewed_on=datetime.date(2025, 6, 3), **scores("10"))
    PerformanceReviewFactory(contract=y1, reviewed_on=datetime.date(2024, 12, 31), **scores("20"))
    # Payments: one overdue (due before TODAY, unpaid); one paid; one due after TODAY; one of the draft.
    PaymentFactory(contract=x1, due_on=datetime.date(2025, 6, 1), paid_on=None)
    PaymentFactory(contract=x1, due_on=datetime.date(2025, 5, 1), paid_on=datetime.date(2025, 6, 15))
    PaymentFactory(contract=y1, due_on=datetime.date(2025, 7, 1), paid_on=None)
    PaymentFactory(contract=draft, due_on=datetime.date(2025, 1, 1), paid_on=None)
    return p, x, y, z


def test_hand_built_purchaser(hand_built):
    p = hand_built[0]
    [row] = purchaser_indicators(Purchaser.objects.filter(pk=p.pk), 2025, today=TODAY)
    assert row.purchaser == p.pk and row.purchaser_name == "某区残联" and row.year == 2025
    assert row.contract_count == 4
    assert row.spend == D("150000.00")
    # supplier shares: X 80 000, Y 40 000, Z 30 000 of 150 000
    expected_hhi = (D(80000) ** 2 + D(40000) ** 2 + D(30000) ** 2) * 10000 / D(150000) ** 2
    assert row.supplier_hhi == expected_hhi
    assert str(row.supplier_hhi).startswith("3955.5555")
    assert row.top_supplier_share == D(80000) / D(150000)
    assert row.single_source_share == D(50000) / D(150000)
    assert row.average_review_score == D("67.5")  # (85 + 50) / 2
    assert row.failed_reviews == 1
    assert row.overdue_payments == 1
    # v2, small numbers: 4 counted contracts (fewer than 5) → concentration computed but not judged
    # (v1 flagged both red)
    assert row.supplier_hhi_flag is None
    assert row.single_source_share_flag is None
    assert row.worst_flag is None
    assert list(row.as_dict()) == PURCHASER_COLUMNS


def test_small_number_rule_judges_from_five_contracts(hand_built):
    """A fifth counted contract (Y, 50 000, inquiry) makes the year judgeable: spend 200 000, X 80 000, Y 90 000,
    Z 30 000 → HHI 40² + 45² + 15² = 3 850 (red); single source 50 000 / 200 000 = 25 % (red)."""
    p, _x, y, _z = hand_built
    ContractFactory(purchaser=p, organization=y, amount=D("50000"), restricted_amount=D("0"),
                    procurement_method="inquiry")
    [row] = purchaser_indicators(Purchaser.objects.filter(pk=p.pk), 2025, today=TODAY)
    assert row.contract_count == 5
    assert row.supplier_hhi == D("3850")
    assert row.single_source_share == D("0.25")
    assert row.supplier_hhi_flag == "red" and row.single_source_share_flag == "red"
    assert row.worst_flag == "red"


def test_previous_year_and_empty_year(hand_built):
    p = hand_built[0]
    rows = purchaser_indicators(Purchaser.objects.filter(pk=p.pk), [2024, 2026], today=TODAY)
    assert [(r.year, r.contract_count, r.spend) for r in rows] == [(2024, 1, D("70000.00")), (2026, 0, D("0"))]
    assert rows[0].supplier_hhi == D("10000") and rows[0].single_source_share == D("0")
    assert rows[0].single_source_share_flag is None  # one contract: too few to judge (v2; v1 "none")
    assert rows[0].average_review_score == D("20") and rows[0].failed_reviews == 1
    empty = rows[1]
    assert empty.supplier_hhi is None and empty.top_supplier_share is None and empty.single_source_share is None
    assert empty.average_review_score is None and empty.failed_reviews == 0 and empty.overdue_payments == 0
    assert empty.supplier_hhi_flag is None and empty.worst_flag is None


def test_single_source_boundary():
    p = PurchaserFactory()
    for _ in range(4):  # v2: five contracts, so that the share is judged
        ContractFactory(purchaser=p, restricted_amount=D("0"), amount=D("23750"))
    ContractFactory(purchaser=p, restricted_amount=D("0"),
                    amount=D("5000"), procurement_method="single_source")
    [row] = purchaser_indicators(Purchaser.objects.filter(pk=p.pk), 2025)
    assert row.single_source_share == D("0.05") and row.single_source_share_flag == "amber"


def test_summary_helpers(hand_built):
    p, x, y, z = hand_built
    top = top_suppliers(p, 2025)
    assert [(t["organization"], t["spend"], t["contract_count"]) for t in top] == [
        (x.pk, D("80000.00"), 2), (y.pk, D("40000.00"), 1), (z.pk, D("30000.00"), 1)]
    assert top[2]["share"] == D("0.2")
    assert spend_by_category(p, 2025) == [("daily_care", 2, D("60000.00")), ("rehab_children", 1, D("60000.00")),
                                          ("employment", 1, D("30000.00"))]
    assert spend_by_year_and_category(p) == {
        2024: {"rehab_children": D("70000.00")},
        2025: {"rehab_children": D("60000.00"), "daily_care": D("60000.00"), "employment": D("30000.00")}}


@pytest.mark.parametrize("n", [5, 60])
def test_query_count_is_fixed(n, django_assert_num_queries):
    for _ in range(n):
        c = ContractFactory()
        PaymentFactory(contract=c, paid_on=None)
        PerformanceReviewFactory(contract=c)
    thresholds = Thresholds.load()
    with django_assert_num_queries(3):
        rows = purchaser_indicators(Purchaser.objects.all(), range(2024, 2026), thresholds=thresholds)
    assert len(rows) == 2 * n
    assert sum(r.overdue_payments for r in rows) == n
