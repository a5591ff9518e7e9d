"""Choice fields over large sets: the search endpoint answers only from the user's scope, and the form widget is a
<select> on small data and a search box above ``LookupSelect.max_options`` rows, with unchanged validation."""

import re

import pytest
from django.urls import reverse

from core.forms import LookupSelect
from organizations.models import IncomeRecord
from tests.factories import (
    ContractFactory,
    IncomeRecordFactory,
    OrganizationFactory,
    PurchaserFactory,
    RegionFactory,
    UserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db


def lookup(client, model, q="", mode=None):
    params = {"q": q} if mode is None else {"q": q, "mode": mode}
    return client.get(reverse("lookup", args=[model]), params)


def labels(response):
    assert response.status_code == 200
    return [row["label"] for row in response.json()["results"]]


# The endpoint --------------------------------------------------------------------------------------------------------

def test_ngo_manager_finds_only_their_own_organization(client):
    mine = OrganizationFactory(name="春晖康复中心")
    OrganizationFactory(name="明德康复中心")
    client.force_login(user_with_role("ngo_manager", organizations=[mine]))
    assert labels(lookup(client, "organization", "明德")) == []
    assert labels(lookup(client, "organization", "康复中心")) == ["春晖康复中心"]
    assert labels(lookup(client, "organization", "康复中心", mode="editable")) == ["春晖康复中心"]
    body = lookup(client, "organization", "康复").json()
    assert body == {"results": [{"id": mine.pk, "label": "春晖康复中心"}]}


def test_ngo_manager_finds_only_contracts_of_their_organization(client):
    mine = OrganizationFactory()
    ContractFactory(organization=mine, reference="CY-2025-001", title="康复训练")
    ContractFactory(reference="CY-2025-002", title="康复训练")
    client.force_login(user_with_role("ngo_manager", organizations=[mine]))
    assert labels(lookup(client, "contract", "CY-2025")) == ["CY-2025-001 康复训练"]
    assert labels(lookup(client, "contract", "康复", mode="editable")) == []  # NGO managers change no contract


def test_editable_mode_narrows_to_what_the_user_may_change(client):
    region, elsewhere = RegionFactory(), RegionFactory()
    bureau = PurchaserFactory(name="朝阳区民政局", region=region)
    PurchaserFactory(name="南关区民政局", region=elsewhere)
    OrganizationFactory(name="朝阳康复中心", region=region)
    OrganizationFactory(name="南关康复中心", region=elsewhere)
    client.force_login(user_with_role("staff", purchasers=[bureau]))
    # Staff see every organization's and purchaser's profile, but change only their own region's.
    assert sorted(labels(lookup(client, "organization", "康复中心"))) == ["南关康复中心", "朝阳康复中心"]
    assert labels(lookup(client, "organization", "康复中心", mode="editable")) == ["朝阳康复中心"]
    assert labels(lookup(client, "purchaser", "民政局", mode="editable")) == ["朝阳区民政局"]


def test_search_by_uscc_and_at_most_twenty_results(admin_client):
    orgs = [OrganizationFactory(name=f"助残服务社{n:02d}") for n in range(25)]
    assert len(labels(lookup(admin_client, "organization", "助残服务社"))) == 20
    assert len(labels(lookup(admin_client, "organization"))) == 20  # an empty search lists the first 20
    target = orgs[7]
    assert labels(lookup(admin_client, "organization", target.uscc[-10:].lower())) == [target.name]


def test_anonymous_is_sent_to_login_and_bad_requests_are_refused(client):
    OrganizationFactory(name="春晖康复中心")
    response = lookup(client, "organization", "春晖")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(user_with_role("analyst"))
    assert lookup(client, "organization", "春晖", mode="everything").status_code == 400
    assert lookup(client, "grant", "").status_code == 404
    assert labels(lookup(client, "organization", "春晖")) == ["春晖康复中心"]  # analysts see every organization
    client.force_login(UserFactory())  # a login without a role sees nothing
    assert lookup(client, "organization", "春晖").json() == {"results": []}


# The widget and the forms --------------------------------------------------------------------------------------------

def organization_field_html(content):
    match = re.search(r'<div[^>]*id="div_id_organization".*?</div>\s*</div>', content, re.S)
    assert match, "no organization field on the page"
    return match.group(0)


def test_small_choice_sets_keep_the_select(admin_client, monkeypatch):
    monkeypatch.setattr(LookupSelect, "max_options", 2)
    OrganizationFactory(name="春晖康复中心")
    OrganizationFactory(name="明德助残服务社")
    content = admin_client.get(reverse("contracts:contract_add")).content.decode()
    field = organization_field_html(content)
    assert '<select name="organization"' in field
    assert "春晖康复中心" in field and "明德助残服务社" in field
    assert 'role="combobox"' not in field


def test_large_choice_sets_get_the_search_box(admin_client, monkeypatch):
    monkeypatch.setattr(LookupSelect, "max_options", 2)
    names = [OrganizationFactory(name=f"康复中心{n}").name for n in range(3)]
    content = admin_client.get(reverse("contracts:contract_add")).content.decode()
    field = organization_field_html(content)
    assert "<select" not in field and "<option" not in field
    assert not any(name in content for name in names)  # no organization is listed
    assert re.search(r'<input type="hidden" name="organization" value=""', field)
    assert 'id="id_organization"' in field and 'role="combobox"' in field and 'aria-controls="id_organization_' \
        'listbox"' in field
    assert f'data-lookup-url="{reverse("lookup", args=["organization"])}"' in field
    assert 'data-lookup-mode="visible"' in field
    # The purchaser is the parent the user must be able to change: its box searches in "editable" mode.
    PurchaserFactory.create_batch(3)
    content = admin_client.get(reverse("contracts:contract_add")).content.decode()
    assert re.search(r'data-lookup-mode="editable" data-lookup-empty="[^"]*" data-lookup-count="[^"]*">'
                     r'<input type="hidden" name="purchaser"', content)


def test_editing_shows_the_current_object_by_name(admin_client, monkeypatch):
    monkeypatch.setattr(LookupSelect, "max_options", 2)
    contract = ContractFactory(organization=OrganizationFactory(name="春晖康复中心"))
    OrganizationFactory.create_batch(2)
    content = admin_client.get(reverse("contracts:contract_edit", args=[contract.pk])).content.decode()
    field = organization_field_html(content)
    assert f'<input type="hidden" name="organization" value="{contract.organization_id}"' in field
    assert 'value="春晖康复中心"' in field


def test_payment_form_contract_box_searches_changeable_contracts(client, monkeypatch):
    monkeypatch.setattr(LookupSelect, "max_options", 2)
    bureau = PurchaserFactory()
    ContractFactory.create_batch(3, purchaser=bureau)
    client.force_login(user_with_role("staff", purchasers=[bureau]))
    content = client.get(reverse("contracts:payment_add")).content.decode()
    assert re.search(r'data-lookup-url="/lookup/contract/" data-lookup-mode="editable"', content)
    assert '<input type="hidden" name="contract" value=""' in content


def income_data(organization):
    return {"organization": organization.pk, "fiscal_year": "2025", "source": "service_fee",
            "funder_name": "康复服务收费", "funder_purchaser": "", "amount": "300,000", "restricted_amount": "0",
            "note": ""}


@pytest.mark.parametrize("max_options", [300, 2])
def test_an_id_outside_the_users_scope_is_refused(client, monkeypatch, max_options):
    monkeypatch.setattr(LookupSelect, "max_options", max_options)
    mine = OrganizationFactory.create_batch(3)
    other = OrganizationFactory(name="别人的机构")
    client.force_login(user_with_role("ngo_manager", organizations=mine))
    response = client.post(reverse("organizations:incomerecord_add"), income_data(other))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["organization"]
    assert response.context["form"].errors.as_data()["organization"][0].code == "invalid_choice"
    assert "别人的机构" not in response.content.decode()
    assert not IncomeRecord.objects.exists()


@pytest.mark.parametrize("max_options", [300, 2])
def test_a_valid_id_saves(client, monkeypatch, max_options):
    monkeypatch.setattr(LookupSelect, "max_options", max_options)
    mine = OrganizationFactory.create_batch(3)
    IncomeRecordFactory(organization=mine[0], fiscal_year=2024)
    client.force_login(user_with_role("ngo_manager", organizations=mine))
    response = client.post(reverse("organizations:incomerecord_add"), income_data(mine[1]))
    assert response.status_code == 302
    record = IncomeRecord.objects.get(fiscal_year=2025)
    assert record.organization == mine[1] and record.funder_name == "康复服务收费"
