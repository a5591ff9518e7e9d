"""The purchaser dashboard's CSV (and Excel) and /api/indicators/purchasers/ carry one count per integrity flag,
``flags_<code>``, after the indicator columns: the same numbers as the page's flag columns, counted by hand here,
within the reader's scope, with a query count that does not grow with the purchasers."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from contracts.amendments import save_amendment
from contracts.models import Amendment, Contract
from dashboards import caching
from dashboards.flag_counts import FLAG_COUNT_COLUMNS, PURCHASER_EXPORT_COLUMNS
from dashboards.indicators import PURCHASER_COLUMNS
from dashboards.integrity import FLAGS
from tests.factories import (
    ContractFactory,
    OrganizationFactory,
    PaymentFactory,
    PurchaserFactory,
    RegionFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db
D = Decimal
URL = reverse("dashboards:purchasers")
API = "/api/indicators/purchasers/"
FAR = datetime.date(2099, 1, 1)  # far end dates: no missing review


def contract(purchaser, organization, signed_on, **kwargs):
    return ContractFactory(purchaser=purchaser, organization=organization, signed_on=signed_on, start_on=signed_on,
                           end_on=FAR, **kwargs)


@pytest.fixture
def world():
    """Purchaser A (朝阳区): three single-source contracts to the same organization in 2025 (the second has one
    earlier single-source award in the 365 days before it: amber; the third two: red) → repeat_single_source on 2
    contracts; one of them paid 120 days after its due date → late_payment 1; a public-tender contract amended by
    +20 % → amended_value 1. Purchaser Z (朝阳区): one clean contract → every count 0. Purchaser B (南关区): one
    contract paid late → late_payment 1."""
    chaoyang = RegionFactory(code="220104", name="朝阳区")
    nanguan = RegionFactory(code="220102", name="南关区")
    a = PurchaserFactory(name="甲民政局", region=chaoyang)
    z = PurchaserFactory(name="乙民政局", region=chaoyang)
    b = PurchaserFactory(name="丙残联", region=nanguan)
    org = OrganizationFactory(region=chaoyang)
    single = {"procurement_method": "single_source"}
    contract(a, org, datetime.date(2025, 1, 10), reference="A-1", **single)
    contract(a, org, datetime.date(2025, 3, 1), reference="A-2", **single)
    third = contract(a, org, datetime.date(2025, 6, 1), reference="A-3", **single)
    PaymentFactory(contract=third, due_on=datetime.date(2025, 7, 1), paid_on=datetime.date(2025, 10, 29))  # 120 d
    amended = contract(a, OrganizationFactory(region=chaoyang), datetime.date(2025, 2, 1), reference="A-4",
                       amount=D("100000.00"))
    admin = user_with_role("administrator")
    save_amendment(admin, Amendment(contract=amended, signed_on=datetime.date(2025, 5, 1),
                                    amount_change=D("20000.00"), reason="扩大服务范围"))  # +20 % > 10 %: amber
    contract(z, OrganizationFactory(region=chaoyang), datetime.date(2025, 4, 1), reference="Z-1")
    late = contract(b, OrganizationFactory(region=nanguan), datetime.date(2025, 1, 10), reference="B-1")
    PaymentFactory(contract=late, due_on=datetime.date(2025, 2, 1), paid_on=datetime.date(2025, 6, 1))  # 120 d
    cache.clear()
    return {"a": a, "z": z, "b": b}


def expected(**counts):
    return {f"flags_{code}": str(counts.get(code, 0)) for code in FLAGS}


A_COUNTS = expected(repeat_single_source=2, late_payment=1, amended_value=1)
Z_COUNTS = expected()
B_COUNTS = expected(late_payment=1)


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    return lines[0], {line[1]: dict(zip(lines[0], line, strict=True)) for line in lines[1:]}


def counts_of(row):
    return {name: row[name] for name in FLAG_COUNT_COLUMNS}


def test_columns_are_the_indicators_then_one_count_per_flag_code():
    assert PURCHASER_EXPORT_COLUMNS == PURCHASER_COLUMNS + [f"flags_{code}" for code in FLAGS]
    assert FLAG_COUNT_COLUMNS[:3] == ["flags_amended_value", "flags_repeat_single_source", "flags_split_award"]
    assert len(FLAG_COUNT_COLUMNS) == 12


def test_dashboard_csv_carries_the_counts_the_page_shows(client, world):
    client.force_login(user_with_role("analyst"))
    header, rows = read_csv(client.get(URL, {"year": 2025, "export": "csv"}))
    assert header == PURCHASER_EXPORT_COLUMNS
    assert counts_of(rows["甲民政局"]) == A_COUNTS
    assert counts_of(rows["乙民政局"]) == Z_COUNTS  # a purchaser with no flag: zeros, not empty cells
    assert counts_of(rows["丙残联"]) == B_COUNTS
    assert rows["甲民政局"]["contract_count"] == "4"
    page = client.get(URL, {"year": 2025})
    shown = {row.purchaser_name: {f"flags_{code}": str(getattr(row, f"flags_{code}")) for code in FLAGS}
             for row in page.context["rows"]}
    assert shown == {"甲民政局": A_COUNTS, "乙民政局": Z_COUNTS, "丙残联": B_COUNTS}
    # another year: the contracts of 2025 are not counted
    _header, rows_2024 = read_csv(client.get(URL, {"year": 2024, "export": "csv"}))
    assert all(counts_of(row) == Z_COUNTS for row in rows_2024.values())


def test_excel_export_has_the_same_columns(client, world):
    from openpyxl import load_workbook

    client.force_login(user_with_role("analyst"))
    response = client.get(URL, {"year": 2025, "export": "xlsx"})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == PURCHASER_EXPORT_COLUMNS
    by_name = {line[1]: dict(zip(values[0], line, strict=True)) for line in values[1:]}
    assert by_name["甲民政局"]["flags_repeat_single_source"] == 2 and by_name["乙民政局"]["flags_late_payment"] == 0


def test_api_json_and_csv_carry_the_same_counts(world):
    client = APIClient()
    client.force_login(user_with_role("analyst"))
    results = {r["purchaser_name"]: r for r in client.get(API, {"year": 2025}).json()["results"]}
    assert list(results["甲民政局"]) == PURCHASER_EXPORT_COLUMNS
    assert {k: str(v) for k, v in results["甲民政局"].items() if k in FLAG_COUNT_COLUMNS} == A_COUNTS
    assert results["乙民政局"]["flags_late_payment"] == 0
    header, rows = read_csv(client.get(API, {"year": 2025, "format": "csv"}))
    assert header == PURCHASER_EXPORT_COLUMNS
    assert counts_of(rows["甲民政局"]) == A_COUNTS and counts_of(rows["丙残联"]) == B_COUNTS
    # the dashboard's CSV and the API's are the same rows
    dash = APIClient()
    dash.force_login(user_with_role("analyst"))
    _h, dashboard_rows = read_csv(dash.get(URL, {"year": 2025, "export": "csv"}))
    assert dashboard_rows == rows


def test_staff_see_counts_only_within_their_scope(client, world):
    staff = user_with_role("staff", purchasers=[world["a"]])
    client.force_login(staff)
    _header, rows = read_csv(client.get(URL, {"year": 2025, "export": "csv"}))
    # 甲 and 乙 are in the staff user's district; 丙 (南关区) and its late payment are not shown or counted
    assert set(rows) == {"甲民政局", "乙民政局"}
    assert counts_of(rows["甲民政局"]) == A_COUNTS and counts_of(rows["乙民政局"]) == Z_COUNTS
    api = APIClient()
    api.force_login(staff)
    _header, api_rows = read_csv(api.get(API, {"year": 2025, "format": "csv"}))
    assert set(api_rows) == {"甲民政局", "乙民政局"}
    # An organization's manager sees only the purchasers all of whose contracts are with their organization.
    b_org = Contract.objects.get(reference="B-1").organization
    manager = user_with_role("ngo_manager", organizations=[b_org])
    client.force_login(manager)
    _header, rows = read_csv(client.get(URL, {"year": 2025, "export": "csv"}))
    assert set(rows) == {"丙残联"} and counts_of(rows["丙残联"]) == B_COUNTS


def _export_queries(client):
    cache.clear()
    caching.clear()  # computed afresh, not from the rows cached by an earlier request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"year": 2025, "export": "csv"})
        body = b"".join(response.streaming_content)
    return len(queries), body.count(b"\r\n") - 1


def test_export_query_count_does_not_grow_with_the_purchasers(client, world):
    client.force_login(user_with_role("analyst"))
    client.get(URL, {"year": 2025})  # warm up the session
    small, rows = _export_queries(client)
    assert rows == 3
    region = RegionFactory(code="220105", name="二道区")
    for n in range(6):
        purchaser = PurchaserFactory(name=f"新增采购方{n}", region=region)
        for m in range(2):
            done = contract(purchaser, OrganizationFactory(region=region), datetime.date(2025, 3, 1 + m),
                            procurement_method="single_source")
            PaymentFactory(contract=done, due_on=datetime.date(2025, 4, 1), paid_on=datetime.date(2025, 9, 1))
    large, rows = _export_queries(client)
    assert rows == 9
    assert large == small
