import datetime
from decimal import Decimal

import pytest

from tests.factories import ContractFactory, PaymentFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_contract_page_shows_its_flags(client):
    contract = ContractFactory(amount=Decimal("100000"), restricted_amount=Decimal("100000"),
                               end_on=datetime.date(2025, 12, 31))
    PaymentFactory(contract=contract, amount=Decimal("60000"), due_on=datetime.date(2025, 3, 1), paid_on=None)
    PaymentFactory(contract=contract, kind="final", amount=Decimal("50000"), paid_on=datetime.date(2025, 12, 31))
    client.force_login(user_with_role("analyst"))
    page = client.get(contract.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Payments exceed the contract amount" in page
    assert "A payment is overdue" in page
    assert "Final payment made before any passing review" in page
    assert "100 % restricted" in page
    assert "No contract flags" not in page


def test_contract_without_problems_says_so(client):
    contract = ContractFactory(restricted_amount=Decimal("80000"), end_on=datetime.date(2099, 12, 31))
    PaymentFactory(contract=contract)
    client.force_login(user_with_role("analyst"))
    page = client.get(contract.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No contract flags" in page
    assert "A payment is overdue" not in page
