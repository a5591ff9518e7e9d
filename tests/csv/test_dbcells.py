"""Exports written by the database (PostgreSQL ``COPY``, core/csvio/dbcells.py) are the Python path's bytes."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from contracts.models import Amendment
from core import csvio
from tests import factories as f

POSTGRESQL = connection.vendor == "postgresql"


def python_bytes(spec, queryset):
    return b"".join(csvio.stream_csv_bytes(spec.header(), spec.rows(queryset)))


def database_bytes(spec, queryset):
    pieces = spec.csv_bytes(queryset)
    assert pieces is not None, f"{spec.slug}: the database path was not taken"
    return b"".join(csvio.stream_lines_bytes(spec.header(), pieces))


@pytest.fixture
def tricky(dataset):
    """More awkward cells beside the shared data set's: apostrophes before a formula, quotes, CR/LF, separators,
    empty and missing values, a code without a label."""
    sun, bureau = dataset["sun"], dataset["bureau"]
    f.ContractFactory(reference="''-3", title='说 "你好", 再见', purchaser=bureau, organization=sun,
                      description="a\r\nb", amount=Decimal("10.10"), restricted_amount=Decimal("0.00"),
                      region=None)
    f.ContractFactory(reference="'plain", title="\r=danger", purchaser=bureau, organization=sun, description="",
                      amount=Decimal("99999999999.99"), restricted_amount=Decimal("0.01"))
    f.OrganizationFactory(name="@HOME 之家", description="'", registered_on=None, staff_count=0,
                          service_scope=["rehab_children", "daily_care"])
    f.KeyPersonFactory(organization=sun, name="-李四")
    f.AnnualReportFactory(organization=sun, fiscal_year=2023)
    Amendment.objects.create(contract=dataset["contracts"][0], signed_on=datetime.date(2025, 6, 1),
                             amount_change=Decimal("-1500.50"), reason='=延期, "补充"\n第二行')
    Amendment.objects.create(contract=dataset["contracts"][1], signed_on=datetime.date(2025, 7, 1),
                             amount_change=Decimal("0.00"), new_end_on=datetime.date(2026, 1, 31), reason="延期")
    return dataset


@pytest.mark.skipif(not POSTGRESQL, reason="the database path is PostgreSQL's")
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_database_and_python_paths_give_the_same_bytes_for_every_spec(tricky, language):
    with translation.override(language):
        for spec in csvio.all_specs():
            queryset = spec.model.objects.all()
            expected = python_bytes(spec, queryset)
            assert expected.count(b"\r\n") > 1, spec.slug  # header and at least one row
            assert database_bytes(spec, queryset) == expected, spec.slug


@pytest.mark.skipif(not POSTGRESQL, reason="the database path is PostgreSQL's")
@pytest.mark.django_db
def test_database_path_cells_as_a_spreadsheet_reads_them(tricky):
    spec = csvio.get_spec("contracts")
    with translation.override("zh-hans"):
        data = database_bytes(spec, spec.model.objects.order_by("reference"))
    assert data.startswith("\ufeff".encode())
    assert data.endswith(b"\r\n")
    rows = {r["reference"]: r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))}
    assert rows["'''-3"]["title"] == '说 "你好", 再见'  # quoted by COPY, read back as typed
    assert rows["'''-3"]["description"] == "a\r\nb"
    assert rows["'''-3"]["amount"] == "10.10"
    assert rows["'plain"]["title"] == "'\r=danger"
    assert rows["'plain"]["amount"] == "99999999999.99"
    assert rows["CY-2025-001"]["title"] == "'=1+1"
    assert rows["CY-2025-001"]["status_label"] == "执行中"
    assert rows["CY-2025-001"]["paid_total"] == "90000.00"
    assert rows["CY-2025-001"]["signed_on"] == "2025-01-10"
    assert b'"a\r\nb"' in data and '"说 ""你好"", 再见"'.encode() in data


@pytest.mark.skipif(not POSTGRESQL, reason="the database path is PostgreSQL's")
@pytest.mark.django_db
def test_page_and_api_exports_are_written_by_the_database_with_the_same_bytes(client, tricky, admin):
    client.force_login(admin)
    spec = csvio.get_spec("contracts")
    page = b"".join(client.get(reverse("contracts:contract_list"), {"export": "csv"},
                               HTTP_ACCEPT_LANGUAGE="zh-hans").streaming_content)
    api = b"".join(client.get("/api/contracts/", {"format": "csv"},
                              HTTP_ACCEPT_LANGUAGE="zh-hans").streaming_content)
    with translation.override("zh-hans"):
        expected = python_bytes(spec, spec.model.objects.all())
    assert page == api == expected


@pytest.mark.skipif(POSTGRESQL, reason="SQLite keeps the Python path")
@pytest.mark.django_db
def test_sqlite_keeps_the_python_path(tricky):
    spec = csvio.get_spec("contracts")
    assert spec.csv_bytes(spec.model.objects.all()) is None


@pytest.mark.django_db
def test_a_filtered_export_with_a_multiple_choice_has_exactly_the_header_columns(client, tricky, admin):
    """A multiple-choice filter makes the list's query DISTINCT, which selects its ordering columns too: the file
    must still hold the header's columns only, every row (on PostgreSQL it then takes the Python path)."""
    client.force_login(admin)
    response = client.get(reverse("contracts:contract_list"),
                          {"export": "csv", "service_category": ["rehab_children", "daily_care"], "sort": "signed_on"},
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) > 1
    assert all(len(row) == len(rows[0]) for row in rows[1:]), [len(row) for row in rows]
