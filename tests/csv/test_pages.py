"""The import pages through the test client: index, template download, upload → preview → confirm."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from contracts.models import Contract
from tests import factories as f

from .test_import import CONTRACT_HEADER, contract_row


@pytest.fixture
def staff(dataset):
    return f.user_with_role("staff", purchasers=[dataset["bureau"]], username="csv-staff")


def upload(client, url, text, name="contracts.csv", encoding="utf-8"):
    return client.post(url, {"file": SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")})


@pytest.mark.django_db
def test_index_lists_what_the_user_may_import(client, dataset, staff):
    client.force_login(staff)
    page = client.get(reverse("imports")).content.decode()
    assert reverse("contracts:contract_import") in page
    assert reverse("organizations:organization_import") in page
    assert reverse("organizations:purchaser_import") not in page  # only administrators add purchasers
    assert reverse("organizations:incomerecord_import") not in page  # NGO managers enter income


@pytest.mark.django_db
def test_template_download(client, dataset, staff):
    client.force_login(staff)
    response = client.get(reverse("contracts:contract_import"), {"template": "1"})
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    header, example = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[:3] == ["reference", "title", "purchaser_name"] and "id" not in header
    assert "status_label" not in header and "paid_total" not in header
    assert example[0] == "CY-2025-001"
    labelled = client.get(reverse("contracts:contract_import"), {"template": "labels"})
    header = next(csv.reader(io.StringIO(b"".join(labelled.streaming_content).decode("utf-8-sig"))))
    assert header[0] == "合同编号"


@pytest.mark.django_db
def test_upload_preview_confirm(client, dataset, staff):
    client.force_login(staff)
    url = reverse("contracts:contract_import")
    assert client.get(url).status_code == 200
    sun = dataset["sun"].uscc
    text = "\r\n".join([CONTRACT_HEADER, contract_row(organization_uscc=sun),
                        contract_row(reference="CY-2025-001", organization_uscc=sun, title="改名")]) + "\r\n"
    preview = upload(client, url, text, encoding="gb18030")
    assert preview.status_code == 200
    assert preview.context["result"].created == 1 and preview.context["result"].updated == 1
    token = preview.context["token"]
    assert not Contract.objects.filter(reference="CY-2025-101").exists()
    page = preview.content.decode()
    assert 'data-count="created">1<' in page and 'data-count="updated">1<' in page

    other = Client()
    other.force_login(f.user_with_role("staff", purchasers=[dataset["bureau"]], username="csv-staff-2"))
    response = other.post(url, {"token": token})  # another user's token: nothing happens
    assert response.status_code == 302 and not Contract.objects.filter(reference="CY-2025-101").exists()

    done = client.post(url, {"token": token})
    assert done.status_code == 302 and done["Location"] == reverse("contracts:contract_list")
    assert Contract.objects.get(reference="CY-2025-101").purchaser == dataset["bureau"]
    assert Contract.objects.get(reference="CY-2025-001").title == "改名"
    again = client.post(url, {"token": token})  # a token is used once
    assert again.status_code == 302 and again["Location"] == url


@pytest.mark.django_db
def test_preview_with_errors_has_no_confirm_and_lists_errors(client, dataset, staff):
    client.force_login(staff)
    url = reverse("contracts:contract_import")
    text = "\r\n".join([CONTRACT_HEADER, contract_row(organization_uscc=dataset["sun"].uscc, amount="-1")])
    response = upload(client, url, text)
    assert response.context["result"].errors and "token" not in response.context
    page = response.content.decode()
    assert "<td>金额（元） (amount)</td>" in page and 'name="token"' not in page
    assert not Contract.objects.filter(reference="CY-2025-101").exists()


@pytest.mark.django_db
def test_confirm_revalidates_and_writes_nothing_when_data_changed(client, dataset, staff):
    client.force_login(staff)
    url = reverse("contracts:contract_import")
    hope = f.OrganizationFactory(region=dataset["chaoyang"], name="即将删除")
    text = "\r\n".join([CONTRACT_HEADER, contract_row(organization_uscc=dataset["sun"].uscc),
                        contract_row(reference="CY-2025-102", organization_uscc=hope.uscc)])
    token = upload(client, url, text).context["token"]
    hope.delete()
    response = client.post(url, {"token": token})
    assert response.status_code == 409
    assert [(e.row, e.column) for e in response.context["result"].errors] == [(3, "organization_uscc")]
    assert not Contract.objects.filter(reference__in=["CY-2025-101", "CY-2025-102"]).exists()


@pytest.mark.django_db
def test_limits_and_permissions(client, dataset, staff):
    client.force_login(staff)
    url = reverse("contracts:contract_import")
    with override_settings(CSV_IMPORT_MAX_BYTES=50):
        response = upload(client, url, CONTRACT_HEADER + "\r\n")
    assert response.status_code == 400 and "MB" in response.context["file_error"]
    response = upload(client, url, "", name="empty.csv")
    assert response.status_code == 400
    assert client.get(reverse("organizations:purchaser_import")).status_code == 403
    analyst = f.user_with_role("analyst", username="csv-analyst")
    client.force_login(analyst)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_list_pages_link_to_export_and_import(client, dataset, staff):
    client.force_login(staff)
    page = client.get(reverse("contracts:contract_list")).content.decode()
    assert 'href="/contracts/import/"' in page and "export=csv" in page
    page = client.get(reverse("organizations:purchaser_list")).content.decode()
    assert "/purchasers/import/" not in page  # staff may not add purchasers


@pytest.mark.django_db
def test_uploaded_file_waits_privately_and_is_removed_after_confirm(client, dataset, staff, settings):
    from pathlib import Path

    client.force_login(staff)
    url = reverse("contracts:contract_import")
    text = "\r\n".join([CONTRACT_HEADER, contract_row(organization_uscc=dataset["sun"].uscc)])
    token = upload(client, url, text).context["token"]
    stored = Path(settings.CSV_IMPORT_DIR) / f"{token}.csv"
    assert stored.read_bytes() == text.encode() and oct(stored.parent.stat().st_mode & 0o777) == "0o700"
    client.post(url, {"token": token})
    assert not stored.exists()
