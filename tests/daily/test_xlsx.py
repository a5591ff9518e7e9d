"""Excel exports: read back with openpyxl, numbers are numbers, dates are dates, text is never a formula."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories as f


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"].startswith("attachment")
    data = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(data)).active


@pytest.fixture
def contract_setup(db):
    purchaser = f.PurchaserFactory()
    organization = f.OrganizationFactory()
    contract = f.ContractFactory(purchaser=purchaser, organization=organization, amount=Decimal("123456.78"),
                                 signed_on=datetime.date(2025, 3, 4), title="=HYPERLINK(\"http://x\")")
    staff = f.user_with_role("staff", purchasers=[purchaser])
    return contract, staff


@pytest.mark.django_db
def test_contract_list_xlsx_types(client, contract_setup):
    contract, staff = contract_setup
    f.ContractFactory()  # another purchaser's contract: not visible to this user
    client.force_login(staff)
    sheet = workbook(client.get(reverse("contracts:contract_list"), {"export": "xlsx"}))
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert sheet.freeze_panes == "A2"
    assert len(rows) == 2  # one header row, the one visible contract
    row = dict(zip(header, rows[1], strict=True))
    assert row["reference"] == contract.reference
    assert isinstance(row["amount"], int | float) and Decimal(str(row["amount"])) == Decimal("123456.78")
    assert isinstance(row["signed_on"], datetime.datetime)  # Excel dates read back as datetimes
    assert row["signed_on"].date() == datetime.date(2025, 3, 4)
    assert row["title"] == "=HYPERLINK(\"http://x\")"  # text, not a formula
    assert row["id"] == contract.pk


@pytest.mark.django_db
def test_xlsx_formula_text_is_stored_as_a_string(client, contract_setup):
    contract, staff = contract_setup
    client.force_login(staff)
    response = client.get(reverse("contracts:contract_list"), {"export": "xlsx"})
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    title_column = [c.value for c in sheet[1]].index("title")
    assert sheet.cell(row=2, column=title_column + 1).data_type == "s"


@pytest.mark.django_db
def test_list_page_offers_excel(client, contract_setup):
    _contract, staff = contract_setup
    client.force_login(staff)
    page = client.get(reverse("contracts:contract_list"), {"q": "x"}).content.decode()
    assert "export=xlsx" in page


@pytest.mark.django_db
def test_dependency_dashboard_xlsx(client):
    organization = f.OrganizationFactory(name="春晖社工")
    f.IncomeRecordFactory(organization=organization, fiscal_year=2024, amount=Decimal("1000.00"))
    admin = f.user_with_role("administrator")
    client.force_login(admin)
    sheet = workbook(client.get(reverse("dashboards:dependency"), {"year": 2024, "export": "xlsx"}))
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert row["organization_name"] == "春晖社工"
    assert row["year"] == 2024
    assert Decimal(str(row["total_income"])) == Decimal("1000.00")
    assert isinstance(row["total_income"], int | float)


@pytest.mark.django_db
def test_api_list_as_xlsx(client, contract_setup):
    contract, staff = contract_setup
    f.ContractFactory()  # not visible
    client.force_login(staff)
    sheet = workbook(client.get(reverse("api:contract-list"), {"format": "xlsx"}))
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["reference"] == contract.reference and isinstance(row["amount"], int | float)
    assert isinstance(row["end_on"], datetime.datetime)


@pytest.mark.django_db
def test_api_indicators_as_xlsx(client):
    organization = f.OrganizationFactory()
    f.IncomeRecordFactory(organization=organization, fiscal_year=2024, amount=Decimal("2500.50"))
    client.force_login(f.user_with_role("administrator"))
    response = client.get(reverse("api:indicators-organizations"), {"format": "xlsx", "year": 2024})
    sheet = workbook(response)
    rows = list(sheet.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert Decimal(str(row["total_income"])) == Decimal("2500.50")


@pytest.mark.django_db
def test_api_single_object_as_xlsx(client, contract_setup):
    contract, staff = contract_setup
    client.force_login(staff)
    response = client.get(reverse("api:contract-detail", args=[contract.pk]), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert Decimal(str(row["amount"])) == Decimal("123456.78")
    assert row["signed_on"].date() == datetime.date(2025, 3, 4)
