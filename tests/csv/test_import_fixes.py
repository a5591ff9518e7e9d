"""Import fixes: a blank start date is the signing date (as the form says), the downloaded template imports as it
is, and errors name the column as the user wrote it."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from contracts.models import Contract
from core import csvio
from tests import factories as f

from .conftest import run_import
from .test_import import CONTRACT_HEADER, contract_row
from .test_pages import upload


@pytest.mark.django_db
def test_blank_start_date_is_the_signing_date(dataset, admin):
    uscc = dataset["sun"].uscc
    text = "\r\n".join([CONTRACT_HEADER, contract_row(start_on="", signed_on="2025-03-15", organization_uscc=uscc)])
    result = run_import("contracts", text, admin)
    assert result.ok, result.errors
    assert Contract.objects.get(reference="CY-2025-101").start_on == datetime.date(2025, 3, 15)


@pytest.mark.django_db
def test_blank_start_date_on_update_keeps_the_rule(dataset, admin):
    uscc = dataset["sun"].uscc
    row = contract_row(reference="CY-2025-001", start_on="", signed_on="2025-01-05", organization_uscc=uscc)
    assert run_import("contracts", "\r\n".join([CONTRACT_HEADER, row]), admin).ok
    assert Contract.objects.get(reference="CY-2025-001").start_on == datetime.date(2025, 1, 5)


@pytest.fixture
def other_data(db):
    """Data that shares no name with the templates' examples."""
    region = f.RegionFactory(code="230102", name="道里区")
    purchaser = f.PurchaserFactory(name="哈尔滨市道里区民政局", region=region)
    organization = f.OrganizationFactory(name="道里区春晖助残服务中心", region=region)
    contract = f.ContractFactory(purchaser=purchaser, organization=organization, reference="DL-2024-009",
                                 signed_on=datetime.date(2024, 1, 5), start_on=datetime.date(2024, 1, 5),
                                 end_on=datetime.date(2026, 12, 31))
    return {"purchaser": purchaser, "organization": organization, "contract": contract}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["1", "labels"])
def test_every_template_imports_unedited(client, other_data, kind):
    admin = f.user_with_role("administrator", username="tpl-admin")
    client.force_login(admin)
    for spec in csvio.all_specs(importable=True):
        url = reverse(f"{spec.model._meta.app_label}:{spec.model._meta.model_name}_import")
        response = client.get(url, {"template": kind})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        result = upload(client, url, text, name="template.csv").context["result"]
        assert result is not None and result.ok, (spec.slug, [(e.column, e.message) for e in result.errors])
        assert result.created + result.updated == 1, spec.slug


@pytest.mark.django_db
def test_template_keeps_an_example_that_exists(client, dataset, admin):
    client.force_login(admin)
    response = client.get(reverse("contracts:contract_import"), {"template": "1"})
    header, example = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert dict(zip(header, example, strict=True))["purchaser_name"] == "长春市朝阳区民政局"


@pytest.mark.django_db
def test_template_names_rows_within_the_users_scope(client, other_data):
    staff = f.user_with_role("staff", purchasers=[other_data["purchaser"]], username="tpl-staff")
    f.PurchaserFactory(name="别人的民政局")
    client.force_login(staff)
    response = client.get(reverse("contracts:payment_import"), {"template": "1"})
    header, example = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    row = dict(zip(header, example, strict=True))
    assert (row["purchaser_name"], row["contract_reference"]) == ("哈尔滨市道里区民政局", "DL-2024-009")


@pytest.mark.django_db
def test_errors_name_the_column_as_typed(client, dataset, admin):
    client.force_login(admin)
    uscc = dataset["sun"].uscc
    coded = "\r\n".join([CONTRACT_HEADER, contract_row(organization_uscc=uscc, amount="abc")])
    result = upload(client, reverse("contracts:contract_import"), coded).context["result"]
    [error] = result.errors
    assert error.column == "amount" and error.title.endswith("(amount)") and error.title != "amount"

    labelled = CONTRACT_HEADER.replace("amount,restricted_amount", "金额（元）,限定性金额（元）")
    text = "\r\n".join([labelled, contract_row(organization_uscc=uscc, amount="abc")])
    response = upload(client, reverse("contracts:contract_import"), text)
    errors = response.context["result"].errors
    assert [(e.column, e.title) for e in errors] == [("amount", "金额（元）")]
    assert "<td>金额（元）</td>" in response.content.decode()
