"""Change history: who changed which field from what to what, shown on the object's page to those who may see it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from contracts.models import Contract
from core.history import history_for
from tests.test_roles_matrix import World, form_data


@pytest.fixture
def world(db, role_groups):
    w = World()
    staff = w.users["staff"]
    staff.first_name = "王芳"  # a Chinese full name in one field
    staff.save()
    return w


def zh(model, name):
    with translation.override("zh-hans"):
        return str(model._meta.get_field(name).verbose_name)


def test_editing_a_contract_through_the_page_is_recorded_and_shown(client, world):
    contract = world.contract_a
    url = f"/contracts/{contract.pk}/edit/"
    client.force_login(world.users["staff"])
    data = form_data(client.get(url))
    data.update({"amount": "120,000.00", "status": "completed"})
    assert client.post(url, data).status_code == 302

    entries = history_for(Contract.objects.get(pk=contract.pk))
    latest = entries[0]
    assert latest.kind == "~"
    assert latest.user == world.users["staff"]
    with translation.override("zh-hans"):
        changed = {c.name: (c.old, c.new) for c in latest.fields}
    assert changed["amount"] == ("100,000.00", "120,000.00")
    assert set(changed) == {"amount", "status"}

    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="history"' in page
    assert "王芳" in page
    assert zh(Contract, "amount") in page
    assert "100,000.00" in page and "120,000.00" in page
    with translation.override("zh-hans"):
        from contracts.choices import ContractStatus

        assert str(ContractStatus.ACTIVE.label) in page
        assert str(ContractStatus.COMPLETED.label) in page


def test_another_organizations_manager_cannot_see_the_history(client, world):
    contract = world.contract_a
    contract.title = "改过的名称"
    contract.save()
    client.force_login(world.users["ngo_manager_b"])
    response = client.get(f"/contracts/{contract.pk}/")
    assert response.status_code == 404
    assert "改过的名称" not in response.content.decode()
    client.force_login(world.users["ngo_manager"])  # organization A's manager: their own contract
    assert "改过的名称" in client.get(f"/contracts/{contract.pk}/").content.decode()


def test_payment_changes_show_on_their_contract(world):
    payment = world.payment_a
    payment.amount = Decimal("31000.00")
    payment.save()
    entries = history_for(world.contract_a)
    payment_changes = [e for e in entries if e.subject and e.kind == "~"]
    assert len(payment_changes) == 1
    assert [(c.name, c.old, c.new) for c in payment_changes[0].fields] == [("amount", "30,000.00", "31,000.00")]


def test_foreign_keys_and_choices_are_shown_by_name(world):
    contract = Contract.objects.get(pk=world.contract_a.pk)
    contract.organization = world.org_b
    contract.procurement_method = "single_source"
    contract.save()
    with translation.override("en"):
        changes = {c.name: (c.old, c.new) for c in history_for(contract)[0].fields}
    assert changes["organization"] == (world.org_a.name, world.org_b.name)
    assert changes["procurement_method"] == ("Public tender", "Single source")


def test_creation_lists_filled_fields_and_deletion_is_recorded(world):
    payment = world.fresh("payment", "a")
    payment.delete()
    entries = [e for e in history_for(world.contract_a) if e.subject]
    kinds = [e.kind for e in entries]
    assert kinds.count("-") == 1
    created = [e for e in entries if e.kind == "+"]
    assert all(c.new != "—" for e in created for c in e.fields)


def test_queries_do_not_grow_with_the_number_of_changes(world):
    contract = Contract.objects.get(pk=world.contract_a.pk)
    with CaptureQueriesContext(connection) as few:
        history_for(contract)
    for i in range(15):
        contract.title = f"第{i}次修改"
        contract.organization = world.org_b if i % 2 else world.org_a
        contract.save()
        world.payment_a.note = f"备注{i}"
        world.payment_a.save()
    with CaptureQueriesContext(connection) as many:
        entries = history_for(contract)
    assert len(entries) >= 30
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 10


@pytest.mark.parametrize("model", ["purchaser", "organization", "incomerecord", "annualreport", "contract", "payment",
                                   "performancereview"])
def test_every_detail_page_shows_its_history(client, world, model):
    from tests.test_roles_matrix import PAGES

    obj = world.obj(model, "a")
    obj.save()  # one more recorded save, by the system
    client.force_login(world.users["ngo_manager"] if model != "purchaser" else world.users["staff"])
    page = client.get(f"{PAGES[model][0]}{obj.pk}/").content.decode()
    assert 'id="history"' in page
    assert page.count('class="history-entry"') >= 1
