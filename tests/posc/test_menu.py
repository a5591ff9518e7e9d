"""The main menu per role, and exactly one item highlighted on each page."""

import re

import pytest
from django.urls import reverse

from tests.factories import ContractFactory, OrganizationFactory, PurchaserFactory, user_with_role

pytestmark = pytest.mark.django_db


def nav(content):
    return content.split('id="main-nav"', 1)[1].split("</nav>", 1)[0]


def active_items(content):
    return re.findall(r'class="nav-link[^"]*\bactive\b[^"]*"[^>]*>([^<]+)<', nav(content))


@pytest.mark.parametrize("role, work_queue, purchaser_dashboard, import_page", [
    ("administrator", True, True, True),
    ("staff", True, True, True),
    ("ngo_manager", False, False, True),
    ("analyst", False, True, False),
])
def test_menu_items_per_role(client, role, work_queue, purchaser_dashboard, import_page):
    organization = OrganizationFactory()
    OrganizationFactory()  # a second one: the NGO manager's home is the dashboard, not a redirect
    kwargs = {"organizations": [organization]} if role == "ngo_manager" else {}
    if role == "staff":
        kwargs = {"purchasers": [PurchaserFactory()]}
    client.force_login(user_with_role(role, **kwargs))
    menu = nav(client.get(reverse("contracts:contract_list")).content.decode())
    assert (reverse("dashboards:work_queue") in menu) is work_queue
    assert (reverse("dashboards:purchasers") in menu) is purchaser_dashboard
    assert (reverse("imports") in menu) is import_page


@pytest.mark.parametrize("url_name, args, expected", [
    ("home", [], "首页"),
    ("dashboards:work_queue", [], "待办事项"),
    ("dashboards:purchasers", [], "指标"),
    ("organizations:purchaser_list", [], "购买主体"),
    ("organizations:organization_list", [], "承接主体"),
    ("contracts:contract_list", [], "合同"),
    ("contracts:contract_import", [], "导入"),
    ("imports", [], "导入"),
])
def test_one_item_is_highlighted(client, url_name, args, expected):
    client.force_login(user_with_role("administrator"))
    content = client.get(reverse(url_name, args=args)).content.decode()
    items = [item.strip() for item in active_items(content)]
    assert len(items) == 1 and expected in items[0], items


def test_ngo_manager_on_own_organization_highlights_my_organization_only(client):
    mine, other = OrganizationFactory(), OrganizationFactory()
    ContractFactory(organization=mine)
    client.force_login(user_with_role("ngo_manager", organizations=[mine, other]))
    content = client.get(reverse("organizations:organization_detail", args=[mine.pk])).content.decode()
    assert len(active_items(content)) == 1
    assert 'nav-my-organization active" aria-current="page"' in content
    funding = client.get(reverse("dashboards:organization_funding", args=[mine.pk])).content.decode()
    assert len(active_items(funding)) == 1
