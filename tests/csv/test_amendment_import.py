"""Amendments imported from CSV: every row goes through ``save_amendment`` (the contract's amount and end date
move with it, with history and the scope guard), the whole file in one transaction, re-importing the same file
changes nothing (natural key: contract + signing date + reason), and the page and command follow the roles."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from contracts.amendments import save_amendment
from contracts.models import Amendment, Contract, Payment
from organizations.models import PurchaserMembership
from tests import factories as f

from .conftest import errors_of, export_bytes, run_import

D = Decimal
HEADER = "purchaser_name,contract_reference,signed_on,amount_change,new_end_on,reason"
URL = reverse("contracts:amendment_import")


def csv_text(*rows):
    return "\r\n".join([HEADER, *rows]) + "\r\n"


def row(reference="CY-2025-001", signed_on="2025-06-30", change="30000.00", new_end_on="", reason="服务人数增加",
        purchaser="长春市朝阳区民政局"):
    return f"{purchaser},{reference},{signed_on},{change},{new_end_on},{reason}"


@pytest.fixture
def staff(dataset):
    return f.user_with_role("staff", purchasers=[dataset["bureau"]], username="amend-staff")


def c1(dataset):
    return Contract.objects.get(pk=dataset["contracts"][0].pk)


@pytest.mark.django_db
def test_rows_move_the_contract_in_file_order_with_history(dataset, staff):
    # CY-2025-001: amount 300,000.00, restricted 240,000.00, end 2025-12-31, version 1.
    text = csv_text(row(change="30000.00", new_end_on="2026-03-31", reason="服务人数增加"),
                    row(signed_on="2025-09-01", change="-10000.00", reason="减少一期培训"),
                    row(signed_on="2025-10-01", change="0", new_end_on="2026-06-30", reason="延期"))
    result = run_import("amendments", text, user=staff)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    contract = c1(dataset)
    assert contract.amount == D("320000.00")  # 300,000 + 30,000 − 10,000
    assert contract.end_on == datetime.date(2026, 6, 30)  # the last row's new end date
    assert contract.version == 4  # one save per amendment
    changes = list(contract.history.order_by("history_date", "history_id").values_list("amount", "history_user"))
    assert changes[1:] == [(D("330000.00"), staff.pk), (D("320000.00"), staff.pk), (D("320000.00"), staff.pk)]
    stored = list(Amendment.objects.order_by("signed_on").values_list("amount_change", "reason"))
    assert stored == [(D("30000.00"), "服务人数增加"), (D("-10000.00"), "减少一期培训"), (D("0.00"), "延期")]
    assert all(h.history_user == staff for a in Amendment.objects.all() for h in a.history.all())


@pytest.mark.django_db
def test_preview_reports_what_confirm_would_do_and_writes_nothing(dataset, staff):
    text = csv_text(row(change="-50000.00", reason="第一次"), row(signed_on="2025-07-01", change="-20000.00",
                                                                    reason="第二次"))
    # 300,000 − 50,000 = 250,000 keeps the restricted 240,000; − 20,000 more = 230,000 does not: only the second
    # row is refused, because the first one is applied before it.
    result = run_import("amendments", text, user=staff, commit=False)
    assert errors_of(result) == [(3, "amount_change")]
    result = run_import("amendments", text, user=staff, commit=True)
    assert errors_of(result) == [(3, "amount_change")] and not result.committed
    # nothing written half-way: not the first row's amendment, not its change of the contract
    assert not Amendment.objects.exists()
    contract = c1(dataset)
    assert (contract.amount, contract.version, contract.history.count()) == (D("300000.00"), 1, 1)

    ok = run_import("amendments", csv_text(row(change="-50000.00", reason="第一次")), user=staff, commit=False)
    assert ok.ok and ok.created == 1
    assert not Amendment.objects.exists() and c1(dataset).amount == D("300000.00")


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(dataset, staff):
    text = csv_text(row(change="30000.00", new_end_on="2026-03-31"), row(signed_on="2025-09-01", change="5000.00",
                                                                         reason="增加场地"))
    assert run_import("amendments", text, user=staff).created == 2
    again = run_import("amendments", text, user=staff)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Amendment.objects.count() == 2
    assert c1(dataset).amount == D("335000.00")  # applied once: 300,000 + 30,000 + 5,000
    # Its own export, imported again, is unchanged too (the id, contract id and organization columns are extra).
    exported = run_import("amendments", export_bytes("amendments"), user=staff)
    assert exported.ok and (exported.created, exported.unchanged) == (0, 2)
    # A new row beside the stored ones is added, once.
    more = run_import("amendments", text + row(signed_on="2025-11-01", change="1000.00", reason="追加") + "\r\n",
                      user=staff)
    assert (more.created, more.unchanged) == (1, 2) and c1(dataset).amount == D("336000.00")


@pytest.mark.django_db
def test_a_stored_amendment_is_not_changed_by_a_row_with_its_key(dataset, staff):
    run_import("amendments", csv_text(row(change="30000.00")), user=staff)
    with translation.override("en"):
        result = run_import("amendments", csv_text(row(change="31000.00")), user=staff)
    assert errors_of(result) == [(2, "amount_change")]
    assert "not changed once saved" in result.errors[0].message
    assert c1(dataset).amount == D("330000.00") and Amendment.objects.get().amount_change == D("30000.00")
    # The same key twice in one file is an error on the second row, not two amendments.
    twice = run_import("amendments", csv_text(row(signed_on="2025-08-01"), row(signed_on="2025-08-01")), user=staff)
    assert errors_of(twice) == [(3, "reason")]
    assert Amendment.objects.count() == 1


@pytest.mark.django_db
def test_a_contract_outside_the_scope_is_a_row_error_and_nothing_is_written(dataset, staff):
    # NG-2025-007 belongs to the federation (南关区), outside the staff user's purchaser (朝阳区).
    text = csv_text(row(), row(reference="NG-2025-007", purchaser="长春市南关区残疾人联合会", change="1.00"))
    with translation.override("en"):
        result = run_import("amendments", text, user=staff)
    assert errors_of(result) == [(3, "contract_reference")]
    assert "not found or not yours" in result.errors[0].message
    assert not Amendment.objects.exists()
    assert c1(dataset).amount == D("300000.00")
    nanguan = Contract.objects.get(reference="NG-2025-007")
    assert (nanguan.amount, nanguan.version) == (D("0.05"), 1)


@pytest.mark.django_db
def test_the_write_path_refuses_a_contract_that_left_the_scope_before_the_write(dataset, staff, monkeypatch):
    """The lookup finds contracts the user may change; the write path checks it again with a fresh scope, and
    its refusal is a row error too (here: the membership is removed between the two)."""
    from core.csvio import importer

    real = importer.Importer._save_each

    def leave_scope(self, *args, **kwargs):
        PurchaserMembership.objects.filter(user=staff).delete()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(importer.Importer, "_save_each", leave_scope)
    with translation.override("en"):
        result = run_import("amendments", csv_text(row()), user=staff)
    assert [(e.row, e.column) for e in result.errors] == [(2, "contract_reference")]
    assert result.errors[0].message == "You may not create or move a record outside your own scope."
    assert not Amendment.objects.exists() and c1(dataset).amount == D("300000.00")


@pytest.mark.django_db
def test_missing_reason_and_unknown_contract_are_row_errors(dataset, staff):
    text = csv_text(row(reason=""), row(reference="NO-SUCH"), row(change="0", reason="无变化"))
    result = run_import("amendments", text, user=staff)
    assert sorted(set(errors_of(result))) == [(2, "reason"), (3, "contract_reference"), (4, "amount_change")]
    assert not Amendment.objects.exists()


@pytest.mark.django_db
def test_round_trip_into_a_fresh_database(dataset, admin):
    """Export the contracts (original values) and, after amending, the amendments and contracts; empty the
    database, import the original contracts then the amendments: the same amendments (ids too) and the same
    amended contracts, byte for byte."""
    from .test_roundtrip import _restart_ids

    originals = export_bytes("contracts")
    contract = c1(dataset)
    for signed_on, change, end, reason in [("2025-06-30", "30000.00", "2026-03-31", "服务人数增加, \"二期\""),
                                           ("2025-09-01", "-10000.00", None, "=减少")]:
        save_amendment(admin, Amendment(contract=Contract.objects.get(pk=contract.pk),
                                        signed_on=datetime.date.fromisoformat(signed_on), amount_change=D(change),
                                        new_end_on=end and datetime.date.fromisoformat(end), reason=reason))
    save_amendment(admin, Amendment(contract=dataset["contracts"][1], signed_on=datetime.date(2025, 5, 1),
                                    amount_change=D("0.01"), reason="补差"))
    amendments, amended, payments = export_bytes("amendments"), export_bytes("contracts"), export_bytes("payments")
    assert amendments.count(b"\r\n") == 4  # header + 3

    for model in (Amendment, Payment, Contract):
        model.objects.all().delete()
        _restart_ids(model)
    assert run_import("contracts", originals, user=admin).ok
    assert run_import("payments", payments, user=admin).ok
    result = run_import("amendments", amendments, user=admin)
    assert result.ok, result.errors
    assert result.created == 3
    assert export_bytes("amendments") == amendments
    assert export_bytes("contracts") == amended
    restored = c1(dataset)
    assert (restored.amount, restored.end_on) == (D("320000.00"), datetime.date(2026, 3, 31))
    # The id sequence moved past the restored ids: the next amendment gets a fresh one.
    highest = Amendment.objects.order_by("-pk").values_list("pk", flat=True).first()
    later = save_amendment(admin, Amendment(contract=restored, signed_on=datetime.date(2025, 11, 1),
                                            amount_change=D("1.00"), reason="之后"))
    assert later.pk > highest


@pytest.mark.django_db
def test_command_imports_as_the_system_and_refuses_invalid_files(dataset, tmp_path):
    path = tmp_path / "amendments.csv"
    path.write_text(csv_text(row()), encoding="utf-8")
    call_command("import_csv", "amendments", str(path))
    amendment = Amendment.objects.get()
    assert c1(dataset).amount == D("330000.00")
    assert amendment.history.get().history_user is None
    assert c1(dataset).history.first().history_user is None


def upload(client, text):
    return client.post(URL, {"file": SimpleUploadedFile("amendments.csv", text.encode("utf-8"),
                                                        content_type="text/csv")})


@pytest.mark.django_db
def test_page_upload_preview_confirm_for_staff(client, dataset, staff):
    client.force_login(staff)
    assert client.get(URL).status_code == 200
    assert URL in client.get(reverse("imports")).content.decode()
    assert URL in client.get(reverse("contracts:amendment_list")).content.decode()  # "Import CSV" on the list
    template = b"".join(client.get(URL, {"template": "1"}).streaming_content).decode("utf-8-sig")
    assert template.splitlines()[0] == HEADER
    preview = upload(client, csv_text(row()))
    assert preview.status_code == 200 and preview.context["result"].created == 1
    assert not Amendment.objects.exists() and c1(dataset).amount == D("300000.00")
    done = client.post(URL, {"token": preview.context["token"]})
    assert done.status_code == 302 and done["Location"] == reverse("contracts:amendment_list")
    assert c1(dataset).amount == D("330000.00") and Amendment.objects.count() == 1


@pytest.mark.django_db
def test_confirm_is_refused_when_the_contract_changed_since_the_preview(client, dataset, staff):
    client.force_login(staff)
    token = upload(client, csv_text(row())).context["token"]
    contract = c1(dataset)
    save_amendment(staff, Amendment(contract=contract, signed_on=datetime.date(2025, 5, 1),
                                    amount_change=D("1000.00"), reason="另一位工作人员"))
    response = client.post(URL, {"token": token})
    assert response.status_code == 409
    assert errors_of(response.context["result"]) == [(2, "")]
    assert c1(dataset).amount == D("301000.00") and Amendment.objects.count() == 1


@pytest.mark.django_db
def test_ngo_manager_and_analyst_may_not_import(client, dataset, tmp_path):
    ngo = f.user_with_role("ngo_manager", organizations=[dataset["sun"]])
    analyst = f.user_with_role("analyst")
    for user in (ngo, analyst):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert upload(client, csv_text(row())).status_code == 403
        assert URL not in client.get(reverse("imports")).content.decode()
        assert URL not in client.get(reverse("contracts:amendment_list")).content.decode()
    path = tmp_path / "amendments.csv"
    path.write_text(csv_text(row()), encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import_csv", "amendments", str(path), "--user", analyst.username)
    assert not Amendment.objects.exists() and c1(dataset).amount == D("300000.00")
