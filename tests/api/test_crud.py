"""Create, read, update and delete through every endpoint (as an administrator), with the values read back."""

from decimal import Decimal

import pytest

from contracts.models import Contract, Payment, PerformanceReview
from organizations.models import AnnualReport, IncomeRecord, Organization, Purchaser, Region

from .conftest import client_for

pytestmark = pytest.mark.django_db

# endpoint, model, payload builder (world → dict), a field to change and its new value, expected read-back
CASES = [
    ("regions", Region,
     lambda w: {"code": "220103", "name": "宽城区", "level": "county", "parent": w.pref_a.pk},
     ("name", "宽城区（新）")),
    ("purchasers", Purchaser,
     lambda w: {"name": "宽城区民政局", "uscc": "11220103MB0123456D", "region": w.county_a1.pk,
                "level": "county", "kind": "civil_affairs"},
     ("phone", "0431-88888888")),
    ("organizations", Organization,
     lambda w: {"name": "长春市助残社工服务中心", "uscc": "52110105mj0123456n", "legal_form": "social_service_org",
                "region": w.county_a1.pk, "staff_count": 12},
     ("volunteer_count", 40)),
    ("income-records", IncomeRecord,
     lambda w: {"organization": w.org_a.pk, "fiscal_year": 2025, "source": "donation_corporate",
                "funder_name": "某科技公司", "amount": "20000.00", "restricted_amount": "5000.00"},
     ("note", "年底到账")),
    ("annual-reports", AnnualReport,
     lambda w: {"organization": w.org_a.pk, "fiscal_year": 2024, "total_expenses": "300000.00",
                "program_expenses": "250000.00", "management_expenses": "30000.00",
                "net_assets_unrestricted": "60000.00"},
     ("staff_count", 9)),
    ("contracts", Contract,
     lambda w: {"reference": "CC-2025-099", "title": "居家照料服务", "purchaser": w.bureau_a.pk,
                "organization": w.org_a.pk, "service_category": "daily_care", "procurement_method": "inquiry",
                "status": "active", "signed_on": "2025-05-01", "start_on": "2025-06-01", "end_on": "2026-05-31",
                "amount": "80000.00", "restricted_amount": "60000.00"},
     ("title", "居家照料服务（二期）")),
    ("payments", Payment,
     lambda w: {"contract": w.contract_a.pk, "kind": "interim", "due_on": "2025-07-01", "amount": "40000.00"},
     ("paid_on", "2025-07-03")),
    ("reviews", PerformanceReview,
     lambda w: {"contract": w.contract_a.pk, "reviewer_kind": "third_party", "reviewed_on": "2025-12-15",
                "output_score": "90.00", "quality_score": "80.00", "satisfaction_score": "70.00",
                "financial_score": "60.00"},
     ("findings", "台账完整")),
]


@pytest.mark.parametrize("endpoint,model,payload,change", CASES, ids=[c[0] for c in CASES])
def test_create_read_update_delete(world, endpoint, model, payload, change):
    client = client_for(world.admin)
    before = model.objects.count()

    created = client.post(f"/api/{endpoint}/", payload(world), format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert model.objects.count() == before + 1

    read = client.get(f"/api/{endpoint}/{pk}/")
    assert read.status_code == 200
    for key, value in payload(world).items():
        if key == "uscc":
            value = value.upper()
        assert str(read.json()[key]) == str(value), key

    field, new_value = change
    changed = client.patch(f"/api/{endpoint}/{pk}/", {field: new_value}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()[field] == new_value
    assert str(getattr(model.objects.get(pk=pk), field)) == str(new_value)

    deleted = client.delete(f"/api/{endpoint}/{pk}/")
    assert deleted.status_code == 204
    assert not model.objects.filter(pk=pk).exists()
    assert client.get(f"/api/{endpoint}/{pk}/").status_code == 404


def test_put_replaces_a_contract_and_reads_names_beside_ids(world):
    client = client_for(world.admin)
    data = client.get(f"/api/contracts/{world.contract_a.pk}/").json()
    assert data["purchaser"] == world.bureau_a.pk and data["purchaser_name"] == "长春市民政局"
    assert data["organization"] == world.org_a.pk and data["organization_name"] == "南关区康复中心"
    assert data["amount"] == "100000.00" and data["restricted_amount"] == "80000.00"
    assert data["unrestricted_amount"] == "20000.00"
    assert data["paid_total"] == "30000.00" and data["scheduled_total"] == "30000.00"
    body = {k: data[k] for k in ("reference", "title", "purchaser", "organization", "service_category",
                                 "procurement_method", "status", "signed_on", "start_on", "end_on", "amount",
                                 "restricted_amount")}
    body.update(title="新标题", organization=world.org_b.pk)
    response = client.put(f"/api/contracts/{world.contract_a.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["organization_name"] == "吉林市助残服务社"
    world.contract_a.refresh_from_db()
    assert world.contract_a.title == "新标题" and world.contract_a.organization == world.org_b


def test_create_contract_with_payments_in_one_request(world):
    client = client_for(world.staff_a)
    body = {"reference": "CC-2025-100", "title": "辅具适配", "purchaser": world.bureau_a.pk,
            "organization": world.org_a.pk, "service_category": "assistive_devices",
            "procurement_method": "public_tender", "status": "active", "signed_on": "2025-03-01",
            "start_on": "2025-03-15", "end_on": "2025-12-31", "amount": "120000.00", "restricted_amount": "90000.00",
            "payments": [
                {"kind": "advance", "due_on": "2025-03-20", "paid_on": "2025-03-22", "amount": "36000.00"},
                {"kind": "interim", "due_on": "2025-07-01", "amount": "48000.00"},
                {"kind": "final", "due_on": "2026-01-31", "amount": "36000.00", "note": "验收后支付"},
            ]}
    response = client.post("/api/contracts/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [p["amount"] for p in data["payments"]] == ["36000.00", "48000.00", "36000.00"]
    assert data["paid_total"] == "36000.00"
    assert data["scheduled_total"] == "120000.00"
    contract = Contract.objects.get(reference="CC-2025-100")
    assert contract.payments.count() == 3
    assert contract.region == world.pref_a  # empty service area → the purchaser's region


def test_contract_with_an_invalid_payment_saves_nothing(world):
    client = client_for(world.admin)
    body = {"reference": "CC-2025-101", "title": "x", "purchaser": world.bureau_a.pk, "organization": world.org_a.pk,
            "service_category": "other", "procurement_method": "other", "signed_on": "2025-03-01",
            "start_on": "2025-03-15", "end_on": "2025-12-31", "amount": "1000.00",
            "payments": [{"kind": "advance", "due_on": "2025-03-20", "amount": "500.00"},
                         {"kind": "final", "due_on": "2025-12-20", "amount": "0"}]}
    response = client.post("/api/contracts/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"payments": [{}, {"amount": ["The amount must be greater than zero."]}]}
    assert not Contract.objects.filter(reference="CC-2025-101").exists()
    assert Payment.objects.count() == 2  # the world's two payments only


def test_payments_of_an_existing_contract_are_not_changed_through_the_contract(world):
    client = client_for(world.admin)
    response = client.patch(f"/api/contracts/{world.contract_a.pk}/",
                            {"payments": [{"kind": "final", "due_on": "2025-12-01", "amount": "1.00"}]},
                            format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "payments" in response.json()
    assert world.contract_a.payments.count() == 1


def test_review_total_and_grade_are_derived_and_read_only(world):
    client = client_for(world.admin)
    body = {"contract": world.contract_a.pk, "reviewer_kind": "purchaser", "reviewed_on": "2025-12-01",
            "output_score": "90", "quality_score": "80", "satisfaction_score": "70", "financial_score": "60",
            "total_score": "100", "grade": "excellent"}
    response = client.post("/api/reviews/", body, format="json")
    assert response.status_code == 201, response.json()
    # 0.3·90 + 0.3·80 + 0.2·70 + 0.2·60 = 27 + 24 + 14 + 12 = 77 → pass
    assert response.json()["total_score"] == "77.00"
    assert response.json()["grade"] == "pass"


def test_deleting_an_organization_with_contracts_is_refused_with_409(world):
    client = client_for(world.admin)
    response = client.delete(f"/api/organizations/{world.org_a.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "contracts" in response.json()["detail"]
    assert Organization.objects.filter(pk=world.org_a.pk).exists()


def test_stale_version_is_refused_with_409_and_nothing_is_lost(world):
    client = client_for(world.staff_a)
    version = client.get(f"/api/contracts/{world.contract_a.pk}/").json()["version"]
    first = client.patch(f"/api/contracts/{world.contract_a.pk}/", {"title": "第一次", "version": version},
                         format="json")
    assert first.status_code == 200
    assert first.json()["version"] == version + 1
    second = client.patch(f"/api/contracts/{world.contract_a.pk}/", {"title": "第二次", "version": version},
                          format="json")
    assert second.status_code == 409
    world.contract_a.refresh_from_db()
    assert world.contract_a.title == "第一次"
    # Without a version the change is simply applied (and the version still increases).
    third = client.patch(f"/api/contracts/{world.contract_a.pk}/", {"amount": "100000.50"}, format="json")
    assert third.status_code == 200 and third.json()["version"] == version + 2
    assert Contract.objects.get(pk=world.contract_a.pk).amount == Decimal("100000.50")
