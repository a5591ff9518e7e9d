"""Pages of contracts (payments edited inline), payments and performance reviews (as an administrator)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.models import Contract, Payment, PerformanceReview
from tests.factories import (
    ContractFactory,
    OrganizationFactory,
    PaymentFactory,
    PerformanceReviewFactory,
    PurchaserFactory,
    user_with_role,
)
from tests.views_base import ObjectViewTests


def payments_management(total=0, initial=0):
    return {"payments-TOTAL_FORMS": str(total), "payments-INITIAL_FORMS": str(initial),
            "payments-MIN_NUM_FORMS": "0", "payments-MAX_NUM_FORMS": "1000"}


class TestContractPages(ObjectViewTests):
    model = Contract
    factory = ContractFactory
    invalid_field = "restricted_amount"

    def valid_data(self):
        purchaser = PurchaserFactory()
        org = OrganizationFactory()
        return {"reference": "CY-2025-017", "title": "残疾儿童康复训练服务", "purchaser": purchaser.pk,
                "organization": org.pk, "service_category": "rehab_children",
                "procurement_method": "competitive_consultation", "status": "active", "signed_on": "2025-03-01",
                "start_on": "", "end_on": "2025-12-31", "amount": "1,200,000.00", "restricted_amount": "960000",
                "beneficiaries_target": "80", "region": "", "description": "", **payments_management()}

    def invalid_data(self):
        return {**self.valid_data(), "restricted_amount": "1,300,000"}

    def check_saved(self, obj, data):
        assert obj.reference == "CY-2025-017"
        assert obj.amount == Decimal("1200000.00")
        assert obj.restricted_amount == Decimal("960000.00")
        assert obj.start_on == datetime.date(2025, 3, 1)  # empty start date takes the signing date

    def edit_data(self, obj):
        return {**self.valid_data(), **payments_management(total=0, initial=0)}

    def search_pair(self):
        found = ContractFactory(title="听力障碍儿童康复")
        other = ContractFactory(title="居家托养服务")
        return found, other, "听力"

    def filter_pair(self):
        kept = ContractFactory(status="completed")
        dropped = ContractFactory(status="draft")
        return kept, dropped, {"status": ["completed"]}


class TestPaymentPages(ObjectViewTests):
    model = Payment
    factory = PaymentFactory
    invalid_field = "amount"

    def valid_data(self):
        contract = ContractFactory()
        return {"contract": contract.pk, "kind": "interim", "due_on": "2025-06-30", "paid_on": "2025-07-02",
                "amount": "45,000.50", "note": "第二期"}

    def invalid_data(self):
        return {**self.valid_data(), "amount": "-5"}

    def check_saved(self, obj, data):
        assert obj.amount == Decimal("45000.50")
        assert obj.kind == "interim"
        assert obj.paid_on == datetime.date(2025, 7, 2)

    def search_pair(self):
        found = PaymentFactory(note="第一期拨付")
        other = PaymentFactory(note="尾款")
        return found, other, "第一期"

    def filter_pair(self):
        kept = PaymentFactory(kind="final")
        dropped = PaymentFactory(kind="advance")
        return kept, dropped, {"kind": ["final"]}


class TestPerformanceReviewPages(ObjectViewTests):
    model = PerformanceReview
    factory = PerformanceReviewFactory
    invalid_field = "quality_score"

    def valid_data(self):
        contract = ContractFactory()
        return {"contract": contract.pk, "reviewer_kind": "third_party", "reviewer_name": "某评估中心",
                "reviewed_on": "2025-12-20", "output_score": "90", "quality_score": "80",
                "satisfaction_score": "100", "financial_score": "70", "beneficiaries_served": "75", "findings": ""}

    def invalid_data(self):
        return {**self.valid_data(), "quality_score": "120"}

    def check_saved(self, obj, data):
        # 0.3·90 + 0.3·80 + 0.2·100 + 0.2·70 = 27 + 24 + 20 + 14 = 85 → good
        assert obj.total_score == Decimal("85.00")
        assert obj.grade == "good"

    def search_pair(self):
        found = PerformanceReviewFactory(reviewer_name="长春市社会组织评估中心")
        other = PerformanceReviewFactory(reviewer_name="服务对象问卷")
        return found, other, "评估中心"

    def filter_pair(self):
        kept = PerformanceReviewFactory(output_score=50, quality_score=50, satisfaction_score=50,
                                        financial_score=50)  # 50 → fail
        dropped = PerformanceReviewFactory()
        return kept, dropped, {"grade": ["fail"]}


@pytest.fixture
def admin_client(client, db):
    client.force_login(user_with_role("administrator"))
    return client


@pytest.mark.django_db
class TestContractFormWithPayments:
    def data(self, **extra):
        purchaser = PurchaserFactory()
        org = OrganizationFactory()
        return {"reference": "NG-2025-003", "title": "成年残疾人社区康复", "purchaser": purchaser.pk,
                "organization": org.pk, "service_category": "rehab_adult", "procurement_method": "public_tender",
                "status": "active", "signed_on": "2025-02-10", "start_on": "2025-03-01", "end_on": "2025-12-31",
                "amount": "100,000", "restricted_amount": "80,000", "beneficiaries_target": "", "region": "",
                "description": "", **extra}

    def payment(self, i, kind, due, amount, paid=""):
        return {f"payments-{i}-kind": kind, f"payments-{i}-due_on": due, f"payments-{i}-paid_on": paid,
                f"payments-{i}-amount": amount, f"payments-{i}-note": ""}

    def test_contract_with_three_payments_in_one_form(self, admin_client):
        data = self.data(**payments_management(total=3),
                         **self.payment(0, "advance", "2025-03-01", "30,000", "2025-03-02"),
                         **self.payment(1, "interim", "2025-07-01", "40,000"),
                         **self.payment(2, "final", "2026-01-15", "30,000"))
        response = admin_client.post(reverse("contracts:contract_add"), data)
        assert response.status_code == 302
        contract = Contract.objects.get(reference="NG-2025-003")
        assert sorted(contract.payments.values_list("amount", flat=True)) == [Decimal("30000"), Decimal("30000"),
                                                                               Decimal("40000")]
        page = admin_client.get(response["Location"])
        html = page.content.decode()
        assert "30,000.00" in html  # paid to date
        assert "70,000.00" in html  # outstanding = 100,000 − 30,000
        assert "20,000.00" in html  # unrestricted = 100,000 − 80,000
        assert not any(m.level_tag == "warning" for m in page.context["messages"])

    def test_payments_above_the_amount_save_with_a_warning(self, admin_client):
        data = self.data(**payments_management(total=2), **self.payment(0, "advance", "2025-03-01", "60,000"),
                         **self.payment(1, "final", "2025-12-01", "50,000"))
        response = admin_client.post(reverse("contracts:contract_add"), data, follow=True)
        assert Contract.objects.filter(reference="NG-2025-003").exists()
        warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
        assert len(warnings) == 1
        assert "110,000.00" in warnings[0]

    def test_removing_a_payment_row_deletes_it(self, admin_client):
        contract = ContractFactory()
        keep = PaymentFactory(contract=contract, amount=Decimal("10000"))
        drop = PaymentFactory(contract=contract, amount=Decimal("20000"), kind="final")
        data = {"reference": contract.reference, "title": contract.title, "purchaser": contract.purchaser_id,
                "organization": contract.organization_id, "service_category": contract.service_category,
                "procurement_method": contract.procurement_method, "status": contract.status,
                "signed_on": "2025-01-10", "start_on": "2025-02-01", "end_on": "2025-12-31", "amount": "100000",
                "restricted_amount": "80000", "beneficiaries_target": "", "region": "", "description": "",
                **payments_management(total=2, initial=2)}
        for i, p in enumerate([keep, drop]):
            data.update({f"payments-{i}-id": p.pk, f"payments-{i}-contract": contract.pk, f"payments-{i}-kind": p.kind,
                         f"payments-{i}-due_on": "2025-03-01", f"payments-{i}-paid_on": "",
                         f"payments-{i}-amount": str(p.amount), f"payments-{i}-note": ""})
        data["payments-1-DELETE"] = "on"
        response = admin_client.post(reverse("contracts:contract_edit", args=[contract.pk]), data)
        assert response.status_code == 302
        assert list(contract.payments.values_list("pk", flat=True)) == [keep.pk]

    def test_invalid_payment_row_keeps_everything_unsaved(self, admin_client):
        data = self.data(**payments_management(total=1), **self.payment(0, "advance", "2025-03-01", "0"))
        response = admin_client.post(reverse("contracts:contract_add"), data)
        assert response.status_code == 200
        assert not Contract.objects.filter(reference="NG-2025-003").exists()
        assert response.context["formsets"][0].errors[0]["amount"]

    def test_add_payment_prefills_the_contract(self, admin_client):
        contract = ContractFactory()
        response = admin_client.get(reverse("contracts:payment_add"), {"contract": contract.pk})
        assert response.context["form"].initial["contract"] == str(contract.pk)

    def test_staff_form_offers_only_their_purchasers(self, client):
        mine = PurchaserFactory(name="甲区民政局")
        other = PurchaserFactory(name="乙区民政局")
        client.force_login(user_with_role("staff", purchasers=[mine]))
        form = client.get(reverse("contracts:contract_add")).context["form"]
        assert list(form.fields["purchaser"].queryset) == [mine]
        assert other not in form.fields["purchaser"].queryset


@pytest.mark.django_db
class TestContractDetail:
    def test_money_payments_reviews_and_actions(self, admin_client):
        contract = ContractFactory(amount=Decimal("250000"), restricted_amount=Decimal("200000"))
        PaymentFactory(contract=contract, amount=Decimal("100000"), paid_on=datetime.date(2025, 3, 1))
        PaymentFactory(contract=contract, amount=Decimal("50000"), paid_on=None, due_on=datetime.date(2020, 1, 1))
        review = PerformanceReviewFactory(contract=contract)  # 0.3·85+0.3·80+0.2·90+0.2·75 = 82.5 → good
        response = admin_client.get(contract.get_absolute_url())
        html = response.content.decode()
        assert "250,000.00" in html and "200,000.00" in html and "50,000.00" in html  # amount, restricted, unrestr.
        assert "100,000.00" in html  # paid to date
        assert "150,000.00" in html  # outstanding = 250,000 − 100,000
        assert response.context["contract"].overdue_count == 1
        assert review.get_absolute_url() in html
        assert 'badge text-bg-primary">良好' in html
        assert f"{reverse('contracts:payment_add')}?contract={contract.pk}" in html
        assert f"{reverse('contracts:performancereview_add')}?contract={contract.pk}" in html

    def test_list_total_sums_the_filtered_contracts(self, admin_client):
        a = ContractFactory(amount=Decimal("1000000"), status="active")
        PaymentFactory(contract=a, amount=Decimal("1000"))
        PaymentFactory(contract=a, amount=Decimal("2000"))
        ContractFactory(amount=Decimal("234567.89"), restricted_amount=0, status="active")
        ContractFactory(amount=Decimal("5"), restricted_amount=0, status="draft")
        response = admin_client.get(reverse("contracts:contract_list"), {"status": "active"})
        assert response.context["totals"][0][1] == Decimal("1234567.89")
        assert "1,234,567.89" in response.content.decode()


@pytest.mark.django_db
class TestPageLevelVisibility:
    """What the generic views do with scope: 404 outside it, 403 when visible but not changeable."""

    def setup_scope(self):
        mine = PurchaserFactory()
        contract = ContractFactory(purchaser=mine)
        foreign = ContractFactory()
        return mine, contract, foreign

    def test_staff_outside_scope_is_404_on_every_page(self, client):
        mine, _, foreign = self.setup_scope()
        client.force_login(user_with_role("staff", purchasers=[mine]))
        for name in ("contract_detail", "contract_edit", "contract_delete"):
            assert client.get(reverse(f"contracts:{name}", args=[foreign.pk])).status_code == 404, name
        html = client.get(reverse("contracts:contract_list")).content.decode()
        assert foreign.get_absolute_url() not in html

    def test_ngo_manager_sees_but_may_not_change_their_contract(self, client):
        _, contract, _ = self.setup_scope()
        client.force_login(user_with_role("ngo_manager", organizations=[contract.organization]))
        response = client.get(contract.get_absolute_url())
        assert response.status_code == 200
        assert reverse("contracts:contract_edit", args=[contract.pk]) not in response.content.decode()
        assert client.get(reverse("contracts:contract_edit", args=[contract.pk])).status_code == 403
        assert client.post(reverse("contracts:contract_delete", args=[contract.pk])).status_code == 403
        assert Contract.objects.filter(pk=contract.pk).exists()
        assert client.get(reverse("contracts:contract_add")).status_code == 403

    def test_analyst_reads_but_gets_no_add_button(self, client):
        _, contract, _ = self.setup_scope()
        client.force_login(user_with_role("analyst"))
        response = client.get(reverse("contracts:contract_list"))
        assert response.status_code == 200
        assert reverse("contracts:contract_add") not in response.content.decode()
        assert client.get(reverse("contracts:payment_add")).status_code == 403

    def test_staff_payment_form_offers_only_contracts_they_may_change(self, client):
        mine, contract, foreign = self.setup_scope()
        client.force_login(user_with_role("staff", purchasers=[mine]))
        form = client.get(reverse("contracts:payment_add")).context["form"]
        assert list(form.fields["contract"].queryset) == [contract]

    def test_staff_cannot_post_a_contract_for_another_purchaser(self, client):
        mine, _, foreign = self.setup_scope()
        client.force_login(user_with_role("staff", purchasers=[mine]))
        data = TestContractFormWithPayments().data(**payments_management())
        data["purchaser"] = foreign.purchaser_id
        response = client.post(reverse("contracts:contract_add"), data)
        assert response.status_code == 200
        assert "purchaser" in response.context["form"].errors
        assert not Contract.objects.filter(reference="NG-2025-003").exists()


@pytest.mark.django_db
def test_contract_list_sorts_by_a_column(admin_client):
    small = ContractFactory(amount=Decimal("50000"), restricted_amount=0)
    large = ContractFactory(amount=Decimal("900000"), restricted_amount=0)
    middle = ContractFactory(amount=Decimal("300000"), restricted_amount=0)
    url = reverse("contracts:contract_list")
    rows = list(admin_client.get(url, {"sort": "-amount"}).context["table"].page.object_list.data)
    assert [c.pk for c in rows] == [large.pk, middle.pk, small.pk]
    rows = list(admin_client.get(url, {"sort": "amount"}).context["table"].page.object_list.data)
    assert [c.pk for c in rows] == [small.pk, middle.pk, large.pk]


@pytest.mark.django_db
def test_contract_list_paginates(admin_client):
    ContractFactory.create_batch(30, restricted_amount=0)
    response = admin_client.get(reverse("contracts:contract_list"), {"page": "2"})
    assert response.context["result_count"] == 30
    assert len(response.context["table"].page.object_list) == 5


@pytest.mark.django_db
def test_amount_filter_accepts_thousands_separators(admin_client):
    large = ContractFactory(amount=Decimal("1500000"), restricted_amount=0)
    small = ContractFactory(amount=Decimal("90000"), restricted_amount=0)
    response = admin_client.get(reverse("contracts:contract_list"), {"amount_min": "1,000,000"})
    html = response.content.decode()
    assert large.get_absolute_url() in html
    assert small.get_absolute_url() not in html
