"""Authentication: login lock-out per user name and per address (django-axes), its reset, API
throttling that counts bad tokens, the OpenAPI schema and docs for signed-in users, and ``next`` kept on this site."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests import factories as f

LOGIN = "/accounts/login/"
PASSWORD = "posc-demo"  # tests.factories.UserFactory's password


def login(client, username, password, address):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def staff(db):
    return f.user_with_role("staff", purchasers=[f.PurchaserFactory()], username="zhang")


def test_wrong_passwords_lock_the_user_name_whatever_the_address(staff):
    limit = settings.AXES_FAILURE_LIMIT
    client = Client()
    statuses = [login(client, "zhang", "wrong", f"10.0.0.{i}").status_code for i in range(limit)]
    assert statuses[:-1] == [200] * (limit - 1)  # the form again, with its error

    # The right password, from an address never seen before: refused with the lock-out page (Chinese UI).
    response = login(client, "zhang", PASSWORD, "10.9.9.9")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page and "15 分钟" in page
    assert not signed_in(client)

    # Somebody else, from that same new address, still logs in.
    f.user_with_role("analyst", username="li")
    other = Client()
    assert login(other, "li", PASSWORD, "10.9.9.9").status_code == 302
    assert signed_in(other)


def test_wrong_passwords_lock_the_address_whatever_the_user_name(staff):
    limit = settings.AXES_FAILURE_LIMIT
    client = Client()
    for i in range(limit):
        login(client, f"guess-{i}", "wrong", "10.1.1.1")

    assert login(client, "zhang", PASSWORD, "10.1.1.1").status_code == 429
    assert not signed_in(client)
    # The same user from another address is not locked: the user name had no failures.
    other = Client()
    assert login(other, "zhang", PASSWORD, "10.1.1.2").status_code == 302


def test_lock_out_also_guards_the_admin_login(db):
    f.user_with_role("administrator", username="root")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "root", "password": "wrong"}, REMOTE_ADDR="10.2.2.2")
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.2.2.3")
    assert response.status_code == 429
    assert not signed_in(client)


def test_an_administrator_lifts_the_lock_with_axes_reset(staff):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        login(client, "zhang", "wrong", f"10.3.0.{i}")
    assert login(client, "zhang", PASSWORD, "10.3.1.1").status_code == 429

    call_command("axes_reset_username", "zhang", stdout=None)
    assert not AccessAttempt.objects.filter(username="zhang").exists()
    assert login(client, "zhang", PASSWORD, "10.3.1.1").status_code == 302
    assert signed_in(client)


def test_a_successful_login_does_not_wipe_the_count_against_another_user_name(staff):
    """An attacker with a login of their own cannot reset the per-address count by logging in between guesses."""
    f.user_with_role("analyst", username="mole")
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    for i in range(limit - 1):
        login(client, "zhang", "wrong", "10.4.4.4")
        if i == limit // 2:
            assert login(Client(), "mole", PASSWORD, "10.4.4.5").status_code == 302
    login(client, "zhang", "wrong", "10.4.4.4")
    assert login(Client(), "zhang", PASSWORD, "10.4.4.6").status_code == 429


def test_the_demo_logins_are_not_locked_by_correct_logins(staff):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        assert login(client, "zhang", PASSWORD, "127.0.0.1").status_code == 302
        client.logout()


# API ----------------------------------------------------------------------------------------------------------------

def test_bad_tokens_are_throttled(db, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "100/minute"})
    api = APIClient()
    statuses = []
    for i in range(5):
        api.credentials(HTTP_AUTHORIZATION=f"Token {'0' * 39}{i}")
        statuses.append(api.get("/api/contracts/").status_code)
    assert statuses == [401, 401, 401, 429, 429]


def test_schema_and_docs_are_for_signed_in_users_only(staff):
    anonymous = APIClient()
    assert anonymous.get("/api/schema/").status_code == 401
    docs = Client().get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith(LOGIN)
    assert Client().get("/api/docs/?script=").status_code == 302

    client = Client()
    client.force_login(staff)
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


# next ---------------------------------------------------------------------------------------------------------------

# As they appear in the address bar: ``/%5Cevil.example/`` arrives as ``/\evil.example/``, which browsers follow
# off-site.
@pytest.mark.parametrize("evil", ["/%5Cevil.example/", "//evil.example/", "https://evil.example/",
                                  "/%5C%5Cevil.example/", "%5C%5Cevil.example", "/%09/evil.example/"])
def test_cancel_link_never_leaves_the_site(staff, evil):
    client = Client()
    client.force_login(staff)
    response = client.get(f"/contracts/add/?next={evil}")
    assert response.status_code == 200
    assert response.context["cancel_url"] == "/contracts/"
    links = re.findall(r'href="([^"]*)"', response.content.decode())
    assert not [link for link in links if "evil" in link]


def test_cancel_link_keeps_a_local_next(staff):
    client = Client()
    client.force_login(staff)
    response = client.get("/contracts/add/", {"next": "/contracts/?year=2025"})
    assert response.context["cancel_url"] == "/contracts/?year=2025"


@pytest.mark.parametrize("evil", ["/\\evil.example/", "//evil.example/", "https://evil.example/"])
def test_login_and_language_switch_never_redirect_off_site(staff, evil):
    client = Client()
    response = client.post(LOGIN, {"username": "zhang", "password": PASSWORD, "next": evil})
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.post("/i18n/setlang/", {"language": "en", "next": evil})
    assert response.status_code == 302 and "evil" not in response["Location"]
