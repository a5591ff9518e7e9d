"""Multi-word search (every word must match, each in any searched field) on list pages, the API and the search
pickers; and the search pickers in the filter panels, which replace the numeric id inputs."""

import pytest
from django.urls import reverse

from tests.factories import (
    ContractFactory,
    OrganizationFactory,
    PaymentFactory,
    PurchaserFactory,
    RegionFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def listed(response):
    return list(response.context["table"].page.object_list.data)


def test_every_word_must_match_each_in_any_field(client):
    wanted = ContractFactory(title="居家照料服务", organization=OrganizationFactory(name="春晖助残中心"))
    ContractFactory(title="居家照料服务", organization=OrganizationFactory(name="阳光康复中心"))  # 春晖 missing
    ContractFactory(title="康复训练", organization=OrganizationFactory(name="春晖社工站"))  # 居家照料 missing
    client.force_login(user_with_role("analyst"))
    url = reverse("contracts:contract_list")
    assert listed(client.get(url, {"q": "居家照料 春晖"})) == [wanted]
    assert listed(client.get(url, {"q": "  春晖\u3000居家照料 "})) == [wanted]  # order and ideographic space
    assert len(listed(client.get(url, {"q": "居家照料"}))) == 2


def test_multi_word_search_in_the_api_and_other_lists(client):
    wanted = PaymentFactory(note="第二期 拨付", contract=ContractFactory(reference="HT-XY-1"))
    PaymentFactory(note="第二期", contract=ContractFactory(reference="HT-AB-2"))
    client.force_login(user_with_role("analyst"))
    assert listed(client.get(reverse("contracts:payment_list"), {"q": "xy-1 第二期"})) == [wanted]
    body = client.get("/api/payments/", {"q": "第二期 HT-XY"}).json()
    results = body["results"] if isinstance(body, dict) else body
    assert [row["id"] for row in results] == [wanted.pk]


def test_picker_lookup_matches_every_word(client):
    wanted = OrganizationFactory(name="长春市春晖助残服务中心")
    OrganizationFactory(name="长春市阳光服务中心")
    client.force_login(user_with_role("analyst"))
    results = client.get(reverse("lookup", args=["organization"]), {"q": "长春 春晖"}).json()["results"]
    assert [r["id"] for r in results] == [wanted.pk]


@pytest.mark.parametrize("url_name, names", [
    ("contracts:contract_list", ["purchaser", "organization", "region", "purchaser_region"]),
    ("contracts:payment_list", ["contract", "purchaser", "organization", "region"]),
    ("contracts:performancereview_list", ["contract", "purchaser", "organization", "region"]),
    ("organizations:incomerecord_list", ["organization", "funder_purchaser", "region"]),
    ("organizations:organization_list", ["region", "business_supervisory_unit"]),
    ("dashboards:dependency", ["region"]),
])
def test_filter_panels_offer_search_pickers_not_id_inputs(client, url_name, names):
    PurchaserFactory(name="不应列出的民政局")
    client.force_login(user_with_role("analyst"))
    content = client.get(reverse(url_name)).content.decode()
    for name in names:
        assert f'<input type="hidden" name="{name}" value="" data-lookup-value>' in content, name
        assert f'id="id_{name}"' in content and 'role="combobox"' in content
    assert 'placeholder="ID"' not in content
    assert "不应列出的民政局" not in content  # no option list of purchasers


def test_a_chosen_filter_value_is_named_in_its_picker(client):
    purchaser = PurchaserFactory(name="南关区民政局")
    kept = ContractFactory(purchaser=purchaser)
    ContractFactory()
    client.force_login(user_with_role("analyst"))
    response = client.get(reverse("contracts:contract_list"), {"purchaser": purchaser.pk})
    content = response.content.decode()
    assert listed(response) == [kept]
    assert f'name="purchaser" value="{purchaser.pk}"' in content and 'value="南关区民政局"' in content


def test_region_picker_is_tree_aware(client):
    province = RegionFactory(code="220000", name="吉林省", level="province")
    city = RegionFactory(code="220100", name="长春市", level="city", parent=province)
    district = RegionFactory(code="220102", name="南关区", level="county", parent=city)
    for region in (province, city, district):
        region.path = region.compute_path()
        region.save()
    inside = ContractFactory(region=district)
    ContractFactory(region=RegionFactory(code="230102", name="道里区"))
    client.force_login(user_with_role("analyst"))
    results = client.get(reverse("lookup", args=["region"]), {"q": "南关"}).json()["results"]
    assert results == [{"id": district.pk, "label": "吉林省 › 长春市 › 南关区"}]
    response = client.get(reverse("contracts:contract_list"), {"region": city.pk})
    assert listed(response) == [inside]
    assert 'value="吉林省 › 长春市"' in response.content.decode()  # the chosen region, named with its parents


def test_picker_never_names_an_organization_out_of_scope(client):
    mine = ContractFactory().organization
    OrganizationFactory(name="别人的春晖机构")
    client.force_login(user_with_role("ngo_manager", organizations=[mine]))
    results = client.get(reverse("lookup", args=["organization"]), {"q": "春晖"}).json()["results"]
    assert results == []


@pytest.mark.parametrize("inline_ids", [0, 500])
def test_related_fields_match_by_id_or_by_subquery_alike(client, monkeypatch, inline_ids):
    """Words found in a related row (organization, purchaser) match through its ids, or through a subquery when
    many rows match: the same contracts either way."""
    from core import lookup

    monkeypatch.setattr(lookup, "INLINE_IDS", inline_ids)
    spring = OrganizationFactory(name="春晖助残中心")
    wanted = ContractFactory(title="居家照料服务", organization=spring, purchaser=PurchaserFactory(name="南关区残联"))
    ContractFactory(title="居家照料服务", organization=spring)  # another purchaser
    ContractFactory(title="春晖居家照料")  # both words in the title
    client.force_login(user_with_role("analyst"))
    url = reverse("contracts:contract_list")
    assert listed(client.get(url, {"q": "南关 春晖 照料"})) == [wanted]
    assert len(listed(client.get(url, {"q": "春晖 照料"}))) == 3
    assert listed(client.get(url, {"q": "春晖 没有的词"})) == []
    # The count and the page take different shapes of the subquery (a hashed IN, a lookup per row): the same rows.
    response = client.get(url, {"q": "春晖", "per_page": 25})
    assert response.context["result_count"] == 3 and len(listed(response)) == 3
    payments = [PaymentFactory(contract=wanted), PaymentFactory(contract=ContractFactory(title="无关"))]
    response = client.get(reverse("contracts:payment_list"), {"q": "春晖"})
    assert response.context["result_count"] == 1
    assert listed(response) == payments[:1]
