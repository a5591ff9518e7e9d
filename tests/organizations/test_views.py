"""Pages of purchasers, organizations, income records and annual reports (as an administrator)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from organizations.models import AnnualReport, IncomeRecord, Organization, Purchaser
from tests.factories import (
    AnnualReportFactory,
    ContractFactory,
    IncomeRecordFactory,
    OrganizationFactory,
    PurchaserFactory,
    RegionFactory,
    user_with_role,
)
from tests.views_base import ObjectViewTests


class TestPurchaserPages(ObjectViewTests):
    model = Purchaser
    factory = PurchaserFactory
    invalid_field = "uscc"

    def valid_data(self):
        region = RegionFactory()
        return {"name": "长春市朝阳区民政局", "uscc": "", "region": region.pk, "level": "county",
                "kind": "civil_affairs", "is_active": "on", "contact_person": "王芳", "phone": "0431-88888888",
                "email": "", "address": ""}

    def invalid_data(self):
        # A wrong check character (the valid code ends in T).
        return {**self.valid_data(), "uscc": "91310110666007217A"}

    def check_saved(self, obj, data):
        assert obj.name == "长春市朝阳区民政局"
        assert obj.kind == "civil_affairs"

    def search_pair(self):
        return PurchaserFactory(name="朝阳区残疾人联合会"), PurchaserFactory(name="南关区民政局"), "残疾人联合会"

    def filter_pair(self):
        kept = PurchaserFactory(kind="disabled_persons_federation")
        dropped = PurchaserFactory(kind="civil_affairs")
        return kept, dropped, {"kind": ["disabled_persons_federation"]}

    def protect(self, obj):
        return ContractFactory(purchaser=obj)


class TestOrganizationPages(ObjectViewTests):
    model = Organization
    factory = OrganizationFactory
    invalid_field = "uscc"

    def valid_data(self):
        region = RegionFactory()
        return {"name": "长春市阳光康复中心", "uscc": "52110105mj0123456n", "legal_form": "social_service_org",
                "charity_status": "none", "registered_on": "2015-06-01", "region": region.pk,
                "business_supervisory_unit": "", "legal_representative": "李明", "staff_count": "12",
                "volunteer_count": "30", "contact_person": "", "phone": "", "email": "", "address": "",
                "description": "", "service_scope": ["rehab_children", "daily_care"],
                "key_persons-TOTAL_FORMS": "0", "key_persons-INITIAL_FORMS": "0",
                "key_persons-MIN_NUM_FORMS": "0", "key_persons-MAX_NUM_FORMS": "1000"}

    def invalid_data(self):
        return {**self.valid_data(), "uscc": "52110105MJ0123456X"}

    def check_saved(self, obj, data):
        assert obj.name == "长春市阳光康复中心"
        assert obj.uscc == "52110105MJ0123456N"  # lower case normalised to upper
        assert obj.staff_count == 12
        assert obj.service_scope == ["rehab_children", "daily_care"]

    def search_pair(self):
        found = OrganizationFactory(name="阳光助残服务社")
        other = OrganizationFactory(name="春晖康复中心")
        return found, other, found.uscc

    def filter_pair(self):
        kept = OrganizationFactory(legal_form="foundation")
        dropped = OrganizationFactory(legal_form="social_group")
        return kept, dropped, {"legal_form": ["foundation"]}

    def protect(self, obj):
        return ContractFactory(organization=obj)


class TestIncomeRecordPages(ObjectViewTests):
    model = IncomeRecord
    factory = IncomeRecordFactory
    invalid_field = "restricted_amount"

    def valid_data(self):
        org = OrganizationFactory()
        return {"organization": org.pk, "fiscal_year": "2024", "source": "donation_corporate",
                "funder_name": "长春某某科技有限公司", "funder_purchaser": "", "amount": "1,234,567.89",
                "restricted_amount": "200000", "note": ""}

    def invalid_data(self):
        return {**self.valid_data(), "amount": "1,000.00", "restricted_amount": "2,000.00"}

    def check_saved(self, obj, data):
        assert obj.amount == Decimal("1234567.89")
        assert obj.restricted_amount == Decimal("200000.00")
        assert obj.source == "donation_corporate"

    def search_pair(self):
        found = IncomeRecordFactory(funder_name="爱心基金会")
        other = IncomeRecordFactory(funder_name="某企业")
        return found, other, "爱心"

    def filter_pair(self):
        kept = IncomeRecordFactory(source="service_fee")
        dropped = IncomeRecordFactory(source="donation_individual")
        return kept, dropped, {"source": ["service_fee"]}


class TestAnnualReportPages(ObjectViewTests):
    model = AnnualReport
    factory = AnnualReportFactory
    invalid_field = "total_expenses"

    def valid_data(self):
        org = OrganizationFactory()
        return {"organization": org.pk, "fiscal_year": "2024", "total_expenses": "1,200,000.00",
                "program_expenses": "1,000,000", "management_expenses": "150,000.00", "fundraising_expenses": "0",
                "personnel_costs": "600,000", "net_assets_unrestricted": "300,000", "net_assets_restricted": "0",
                "staff_count": "15"}

    def invalid_data(self):
        return {**self.valid_data(), "total_expenses": "100,000"}  # less than its parts

    def check_saved(self, obj, data):
        assert obj.total_expenses == Decimal("1200000.00")
        assert obj.management_expenses == Decimal("150000.00")

    def search_pair(self):
        found = AnnualReportFactory(organization=OrganizationFactory(name="启明星康复中心"))
        other = AnnualReportFactory(organization=OrganizationFactory(name="春晖康复中心"))
        return found, other, "启明星"

    def filter_pair(self):
        org = OrganizationFactory()
        kept = AnnualReportFactory(organization=org, fiscal_year=2023)
        dropped = AnnualReportFactory(organization=org, fiscal_year=2024)
        return kept, dropped, {"fiscal_year": "2023"}


@pytest.mark.django_db
class TestOrganizationDetail:
    def test_shows_contracts_income_and_reports_with_actions(self, client):
        client.force_login(user_with_role("administrator"))
        org = OrganizationFactory()
        contract = ContractFactory(organization=org, title="孤独症儿童康复训练")
        income = IncomeRecordFactory(organization=org, amount=Decimal("45678.90"))
        report = AnnualReportFactory(organization=org, fiscal_year=2024)
        html = client.get(org.get_absolute_url()).content.decode()
        assert contract.get_absolute_url() in html
        assert income.get_absolute_url() in html
        assert "45,678.90" in html
        assert report.get_absolute_url() in html
        assert f"{reverse('organizations:incomerecord_add')}?organization={org.pk}" in html
        assert f"{reverse('organizations:annualreport_add')}?organization={org.pk}" in html

    def test_staff_sees_only_what_visible_to_gives(self, client):
        purchaser = PurchaserFactory()
        org = OrganizationFactory()
        mine = ContractFactory(purchaser=purchaser, organization=org)
        theirs = ContractFactory(organization=org)  # another purchaser, outside the staff user's scope
        client.force_login(user_with_role("staff", purchasers=[purchaser]))
        html = client.get(org.get_absolute_url()).content.decode()
        assert mine.get_absolute_url() in html
        assert theirs.get_absolute_url() not in html


@pytest.mark.django_db
class TestPurchaserDetail:
    def test_lists_its_contracts(self, client):
        client.force_login(user_with_role("administrator"))
        purchaser = PurchaserFactory()
        contract = ContractFactory(purchaser=purchaser)
        other = ContractFactory()
        html = client.get(purchaser.get_absolute_url()).content.decode()
        assert contract.get_absolute_url() in html
        assert other.get_absolute_url() not in html


@pytest.mark.django_db
class TestPageLevelVisibility:
    def test_ngo_manager_gets_404_for_another_organizations_money(self, client):
        mine = OrganizationFactory()
        other = OrganizationFactory()
        income = IncomeRecordFactory(organization=other)
        report = AnnualReportFactory(organization=other)
        client.force_login(user_with_role("ngo_manager", organizations=[mine]))
        assert client.get(other.get_absolute_url()).status_code == 404
        assert client.get(income.get_absolute_url()).status_code == 404
        assert client.get(reverse("organizations:annualreport_edit", args=[report.pk])).status_code == 404
        html = client.get(reverse("organizations:incomerecord_list")).content.decode()
        assert income.get_absolute_url() not in html

    def test_ngo_manager_income_form_offers_only_their_organization(self, client):
        mine = OrganizationFactory()
        OrganizationFactory()
        client.force_login(user_with_role("ngo_manager", organizations=[mine]))
        form = client.get(reverse("organizations:incomerecord_add")).context["form"]
        assert list(form.fields["organization"].queryset) == [mine]

    def test_staff_sees_a_purchaser_they_may_not_change_403_on_edit(self, client):
        mine = PurchaserFactory()
        other = PurchaserFactory()
        client.force_login(user_with_role("staff", purchasers=[mine]))
        assert client.get(other.get_absolute_url()).status_code == 200
        assert client.get(reverse("organizations:purchaser_edit", args=[other.pk])).status_code == 403
        assert client.get(reverse("organizations:purchaser_add")).status_code == 403

    def test_staff_organization_page_hides_money_of_organizations_without_their_contracts(self, client):
        purchaser = PurchaserFactory()
        org = OrganizationFactory()
        IncomeRecordFactory(organization=org, amount=Decimal("98765.43"))
        client.force_login(user_with_role("staff", purchasers=[purchaser]))
        response = client.get(org.get_absolute_url())
        assert response.status_code == 200
        assert "98,765.43" not in response.content.decode()
        assert not response.context["finances_visible"]


@pytest.mark.django_db
def test_delete_page_lists_blockers_in_bounded_queries(client, django_assert_max_num_queries):
    client.force_login(user_with_role("administrator"))
    purchaser = PurchaserFactory()
    ContractFactory.create_batch(25, purchaser=purchaser)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("organizations:purchaser_delete", args=[purchaser.pk]))
    assert len(response.context["blockers"]) == 20
    assert response.context["more_blockers"] == 5
    assert response.context["hidden_blockers"] == 0


@pytest.mark.django_db
def test_delete_page_does_not_name_blockers_the_user_may_not_see(client):
    staff_purchaser = PurchaserFactory()
    org = OrganizationFactory(region=staff_purchaser.region)  # staff may change organizations of their region
    mine = ContractFactory(purchaser=staff_purchaser, organization=org)
    foreign = ContractFactory(organization=org)
    client.force_login(user_with_role("staff", purchasers=[staff_purchaser]))
    response = client.get(reverse("organizations:organization_delete", args=[org.pk]))
    html = response.content.decode()
    assert mine.get_absolute_url() in html
    assert foreign.get_absolute_url() not in html and foreign.title not in html
    assert response.context["hidden_blockers"] == 1


@pytest.mark.django_db
def test_staff_cannot_create_an_organization_outside_their_region(client):
    purchaser = PurchaserFactory()
    elsewhere = RegionFactory()
    client.force_login(user_with_role("staff", purchasers=[purchaser]))
    data = TestOrganizationPages().valid_data()
    data["region"] = elsewhere.pk
    response = client.post(reverse("organizations:organization_add"), data)
    assert response.status_code == 200
    assert "权限范围" in response.content.decode()
    assert not Organization.objects.filter(name="长春市阳光康复中心").exists()
    data["region"] = purchaser.region_id
    response = client.post(reverse("organizations:organization_add"), data)
    assert response.status_code == 302
    assert Organization.objects.filter(name="长春市阳光康复中心").exists()
