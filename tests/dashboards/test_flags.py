"""Thresholds at their exact boundaries (each compares with ≥, > or < as configured). The contract-level
integrity flags are tested in test_integrity.py."""

from decimal import Decimal

import pytest

from dashboards.choices import Indicator
from dashboards.flags import Thresholds, flag_level, worst
from dashboards.models import Threshold

pytestmark = pytest.mark.django_db
D = Decimal

# (indicator, value, expected level) with the seeded defaults: every boundary and a hair on each side.
BOUNDARIES = [
    ("government_share", "0.4999", "none"), ("government_share", "0.5", "amber"),
    ("government_share", "0.7999", "amber"), ("government_share", "0.8", "red"), ("government_share", "1", "red"),
    ("top_funder_share", "0.3499", "none"), ("top_funder_share", "0.35", "amber"),
    ("top_funder_share", "0.4999", "amber"), ("top_funder_share", "0.5", "red"),
    ("funder_hhi", "1499.9999", "none"), ("funder_hhi", "1500", "amber"), ("funder_hhi", "2499.9999", "amber"),
    ("funder_hhi", "2500", "red"), ("funder_hhi", "10000", "red"),
    ("restricted_ratio", "0.5999", "none"), ("restricted_ratio", "0.6", "amber"),
    ("restricted_ratio", "0.7999", "amber"), ("restricted_ratio", "0.8", "red"),
    # reserve months: below 3 is amber, below 1 is red; exactly 3 and exactly 1 are not below.
    ("reserve_months", "3.0001", "none"), ("reserve_months", "3", "none"), ("reserve_months", "2.9999", "amber"),
    ("reserve_months", "1", "amber"), ("reserve_months", "0.9999", "red"), ("reserve_months", "-2", "red"),
    # management expense ratio: above 10 % is amber, above 20 % is red; exactly 10 % / 20 % are not above.
    ("management_expense_ratio", "0.1", "none"), ("management_expense_ratio", "0.1001", "amber"),
    ("management_expense_ratio", "0.2", "amber"), ("management_expense_ratio", "0.2001", "red"),
    ("renewal_exposure", "0.4999", "none"), ("renewal_exposure", "0.5", "amber"),
    ("renewal_exposure", "0.7999", "amber"), ("renewal_exposure", "0.8", "red"),
    ("supplier_hhi", "1499.99", "none"), ("supplier_hhi", "1500", "amber"), ("supplier_hhi", "2500", "red"),
    ("single_source_share", "0.0499", "none"), ("single_source_share", "0.05", "amber"),
    ("single_source_share", "0.0999", "amber"), ("single_source_share", "0.1", "red"),
    # accountability; related_party_share (amber > 0, red ≥ 25 %) in test_accountability.py
    ("mission_drift", "0.2999", "none"), ("mission_drift", "0.3", "amber"), ("mission_drift", "0.6", "red"),
    ("salary_to_peers", "1.99", "none"), ("salary_to_peers", "2", "amber"), ("salary_to_peers", "3", "red"),
    ("reported_income_gap", "0.0999", "none"), ("reported_income_gap", "0.1", "amber"),
    ("reported_income_gap", "0.25", "red"),
]


@pytest.mark.parametrize(("indicator", "value", "expected"), BOUNDARIES)
def test_every_threshold_at_its_boundary(indicator, value, expected):
    assert Thresholds.load().level(indicator, D(value)) == expected


def test_every_indicator_has_a_seeded_threshold():
    indicators = set(Threshold.objects.filter(indicator__in=Indicator.values).values_list("indicator", flat=True))
    assert len(indicators) == 13
    assert {b[0] for b in BOUNDARIES} | {"related_party_share"} == indicators


def test_undefined_value_has_no_flag():
    assert flag_level("government_share", None) is None


def test_thresholds_are_read_once(django_assert_num_queries):
    with django_assert_num_queries(1):
        thresholds = Thresholds.load()
    with django_assert_num_queries(0):
        for indicator, value, expected in BOUNDARIES:
            assert flag_level(indicator, D(value), thresholds) == expected


def test_an_administrator_edit_changes_the_flag():
    Threshold.objects.filter(indicator="government_share").update(amber=D("0.3"), red=D("0.4"))
    assert flag_level("government_share", D("0.35")) == "amber"
    assert flag_level("government_share", D("0.45")) == "red"


def test_worst_level():
    assert worst([None, "none", "amber"]) == "amber"
    assert worst(["red", "amber"]) == "red"
    assert worst([None, None]) is None
