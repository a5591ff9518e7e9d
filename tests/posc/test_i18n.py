"""The Chinese catalogue is complete, and pages speak Chinese by default and English when asked."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import ContractFactory, PerformanceReviewFactory, user_with_role

PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def catalogue_entries():
    """(msgid, msgstrs, flags) for every entry of the .po file except the header."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields, current = {}, None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif current and line.startswith('"'):
                fields[current] += line[1:-1]
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        strs = [v for k, v in fields.items() if k.startswith("msgstr")]
        entries.append((fields["msgid"], strs, flags))
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = catalogue_entries()
    assert len(entries) > 300
    untranslated = [msgid for msgid, strs, _ in entries if not strs or any(s == "" for s in strs)]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert untranslated == [], f"untranslated: {untranslated[:10]}"
    assert fuzzy == [], f"fuzzy: {fuzzy[:10]}"


def test_official_terms():
    translations = {msgid: strs[0] for msgid, strs, _ in catalogue_entries()}
    assert translations["purchaser"] == "购买主体"
    assert translations["undertaking organization"] == "承接主体"
    assert translations["service category"] == "服务类别"
    assert translations["Single source"] == "单一来源"


@pytest.mark.django_db
class TestPagesInBothLanguages:
    @pytest.fixture
    def admin_client(self, client):
        client.force_login(user_with_role("administrator"))
        return client

    def test_chinese_by_default(self, admin_client):
        ContractFactory(service_category="rehab_children")
        html = admin_client.get(reverse("contracts:contract_list")).content.decode()
        assert '<html lang="zh-hans">' in html
        assert "服务类别" in html and "残疾儿童康复" in html
        assert "Service category" not in html

    def test_english_for_english_browsers(self, admin_client):
        ContractFactory(service_category="rehab_children")
        html = admin_client.get(reverse("contracts:contract_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="en">' in html
        assert "Service category" in html and "Rehabilitation for disabled children" in html
        assert "服务类别" not in html

    def test_language_switch_keeps_english(self, admin_client):
        review = PerformanceReviewFactory()
        admin_client.post(reverse("set_language"), {"language": "en", "next": "/"})
        html = admin_client.get(review.contract.get_absolute_url()).content.decode()
        assert "Performance reviews" in html and ">Good<" in html
        admin_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
        html = admin_client.get(review.contract.get_absolute_url()).content.decode()
        assert "绩效评价" in html and ">良好<" in html

    @pytest.mark.parametrize("language, label", [("zh-hans", "承接主体"), ("en", "Organizations")])
    def test_every_list_page_renders(self, admin_client, language, label):
        for name in ("contracts:contract_list", "contracts:payment_list", "contracts:performancereview_list",
                     "organizations:organization_list", "organizations:purchaser_list",
                     "organizations:incomerecord_list", "organizations:annualreport_list"):
            response = admin_client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, name
            assert label in response.content.decode()

    def test_dates_and_amounts_follow_the_language(self, admin_client):
        contract = ContractFactory()  # signed 2025-01-10, amount 100,000.00
        zh = admin_client.get(contract.get_absolute_url()).content.decode()
        assert "2025年1月10日" in zh and "100,000.00" in zh
        en = admin_client.get(contract.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Jan. 10, 2025" in en and "100,000.00" in en


@pytest.mark.django_db
class TestLayout:
    """The base layout: navigation, role label, logout form, account pages, in both languages."""

    def test_navigation_and_role_label(self, client):
        client.force_login(user_with_role("staff", purchasers=[], username="wang"))
        html = client.get(reverse("contracts:contract_list")).content.decode()
        for label in ("合同", "承接主体", "购买主体", "民政工作人员", "退出登录", "中文", "English"):
            assert label in html
        assert reverse("admin:index") not in html  # the admin link is for administrators only
        assert f'action="{reverse("logout")}"' in html and 'method="post"' in html

    def test_administrators_get_the_admin_link(self, client):
        client.force_login(user_with_role("administrator"))
        html = client.get(reverse("contracts:contract_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert reverse("admin:index") in html and "Administrator" in html

    def test_login_page_in_both_languages(self, client):
        assert "登录" in client.get(reverse("login")).content.decode()
        assert "Log in" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    def test_login_logout_and_password_change(self, client):
        user = user_with_role("analyst", username="li")
        response = client.post(reverse("login"), {"username": "li", "password": "posc-demo",
                                                  "next": reverse("contracts:contract_list")})
        assert response.status_code == 302 and response["Location"] == reverse("contracts:contract_list")
        response = client.post(reverse("password_change"), {"old_password": "posc-demo",
                                                            "new_password1": "Kangfu-2026-xyz",
                                                            "new_password2": "Kangfu-2026-xyz"})
        assert response["Location"] == reverse("password_change_done")
        user.refresh_from_db()
        assert user.check_password("Kangfu-2026-xyz")
        assert "密码已修改" in client.get(reverse("password_change_done")).content.decode()
        client.post(reverse("logout"))
        assert client.get(reverse("contracts:contract_list")).status_code == 302
