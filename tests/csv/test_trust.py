"""Imports that lose nothing and exports that never cut off: strict parsing, ``version`` in every
export and checked on import, writes of only what a row changed, re-plan at confirm, administrator-only scope
fields, and a 400 (not a cut-off 200) when an export's query cannot run."""

import csv
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from contracts.models import Contract, Payment
from core import csvio
from organizations.models import Organization
from tests import factories as f

from .conftest import errors_of, export_bytes, run_import
from .test_import import CONTRACT_HEADER, contract_row


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def staff(dataset):
    return f.user_with_role("staff", purchasers=[dataset["bureau"]], username="trust-staff")


def rows_of(data):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def to_csv(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(client, url, data, name="contracts.csv"):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


# ------------------------------------------------------------------------------------------------ strict parsing


@pytest.mark.django_db
def test_unclosed_quote_in_a_middle_row_is_a_row_error_and_swallows_nothing(dataset, admin):
    sun = dataset["sun"].uscc
    header = CONTRACT_HEADER + ",description"
    text = "\r\n".join([header,
                        contract_row(organization_uscc=sun) + ",fine",
                        contract_row(reference="CY-2025-102", organization_uscc=sun) + ',"never closed',
                        contract_row(reference="CY-2025-103", organization_uscc=sun) + ",fine",
                        contract_row(reference="CY-2025-104", organization_uscc=sun) + ",fine"]) + "\r\n"
    result = run_import("contracts", text, user=admin, commit=False)
    assert errors_of(result) == [(3, "")]
    assert "quote" in result.errors[0].message
    assert result.created == 3  # rows 2, 4 and 5 are read as rows of their own
    assert not Contract.objects.filter(reference__startswith="CY-2025-10").exists()


@pytest.mark.django_db
def test_quote_closed_rows_later_is_a_row_error_not_a_merged_description(dataset, admin):
    sun = dataset["sun"].uscc
    header = CONTRACT_HEADER + ",description"
    text = "\r\n".join([header,
                        contract_row(organization_uscc=sun) + ',"starts here',
                        contract_row(reference="CY-2025-102", organization_uscc=sun) + ',ends here"',
                        contract_row(reference="CY-2025-103", organization_uscc=sun) + ',"两行\n说明, 逗号"'])
    result = run_import("contracts", text, user=admin, commit=False)
    assert errors_of(result) == [(2, "")]
    assert "closing quote" in result.errors[0].message
    # A real multi-line description is still one cell.
    assert result.created == 1


@pytest.mark.django_db
def test_extra_cells_and_nul_are_row_errors(dataset, admin):
    sun = dataset["sun"].uscc
    text = "\r\n".join([CONTRACT_HEADER,
                        contract_row(organization_uscc=sun) + ",extra,cells",
                        contract_row(reference="CY-2025-102", organization_uscc=sun, title="有\x00空字符"),
                        contract_row(reference="CY-2025-103", organization_uscc=sun)]) + "\r\n"
    result = run_import("contracts", text, user=admin)
    assert errors_of(result) == [(2, ""), (3, "")]
    assert "15 cells" in result.errors[0].message and "13 columns" in result.errors[0].message
    assert "NUL" in result.errors[1].message
    assert not result.committed and not Contract.objects.filter(reference="CY-2025-103").exists()


@pytest.mark.django_db
def test_utf8_bom_in_front_of_gb18030_is_a_file_error_naming_the_bytes(client, dataset, staff):
    text = CONTRACT_HEADER + "\r\n" + contract_row(organization_uscc=dataset["sun"].uscc, title="康复") + "\r\n"
    data = b"\xef\xbb\xbf" + text.encode("gb18030")
    with pytest.raises(csvio.FileError) as caught:
        csvio.read_table(data)
    assert "UTF-8" in str(caught.value) and "0xBF" in str(caught.value)
    client.force_login(staff)
    response = upload(client, reverse("contracts:contract_import"), data)
    assert response.status_code == 400 and "0xBF" in response.context["file_error"]


@pytest.mark.django_db
def test_huge_number_is_a_row_error_at_once(dataset, admin):
    # int(Decimal("1e300000")) alone takes seconds (quadratic): a cell must not occupy a worker for minutes.
    text = (CONTRACT_HEADER + ",beneficiaries_target\r\n"
            + contract_row(organization_uscc=dataset["sun"].uscc, amount="1e999999999") + ",1e300000")
    started = time.monotonic()
    result = run_import("contracts", text, user=admin)
    assert time.monotonic() - started < 2
    assert errors_of(result) == [(2, "amount"), (2, "beneficiaries_target")]
    assert "too large" in result.errors[1].message


# ------------------------------------------------------------------------------------------------ version


@pytest.mark.django_db
def test_every_export_carries_the_version(client, dataset, admin):
    c1 = dataset["contracts"][0]
    c1.title = "改过一次"
    c1.save()
    c1.refresh_from_db()
    assert c1.version == 2
    for slug in ("contracts", "payments", "reviews"):
        assert "version" in csvio.get_spec(slug).header()
    client.force_login(admin)
    page = rows_of(b"".join(client.get(reverse("contracts:contract_list"), {"export": "csv"}).streaming_content))
    assert {r["reference"]: r["version"] for r in page}["CY-2025-001"] == "2"
    api = client.get("/api/contracts/", {"format": "csv"})
    body = b"".join(api.streaming_content) if api.streaming else api.content
    assert {r["reference"]: r["version"] for r in rows_of(body)}["CY-2025-001"] == "2"
    assert "version" not in csvio.get_spec("contracts").template_rows()[0]
    assert "import-versions" in client.get(reverse("contracts:contract_import")).content.decode()
    assert "import-versions" not in client.get(reverse("organizations:organization_import")).content.decode()


@pytest.mark.django_db
def test_reimporting_an_old_export_is_a_conflict_naming_row_record_and_who(dataset, admin, staff):
    old = rows_of(export_bytes("contracts", Contract.objects.order_by("reference")))
    c1 = Contract.objects.get(reference="CY-2025-001")
    c1.title = "别人的新标题"
    c1._history_user = staff
    c1.save()
    for row in old:
        if row["reference"] == "CY-2025-002":
            row["description"] = "我的修改"  # a row of the same file that is up to date
        if row["reference"] == "CY-2025-001":
            row["amount"] = "310000.00"  # the old export's row, edited: would revert the title
    result = run_import("contracts", to_csv(old), user=admin)
    assert [(e.row, e.column) for e in result.errors] == [(2, "version")]
    message = result.errors[0].message
    assert "CY-2025-001" in message and "trust-staff" in message and "version 2" in message
    c1.refresh_from_db()
    assert c1.title == "别人的新标题" and c1.version == 2 and str(c1.amount) == "300000.00"
    assert Contract.objects.get(reference="CY-2025-002").description == ""


@pytest.mark.django_db
def test_row_without_version_in_a_file_with_versions_is_refused_hand_made_file_is_not(dataset, admin):
    rows = rows_of(export_bytes("contracts", Contract.objects.filter(reference="CY-2025-001")))
    rows[0]["title"] = "新标题"
    rows[0]["version"] = ""
    result = run_import("contracts", to_csv(rows), user=admin)
    assert errors_of(result) == [(2, "version")]
    del rows[0]["version"]
    result = run_import("contracts", to_csv(rows), user=admin)
    assert result.ok and result.updated == 1
    c1 = Contract.objects.get(reference="CY-2025-001")
    assert c1.title == "新标题" and c1.version == 2


@pytest.mark.django_db
def test_current_export_updates_and_bumps_version_once(dataset, admin):
    rows = rows_of(export_bytes("payments", Payment.objects.order_by("pk")))
    rows[0]["note"] = "已核对"
    result = run_import("payments", to_csv(rows), user=admin)
    assert result.ok and (result.updated, result.unchanged) == (1, len(rows) - 1)
    payment = Payment.objects.get(pk=rows[0]["id"])
    assert payment.note == "已核对" and payment.version == 2
    assert [p.version for p in Payment.objects.exclude(pk=payment.pk)] == [1] * (len(rows) - 1)
    again = run_import("payments", to_csv(rows), user=admin)  # the same file again: version 1 is stale now
    assert errors_of(again) == [] and again.unchanged == len(rows)  # …but it changes nothing, so nothing to refuse


@pytest.mark.django_db
def test_each_update_writes_only_the_fields_its_row_changed(dataset, admin):
    rows = rows_of(export_bytes("contracts", Contract.objects.order_by("reference")))
    by_ref = {r["reference"]: r for r in rows}
    by_ref["CY-2025-001"]["title"] = "只改标题"
    by_ref["CY-2025-002"]["description"] = "只改说明"
    with CaptureQueriesContext(connection) as queries:
        result = run_import("contracts", to_csv(rows), user=admin)
    assert result.ok and result.updated == 2
    updates = [q["sql"] for q in queries.captured_queries if 'UPDATE "contracts_contract"' in q["sql"]]
    assert len(updates) == 2  # one statement per set of changed fields
    title_update = next(sql for sql in updates if '"title"' in sql)
    assert '"description"' not in title_update and '"amount"' not in title_update
    assert 'AND "version" = %s' in title_update
    assert Contract.objects.get(reference="CY-2025-001").description == "@SUM(A1)"
    assert Contract.objects.get(reference="CY-2025-002").title == "-2+3"


# ------------------------------------------------------------------------------------------------ re-plan at confirm


@pytest.mark.django_db
def test_confirm_refuses_when_a_create_became_an_update(client, dataset, staff):
    client.force_login(staff)
    url = reverse("contracts:contract_import")
    sun = dataset["sun"]
    text = CONTRACT_HEADER + "\r\n" + contract_row(organization_uscc=sun.uscc, title="我的新合同") + "\r\n"
    preview = upload(client, url, text)
    assert preview.context["result"].created == 1
    token = preview.context["token"]
    theirs = f.ContractFactory(reference="CY-2025-101", purchaser=dataset["bureau"], organization=sun, title="他人的")
    response = client.post(url, {"token": token})
    assert response.status_code == 409
    assert errors_of(response.context["result"]) == [(2, "")]
    assert f"{theirs.pk}" in response.context["result"].errors[0].message
    theirs.refresh_from_db()
    assert theirs.title == "他人的" and theirs.version == 1


@pytest.mark.django_db
def test_confirm_refuses_when_the_record_changed_since_the_preview(client, dataset, staff):
    client.force_login(staff)
    url = reverse("contracts:contract_import")
    rows = rows_of(export_bytes("contracts", Contract.objects.filter(reference="CY-2025-001")))
    rows[0]["amount"] = "310000.00"
    preview = upload(client, url, to_csv(rows))
    assert preview.context["result"].updated == 1
    c1 = Contract.objects.get(reference="CY-2025-001")
    c1.status = "suspended"
    c1.save()
    response = client.post(url, {"token": preview.context["token"]})
    assert response.status_code == 409
    assert [e.row for e in response.context["result"].errors] == [2]
    c1.refresh_from_db()
    assert str(c1.amount) == "300000.00" and c1.status == "suspended"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks")
@pytest.mark.django_db
def test_confirm_locks_the_rows_it_updates(dataset, admin):
    rows = rows_of(export_bytes("contracts", Contract.objects.filter(reference="CY-2025-001")))
    rows[0]["title"] = "锁"
    with CaptureQueriesContext(connection) as queries:
        assert run_import("contracts", to_csv(rows), user=admin).ok
    assert any("FOR UPDATE" in q["sql"] and "contracts_contract" in q["sql"] for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        run_import("contracts", to_csv(rows), user=admin, commit=False)
    assert not any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)  # a preview locks nothing


# ------------------------------------------------------------------------------------------------ scope


@pytest.mark.django_db
def test_staff_may_not_change_an_organizations_region_by_import(dataset, staff, admin):
    street = f.RegionFactory(code="220104001", name="某街道", level="township", parent=dataset["chaoyang"])
    rows = rows_of(export_bytes("organizations", Organization.objects.filter(pk=dataset["sun"].pk)))
    rows[0]["region_code"] = street.code  # inside the staff member's own region, but the region is scope-defining
    rows[0]["region_name"] = ""
    result = run_import("organizations", to_csv(rows), user=staff)
    assert errors_of(result) == [(2, "region_code")]
    assert "administrator" in result.errors[0].message
    assert Organization.objects.get(pk=dataset["sun"].pk).region == dataset["chaoyang"]
    assert run_import("organizations", to_csv(rows), user=admin).ok
    assert Organization.objects.get(pk=dataset["sun"].pk).region == street


# ------------------------------------------------------------------------------------------------ exports


def test_an_export_whose_query_fails_answers_400_before_streaming():
    def rows():
        raise ValueError("year 99999 is out of range")
        yield []  # pragma: no cover

    response = csvio.streaming_csv_response(["a"], rows(), "x.csv")
    assert response.status_code == 400 and not response.streaming
    assert "year 99999 is out of range" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path, params", [
    ("/contracts/", {"export": "csv", "year": "99999"}),
    ("/api/contracts/", {"format": "csv", "year": "99999"}),
])
def test_out_of_range_year_on_an_export_is_a_400_not_a_cut_off_file(client, dataset, admin, path, params):
    client.force_login(admin)
    response = client.get(path, params)
    assert response.status_code == 400
    assert not response.streaming
