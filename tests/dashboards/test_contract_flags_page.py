"""The contract page shows its integrity flags with their evidence; evidence outside the reader's scope is
counted, never named."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import ContractFactory, PaymentFactory, PerformanceReviewFactory, user_with_role

pytestmark = pytest.mark.django_db
FAIL = {"output_score": 40, "quality_score": 40, "satisfaction_score": 40, "financial_score": 40}


def page(client, user, contract):
    client.force_login(user)
    return client.get(contract.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_contract_page_shows_its_flags_with_evidence(client):
    contract = ContractFactory(amount=Decimal("100000"), end_on=datetime.date(2025, 12, 31))
    PerformanceReviewFactory(contract=contract, reviewed_on=datetime.date(2025, 11, 1), **FAIL)
    payment = PaymentFactory(contract=contract, kind="final", amount=Decimal("150000"),
                             due_on=datetime.date(2025, 12, 1), paid_on=datetime.date(2025, 12, 1))
    content = page(client, user_with_role("analyst"), contract)
    assert 'data-flag="overpaid" data-level="red"' in content
    assert 'data-flag="paid_despite_failure" data-level="red"' in content
    assert "Red: Overpaid" in content  # the level in words beside the colour
    assert payment.get_absolute_url() in content
    assert "No integrity flags" not in content


def test_contract_without_problems_says_so(client):
    contract = ContractFactory(end_on=datetime.date(2099, 12, 31))
    PaymentFactory(contract=contract)
    content = page(client, user_with_role("analyst"), contract)
    assert "No integrity flags" in content
    assert "data-flag=" not in content


def test_evidence_outside_the_scope_is_counted_not_named(client, monkeypatch):
    """Every evidence of the eleven flags shares the flagged contract's purchaser and organization; a flag whose
    evidence may lie elsewhere (the accountability issue's related_party) must still name only what the reader
    may see: a flag registered for the test points at a contract of another purchaser."""
    from django.db.models import Q

    from dashboards import integrity

    elsewhere = ContractFactory(reference="ELSEWHERE-1")
    contract = ContractFactory(end_on=datetime.date(2099, 1, 1))
    mine = ContractFactory(purchaser=contract.purchaser, organization=contract.organization, reference="MINE-1",
                           end_on=datetime.date(2099, 1, 1))
    flags = dict(integrity.FLAGS)
    flags["test_flag"] = integrity.FlagDefinition(
        "test_flag", "Test flag", "", (integrity.AMBER,), "",
        lambda settings, today: integrity.leveled(amber=Q(pk=contract.pk)),
        lambda contracts, settings, today: {contract.pk: [("contracts.contract", elsewhere.pk),
                                                          ("contracts.contract", mine.pk)]})
    monkeypatch.setattr(integrity, "FLAGS", flags)
    staff = user_with_role("staff", purchasers=[contract.purchaser])
    content = page(client, staff, contract)
    assert "MINE-1" in content
    assert "ELSEWHERE-1" not in content and elsewhere.get_absolute_url() not in content
    assert "and 1 record outside your scope" in content
    content = page(client, user_with_role("analyst"), contract)
    assert "ELSEWHERE-1" in content
