"""Who sees what: NGO managers never see another organization's rows, staff see exactly their
jurisdiction down the region tree, analysts read everything and change nothing."""

from decimal import Decimal

import pytest

from contracts.models import Contract, Payment, PerformanceReview
from organizations.models import AnnualReport, IncomeRecord, Organization, Purchaser
from tests import factories as f
from tests.test_roles_matrix import World, form_data


@pytest.fixture
def world(db, role_groups):
    return World()


def login(client, world, role):
    client.force_login(world.users[role])
    return client


# --- NGO manager ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/contracts/{contract_b}/",
    "/contracts/{contract_b}/edit/",
    "/payments/{payment_b}/",
    "/reviews/{review_b}/",
    "/income-records/{income_b}/",
    "/income-records/{income_b}/edit/",
    "/annual-reports/{report_b}/",
    "/annual-reports/{report_b}/edit/",
    "/organizations/{org_b}/",
    "/organizations/{org_b}/funding/",
])
def test_ngo_manager_gets_404_for_another_organizations_pages(client, world, path):
    ids = {"contract_b": world.contract_b.pk, "payment_b": world.payment_b.pk, "review_b": world.review_b.pk,
           "income_b": world.income_b.pk, "report_b": world.report_b.pk, "org_b": world.org_b.pk}
    response = login(client, world, "ngo_manager").get(path.format(**ids))
    assert response.status_code == 404


def test_ngo_manager_sees_own_funding_page(client, world):
    response = login(client, world, "ngo_manager").get(f"/organizations/{world.org_a.pk}/funding/")
    assert response.status_code == 200
    assert world.org_a.name in response.content.decode()


@pytest.mark.parametrize("path", ["/api/contracts/{contract_b}/", "/api/income-records/{income_b}/",
                                  "/api/annual-reports/{report_b}/", "/api/payments/{payment_b}/"])
def test_ngo_manager_gets_404_from_the_api_too(client, world, path):
    ids = {"contract_b": world.contract_b.pk, "income_b": world.income_b.pk, "report_b": world.report_b.pk,
           "payment_b": world.payment_b.pk}
    assert login(client, world, "ngo_manager").get(path.format(**ids)).status_code == 404


LIST_PAGES = [
    # (path, text of organization A's row, text of organization B's row)
    ("/contracts/", "NG-2025-001", "KC-2025-001"),
    ("/payments/", "NG-2025-001", "KC-2025-001"),
    ("/reviews/", "NG-2025-001", "KC-2025-001"),
    ("/income-records/", "爱心人士A", "爱心人士B"),
    ("/annual-reports/", "南关区康复服务中心", "宽城区康复服务中心"),
    ("/organizations/", "南关区康复服务中心", "宽城区康复服务中心"),
]


@pytest.mark.parametrize("path,own,other", LIST_PAGES)
def test_ngo_manager_lists_hold_only_their_organizations_rows(client, world, path, own, other):
    response = login(client, world, "ngo_manager").get(path)
    page = response.content.decode()
    assert own in page
    assert other not in page
    assert response.context["result_count"] == 1


def test_ngo_manager_totals_count_only_their_contracts(client, world):
    response = login(client, world, "ngo_manager").get("/contracts/")
    totals = dict((str(label), value) for label, value in response.context["totals"])
    assert list(totals.values()) == [Decimal("100000.00")]  # not 350,000.00 (A's 100,000 + B's 250,000)
    page = response.content.decode()
    assert "100,000.00" in page
    assert "350,000.00" not in page
    assert "250,000.00" not in page


def test_ngo_manager_querysets_never_include_another_organization(world):
    user = world.users["ngo_manager"]
    assert list(Contract.objects.visible_to(user)) == [world.contract_a]
    assert list(Payment.objects.visible_to(user)) == [world.payment_a]
    assert list(PerformanceReview.objects.visible_to(user)) == [world.review_a]
    assert list(IncomeRecord.objects.visible_to(user)) == [world.income_a]
    assert list(AnnualReport.objects.visible_to(user)) == [world.report_a]
    assert list(Organization.objects.visible_to(user)) == [world.org_a]
    assert list(Organization.objects.with_finances_visible_to(user)) == [world.org_a]
    # Purchasers' public profiles are visible to everyone.
    assert Purchaser.objects.visible_to(user).count() == 3


def test_ngo_manager_cannot_file_income_for_another_organization(client, world):
    client = login(client, world, "ngo_manager")
    data = form_data(client.get("/income-records/add/"))
    data.update({"organization": world.org_b.pk, "fiscal_year": "2025", "source": "donation_individual",
                 "amount": "5000", "restricted_amount": "0"})
    response = client.post("/income-records/add/", data)
    assert response.status_code == 200  # the form again, with an error on the organization
    assert "organization" in response.context["form"].errors
    assert not IncomeRecord.objects.filter(organization=world.org_b, amount=Decimal("5000")).exists()


# --- staff along the region tree -------------------------------------------------------------------------------

def test_county_staff_see_their_county_not_the_neighbours(client, world):
    client = login(client, world, "staff")
    page = client.get("/contracts/").content.decode()
    assert "NG-2025-001" in page
    assert "KC-2025-001" not in page
    assert client.get(f"/contracts/{world.contract_b.pk}/").status_code == 404
    assert client.get(f"/payments/{world.payment_b.pk}/").status_code == 404


def test_prefecture_staff_see_every_county_below(client, world):
    client = login(client, world, "staff_prefecture")
    response = client.get("/contracts/")
    page = response.content.decode()
    assert "NG-2025-001" in page and "KC-2025-001" in page
    assert response.context["result_count"] == 2
    assert client.get(f"/contracts/{world.contract_b.pk}/").status_code == 200
    assert client.get(f"/contracts/{world.contract_b.pk}/edit/").status_code == 200
    user = world.users["staff_prefecture"]
    assert set(Contract.objects.visible_to(user)) == {world.contract_a, world.contract_b}


def test_county_staff_do_not_see_the_prefecture_above(world):
    pref_contract = f.ContractFactory(reference="CC-2025-001", purchaser=world.pref_bureau, organization=world.org_a)
    assert pref_contract not in Contract.objects.visible_to(world.users["staff"])
    assert pref_contract in Contract.objects.visible_to(world.users["staff_prefecture"])


def test_staff_see_money_only_of_organizations_contracting_with_them(client, world):
    third = f.OrganizationFactory(name="未签约的协会", region=world.county_a)  # in county A, but no contract
    f.IncomeRecordFactory(organization=third, funder_name="未签约的捐赠人")
    client = login(client, world, "staff")
    page = client.get("/income-records/").content.decode()
    assert "爱心人士A" in page
    assert "爱心人士B" not in page
    assert "未签约的捐赠人" not in page
    assert client.get(f"/income-records/{world.income_b.pk}/").status_code == 404
    assert client.get(f"/annual-reports/{world.report_b.pk}/").status_code == 404
    assert client.get(f"/annual-reports/{world.report_a.pk}/").status_code == 200
    # Every organization's public profile stays visible.
    assert client.get(f"/organizations/{third.pk}/").status_code == 200
    neighbour = client.get(f"/organizations/{world.org_b.pk}/")
    assert neighbour.status_code == 200
    # ... but not its money: no income records, annual figures or contracts of organization B.
    assert "爱心人士B" not in neighbour.content.decode()
    assert "45,000.00" not in neighbour.content.decode()
    assert "330,000.00" not in neighbour.content.decode()
    assert "KC-2025-001" not in neighbour.content.decode()


def test_staff_contract_form_offers_only_their_purchasers(client, world):
    response = login(client, world, "staff").get("/contracts/add/")
    purchasers = list(response.context["form"].fields["purchaser"].queryset)
    assert purchasers == [world.bureau_a]
    page = response.content.decode()
    assert "宽城区民政局" not in page
    assert "长春市民政局" not in page


def test_staff_cannot_file_a_contract_for_another_purchaser(client, world):
    client = login(client, world, "staff")
    data = form_data(client.get("/contracts/add/"))
    data.update({"reference": "KC-FORGED", "title": "伪造", "purchaser": world.bureau_b.pk,
                 "organization": world.org_b.pk, "service_category": "rehab_children",
                 "procurement_method": "inquiry", "status": "draft", "signed_on": "2025-04-01",
                 "start_on": "2025-04-01", "end_on": "2025-12-31", "amount": "1000", "restricted_amount": "0"})
    response = client.post("/contracts/add/", data)
    assert response.status_code == 200
    assert "purchaser" in response.context["form"].errors
    assert not Contract.objects.filter(reference="KC-FORGED").exists()


# --- analyst ----------------------------------------------------------------------------------------------------

def test_analyst_reads_everything(client, world):
    client = login(client, world, "analyst")
    response = client.get("/contracts/")
    assert response.context["result_count"] == 2
    assert client.get(f"/income-records/{world.income_b.pk}/").status_code == 200
    assert client.get(f"/organizations/{world.org_b.pk}/funding/").status_code == 200


@pytest.mark.parametrize("path", [
    "/contracts/add/", "/contracts/{contract}/edit/", "/contracts/{contract}/delete/",
    "/payments/add/", "/payments/{payment}/edit/", "/reviews/{review}/delete/",
    "/income-records/add/", "/income-records/{income}/edit/", "/annual-reports/{report}/delete/",
    "/organizations/add/", "/organizations/{org}/edit/", "/purchasers/{purchaser}/edit/",
])
def test_analyst_changes_nothing(client, world, path):
    ids = {"contract": world.contract_b.pk, "payment": world.payment_b.pk, "review": world.review_b.pk,
           "income": world.income_b.pk, "report": world.report_b.pk, "org": world.org_b.pk,
           "purchaser": world.bureau_b.pk}
    client = login(client, world, "analyst")
    url = path.format(**ids)
    assert client.get(url).status_code == 403
    counts = [m.objects.count() for m in (Contract, Payment, PerformanceReview, IncomeRecord, AnnualReport)]
    assert client.post(url, {"title": "x", "amount": "1"}).status_code == 403
    assert [m.objects.count() for m in (Contract, Payment, PerformanceReview, IncomeRecord, AnnualReport)] == counts


def test_detail_page_offers_edit_and_delete_only_to_those_who_may(client, world):
    url = f"/contracts/{world.contract_a.pk}/"
    edit = f'href="/contracts/{world.contract_a.pk}/edit/"'
    delete = f'href="/contracts/{world.contract_a.pk}/delete/"'
    staff_page = login(client, world, "staff").get(url).content.decode()
    assert edit in staff_page and delete in staff_page
    for role in ("ngo_manager", "analyst"):
        page = login(client, world, role).get(url).content.decode()
        assert edit not in page and delete not in page
    org_page = login(client, world, "ngo_manager").get(f"/organizations/{world.org_a.pk}/").content.decode()
    assert f'href="/organizations/{world.org_a.pk}/edit/"' in org_page
    assert f'href="/organizations/{world.org_a.pk}/delete/"' not in org_page


# --- navigation and home by role --------------------------------------------------------------------------------

def test_navigation_shows_what_the_role_can_do(client, world):
    my_org = f'href="/organizations/{world.org_a.pk}/"'
    ngo_page = login(client, world, "ngo_manager").get("/contracts/").content.decode()
    assert "nav-my-organization" in ngo_page and my_org in ngo_page
    assert 'href="/admin/"' not in ngo_page
    assert 'href="/contracts/add/"' not in ngo_page  # no add button for a role that may not add

    staff_page = login(client, world, "staff").get("/contracts/").content.decode()
    assert 'href="/contracts/add/"' in staff_page
    assert 'href="/admin/"' not in staff_page
    assert "nav-my-organization" not in staff_page

    analyst_page = login(client, world, "analyst").get("/contracts/").content.decode()
    assert 'href="/contracts/add/"' not in analyst_page
    assert 'href="/admin/"' not in analyst_page

    admin_page = login(client, world, "administrator").get("/contracts/").content.decode()
    assert 'href="/admin/"' in admin_page
    assert 'href="/contracts/add/"' in admin_page


def test_income_records_add_button_only_for_ngo_and_admin(client, world):
    add = 'href="/income-records/add/"'
    assert add in login(client, world, "ngo_manager").get("/income-records/").content.decode()
    assert add not in login(client, world, "staff").get("/income-records/").content.decode()
    assert add not in login(client, world, "analyst").get("/income-records/").content.decode()


def test_anonymous_home_goes_to_login(client, world):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["administrator", "staff", "ngo_manager", "analyst"])
def test_home_answers_every_role(client, world, role):
    """Every role gets a home page of the application (never the admin's login page)."""
    response = login(client, world, role).get("/", follow=True)
    assert response.status_code == 200
    final = response.redirect_chain[-1][0] if response.redirect_chain else "/"
    assert not final.startswith("/admin/login/")


def test_ngo_manager_lands_on_their_funding_mix(client, world):
    response = login(client, world, "ngo_manager").get("/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    final = response.redirect_chain[-1][0] if response.redirect_chain else "/"
    assert final == f"/organizations/{world.org_a.pk}/funding/" or world.org_a.name in page
    assert world.org_b.name not in page


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


@pytest.mark.parametrize("path,own,other", [
    ("/contracts/?export=csv", "NG-2025-001", "KC-2025-001"),
    ("/payments/?export=csv", "NG-2025-001", "KC-2025-001"),
    ("/income-records/?export=csv", "爱心人士A", "爱心人士B"),
    ("/annual-reports/?export=csv", "南关区康复服务中心", "宽城区康复服务中心"),
    ("/dashboards/dependency/?year=2025", "南关区康复服务中心", "宽城区康复服务中心"),
    ("/dashboards/dependency/?year=2025&export=csv", "南关区康复服务中心", "宽城区康复服务中心"),
    ("/api/contracts/", "NG-2025-001", "KC-2025-001"),
    ("/api/indicators/organizations/?year=2025", "南关区康复服务中心", "宽城区康复服务中心"),
])
def test_ngo_manager_exports_dashboards_and_api_hold_only_their_rows(client, world, path, own, other):
    response = login(client, world, "ngo_manager").get(path)
    assert response.status_code == 200
    text = body(response)
    assert own in text
    assert other not in text
