"""Exports of list pages, the API and indicator endpoints: what the user sees, all rows, streamed, escaped."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from contracts.choices import ContractStatus
from contracts.models import Contract
from tests import factories as f


def read(response):
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def staff(dataset):
    return f.user_with_role("staff", purchasers=[dataset["bureau"]], username="csv-staff")


@pytest.mark.django_db
def test_contract_list_export_has_ids_names_codes_labels_and_exact_money(client, dataset, admin):
    client.force_login(admin)
    rows = read(client.get(reverse("contracts:contract_list"), {"export": "csv", "sort": "reference"}))
    assert [r["reference"] for r in rows] == ["CY-2025-001", "CY-2025-002", "NG-2025-007"]
    first = rows[0]
    bureau = dataset["bureau"]
    assert (first["purchaser"], first["purchaser_name"]) == (str(bureau.pk), "长春市朝阳区民政局")
    assert first["organization_uscc"] == dataset["sun"].uscc
    assert (first["status"], first["service_category"]) == ("active", "rehab_children")
    with translation.override("zh-hans"):
        assert first["status_label"] == str(ContractStatus.ACTIVE.label)  # in the request's language (Chinese)
    assert first["amount"] == "300000.00" and first["restricted_amount"] == "240000.00"
    assert first["paid_total"] == "90000.00"
    assert first["signed_on"] == "2025-01-10"
    assert rows[1]["amount"] == "123456789012.34"
    assert rows[2]["amount"] == "0.05"


@pytest.mark.django_db
def test_formula_cells_are_escaped_in_exports(client, dataset, admin):
    client.force_login(admin)
    rows = read(client.get(reverse("contracts:contract_list"), {"export": "csv", "sort": "reference"}))
    assert [r["title"] for r in rows] == ["'=1+1", "'-2+3", "'+cmd 托养服务"]
    assert rows[0]["description"] == "'@SUM(A1)"
    orgs = read(client.get(reverse("organizations:organization_list"), {"export": "csv"}))
    assert "'=HYPERLINK(\"x\")希望" in [r["name"] for r in orgs]


@pytest.mark.django_db
def test_negative_amount_column_stays_numeric(client, dataset, admin):
    f.AnnualReportFactory(organization=dataset["sun"], net_assets_unrestricted=Decimal("-1500.50"))
    client.force_login(admin)
    rows = read(client.get(reverse("organizations:annualreport_list"), {"export": "csv"}))
    assert rows[0]["net_assets_unrestricted"] == "-1500.50"


@pytest.mark.django_db
def test_export_respects_filters_and_all_pages(client, dataset, admin):
    for n in range(30):
        f.ContractFactory(purchaser=dataset["federation"], organization=dataset["hope"], reference=f"B-{n:03d}")
    client.force_login(admin)
    rows = read(client.get(reverse("contracts:contract_list"), {"export": "csv", "purchaser":
                                                                 dataset["federation"].pk, "per_page": 25}))
    assert len(rows) == 31  # every matching row, not the 25 of the page
    rows = read(client.get(reverse("contracts:contract_list"), {"export": "csv", "sort": "-amount",
                                                                 "status": "draft"}))
    assert [r["reference"] for r in rows] == ["CY-2025-002"]


@pytest.mark.django_db
def test_ngo_manager_exports_only_their_organization(client, dataset):
    ngo = f.user_with_role("ngo_manager", organizations=[dataset["sun"]], username="csv-ngo")
    client.force_login(ngo)
    contracts = read(client.get(reverse("contracts:contract_list"), {"export": "csv"}))
    assert {r["organization_uscc"] for r in contracts} == {dataset["sun"].uscc}
    assert [r["reference"] for r in contracts] == ["CY-2025-001"]
    payments = read(client.get(reverse("contracts:payment_list"), {"export": "csv"}))
    assert {r["contract_reference"] for r in payments} == {"CY-2025-001"}
    income = read(client.get(reverse("organizations:incomerecord_list"), {"export": "csv"}))
    assert {r["organization_uscc"] for r in income} == {dataset["sun"].uscc}
    orgs = read(client.get(reverse("organizations:organization_list"), {"export": "csv"}))
    assert [r["uscc"] for r in orgs] == [dataset["sun"].uscc]


@pytest.mark.django_db
def test_staff_exports_only_their_scope(client, dataset, staff):
    client.force_login(staff)
    contracts = read(client.get(reverse("contracts:contract_list"), {"export": "csv"}))
    assert {r["purchaser_name"] for r in contracts} == {"长春市朝阳区民政局"}
    assert len(contracts) == 2
    reviews = read(client.get(reverse("contracts:performancereview_list"), {"export": "csv"}))
    assert [r["contract_reference"] for r in reviews] == ["CY-2025-001"]
    income = read(client.get(reverse("organizations:incomerecord_list"), {"export": "csv"}))
    assert {r["organization_name"] for r in income} == {"阳光康复服务中心"}  # sun holds a bureau contract


def _export_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("contracts:contract_list"), {"export": "csv"})
        rows = read(response)
    return len(ctx.captured_queries), len(rows)


@pytest.mark.django_db
def test_streamed_export_query_count_does_not_grow_with_rows(client, regions, admin):
    purchaser = f.PurchaserFactory(region=regions["chaoyang"])
    organization = f.OrganizationFactory(region=regions["chaoyang"])
    f.ContractFactory.create_batch(10, purchaser=purchaser, organization=organization)
    small, count = _export_queries(client, admin)
    assert count == 10
    Contract.objects.bulk_create([Contract(reference=f"N-{n}", title="t", purchaser=purchaser,
                                           organization=organization, service_category="other",
                                           procurement_method="other", signed_on="2025-01-01",
                                           start_on="2025-01-01", end_on="2025-02-01", amount=1,
                                           region=regions["chaoyang"]) for n in range(990)])
    large, count = _export_queries(client, admin)
    assert count == 1000
    assert large == small


@pytest.mark.django_db
def test_api_format_csv_exports_filtered_visible_rows(client, dataset, staff):
    client.force_login(staff)
    response = client.get("/api/contracts/", {"format": "csv", "ordering": "-amount"})
    rows = read(response)
    assert [r["reference"] for r in rows] == ["CY-2025-002", "CY-2025-001"]
    rows = read(client.get("/api/payments/", {"format": "csv", "kind": "final"}))
    assert [r["amount"] for r in rows] == ["210000.00"]
    assert client.get("/api/contracts/").status_code == 200  # JSON unchanged


@pytest.mark.django_db
def test_indicator_endpoint_csv(client, dataset, admin):
    client.force_login(admin)
    response = client.get("/api/indicators/organizations/", {"format": "csv", "year": 2025})
    assert isinstance(response, StreamingHttpResponse)
    data = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert rows and "government_share" in rows[0] and "government_share_flag" in rows[0]
    names = {r["organization_name"] for r in rows}
    assert "'=HYPERLINK(\"x\")希望" in names


@pytest.mark.django_db
def test_dependency_dashboard_export(client, dataset, admin):
    client.force_login(admin)
    response = client.get(reverse("dashboards:dependency"), {"year": 2025, "export": "csv"})
    rows = read(response)
    assert list(rows[0])[:3] == ["organization", "organization_name", "year"]
    sun = next(r for r in rows if r["organization"] == str(dataset["sun"].pk))
    # 2025: contract payments 90 000 (paid) + a 50 000 government subsidy → total 140 000, all government.
    assert sun["total_income"] == "140000.00"
    assert Decimal(sun["government_share"]) == 1
    assert sun["government_share_flag"] == "red"
    assert any(r["organization_name"] == "'=HYPERLINK(\"x\")希望" for r in rows)


@pytest.mark.django_db
def test_dashboard_export_respects_scope(client, dataset):
    ngo = f.user_with_role("ngo_manager", organizations=[dataset["sun"]], username="csv-ngo")
    client.force_login(ngo)
    rows = read(client.get(reverse("dashboards:dependency"), {"year": 2025, "export": "csv"}))
    assert {r["organization"] for r in rows} == {str(dataset["sun"].pk)}
    staff = f.user_with_role("staff", purchasers=[dataset["bureau"]], username="csv-staff")
    client.force_login(staff)
    rows = read(client.get(reverse("dashboards:purchasers"), {"year": 2025, "export": "csv"}))
    assert {r["purchaser_name"] for r in rows} <= {"长春市朝阳区民政局"}
    assert rows and rows[0]["spend"] == "300000.00"  # the draft contract does not count


@pytest.mark.django_db
def test_api_csv_query_count_does_not_grow_with_rows(client, regions, admin):
    purchaser = f.PurchaserFactory(region=regions["chaoyang"])
    organization = f.OrganizationFactory(region=regions["chaoyang"])
    payments = f.PaymentFactory.create_batch(5, contract__purchaser=purchaser, contract__organization=organization)
    client.force_login(admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            rows = read(client.get("/api/payments/", {"format": "csv"}))
        return len(ctx.captured_queries), len(rows)

    small = count()
    f.PaymentFactory.create_batch(45, contract=payments[0].contract)
    large = count()
    assert (small[1], large[1]) == (5, 50)
    assert small[0] == large[0]
