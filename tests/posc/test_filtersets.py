import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory

from contracts.filtersets import ContractFilterSet, PaymentFilterSet
from contracts.models import Contract, Payment
from organizations.models import Region
from tests.factories import ContractFactory, PaymentFactory, RegionFactory, user_with_role

pytestmark = pytest.mark.django_db


def _filter(filterset_class, model, params, user):
    request = RequestFactory().get("/", params)
    request.user = user
    fs = filterset_class(params, queryset=model.objects.visible_to(user), request=request)
    assert fs.is_valid(), fs.errors
    return set(fs.qs)


def test_contract_filters_narrow_rows():
    admin = user_with_role("administrator")
    prefecture = RegionFactory(code="229100", level="prefecture")
    county = RegionFactory(code="229101", parent=prefecture)
    other = RegionFactory(code="229200")
    a = ContractFactory(title="儿童康复", region=county, amount=Decimal("50000"), restricted_amount=Decimal("0"),
                        service_category="rehab_children", signed_on=datetime.date(2024, 5, 1))
    b = ContractFactory(title="居家照料", region=other, amount=Decimal("200000"), service_category="daily_care")
    assert _filter(ContractFilterSet, Contract, {"q": "儿童"}, admin) == {a}
    assert _filter(ContractFilterSet, Contract, {"q": b.organization.uscc.lower()}, admin) == {b}
    assert _filter(ContractFilterSet, Contract, {"region": prefecture.pk}, admin) == {a}
    assert _filter(ContractFilterSet, Contract, {"service_category": ["daily_care"]}, admin) == {b}
    assert _filter(ContractFilterSet, Contract, {"year": 2024}, admin) == {a}
    assert _filter(ContractFilterSet, Contract, {"amount_min": "100000"}, admin) == {b}
    assert _filter(ContractFilterSet, Contract, {"signed_on_after": "2025-01-01"}, admin) == {b}
    assert Region.objects.descendants_of(prefecture).count() == 2


def test_payment_overdue_filter():
    admin = user_with_role("administrator")
    overdue = PaymentFactory(due_on=datetime.date(2020, 1, 1), paid_on=None)
    paid = PaymentFactory()
    assert _filter(PaymentFilterSet, Payment, {"overdue": "true"}, admin) == {overdue}
    assert _filter(PaymentFilterSet, Payment, {"overdue": "false"}, admin) == {paid}
    assert _filter(PaymentFilterSet, Payment, {"paid": "true"}, admin) == {paid}


def test_choice_filters_offer_only_visible_objects():
    mine = ContractFactory()
    other = ContractFactory()
    manager = user_with_role("ngo_manager", organizations=[mine.organization])
    request = RequestFactory().get("/")
    request.user = manager
    fs = ContractFilterSet({}, queryset=Contract.objects.visible_to(manager), request=request)
    assert list(fs.form.fields["organization"].queryset) == [mine.organization]
    assert set(fs.qs) == {mine}
    assert other not in fs.qs
