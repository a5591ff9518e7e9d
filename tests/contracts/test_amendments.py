"""Amendments: saving one changes the contract's amount and end date in the same transaction, through
the write path and its history; pages, API and CSV."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.amendments import original_amount
from contracts.models import Amendment, Contract
from core import writes
from tests.factories import ContractFactory, user_with_role

pytestmark = pytest.mark.django_db
D = Decimal
ADD = reverse("contracts:amendment_add")


def form(contract, change="20000.00", **extra):
    return {"contract": contract.pk, "signed_on": "2025-06-30", "amount_change": change, "new_end_on": "",
            "reason": "服务人数增加", **extra}


@pytest.fixture
def contract():
    return ContractFactory(amount=D("100000.00"), restricted_amount=D("80000.00"),
                           end_on=datetime.date(2025, 12, 31))


@pytest.fixture
def staff(contract):
    return user_with_role("staff", purchasers=[contract.purchaser])


def test_an_amendment_changes_the_contract_with_history(client, contract, staff):
    client.force_login(staff)
    response = client.post(ADD, form(contract, new_end_on="2026-03-31"))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.amount == D("120000.00")
    assert contract.end_on == datetime.date(2026, 3, 31)
    assert contract.version == 2
    latest = contract.history.first()
    assert latest.amount == D("120000.00") and latest.history_user == staff
    assert "服务人数增加" in (latest.history_change_reason or "")
    assert original_amount(contract) == D("100000.00")
    page = client.get(contract.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="amendments"' in page and "服务人数增加" in page
    assert "Original: 100,000.00" in page
    # the contract form shows the original and the current value
    edit = client.get(reverse("contracts:contract_edit", args=[contract.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Original value: 100,000.00" in edit.content.decode()


def test_a_cut_below_the_restricted_amount_is_refused_and_nothing_changes(client, contract, staff):
    client.force_login(staff)
    response = client.post(ADD, form(contract, change="-30000.00"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "amount_change" in response.context["form"].errors
    assert "restricted amount cannot exceed" in response.content.decode()
    contract.refresh_from_db()
    assert contract.amount == D("100000.00") and contract.version == 1
    assert not Amendment.objects.exists()


def test_an_end_date_before_the_start_is_refused_on_its_field(client, contract, staff):
    client.force_login(staff)
    response = client.post(ADD, form(contract, change="0", new_end_on="2024-01-01"), HTTP_ACCEPT_LANGUAGE="en")
    assert "new_end_on" in response.context["form"].errors
    assert not Amendment.objects.exists()


def test_the_reason_is_required(client, contract, staff):
    client.force_login(staff)
    response = client.post(ADD, form(contract, reason="  "), HTTP_ACCEPT_LANGUAGE="en")
    assert "reason" in response.context["form"].errors
    contract.refresh_from_db()
    assert contract.amount == D("100000.00")


def test_amendment_and_contract_change_atomically(contract, staff, monkeypatch):
    """The contract is saved first; when saving the amendment fails, the contract's change is rolled back."""
    real = writes.save_object

    def failing(user, instance, **kwargs):
        if isinstance(instance, Amendment):
            raise writes.OutOfScope()
        return real(user, instance, **kwargs)

    monkeypatch.setattr(writes, "save_object", failing)
    from contracts.amendments import save_amendment

    with pytest.raises(writes.OutOfScope):
        save_amendment(staff, Amendment(contract=contract, signed_on=datetime.date(2025, 6, 30),
                                        amount_change=D("5000"), reason="x"))
    contract.refresh_from_db()
    assert contract.amount == D("100000.00") and contract.history.count() == 1


@pytest.mark.parametrize("role", ["analyst", "ngo_manager"])
def test_readers_cannot_amend(client, contract, role):
    user = user_with_role(role, organizations=[contract.organization] if role == "ngo_manager" else ())
    client.force_login(user)
    assert client.post(ADD, form(contract)).status_code == 403
    contract.refresh_from_db()
    assert contract.amount == D("100000.00")


def test_staff_cannot_amend_another_purchasers_contract(client, contract):
    other = user_with_role("staff", purchasers=[ContractFactory().purchaser])
    client.force_login(other)
    response = client.post(ADD, form(contract))
    assert response.status_code == 200 and "contract" in response.context["form"].errors
    assert not Amendment.objects.exists()


def test_no_edit_or_delete_pages(client, contract, staff):
    client.force_login(staff)
    client.post(ADD, form(contract))
    amendment = Amendment.objects.get()
    page = client.get(amendment.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "服务人数增加" in page.content.decode()
    assert f"/amendments/{amendment.pk}/edit/" not in page.content.decode()


# --- API -----------------------------------------------------------------------------------------------------

def api(user):
    client = APIClient()
    client.force_login(user)
    return client


def test_api_creates_and_lists_amendments_on_the_contract(contract, staff):
    client = api(staff)
    response = client.post("/api/amendments/", {"contract": contract.pk, "signed_on": "2025-06-30",
                                                "amount_change": "-10000.00", "reason": "减少服务人数"},
                           format="json")
    assert response.status_code == 201, response.content
    contract.refresh_from_db()
    assert contract.amount == D("90000.00")
    data = client.get(f"/api/contracts/{contract.pk}/").json()
    assert data["amount"] == "90000.00"
    assert [a["amount_change"] for a in data["amendments"]] == ["-10000.00"]
    assert data["flags"] == [{"code": "missing_review", "level": "amber", "evidence": [], "evidence_outside_scope": 0}]
    amendment_id = response.json()["id"]
    assert client.delete(f"/api/amendments/{amendment_id}/").status_code == 405
    assert client.patch(f"/api/amendments/{amendment_id}/", {"reason": "x"}, format="json").status_code == 405


def test_api_refusal_names_the_field(contract, staff):
    response = api(staff).post("/api/amendments/", {"contract": contract.pk, "signed_on": "2025-06-30",
                                                    "amount_change": "-100000.00", "reason": "取消"},
                               format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "amount_change" in response.json()
    contract.refresh_from_db()
    assert contract.amount == D("100000.00")


def test_api_reader_cannot_create(contract):
    response = api(user_with_role("analyst")).post(
        "/api/amendments/", {"contract": contract.pk, "signed_on": "2025-06-30", "amount_change": "1.00",
                             "reason": "x"}, format="json")
    assert response.status_code == 403


def test_csv_export_lists_amendments_in_scope(client, contract, staff):
    client.force_login(staff)
    client.post(ADD, form(contract))
    ContractFactory()  # another purchaser's contract, amended by an administrator
    other = Contract.objects.exclude(pk=contract.pk).get()
    Amendment.objects.create(contract=other, signed_on=datetime.date(2025, 7, 1), amount_change=D("1.00"),
                             reason="OTHER-REASON")
    body = b"".join(client.get(reverse("contracts:amendment_list"), {"export": "csv"}).streaming_content)
    text = body.decode("utf-8-sig")
    assert "服务人数增加" in text and "20000.00" in text
    assert "OTHER-REASON" not in text
