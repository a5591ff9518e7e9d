"""Choice filters over large sets (organizations, contracts) use a search picker instead of listing every visible row,
still narrow the rows, show the chosen object's name, and never reveal an object the user may not see."""

import pytest
from django.urls import reverse

from tests.factories import (
    ContractFactory,
    IncomeRecordFactory,
    OrganizationFactory,
    PaymentFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def test_contract_list_filtered_by_organization_id(client):
    kept = ContractFactory(organization=OrganizationFactory(name="阳光康复中心"), title="保留的合同")
    ContractFactory(organization=OrganizationFactory(name="彩虹助残协会"), title="不显示的合同")
    client.force_login(user_with_role("analyst"))
    response = client.get(reverse("contracts:contract_list"), {"organization": kept.organization_id})
    content = response.content.decode()
    assert list(response.context["table"].page.object_list.data) == [kept]
    assert "保留的合同" in content and "不显示的合同" not in content
    assert "阳光康复中心" in content  # the chosen organization is named in the filter panel
    assert "彩虹助残协会" not in content  # other organizations are not listed as choices


def test_unfiltered_list_does_not_enumerate_organizations(client):
    names = [OrganizationFactory(name=f"未签约机构{n}").name for n in range(3)]
    ContractFactory()
    client.force_login(user_with_role("analyst"))
    content = client.get(reverse("contracts:contract_list")).content.decode()
    assert 'name="organization"' in content and 'role="combobox"' in content
    assert not any(name in content for name in names)


def test_an_organization_out_of_scope_is_refused_and_not_named(client):
    mine = ContractFactory().organization
    hidden = ContractFactory(organization=OrganizationFactory(name="别人的机构")).organization
    client.force_login(user_with_role("ngo_manager", organizations=[mine]))
    response = client.get(reverse("contracts:contract_list"), {"organization": hidden.pk})
    assert response.status_code == 400  # a bad filter value: the form shows the error
    assert response.context["filter"].errors  # not a valid choice for this user
    assert "别人的机构" not in response.content.decode()


def test_payment_list_filtered_by_contract_and_organization_id(client):
    kept = PaymentFactory(contract=ContractFactory(reference="HT-KEEP"))
    dropped = PaymentFactory(contract=ContractFactory(reference="HT-DROP"))
    client.force_login(user_with_role("analyst"))
    url = reverse("contracts:payment_list")
    for params in ({"contract": kept.contract_id}, {"organization": kept.contract.organization_id}):
        rows = list(client.get(url, params).context["table"].page.object_list.data)
        assert rows == [kept] and dropped not in rows


def test_income_record_list_filtered_by_organization_id(client):
    kept = IncomeRecordFactory(funder_name="张三")
    IncomeRecordFactory(funder_name="李四")
    client.force_login(user_with_role("analyst"))
    response = client.get(reverse("organizations:incomerecord_list"), {"organization": kept.organization_id})
    assert list(response.context["table"].page.object_list.data) == [kept]


def test_api_filter_by_organization_id_still_works(client):
    kept = ContractFactory()
    ContractFactory()
    client.force_login(user_with_role("analyst"))
    response = client.get("/api/contracts/", {"organization": kept.organization_id})
    assert response.status_code == 200
    body = response.json()
    results = body["results"] if isinstance(body, dict) else body
    assert [row["id"] for row in results] == [kept.pk]


def test_quick_select_renders_what_a_select_renders():
    from django import forms
    from django.test.html import parse_html

    from core.filtersets import QuickSelect
    from organizations.models import Region
    from tests.factories import RegionFactory

    regions = [RegionFactory(name=name) for name in ("长春市", "吉林市", "四平市 <&>")]
    for value in (None, str(regions[1].pk)):
        plain = forms.ModelChoiceField(queryset=Region.objects.all(), required=False,
                                       widget=forms.Select(attrs={"class": "form-select"}))
        quick = forms.ModelChoiceField(queryset=Region.objects.all(), required=False,
                                       widget=QuickSelect(attrs={"class": "form-select"}))
        expected = plain.widget.render("region", value, {"id": "id_region"})
        html = quick.widget.render("region", value, {"id": "id_region"})
        assert parse_html(html) == parse_html(expected)
        assert "四平市 &lt;&amp;&gt;" in html
    assert f'<option value="{regions[1].pk}" selected>吉林市</option>' in html
