"""Excel rows written by the database (PostgreSQL, core/xlsxdb.py) are the Python writer's bytes."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from contracts.models import Amendment, Contract
from core import csvio, xlsxdb, xlsxsheet
from core.xlsxio import spec_rows
from tests import factories as f

POSTGRESQL = connection.vendor == "postgresql"


def python_bytes(spec, queryset):
    return b"".join(xlsxsheet.encoded(xlsxsheet.python_rows(spec_rows(spec, queryset), len(spec.columns))))


def database_bytes(spec, queryset, batch=xlsxsheet.BATCH):
    chunks = xlsxdb.sheet_rows(spec, queryset, batch=batch)
    assert chunks is not None, f"{spec.slug}: the database path was not taken"
    return b"".join(chunks)


@pytest.fixture
def tricky(dataset):
    """Cells that the XML or the COPY transfer could get wrong: markup characters, control characters (removed;
    the COPY quote character among them), a text of control characters only, line breaks, leading spaces, a
    text over Excel's limit, U+FFFE, empty and missing values, negative and long decimals."""
    sun, bureau = dataset["sun"], dataset["bureau"]
    f.ContractFactory(reference="<&>\"' ]]>", title="  =SUM(A1) \x02", purchaser=bureau, organization=sun,
                      description="a\r\nb\x01c\x02\x02d\x07\ufffe\uffff e\tf", amount=Decimal("99999999999.99"),
                      restricted_amount=Decimal("0.00"), region=None, signed_on=datetime.date(1900, 2, 28))
    f.ContractFactory(reference="\x1f", title="说 \"你好\", 再见 ￥", purchaser=bureau, organization=sun,
                      description="长" * 40_000, amount=Decimal("0.01"), restricted_amount=Decimal("0.00"),
                      signed_on=datetime.date(1900, 3, 1))
    f.ContractFactory(reference="plain", title="", purchaser=bureau, organization=sun, description="\x02",
                      amount=Decimal("12345.60"), restricted_amount=Decimal("0.00"))
    f.OrganizationFactory(name="@HOME 之家 &", description="\x0b", registered_on=None, staff_count=0,
                          service_scope=["rehab_children", "daily_care"])
    f.KeyPersonFactory(organization=sun, name="-李四 <b>")
    f.AnnualReportFactory(organization=sun, fiscal_year=2023)
    Amendment.objects.create(contract=dataset["contracts"][0], signed_on=datetime.date(2025, 6, 1),
                             amount_change=Decimal("-1500.50"), reason='=延期, "补充"\n第二行')
    return dataset


@pytest.mark.skipif(not POSTGRESQL, reason="the database path is PostgreSQL's")
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_database_and_python_rows_are_the_same_bytes_for_every_spec(tricky, language):
    taken = []
    with translation.override(language):
        for spec in csvio.all_specs():
            queryset = spec.model.objects.all()
            expected = python_bytes(spec, queryset)
            assert expected.count(b"<row ") >= 1, spec.slug
            chunks = xlsxdb.sheet_rows(spec, queryset, batch=2)
            if chunks is None:  # a column of a kind the database does not write (date-times …)
                continue
            taken.append(spec.slug)
            assert b"".join(chunks) == expected, spec.slug
    assert {"contracts", "payments", "amendments"} <= set(taken)  # organizations: a code list, the Python path


@pytest.mark.skipif(not POSTGRESQL, reason="the database path is PostgreSQL's")
@pytest.mark.django_db
def test_database_rows_read_back_as_the_cells_a_user_expects(tricky):
    spec = csvio.get_spec("contracts")
    queryset = Contract.objects.order_by("pk")
    output = io.BytesIO()
    xlsxsheet.write_xlsx(output, spec.header(), xlsxdb.sheet_rows(spec, queryset), title=spec.slug)
    output.seek(0)
    rows = list(load_workbook(output).active.iter_rows(values_only=True))
    header = rows[0]
    by_reference = {row[header.index("reference")]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    first = by_reference["<&>\"' ]]>"]
    assert first["title"] == "  =SUM(A1) "
    assert first["description"] == "a\nbcd e\tf"  # control characters and U+FFFE/U+FFFF removed; CR LF read as LF
    assert first["amount"] == 99999999999.99 and first["restricted_amount"] == 0
    assert first["signed_on"] == datetime.datetime(1900, 2, 28)
    second = by_reference[None]  # a reference of one control character: no cell
    assert len(second["description"]) == 32767 and second["signed_on"] == datetime.datetime(1900, 3, 1)
    third = by_reference["plain"]
    assert third["title"] is None and third["description"] is None and third["amount"] == 12345.6


@pytest.mark.skipif(not POSTGRESQL, reason="the database path is PostgreSQL's")
@pytest.mark.django_db
def test_list_export_is_written_by_the_database(client, tricky, admin, monkeypatch):
    taken = []
    sheet_rows = xlsxdb.sheet_rows
    monkeypatch.setattr(xlsxdb, "sheet_rows", lambda *a, **k: taken.append(1) or sheet_rows(*a, **k))
    client.force_login(admin)
    response = client.get(reverse("contracts:contract_list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert taken and sheet.max_row == Contract.objects.count() + 1


@pytest.mark.skipif(POSTGRESQL, reason="SQLite keeps the Python path")
@pytest.mark.django_db
def test_sqlite_keeps_the_python_path(tricky):
    spec = csvio.get_spec("contracts")
    assert xlsxdb.sheet_rows(spec, spec.model.objects.all()) is None
