"""Error pages of our own (400, 403 with its reason, 404, 500): translated, inside the site layout with the
navigation for a signed-in user, and never a server error themselves. Run as in production: DEBUG off, and a
client that answers with the error page instead of raising the view's exception."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import ContractFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_errors")]

MENU = 'href="/contracts/"'  # a link of the navigation menu a signed-in user sees


@pytest.fixture
def production_errors():
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        yield


def client_for(role=None, **memberships):
    client = Client(raise_request_exception=False)
    if role:
        client.force_login(user_with_role(role, **memberships))
    return client


@pytest.mark.parametrize("role", ["administrator", "staff", "ngo_manager", "analyst"])
def test_an_unknown_url_is_a_translated_404_page_with_the_menu(role):
    response = client_for(role).get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面没有找到" in page  # "Page not found", in the default language
    assert MENU in page
    assert 'class="navbar' in page


def test_the_404_page_for_a_visitor_offers_the_login_and_no_menu():
    response = client_for().get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面没有找到" in page
    assert MENU not in page
    assert reverse("login") in page


def test_the_404_page_speaks_english_when_asked():
    client = client_for("staff")
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_object_out_of_scope_is_the_404_page_with_the_menu():
    contract = ContractFactory()
    response = client_for("ngo_manager").get(contract.get_absolute_url())
    assert response.status_code == 404
    assert MENU in response.content.decode()


def test_the_403_page_shows_the_reason_of_the_refusal():
    contract = ContractFactory()
    response = client_for("analyst").get(reverse("contracts:contract_edit", args=[contract.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page  # "Access denied"
    assert "您可以查看但不能修改该记录。" in page  # the PermissionDenied message, translated
    assert MENU in page


def test_the_400_page_is_our_own_with_the_menu():
    # More query parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS: Django refuses the request (SuspiciousOperation).
    with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=10):
        response = client_for("staff").get("/contracts/?" + "&".join(f"p{i}=1" for i in range(20)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "请求有误" in page  # "Bad request"
    assert MENU in page


def test_the_500_page_is_our_own_with_the_menu(monkeypatch):
    from dashboards.views import HomeView

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(HomeView, "get", broken)
    response = client_for("staff").get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器错误" in page  # "Server error"
    assert "boom" not in page
    assert MENU in page


def test_the_500_page_still_renders_when_the_menu_cannot_be_built(monkeypatch):
    """The menu needs the database (the user's role); if that fails too, the page is served without it."""
    from core import context_processors
    from dashboards.views import HomeView

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(HomeView, "get", broken)
    monkeypatch.setattr(context_processors, "get_scope", broken)
    response = client_for("staff").get("/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器错误" in page
    assert "database gone" not in page
