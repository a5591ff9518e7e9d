"""The role matrix (docs/roles.md) through the API: who sees what, who may change what, 404 outside the scope.

World (see conftest.World): staff_a works for bureau_a (prefecture A; its scope includes bureau_a1 in the county
below), staff_b for bureau_b; ngo_a manages org_a (contracts contract_a and contract_a1), ngo_b manages org_b
(contract_b). Expected outcomes are written out for every role.
"""

import pytest
from rest_framework.test import APIClient

from contracts.models import Contract, Payment
from organizations.models import IncomeRecord, Organization

from .conftest import client_for

pytestmark = pytest.mark.django_db

ROLES = ["admin", "analyst", "staff_a", "staff_b", "ngo_a", "ngo_b", "nobody", "anonymous"]


def as_role(world, role):
    if role == "anonymous":
        return APIClient()
    return client_for(getattr(world, role))


def count(response):
    return response.json()["count"] if response.status_code == 200 else response.status_code


LIST_COUNTS = {
    #            admin analyst staff_a staff_b ngo_a ngo_b nobody anonymous
    "contracts": [3, 3, 2, 1, 2, 1, 0, 401],
    "payments": [2, 2, 1, 1, 1, 1, 0, 401],
    "organizations": [2, 2, 2, 2, 1, 1, 0, 401],
    "purchasers": [3, 3, 3, 3, 3, 3, 0, 401],
    "regions": [4, 4, 4, 4, 4, 4, 0, 401],
    "income-records": [2, 2, 1, 1, 1, 1, 0, 401],
}


@pytest.mark.parametrize("endpoint", list(LIST_COUNTS))
def test_list_counts_per_role(world, endpoint):
    IncomeRecord.objects.create(organization=world.org_a, fiscal_year=2025, source="other", amount=1)
    IncomeRecord.objects.create(organization=world.org_b, fiscal_year=2025, source="other", amount=1)
    got = [count(as_role(world, role).get(f"/api/{endpoint}/")) for role in ROLES]
    assert got == LIST_COUNTS[endpoint]


def test_retrieve_outside_the_scope_is_404(world):
    url = f"/api/contracts/{world.contract_b.pk}/"
    got = {role: as_role(world, role).get(url).status_code for role in ROLES}
    assert got == {"admin": 200, "analyst": 200, "staff_a": 404, "staff_b": 200, "ngo_a": 404, "ngo_b": 200,
                   "nobody": 404, "anonymous": 401}
    assert APIClient().get(url).headers["WWW-Authenticate"] == "Token"


def _new_contract(world, reference):
    return {"reference": reference, "title": "新合同", "purchaser": world.bureau_a.pk, "organization": world.org_a.pk,
            "service_category": "rehab_adult", "procurement_method": "public_tender", "status": "active",
            "signed_on": "2025-04-01", "start_on": "2025-04-01", "end_on": "2025-12-31", "amount": "10000.00"}


def test_create_contract_per_role(world):
    got = {role: as_role(world, role).post("/api/contracts/", _new_contract(world, f"NEW-{role}"),
                                           format="json").status_code for role in ROLES}
    # staff_b may add contracts, but not for bureau_a: the purchaser field refuses the id (400, as if unknown).
    assert got == {"admin": 201, "analyst": 403, "staff_a": 201, "staff_b": 400, "ngo_a": 403, "ngo_b": 403,
                   "nobody": 403, "anonymous": 401}
    assert set(Contract.objects.filter(reference__startswith="NEW-").values_list("reference", flat=True)) == {
        "NEW-admin", "NEW-staff_a"}


def test_staff_of_another_purchaser_gets_the_same_answer_as_for_a_missing_purchaser(world):
    client = client_for(world.staff_b)
    foreign = client.post("/api/contracts/", _new_contract(world, "X-1"), format="json", HTTP_ACCEPT_LANGUAGE="en")
    missing = client.post("/api/contracts/", {**_new_contract(world, "X-2"), "purchaser": 999999}, format="json",
                          HTTP_ACCEPT_LANGUAGE="en")
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["purchaser"] == [f'Invalid pk "{world.bureau_a.pk}" - object does not exist.']
    assert missing.json()["purchaser"] == ['Invalid pk "999999" - object does not exist.']


def test_update_contract_per_role(world):
    url = f"/api/contracts/{world.contract_a.pk}/"
    got = {role: as_role(world, role).patch(url, {"title": f"by {role}"}, format="json").status_code
           for role in ROLES}
    assert got == {"admin": 200, "analyst": 403, "staff_a": 200, "staff_b": 404, "ngo_a": 403, "ngo_b": 404,
                   "nobody": 404, "anonymous": 401}
    assert Contract.objects.get(pk=world.contract_a.pk).title == "by staff_a"


def test_staff_cannot_move_a_contract_to_a_purchaser_outside_their_scope(world):
    response = client_for(world.staff_a).patch(f"/api/contracts/{world.contract_a.pk}/",
                                               {"purchaser": world.bureau_b.pk}, format="json")
    assert response.status_code == 400
    assert "purchaser" in response.json()
    assert Contract.objects.get(pk=world.contract_a.pk).purchaser == world.bureau_a


def test_delete_payment_per_role(world):
    got = {}
    for role in ["analyst", "staff_b", "ngo_a", "ngo_b", "nobody", "anonymous", "staff_a"]:
        got[role] = as_role(world, role).delete(f"/api/payments/{world.payment_a.pk}/").status_code
    assert got == {"analyst": 403, "staff_b": 404, "ngo_a": 403, "ngo_b": 404, "nobody": 404, "anonymous": 401,
                   "staff_a": 204}
    assert not Payment.objects.filter(pk=world.payment_a.pk).exists()


def test_create_income_record_per_role(world):
    def body(org):
        return {"organization": org.pk, "fiscal_year": 2025, "source": "donation_individual", "amount": "500.00"}

    got = {role: as_role(world, role).post("/api/income-records/", body(world.org_a), format="json").status_code
           for role in ROLES}
    # ngo_b may add income records, but only for org_b: org_a is not offered (400).
    assert got == {"admin": 201, "analyst": 403, "staff_a": 403, "staff_b": 403, "ngo_a": 201, "ngo_b": 400,
                   "nobody": 403, "anonymous": 401}
    assert IncomeRecord.objects.filter(organization=world.org_a).count() == 2
    assert IncomeRecord.objects.filter(organization=world.org_b).count() == 0


def test_update_organization_profile_per_role(world):
    url = f"/api/organizations/{world.org_a.pk}/"
    got = {role: as_role(world, role).patch(url, {"phone": role}, format="json").status_code for role in ROLES}
    # Staff see every organization's profile but change only those in their region (org_a is in county A1).
    assert got == {"admin": 200, "analyst": 403, "staff_a": 200, "staff_b": 403, "ngo_a": 200, "ngo_b": 404,
                   "nobody": 404, "anonymous": 401}
    assert Organization.objects.get(pk=world.org_a.pk).phone == "ngo_a"


def test_ngo_manager_may_not_delete_their_organization(world):
    org = Organization.objects.create(name="无合同机构", uscc="52110105MJ0123456N", legal_form="social_group",
                                      region=world.county_a1)
    from organizations.models import OrganizationMembership

    OrganizationMembership.objects.create(user=world.ngo_a, organization=org)
    assert client_for(world.ngo_a).delete(f"/api/organizations/{org.pk}/").status_code == 403
    assert client_for(world.staff_a).delete(f"/api/organizations/{org.pk}/").status_code == 204


def test_staff_cannot_create_an_organization_outside_their_region(world):
    client = client_for(world.staff_a)
    body = {"name": "外地机构", "uscc": "52110105MJ0123456N", "legal_form": "social_group", "region": world.pref_b.pk}
    response = client.post("/api/organizations/", body, format="json")
    assert response.status_code == 403
    assert not Organization.objects.filter(name="外地机构").exists()
    body["region"] = world.county_a1.pk
    assert client.post("/api/organizations/", body, format="json").status_code == 201


def test_regions_are_changed_by_administrators_only(world):
    body = {"code": "220104", "name": "朝阳区", "level": "county", "parent": world.pref_a.pk}
    assert client_for(world.staff_a).post("/api/regions/", body, format="json").status_code == 403
    assert client_for(world.analyst).post("/api/regions/", body, format="json").status_code == 403
    assert client_for(world.admin).post("/api/regions/", body, format="json").status_code == 201


def test_filters_do_not_leak_objects_outside_the_scope(world):
    client = client_for(world.ngo_a)
    other = client.get(f"/api/contracts/?organization={world.org_b.pk}", HTTP_ACCEPT_LANGUAGE="en")
    missing = client.get("/api/contracts/?organization=999999", HTTP_ACCEPT_LANGUAGE="en")
    assert other.status_code == missing.status_code == 400
    assert other.json() == missing.json()
    assert client.get("/api/contracts/?q=JL-2025").json()["count"] == 0
    assert client.get("/api/payments/?amount_min=0").json()["count"] == 1
    assert client.get(f"/api/reviews/?organization={world.org_a.pk}").json()["count"] == 0


def test_indicators_follow_the_scope(world):
    rows = {role: {(r["organization_name"], r["year"]) for r in
                   as_role(world, role).get("/api/indicators/organizations/?year=2025").json()["results"]}
            for role in ["admin", "analyst", "staff_a", "ngo_a", "ngo_b", "nobody"]}
    assert rows == {
        "admin": {("南关区康复中心", 2025), ("吉林市助残服务社", 2025)},
        "analyst": {("南关区康复中心", 2025), ("吉林市助残服务社", 2025)},
        "staff_a": {("南关区康复中心", 2025)},
        "ngo_a": {("南关区康复中心", 2025)},
        "ngo_b": {("吉林市助残服务社", 2025)},
        "nobody": set(),
    }
    purchasers = {role: as_role(world, role).get("/api/indicators/purchasers/?year=2025").json()["count"]
                  for role in ["admin", "analyst", "staff_a", "staff_b", "ngo_a", "nobody"]}
    # A purchaser's row sums all its contracts, so it is shown only to those who see every one of them: ngo_a
    # sees bureau_a and bureau_a1 (their only contracts are with org_a), never bureau_b.
    assert purchasers == {"admin": 3, "analyst": 3, "staff_a": 2, "staff_b": 1, "ngo_a": 2, "nobody": 0}
    ngo_rows = client_for(world.ngo_a).get("/api/indicators/purchasers/?year=2025").json()["results"]
    assert {r["purchaser_name"] for r in ngo_rows} == {"长春市民政局", "南关区残联"}
    assert APIClient().get("/api/indicators/organizations/?year=2025").status_code == 401


def test_options_offers_writing_only_to_roles_that_may_write(world):
    read_only = client_for(world.analyst).options("/api/contracts/").json()
    writer = client_for(world.staff_a).options("/api/contracts/").json()
    assert "POST" not in read_only.get("actions", {})
    assert "POST" in writer["actions"]


def test_payments_and_reviews_attach_only_to_contracts_the_user_may_change(world):
    staff = client_for(world.staff_a)
    body = {"kind": "interim", "due_on": "2025-08-01", "amount": "1000.00"}
    assert staff.post("/api/payments/", {**body, "contract": world.contract_a1.pk}, format="json").status_code == 201
    assert staff.post("/api/payments/", {**body, "contract": world.contract_b.pk}, format="json").status_code == 400
    moved = staff.patch(f"/api/payments/{world.payment_a.pk}/", {"contract": world.contract_b.pk}, format="json")
    assert moved.status_code == 400
    assert Payment.objects.get(pk=world.payment_a.pk).contract == world.contract_a
    review = {"contract": world.contract_b.pk, "reviewer_kind": "purchaser", "reviewed_on": "2025-12-01",
              "output_score": "80", "quality_score": "80", "satisfaction_score": "80", "financial_score": "80"}
    assert staff.post("/api/reviews/", review, format="json").status_code == 400
    assert client_for(world.staff_b).post("/api/reviews/", review, format="json").status_code == 201


def test_ngo_manager_writes_annual_reports_of_their_own_organization_only(world):
    body = {"fiscal_year": 2025, "total_expenses": "1000.00"}
    ngo = client_for(world.ngo_a)
    assert ngo.post("/api/annual-reports/", {**body, "organization": world.org_b.pk}, format="json").status_code == 400
    created = ngo.post("/api/annual-reports/", {**body, "organization": world.org_a.pk}, format="json")
    assert created.status_code == 201
    assert client_for(world.ngo_b).get(f"/api/annual-reports/{created.json()['id']}/").status_code == 404
    assert client_for(world.staff_a).get(f"/api/annual-reports/{created.json()['id']}/").status_code == 200
    assert client_for(world.staff_b).get(f"/api/annual-reports/{created.json()['id']}/").status_code == 404
