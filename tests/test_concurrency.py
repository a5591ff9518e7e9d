"""No lost updates: two users edit the same contract, payment or review at once; the later save is refused with a
message naming what the other user changed, the form keeps what was typed, and the first save stays intact."""

import datetime
import threading
import time
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import translation

from contracts.models import Contract, Payment, PerformanceReview
from core import concurrency
from core.concurrency import ConcurrentEditError, OptimisticLockFormMixin
from core.forms import PoscModelForm
from tests import factories as f
from tests.test_roles_matrix import World, form_data


@pytest.fixture
def world(db, role_groups):
    w = World()
    # A second staff member of the same bureau: both may edit county A's contracts.
    w.users["staff_2"] = f.user_with_role("staff", purchasers=[w.bureau_a], username="staff_a2",
                                          first_name="", last_name="")
    w.users["staff"].first_name = "王芳"  # a Chinese full name in one field
    w.users["staff"].save()
    return w


def label(model, name):
    """A field's verbose name as the (Chinese) page shows it."""
    with translation.override("zh-hans"):
        return str(model._meta.get_field(name).verbose_name)


def two_clients(world):
    first, second = Client(), Client()
    first.force_login(world.users["staff"])
    second.force_login(world.users["staff_2"])
    return first, second


# --- through the pages ------------------------------------------------------------------------------------------

def test_contract_second_save_refused_and_first_kept(world):
    contract = world.contract_a
    url = f"/contracts/{contract.pk}/edit/"
    first, second = two_clients(world)
    data1 = form_data(first.get(url))
    data2 = form_data(second.get(url))
    assert data1["version"] == data2["version"] == str(contract.version)

    data1.update({"amount": "120,000.00", "end_on": "2026-01-31"})
    response1 = first.post(url, data1)
    assert response1.status_code == 302

    data2.update({"title": "第二位同事改的名称", "description": "第二位同事输入的说明"})
    response2 = second.post(url, data2)
    assert response2.status_code == 200  # refused: the form again
    page = response2.content.decode()
    # The message names the fields the first user changed, and who.
    assert label(Contract, "amount") in page
    assert label(Contract, "end_on") in page
    assert "120,000.00" in page
    assert "王芳" in page
    # What the second user typed is still in the form.
    assert "第二位同事改的名称" in page
    assert "第二位同事输入的说明" in page
    # The database holds the first save, untouched by the refused one.
    contract.refresh_from_db()
    assert contract.amount == Decimal("120000.00")
    assert contract.end_on == datetime.date(2026, 1, 31)
    assert contract.title == "南关区儿童康复"
    assert contract.description == ""


def test_contract_saving_again_after_the_refusal_keeps_both_changes(world):
    """After the refusal the form carries the other user's values in the fields the second user did not touch, so
    saving again loses nothing from the first save."""
    contract = world.contract_a
    url = f"/contracts/{contract.pk}/edit/"
    first, second = two_clients(world)
    data1 = form_data(first.get(url))
    data2 = form_data(second.get(url))
    data1["amount"] = "120,000.00"
    assert first.post(url, data1).status_code == 302
    data2["title"] = "第二位同事改的名称"
    refused = second.post(url, data2)
    assert refused.status_code == 200
    again = form_data(refused)
    assert again["title"] == "第二位同事改的名称"
    assert again["amount"].replace(",", "") == "120000.00"
    assert second.post(url, again).status_code == 302
    contract.refresh_from_db()
    assert contract.title == "第二位同事改的名称"
    assert contract.amount == Decimal("120000.00")


def test_contract_both_changed_same_field_keeps_typed_value_and_shows_theirs(world):
    contract = world.contract_a
    url = f"/contracts/{contract.pk}/edit/"
    first, second = two_clients(world)
    data1 = form_data(first.get(url))
    data2 = form_data(second.get(url))
    data1["title"] = "第一位的名称"
    assert first.post(url, data1).status_code == 302
    data2["title"] = "第二位的名称"
    refused = second.post(url, data2)
    assert refused.status_code == 200
    assert form_data(refused)["title"] == "第二位的名称"
    assert "第一位的名称" in refused.content.decode()
    contract.refresh_from_db()
    assert contract.title == "第一位的名称"


@pytest.mark.parametrize("path,model,field1,value1,stored1,field2,value2", [
    ("/payments/{pk}/edit/", Payment, "amount", "35,000.00", Decimal("35000.00"), "note", "第二位的备注"),
    ("/reviews/{pk}/edit/", PerformanceReview, "quality_score", "60", Decimal("60"), "findings", "第二位的结论"),
], ids=["payment", "review"])
def test_payment_and_review_second_save_refused(world, path, model, field1, value1, stored1, field2, value2):
    obj = world.payment_a if model is Payment else world.review_a
    url = path.format(pk=obj.pk)
    first, second = two_clients(world)
    data1 = form_data(first.get(url))
    data2 = form_data(second.get(url))
    data1[field1] = value1
    assert first.post(url, data1).status_code == 302
    data2[field2] = value2
    response = second.post(url, data2)
    assert response.status_code == 200
    page = response.content.decode()
    assert label(model, field1) in page
    assert value2 in page
    obj.refresh_from_db()
    assert getattr(obj, field1) == stored1
    assert getattr(obj, field2) == ""


def test_payment_changed_elsewhere_guards_the_contract_forms_payment_rows(world):
    """The contract form edits its payments inline: a payment changed on its own page meanwhile makes the contract
    form's save refused (the row names the change), instead of writing the stale row back."""
    contract, payment = world.contract_a, world.payment_a
    contract_url = f"/contracts/{contract.pk}/edit/"
    payment_url = f"/payments/{payment.pk}/edit/"
    first, second = two_clients(world)
    contract_data = form_data(second.get(contract_url))  # the contract form, with the payment row
    payment_data = form_data(first.get(payment_url))
    payment_data["amount"] = "36,000.00"
    assert first.post(payment_url, payment_data).status_code == 302

    contract_data["title"] = "第二位同事改的名称"
    response = second.post(contract_url, contract_data)
    assert response.status_code == 200
    assert "36,000.00" in response.content.decode()
    payment.refresh_from_db()
    contract.refresh_from_db()
    assert payment.amount == Decimal("36000.00")
    assert contract.title == "南关区儿童康复"


def test_race_past_validation_is_refused_by_the_conditional_update(world):
    """Two saves that both pass validation: the database-level check refuses the later one and rolls back all of
    it (the contract page's payments included)."""
    contract = world.contract_a
    url = f"/contracts/{contract.pk}/edit/"
    first, second = two_clients(world)
    data2 = form_data(second.get(url))
    data2["title"] = "第二位的名称"
    original_clean = OptimisticLockFormMixin.clean

    def clean_then_someone_saves(form):
        cleaned = original_clean(form)
        other = Contract.objects.get(pk=contract.pk)
        other.amount = Decimal("150000.00")
        other.save()  # another request's save lands between validation and this save
        return cleaned

    with mock.patch.object(OptimisticLockFormMixin, "clean", clean_then_someone_saves):
        response = second.post(url, data2)
    assert response.status_code == 200
    assert label(Contract, "amount") in response.content.decode()
    contract.refresh_from_db()
    assert contract.amount == Decimal("150000.00")
    assert contract.title == "南关区儿童康复"


# --- the mechanism itself ---------------------------------------------------------------------------------------

class ContractLockForm(OptimisticLockFormMixin, PoscModelForm):
    class Meta(PoscModelForm.Meta):
        model = Contract
        fields = ["title", "amount", "restricted_amount", "status", "end_on", "organization"]


def bound(instance, user, **changes):
    form = ContractLockForm(instance=instance, user=user)
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    data.update(changes)
    return data


def test_every_save_increments_the_version(world):
    contract = world.contract_a
    assert contract.version == 1
    contract.title = "x"
    contract.save()
    assert contract.version == 2
    assert Contract.objects.get(pk=contract.pk).version == 2


def test_stale_expected_version_raises_and_writes_nothing(world):
    contract = Contract.objects.get(pk=world.contract_a.pk)
    Contract.objects.get(pk=contract.pk).save()  # someone else: version 2
    contract.title = "stale"
    contract._expected_version = 1
    with pytest.raises(ConcurrentEditError):
        contract.save()
    assert Contract.objects.get(pk=contract.pk).title == "南关区儿童康复"


def test_form_names_changed_fields_with_before_and_after(world):
    user = world.users["staff"]
    contract = Contract.objects.get(pk=world.contract_a.pk)
    stale_data = bound(contract, user, title="我的名称")
    other = Contract.objects.get(pk=contract.pk)
    other.status = "completed"
    other.organization = world.org_b
    other.save()
    with translation.override("en"):
        form = ContractLockForm(stale_data, instance=Contract.objects.get(pk=contract.pk), user=user)
        assert not form.is_valid()
        message = " ".join(form.non_field_errors())
    assert "status from “Active” to “Completed”" in message
    assert f"undertaking organization from “{world.org_a.name}” to “{world.org_b.name}”" in message
    assert [row[0] for row in form.conflict["fields"]] == [label_en(Contract, "organization"),
                                                          label_en(Contract, "status")]
    assert form.data["title"] == "我的名称"
    assert form.data["status"] == "completed"  # untouched by this user: the other user's value filled in
    assert form.data["version"] == "2"


def label_en(model, name):
    with translation.override("en"):
        return str(model._meta.get_field(name).verbose_name)


def test_tampered_state_still_refuses(world):
    user = world.users["staff"]
    contract = Contract.objects.get(pk=world.contract_a.pk)
    data = bound(contract, user, loaded_state="forged")
    Contract.objects.get(pk=contract.pk).save()
    form = ContractLockForm(data, instance=Contract.objects.get(pk=contract.pk), user=user)
    assert not form.is_valid()
    assert form.non_field_errors()


def test_unchanged_version_saves(world):
    user = world.users["staff"]
    contract = Contract.objects.get(pk=world.contract_a.pk)
    form = ContractLockForm(bound(contract, user, title="新名称"), instance=contract, user=user)
    assert form.is_valid(), form.errors
    form.save()
    contract.refresh_from_db()
    assert (contract.title, contract.version) == ("新名称", 2)


def test_versioned_models_are_the_three():
    from django.apps import apps

    assert {m for m in apps.get_models() if concurrency.is_versioned(m)} == {Contract, Payment, PerformanceReview}


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_in_separate_connections():
    """Two requests saving the same loaded version at the same moment, each in its own database connection and
    transaction: exactly one wins, the other is refused, and the winner's save is what the database holds."""
    if connection.vendor != "postgresql":
        pytest.skip("needs separate concurrent connections with row locks (run with DATABASE_URL=postgres://…)")
    contract = f.ContractFactory(title="原名称")
    barrier = threading.Barrier(2)
    results = []

    def save(title):
        try:
            obj = Contract.objects.get(pk=contract.pk)
            obj.title = title
            barrier.wait()
            with transaction.atomic():
                obj._expected_version = 1
                obj.save()
                time.sleep(0.3)  # keep the row locked while the other save tries
            results.append(("saved", title))
        except ConcurrentEditError:
            results.append(("refused", title))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(title,)) for title in ("甲的名称", "乙的名称")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcome for outcome, _ in results) == ["refused", "saved"]
    winner = next(title for outcome, title in results if outcome == "saved")
    contract.refresh_from_db()
    assert (contract.title, contract.version) == (winner, 2)
