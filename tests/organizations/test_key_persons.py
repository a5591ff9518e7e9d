"""Key persons: inline on the organization form, public profile, edited by whoever may change the
organization; the service scope in forms, API and CSV."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from organizations.models import KeyPerson
from tests.factories import KeyPersonFactory, OrganizationFactory, PurchaserFactory, user_with_role

pytestmark = pytest.mark.django_db


def form_data(org, **extra):
    data = {"name": org.name, "uscc": org.uscc, "legal_form": org.legal_form, "charity_status": org.charity_status,
            "region": org.region_id, "staff_count": "3", "volunteer_count": "0", "service_scope": ["daily_care"],
            "key_persons-TOTAL_FORMS": "1", "key_persons-INITIAL_FORMS": "0", "key_persons-MIN_NUM_FORMS": "0",
            "key_persons-MAX_NUM_FORMS": "1000"}
    data.update(extra)
    return data


def test_ngo_manager_adds_a_key_person_inline(client):
    org = OrganizationFactory()
    bureau = PurchaserFactory(name="某区民政局")
    client.force_login(user_with_role("ngo_manager", organizations=[org]))
    response = client.post(reverse("organizations:organization_edit", args=[org.pk]), form_data(
        org, **{"key_persons-0-name": "李华", "key_persons-0-role": "legal_representative",
                "key_persons-0-post_purchaser": bureau.pk, "key_persons-0-post_title": "科员",
                "key_persons-0-post_from": "2015-03-01", "key_persons-0-post_to": "2019-12-31"}))
    assert response.status_code == 302
    person = KeyPerson.objects.get(organization=org)
    assert (person.name, person.post_purchaser, person.post_to) == ("李华", bureau, datetime.date(2019, 12, 31))
    org.refresh_from_db()
    assert org.service_scope == ["daily_care"]
    assert person.history.count() == 1  # kept in the change history
    html = client.get(org.get_absolute_url()).content.decode()
    assert "李华" in html and "某区民政局" in html


def test_a_post_that_ends_before_it_starts_is_refused_on_its_field(client):
    org = OrganizationFactory()
    bureau = PurchaserFactory()
    client.force_login(user_with_role("administrator"))
    response = client.post(reverse("organizations:organization_edit", args=[org.pk]), form_data(
        org, **{"key_persons-0-name": "李华", "key_persons-0-role": "director",
                "key_persons-0-post_purchaser": bureau.pk,
                "key_persons-0-post_from": "2020-01-01", "key_persons-0-post_to": "2019-01-01"}),
        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The post cannot end before it starts." in response.content.decode()
    assert not KeyPerson.objects.exists()


def test_a_post_without_a_purchaser_is_refused():
    from django.core.exceptions import ValidationError

    person = KeyPerson(organization=OrganizationFactory(), name="李华", role="director", post_title="科长")
    with pytest.raises(ValidationError) as error:
        person.full_clean()
    assert "post_purchaser" in error.value.message_dict


def test_api_key_persons_follow_the_organizations_rules():
    mine, other = OrganizationFactory(), OrganizationFactory()
    theirs = KeyPersonFactory(organization=other, name="赵六")
    api = APIClient()
    api.force_authenticate(user_with_role("ngo_manager", organizations=[mine]))
    assert api.get(f"/api/key-persons/{theirs.pk}/").status_code == 404
    response = api.post("/api/key-persons/", {"organization": other.pk, "name": "钱七", "role": "director"},
                        format="json")
    assert response.status_code == 400 and "organization" in response.json()
    response = api.post("/api/key-persons/", {"organization": mine.pk, "name": "钱七", "role": "director"},
                        format="json")
    assert response.status_code == 201
    # staff see every organization's public profile, key persons included
    staff = APIClient()
    staff.force_authenticate(user_with_role("staff", purchasers=[PurchaserFactory()]))
    names = {p["name"] for p in staff.get(f"/api/organizations/{other.pk}/").json()["key_persons"]}
    assert names == {"赵六"}


def test_api_service_scope_is_a_list_of_codes():
    org = OrganizationFactory(service_scope=["daily_care", "rehab_children"])
    api = APIClient()
    api.force_authenticate(user_with_role("administrator"))
    assert api.get(f"/api/organizations/{org.pk}/").json()["service_scope"] == ["rehab_children", "daily_care"]
    response = api.patch(f"/api/organizations/{org.pk}/", {"service_scope": ["cooking"]}, format="json")
    assert response.status_code == 400 and "service_scope" in response.json()


def test_csv_export_and_import_of_the_service_scope(client, tmp_path):
    from django.core.management import call_command

    org = OrganizationFactory(service_scope=["rehab_children", "daily_care"])
    client.force_login(user_with_role("administrator"))
    response = client.get(reverse("organizations:organization_list"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "service_scope" in body.splitlines()[0] and "rehab_children;daily_care" in body
    path = tmp_path / "orgs.csv"
    path.write_text(f"uscc,name,legal_form,region_code,service_scope\n{org.uscc},{org.name},{org.legal_form},"
                    f"{org.region.code},居家照料、other\n", encoding="utf-8")
    call_command("import_csv", "organizations", str(path))
    org.refresh_from_db()
    assert org.service_scope == ["daily_care", "other"]


def test_csv_import_names_an_unknown_service_category(tmp_path):
    from django.core.management import CommandError, call_command

    org = OrganizationFactory()
    path = tmp_path / "orgs.csv"
    path.write_text(f"uscc,name,legal_form,region_code,service_scope\n{org.uscc},{org.name},{org.legal_form},"
                    f"{org.region.code},cooking\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_csv", "organizations", str(path), stderr=(err := __import__("io").StringIO()))
    assert "service_scope" in err.getvalue() and "cooking" in err.getvalue()


def test_key_person_changes_appear_in_the_organizations_history(client):
    org = OrganizationFactory()
    client.force_login(user_with_role("administrator"))
    client.post(reverse("organizations:organization_edit", args=[org.pk]), form_data(
        org, **{"key_persons-0-name": "孙八", "key_persons-0-role": "supervisor"}))
    assert KeyPerson.objects.filter(organization=org, name="孙八").exists()
    html = client.get(org.get_absolute_url()).content.decode()
    assert html.count("孙八") >= 2  # the key persons table and the history entry
