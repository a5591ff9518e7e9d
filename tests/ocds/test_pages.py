"""The "OCDS JSON" download links on the contract list and the contract page."""

import pytest
from django.urls import reverse

from tests.factories import ContractFactory, user_with_role

pytestmark = pytest.mark.django_db

RELEASES = reverse("api:ocds-releases")


def test_contract_list_links_the_release_package_of_the_filtered_year(client):
    ContractFactory()
    client.force_login(user_with_role("analyst"))
    page = client.get(reverse("contracts:contract_list")).content.decode()
    assert f'href="{RELEASES}"' in page
    assert "OCDS JSON" in page
    page = client.get(reverse("contracts:contract_list"), {"year": "2025"}).content.decode()
    assert f'href="{RELEASES}?year=2025"' in page
    page = client.get(reverse("contracts:contract_list"), {"year": "3000"}).content.decode()
    assert f'href="{RELEASES}"' in page


def test_contract_page_links_its_record_and_the_link_works(client):
    contract = ContractFactory()
    client.force_login(user_with_role("analyst"))
    page = client.get(contract.get_absolute_url()).content.decode()
    url = reverse("api:ocds-record", args=[f"ocds-posc00-{contract.pk}"])
    assert f'href="{url}"' in page
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["records"][0]["ocid"] == f"ocds-posc00-{contract.pk}"


def test_draft_contract_page_has_no_link(client):
    contract = ContractFactory(status="draft")
    client.force_login(user_with_role("administrator"))
    page = client.get(contract.get_absolute_url()).content.decode()
    assert reverse("api:ocds-record", args=[f"ocds-posc00-{contract.pk}"]) not in page
