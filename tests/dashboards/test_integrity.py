"""The integrity flags (docs/integrity.md), each on a hand-built case, just outside each window or threshold, and never
on (nor because of) draft or cancelled contracts."""

import datetime
from decimal import Decimal

import pytest

from contracts.models import Amendment, Contract
from dashboards import aggregates
from dashboards.integrity import FLAGS, FlagSettings, flags_for, with_flags
from tests.factories import (
    ContractFactory,
    KeyPersonFactory,
    PaymentFactory,
    PerformanceReviewFactory,
    PurchaserFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = datetime.date(2026, 6, 1)
DAY = datetime.timedelta(days=1)
FAIL = {"output_score": 40, "quality_score": 40, "satisfaction_score": 40, "financial_score": 40}


def level(contract, code):
    row = with_flags(Contract.objects.filter(pk=contract.pk), today=TODAY).get()
    return getattr(row, f"flag_{code}")


def raised(contract):
    row = with_flags(Contract.objects.filter(pk=contract.pk), today=TODAY).get()
    return {code for code in FLAGS if getattr(row, f"flag_{code}")}


def quiet(**kwargs):
    """A contract that raises no flag by itself: reviewed, ended recently, public tender."""
    kwargs.setdefault("end_on", datetime.date(2026, 5, 1))
    return ContractFactory(**kwargs)


def amend(contract, change, **kwargs):
    """An amendment saved as the write path does (the contract's amount moves with it)."""
    Amendment.objects.create(contract=contract, signed_on=contract.signed_on + DAY * 30, amount_change=D(change),
                             reason="服务人数增加", **kwargs)
    Contract.objects.filter(pk=contract.pk).update(amount=contract.amount + D(change))
    aggregates.refresh([contract.organization_id])  # an update() sends no signals
    contract.refresh_from_db()


# --- amended_value ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "expected"), [
    ("10000.00", None),        # exactly 10 % of the original 100,000: not above
    ("10000.01", "amber"),
    ("50000.00", "amber"),     # exactly 50 %
    ("50000.01", "red"),
    ("-20000.00", None),       # a cut never raises it
])
def test_amended_value_bounds_are_strict(change, expected):
    contract = quiet()
    amend(contract, change)
    assert level(contract, "amended_value") == expected


def test_amended_value_uses_the_net_change():
    contract = quiet()
    amend(contract, "30000.00")
    amend(contract, "-25000.00")  # net +5,000 on an original of 100,000
    assert level(contract, "amended_value") is None


# --- repeat_single_source -----------------------------------------------------------------------------------

def single(signed_on, **kwargs):
    return quiet(procurement_method="single_source", signed_on=signed_on, start_on=signed_on, **kwargs)


def test_repeat_single_source_amber_then_red():
    first = single(datetime.date(2025, 1, 10))
    second = single(datetime.date(2025, 6, 1), purchaser=first.purchaser, organization=first.organization)
    third = single(datetime.date(2025, 12, 1), purchaser=first.purchaser, organization=first.organization)
    assert level(first, "repeat_single_source") is None
    assert level(second, "repeat_single_source") == "amber"
    assert level(third, "repeat_single_source") == "red"
    flags = flags_for(with_flags(Contract.objects.filter(pk=third.pk), today=TODAY), _admin())[third.pk]
    [flag] = [f for f in flags if f.code == "repeat_single_source"]
    assert {pk for _kind, pk, _obj in flag.evidence} == {first.pk, second.pk}


def test_repeat_single_source_window_is_365_days():
    first = single(datetime.date(2024, 1, 10))
    inside = single(first.signed_on + DAY * 365, purchaser=first.purchaser, organization=first.organization)
    first2 = single(datetime.date(2022, 1, 10))
    outside = single(first2.signed_on + DAY * 366, purchaser=first2.purchaser, organization=first2.organization)
    same_day = single(datetime.date(2023, 3, 3))
    twin = single(same_day.signed_on, purchaser=same_day.purchaser, organization=same_day.organization)
    assert level(inside, "repeat_single_source") == "amber"
    assert level(outside, "repeat_single_source") is None
    assert level(twin, "repeat_single_source") is None  # 0 days earlier is not "in the 365 days before"


def test_repeat_single_source_needs_single_source_on_both_sides_and_the_same_parties():
    first = single(datetime.date(2025, 1, 10))
    tendered = quiet(purchaser=first.purchaser, organization=first.organization, signed_on=datetime.date(2025, 3, 1))
    other_buyer = single(datetime.date(2025, 3, 1), organization=first.organization)
    assert level(tendered, "repeat_single_source") is None
    assert level(other_buyer, "repeat_single_source") is None


# --- split_award --------------------------------------------------------------------------------------------

def part(first, signed_on, amount, **kwargs):
    return quiet(purchaser=first.purchaser, organization=first.organization, signed_on=signed_on, start_on=signed_on,
                 amount=D(amount), restricted_amount=0, **kwargs)


def test_split_award_raised_on_every_contract_of_the_group():
    a = quiet(signed_on=datetime.date(2025, 3, 1), start_on=datetime.date(2025, 3, 1), amount=D("600000"),
              restricted_amount=0)
    b = part(a, datetime.date(2025, 3, 31), "400000")  # 30 days later: within
    assert level(a, "split_award") == "red"
    assert level(b, "split_award") == "red"
    flags = flags_for(with_flags(Contract.objects.filter(pk__in=[a.pk, b.pk]), today=TODAY), _admin())
    assert [pk for _k, pk, _o in flags[a.pk][0].evidence] == [b.pk]


def test_split_award_just_outside():
    a = quiet(signed_on=datetime.date(2025, 3, 1), start_on=datetime.date(2025, 3, 1), amount=D("600000"),
              restricted_amount=0)
    part(a, datetime.date(2025, 4, 1), "400000")  # 31 days later
    c = quiet(signed_on=datetime.date(2025, 3, 1), start_on=datetime.date(2025, 3, 1), amount=D("600000"),
              restricted_amount=0)
    part(c, datetime.date(2025, 3, 10), "399999.99")  # together below the threshold
    d = quiet(signed_on=datetime.date(2025, 3, 1), start_on=datetime.date(2025, 3, 1), amount=D("1000000"),
              restricted_amount=0)
    part(d, datetime.date(2025, 3, 10), "100000")  # one at the threshold is not below it
    e = quiet(signed_on=datetime.date(2025, 3, 1), start_on=datetime.date(2025, 3, 1), amount=D("600000"),
              restricted_amount=0)
    part(e, datetime.date(2025, 3, 10), "400000", service_category="employment")  # another category
    for contract in (a, c, d, e):
        assert level(contract, "split_award") is None


def test_split_group_is_pairwise_within_the_window():
    # Day 0 and day 60 are 60 days apart: with a contract on day 30 the pairs (0, 30) and (30, 60) are each a group
    # only if they reach the threshold together.
    a = quiet(signed_on=datetime.date(2025, 1, 1), start_on=datetime.date(2025, 1, 1), amount=D("400000"),
              restricted_amount=0)
    b = part(a, datetime.date(2025, 1, 31), "400000")
    c = part(a, datetime.date(2025, 3, 2), "400000")
    assert [level(x, "split_award") for x in (a, b, c)] == [None, None, None]


# --- payments -----------------------------------------------------------------------------------------------

def test_overpaid_counts_paid_payments_only():
    contract = quiet()
    PaymentFactory(contract=contract, amount=D("100000"))
    PaymentFactory(contract=contract, amount=D("5000"), paid_on=None, due_on=TODAY)
    assert level(contract, "overpaid") is None  # exactly the amount paid
    PaymentFactory(contract=contract, amount=D("0.01"), paid_on=datetime.date(2025, 4, 1))
    assert level(contract, "overpaid") == "red"


def test_overpaid_against_the_amended_amount():
    contract = quiet()
    PaymentFactory(contract=contract, amount=D("100000"))
    amend(contract, "-1000.00")
    assert level(contract, "overpaid") == "red"


def test_paid_before_signing():
    contract = quiet(signed_on=datetime.date(2025, 1, 10))
    PaymentFactory(contract=contract, paid_on=datetime.date(2025, 1, 10), due_on=datetime.date(2025, 1, 10))
    assert level(contract, "paid_before_signing") is None
    PaymentFactory(contract=contract, paid_on=datetime.date(2025, 1, 9), due_on=datetime.date(2025, 1, 9))
    assert level(contract, "paid_before_signing") == "amber"


def test_duplicate_payment():
    contract = quiet()
    PaymentFactory(contract=contract, amount=D("30000"), paid_on=datetime.date(2025, 3, 1))
    PaymentFactory(contract=contract, amount=D("30000"), paid_on=datetime.date(2025, 3, 2))
    PaymentFactory(contract=contract, amount=D("30000"), paid_on=None)
    PaymentFactory(amount=D("30000"), paid_on=datetime.date(2025, 3, 1))  # another contract's
    assert level(contract, "duplicate_payment") is None
    twin = PaymentFactory(contract=contract, amount=D("30000"), paid_on=datetime.date(2025, 3, 2))
    assert level(contract, "duplicate_payment") == "amber"
    flags = flags_for(with_flags(Contract.objects.filter(pk=contract.pk), today=TODAY), _admin())[contract.pk]
    assert twin.pk in {pk for _k, pk, _o in flags[0].evidence}


@pytest.mark.parametrize(("due", "paid", "expected"), [
    ("2025-03-01", "2025-03-31", None),       # 30 days late: not more than 30
    ("2025-03-01", "2025-04-01", "amber"),    # 31
    ("2025-03-01", "2025-05-30", "amber"),    # 90
    ("2025-03-01", "2025-05-31", "red"),      # 91
    ("2026-05-02", None, None),               # unpaid, due 30 days before today
    ("2026-05-01", None, "amber"),            # unpaid, 31 days
    ("2026-03-03", None, "amber"),            # unpaid, 90 days
    ("2026-03-02", None, "red"),              # unpaid, 91 days
])
def test_late_payment(due, paid, expected):
    contract = quiet()
    due_on = datetime.date.fromisoformat(due)
    paid_on = datetime.date.fromisoformat(paid) if paid else None
    PaymentFactory(contract=contract, due_on=due_on, paid_on=paid_on)
    assert level(contract, "late_payment") == expected


def test_paid_despite_failure_latest_review_before_payment_decides():
    contract = quiet()
    PerformanceReviewFactory(contract=contract, reviewed_on=datetime.date(2025, 11, 1), **FAIL)
    final = PaymentFactory(contract=contract, kind="final", due_on=datetime.date(2025, 12, 1),
                           paid_on=datetime.date(2025, 12, 1))
    assert level(contract, "paid_despite_failure") == "red"
    # A passing review in between clears it; one on the payment day itself does not count (strictly before).
    PerformanceReviewFactory(contract=contract, reviewed_on=datetime.date(2025, 12, 1))
    assert level(contract, "paid_despite_failure") == "red"
    passing = PerformanceReviewFactory(contract=contract, reviewed_on=datetime.date(2025, 11, 30))
    assert level(contract, "paid_despite_failure") is None
    passing.delete()
    flags = flags_for(with_flags(Contract.objects.filter(pk=contract.pk), today=TODAY), _admin())[contract.pk]
    flag = next(f for f in flags if f.code == "paid_despite_failure")
    assert {(k, pk) for k, pk, _o in flag.evidence} >= {("contracts.payment", final.pk)}
    assert any(k == "contracts.performancereview" for k, _pk, _o in flag.evidence)


def test_paid_despite_failure_only_final_payments():
    contract = quiet()
    PerformanceReviewFactory(contract=contract, reviewed_on=datetime.date(2025, 11, 1), **FAIL)
    PaymentFactory(contract=contract, kind="interim", due_on=datetime.date(2025, 12, 1),
                   paid_on=datetime.date(2025, 12, 1))
    assert level(contract, "paid_despite_failure") is None


# --- reviews -----------------------------------------------------------------------------------------------

def test_renewed_after_failure_window():
    earlier = quiet(signed_on=datetime.date(2024, 1, 10))
    review = PerformanceReviewFactory(contract=earlier, reviewed_on=datetime.date(2024, 12, 1), **FAIL)
    inside = quiet(purchaser=earlier.purchaser, organization=earlier.organization,
                   signed_on=review.reviewed_on + DAY * 365, start_on=review.reviewed_on + DAY * 365,
                   end_on=datetime.date(2026, 5, 1))
    same_day = quiet(purchaser=earlier.purchaser, organization=earlier.organization,
                     signed_on=review.reviewed_on, start_on=review.reviewed_on)
    outside = quiet(purchaser=earlier.purchaser, organization=earlier.organization,
                    signed_on=review.reviewed_on + DAY * 366, start_on=review.reviewed_on + DAY * 366)
    assert level(inside, "renewed_after_failure") == "amber"
    assert level(same_day, "renewed_after_failure") is None
    assert level(outside, "renewed_after_failure") is None
    assert level(earlier, "renewed_after_failure") is None
    flags = flags_for(with_flags(Contract.objects.filter(pk=inside.pk), today=TODAY), _admin())[inside.pk]
    flag = next(f for f in flags if f.code == "renewed_after_failure")
    assert {(k, pk) for k, pk, _o in flag.evidence} == {("contracts.performancereview", review.pk),
                                                         ("contracts.contract", earlier.pk)}


def test_missing_review_after_90_days():
    on_time = quiet(end_on=TODAY - DAY * 90)
    late = quiet(end_on=TODAY - DAY * 91)
    reviewed = quiet(end_on=TODAY - DAY * 200)
    PerformanceReviewFactory(contract=reviewed, reviewed_on=TODAY - DAY * 10)
    assert level(on_time, "missing_review") is None
    assert level(late, "missing_review") == "amber"
    assert level(reviewed, "missing_review") is None


def test_supervisory_conflict():
    contract = quiet()
    assert level(contract, "supervisory_conflict") is None
    contract.organization.business_supervisory_unit = contract.purchaser
    contract.organization.save()
    assert level(contract, "supervisory_conflict") == "amber"
    contract.organization.business_supervisory_unit = PurchaserFactory()
    contract.organization.save()
    assert level(contract, "supervisory_conflict") is None


def test_related_party():
    """Red when a key person held a post at the purchaser in the 3 calendar years before signing; a post that ended
    3 years and 1 day before signing does not count."""
    contract = quiet(signed_on=datetime.date(2025, 6, 30))
    person = KeyPersonFactory(organization=contract.organization, post_purchaser=contract.purchaser,
                              post_title="科长", post_from=datetime.date(2015, 1, 1),
                              post_to=datetime.date(2022, 6, 29))
    assert level(contract, "related_party") is None
    person.post_to = datetime.date(2022, 6, 30)
    person.save()
    assert level(contract, "related_party") == "red"
    other = quiet(organization=contract.organization, signed_on=datetime.date(2025, 6, 30))  # another purchaser
    assert level(other, "related_party") is None


# --- draft and cancelled contracts ---------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_draft_and_cancelled_never_raise_a_flag(status):
    contract = quiet(status=status, procurement_method="single_source", end_on=TODAY - DAY * 200,
                     signed_on=datetime.date(2025, 1, 10))
    contract.organization.business_supervisory_unit = contract.purchaser
    contract.organization.save()
    PaymentFactory(contract=contract, amount=D("200000"), paid_on=datetime.date(2025, 1, 1),
                   due_on=datetime.date(2024, 1, 1))
    PaymentFactory(contract=contract, amount=D("200000"), paid_on=datetime.date(2025, 1, 1),
                   due_on=datetime.date(2024, 1, 1))
    single(datetime.date(2024, 6, 1), purchaser=contract.purchaser, organization=contract.organization)
    assert raised(contract) == set()


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_draft_and_cancelled_are_never_the_other_contract(status):
    first = single(datetime.date(2025, 1, 10), status=status)
    second = single(datetime.date(2025, 6, 1), purchaser=first.purchaser, organization=first.organization)
    assert level(second, "repeat_single_source") is None
    a = quiet(signed_on=datetime.date(2025, 3, 1), start_on=datetime.date(2025, 3, 1), amount=D("600000"),
              restricted_amount=0, status=status)
    b = part(a, datetime.date(2025, 3, 10), "400000")
    assert level(b, "split_award") is None
    failed = quiet(signed_on=datetime.date(2024, 1, 10), status=status)
    PerformanceReviewFactory(contract=failed, reviewed_on=datetime.date(2024, 12, 1), **FAIL)
    renewed = quiet(purchaser=failed.purchaser, organization=failed.organization, signed_on=datetime.date(2025, 2, 1),
                    start_on=datetime.date(2025, 2, 1))
    assert level(renewed, "renewed_after_failure") is None


def test_settings_are_threshold_rows():
    from dashboards.models import Threshold

    a = quiet(signed_on=datetime.date(2025, 3, 1), start_on=datetime.date(2025, 3, 1), amount=D("300000"),
              restricted_amount=0)
    part(a, datetime.date(2025, 3, 10), "300000")
    assert level(a, "split_award") is None
    Threshold.objects.filter(indicator="tender_threshold").update(amber=D("500000"), red=D("500000"))
    assert level(a, "split_award") == "red"
    assert Threshold.objects.get(indicator="late_payment_days").source


def test_settings_load_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        settings = FlagSettings.load()
    assert settings.red("late_payment_days") == 90


def _admin():
    from tests.factories import user_with_role

    return user_with_role("administrator")
