"""The one write path (``core.writes``) as forms and API use it: nobody widens their own reach, the writer's scope
is computed afresh after the change, a save that changes nothing writes nothing, and a stale version is refused."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from contracts.models import Contract, Payment
from core import writes
from core.roles import get_scope
from organizations.models import Organization, Purchaser, PurchaserMembership
from tests.test_roles_matrix import World, form_data


@pytest.fixture
def world(db, role_groups):
    return World()


def login(client, world, role):
    client.force_login(world.users[role])
    return client


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


# --- the escalation of the hostile-input probe ----------------------------------------------------------------------

def test_staff_cannot_move_their_own_purchaser_to_the_province_by_api(client, world):
    login(client, world, "staff")
    url = f"/api/purchasers/{world.bureau_a.pk}/"
    response = patch(client, url, {"region": world.province.pk})
    assert response.status_code == 400
    assert "region" in response.json()  # the refusal names the field
    world.bureau_a.refresh_from_db()
    assert world.bureau_a.region == world.county_a
    # and the staff member still cannot read county B's contract
    assert client.get(f"/api/contracts/{world.contract_b.pk}/").status_code == 404


def test_staff_cannot_move_their_own_purchaser_by_the_edit_form(client, world):
    login(client, world, "staff")
    url = f"/purchasers/{world.bureau_a.pk}/edit/"
    page = client.get(url)
    html = page.content.decode()
    assert 'name="region"' in html
    select = html[html.index('name="region"') - 200:html.index('name="region"') + 200]
    assert "disabled" in select  # shown, not offered
    data = form_data(page)
    data.update({"region": str(world.province.pk), "phone": "0431-1234567"})
    response = client.post(url, data)
    assert response.status_code == 302
    world.bureau_a.refresh_from_db()
    assert world.bureau_a.region == world.county_a  # the posted region was ignored
    assert world.bureau_a.phone == "0431-1234567"  # the rest was saved
    assert client.get(f"/contracts/{world.contract_b.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["staff", "ngo_manager"])
def test_organization_region_is_administrator_only(client, world, role):
    login(client, world, role)
    response = patch(client, f"/api/organizations/{world.org_a.pk}/", {"region": world.prefecture.pk})
    assert response.status_code == 400 and "region" in response.json()
    world.org_a.refresh_from_db()
    assert world.org_a.region == world.county_a

    url = f"/organizations/{world.org_a.pk}/edit/"
    data = form_data(client.get(url))
    data.update({"region": str(world.prefecture.pk), "staff_count": "17"})
    assert client.post(url, data).status_code == 302
    world.org_a.refresh_from_db()
    assert (world.org_a.region, world.org_a.staff_count) == (world.county_a, 17)


def test_other_fields_of_the_purchaser_stay_editable_by_api(client, world):
    login(client, world, "staff")
    response = patch(client, f"/api/purchasers/{world.bureau_a.pk}/",
                     {"phone": "0431-7654321", "region": world.county_a.pk})  # the same region: no change
    assert response.status_code == 200, response.content
    world.bureau_a.refresh_from_db()
    assert world.bureau_a.phone == "0431-7654321"


def test_administrator_changes_regions(client, world):
    login(client, world, "administrator")
    response = patch(client, f"/api/purchasers/{world.bureau_a.pk}/", {"region": world.prefecture.pk})
    assert response.status_code == 200
    world.bureau_a.refresh_from_db()
    assert world.bureau_a.region == world.prefecture
    # the staff member's scope follows, from their next request on
    staff = world.users["staff"]
    assert world.bureau_b.pk in get_scope(type(staff).objects.get(pk=staff.pk)).purchaser_ids


def test_a_reach_changing_write_is_refused_with_the_scope_computed_afresh(client, world, monkeypatch):
    """Even if a scope-defining field were forgotten in ``SCOPE_FIELDS``, the after-write check compares the
    writer's reach computed from the database before and after the change (the old guard used the scope cached on
    the user before the save, and let this through)."""
    monkeypatch.setattr(writes, "SCOPE_FIELDS", {})
    login(client, world, "staff")
    response = patch(client, f"/api/purchasers/{world.bureau_a.pk}/", {"region": world.province.pk})
    assert response.status_code == 403
    assert response.json()["detail"] == str(writes.SCOPE_CHANGE_MESSAGE)  # the reason, translated
    assert "管理员" in response.json()["detail"]
    world.bureau_a.refresh_from_db()
    assert world.bureau_a.region == world.county_a  # rolled back
    assert client.get(f"/api/contracts/{world.contract_b.pk}/").status_code == 404


def test_save_object_refuses_a_reach_change_even_with_a_stale_cached_scope(world, monkeypatch):
    monkeypatch.setattr(writes, "SCOPE_FIELDS", {})
    staff = world.users["staff"]
    get_scope(staff)  # cached on the user before the write, as a request would have it
    purchaser = Purchaser.objects.get(pk=world.bureau_a.pk)
    purchaser.region = world.province
    with pytest.raises(writes.OutOfScope):
        writes.save_object(staff, purchaser)
    assert Purchaser.objects.get(pk=purchaser.pk).region == world.county_a


def test_memberships_are_administrator_only(world):
    staff = world.users["staff"]
    membership = PurchaserMembership(user=staff, purchaser=world.bureau_b)
    with pytest.raises(PermissionDenied):
        writes.save_object(staff, membership)
    assert not PurchaserMembership.objects.filter(user=staff, purchaser=world.bureau_b).exists()
    writes.save_object(world.users["administrator"], membership)
    assert PurchaserMembership.objects.filter(user=staff, purchaser=world.bureau_b).exists()


def test_creating_a_record_outside_the_scope_is_refused(client, world):
    login(client, world, "staff")
    before = Organization.objects.count()
    response = client.post("/api/organizations/", {"name": "宽城区新社工站", "uscc": "", "region": world.county_b.pk,
                                                   "legal_form": "social_service_org"}, content_type="application/json")
    assert response.status_code in (400, 403), response.content
    assert Organization.objects.count() == before


# --- no-op saves write nothing --------------------------------------------------------------------------------------

def history_count(obj):
    return type(obj).history.filter(id=obj.pk).count()


def test_saving_an_unchanged_contract_form_keeps_every_version_and_writes_no_history(client, world):
    login(client, world, "staff")
    contract, payment = world.contract_a, world.payment_a
    versions = (contract.version, payment.version)
    histories = (history_count(contract), history_count(payment))
    url = f"/contracts/{contract.pk}/edit/"
    assert client.post(url, form_data(client.get(url))).status_code == 302
    contract.refresh_from_db()
    payment.refresh_from_db()
    assert (contract.version, payment.version) == versions
    assert (history_count(contract), history_count(payment)) == histories


def test_changing_only_the_contract_leaves_its_inline_payments_untouched(client, world):
    login(client, world, "staff")
    contract, payment = world.contract_a, world.payment_a
    payment_version, payment_history = payment.version, history_count(payment)
    url = f"/contracts/{contract.pk}/edit/"
    data = form_data(client.get(url))
    data["title"] = "南关区儿童康复（二期）"
    assert client.post(url, data).status_code == 302
    contract.refresh_from_db()
    payment.refresh_from_db()
    assert contract.title == "南关区儿童康复（二期）"
    assert contract.version == 2
    assert payment.version == payment_version
    assert history_count(payment) == payment_history
    # the change itself is in the history, with who made it
    latest = Contract.history.filter(id=contract.pk).latest("history_date")
    assert latest.title == "南关区儿童康复（二期）" and latest.history_user == world.users["staff"]


def test_someone_editing_a_payment_is_not_refused_because_the_contract_was_saved(client, world):
    """The spurious conflict of the probe: saving the contract re-saved its payments and bumped their versions."""
    login(client, world, "staff")
    contract, payment = world.contract_a, world.payment_a
    payment_url = f"/payments/{payment.pk}/edit/"
    payment_form = form_data(client.get(payment_url))  # opened first
    contract_url = f"/contracts/{contract.pk}/edit/"
    contract_form = form_data(client.get(contract_url))
    contract_form["title"] = "新名称"
    assert client.post(contract_url, contract_form).status_code == 302
    payment_form["amount"] = "31,000.00"
    assert client.post(payment_url, payment_form).status_code == 302
    payment.refresh_from_db()
    assert payment.amount == Decimal("31000.00")


def test_unchanged_api_patch_keeps_the_version(client, world):
    login(client, world, "staff")
    contract = world.contract_a
    response = patch(client, f"/api/contracts/{contract.pk}/", {"title": contract.title, "version": 1})
    assert response.status_code == 200
    assert response.json()["version"] == 1
    contract.refresh_from_db()
    assert contract.version == 1
    assert history_count(contract) == 1  # the creation only


# --- stale versions ------------------------------------------------------------------------------------------------

def test_stale_version_is_refused_by_the_api(client, world):
    login(client, world, "staff")
    payment = world.payment_a
    payment.amount = Decimal("31000.00")
    payment.save()  # someone else: version 2
    response = patch(client, f"/api/payments/{payment.pk}/", {"amount": "99.00", "version": 1})
    assert response.status_code == 409
    payment.refresh_from_db()
    assert (payment.amount, payment.version) == (Decimal("31000.00"), 2)


def test_stale_version_is_refused_by_the_page(client, world):
    login(client, world, "staff")
    payment = world.payment_a
    url = f"/payments/{payment.pk}/edit/"
    data = form_data(client.get(url))
    Payment.objects.filter(pk=payment.pk).update(version=5, note="别人改的")
    data["amount"] = "99.00"
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the conflict
    payment.refresh_from_db()
    assert payment.amount == Decimal("30000.00") and payment.note == "别人改的"


def test_save_object_refuses_a_stale_version_and_skips_an_unchanged_row(world):
    staff = world.users["staff"]
    payment = Payment.objects.get(pk=world.payment_a.pk)
    assert writes.save_object(staff, payment, expected_version=1) is False  # nothing changed
    payment.note = "备注"
    from core.concurrency import ConcurrentEditError

    with pytest.raises(ConcurrentEditError):
        writes.save_object(staff, payment, expected_version=7)
    assert writes.save_object(staff, payment, expected_version=1) is True
    assert Payment.objects.get(pk=payment.pk).version == 2
