"""The precomputed funder rows (dashboards.FunderYear, dashboards.aggregates): equal to the raw computation for a
rich data set, the indicators unchanged by reading them, and every write path keeping them up to date (checked for
the organizations involved, and on an indicator a user sees, against hand-computed values).

The autouse fixture of tests/conftest.py also compares the whole table with the raw computation after every test
of the suite that used the database."""

import datetime
import importlib
import types
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.amendments import save_amendment
from contracts.models import Amendment, Contract, Payment
from dashboards import aggregates, indicators, vulnerability, whatif
from dashboards.funders import FUNDER_COLUMNS, funder_rows, raw_funder_rows
from dashboards.indicators import organization_indicators
from dashboards.models import FunderYear
from dashboards.output import organization_output
from organizations.models import IncomeRecord, KeyPerson, Organization
from tests.csv.conftest import export_bytes, run_import
from tests.factories import (
    AnnualReportFactory,
    ContractFactory,
    IncomeRecordFactory,
    KeyPersonFactory,
    OrganizationFactory,
    PaymentFactory,
    PurchaserFactory,
    user_with_role,
)

pytestmark = pytest.mark.django_db
D = Decimal
YEARS = [2023, 2024, 2025]


@pytest.fixture
def rich():
    """Three organizations, three purchasers, payments over three years (one unpaid), restricted parts that do not
    divide evenly, income records of every kind (named in two spellings, naming a purchaser, unnamed diffuse and
    unnamed by source), a key person making one contract related-party (and a draft one not counted), and a
    service scope that leaves one contract outside it."""
    a, b, c = (PurchaserFactory(name=n) for n in ("朝阳区民政局", "南关区残联", "吉林市民政局"))
    sun = OrganizationFactory(name="阳光", service_scope="rehab_children")
    hope = OrganizationFactory(name="希望")
    lone = OrganizationFactory(name="孤")
    c1 = ContractFactory(organization=sun, purchaser=a, amount=D("90000"), restricted_amount=D("30000"),
                         end_on=datetime.date(2026, 6, 30))
    c2 = ContractFactory(organization=sun, purchaser=b, service_category="daily_care", amount=D("70000"),
                         restricted_amount=D("10000"), signed_on=datetime.date(2024, 2, 1),
                         start_on=datetime.date(2024, 3, 1), end_on=datetime.date(2025, 12, 31))
    c3 = ContractFactory(organization=hope, purchaser=b, amount=D("50000"), restricted_amount=D("0"))
    c4 = ContractFactory(organization=hope, purchaser=c, status="draft", amount=D("20000"), restricted_amount=D("0"))
    day = datetime.date
    for contract, amount, paid in ((c1, "10000", day(2023, 12, 31)), (c1, "33333.33", day(2025, 1, 5)),
                                   (c1, "11111.11", day(2025, 7, 1)), (c2, "35000", day(2024, 6, 1)),
                                   (c2, "35000", day(2025, 6, 1)), (c3, "25000", day(2025, 4, 1)),
                                   (c4, "5000", day(2025, 4, 2)), (c3, "25000", None)):
        PaymentFactory(contract=contract, amount=D(amount), paid_on=paid, due_on=paid or day(2025, 12, 1))
    for org, source, name, amount, restricted, year, funder in (
            (sun, "donation_corporate", "腾讯基金会", "20000", "5000", 2025, None),
            (sun, "donation_corporate", " 腾讯基金会 ", "1000", "0", 2025, None),
            (sun, "government_subsidy", "", "8000", "8000", 2025, a),
            (sun, "service_fee", "", "3000", "0", 2025, None),
            (sun, "donation_individual", "", "700", "0", 2024, None),
            (hope, "foundation_grant", "", "12000", "2000", 2025, None),
            (hope, "membership_dues", "", "500", "0", 2025, None),
            (lone, "donation_individual", "王先生", "100", "0", 2023, None)):
        IncomeRecordFactory(organization=org, source=source, funder_name=name, amount=D(amount),
                            restricted_amount=D(restricted), fiscal_year=year, funder_purchaser=funder)
    KeyPersonFactory(organization=hope, post_purchaser=b)
    KeyPersonFactory(organization=hope, post_purchaser=c)
    AnnualReportFactory(organization=sun, fiscal_year=2025)
    return {"sun": sun, "hope": hope, "lone": lone, "a": a, "b": b, "c": c, "c1": c1, "c2": c2, "c3": c3, "c4": c4}


def rows_of(queryset):
    return sorted((aggregates._normalized(r) for r in queryset), key=repr)


def row(org, year=2025):
    (result,) = organization_indicators(Organization.objects.filter(pk=org.pk), year)
    return result


def fresh(*orgs):
    """The stored rows of ``orgs`` equal the raw computation."""
    assert aggregates.differences([o.pk for o in orgs]) == []


# --- the table equals the raw computation ---------------------------------------------------------------------


def test_table_equals_the_raw_computation_for_every_year_and_subset(rich):
    # payments per (organization, year, purchaser): sun 4, hope 2; income records per (organization, year, funder,
    # source): the two spellings of 腾讯基金会 are one funder, so sun 4, hope 2, lone 1
    assert FunderYear.objects.count() == 13
    assert aggregates.differences() == []
    everyone = Organization.objects.all()
    for accountability in (False, True):
        for years in ([2025], YEARS, [2023, 2025]):
            assert rows_of(funder_rows(everyone, years, accountability)) == rows_of(
                raw_funder_rows(everyone, years, accountability))
            some = Organization.objects.filter(pk__in=[rich["hope"].pk, rich["lone"].pk])
            assert rows_of(funder_rows(some, years, accountability)) == rows_of(
                raw_funder_rows(some, years, accountability))
    assert len(FUNDER_COLUMNS) == len(next(iter(funder_rows(everyone, YEARS, True))))


def test_indicators_are_the_same_read_from_the_table_or_computed_from_scratch(rich, monkeypatch):
    orgs = Organization.objects.order_by("name")
    stored = [organization_output(r) for r in organization_indicators(orgs, YEARS)]
    scenario = whatif.scenario_row(rich["sun"], 2025, dropped=[rich["a"].pk])
    for module in (indicators, vulnerability, whatif):
        monkeypatch.setattr(module, "funder_rows", raw_funder_rows)
    raw = [organization_output(r) for r in organization_indicators(orgs, YEARS)]
    assert stored == raw and len(stored) == 9
    assert organization_output(scenario) == organization_output(
        whatif.scenario_row(rich["sun"], 2025, dropped=[rich["a"].pk]))


def test_hand_computed_values_from_the_table(rich):
    sun, hope = row(rich["sun"]), row(rich["hope"])
    # 33 333.33 + 11 111.11 + 35 000 contracts, 20 000 + 1 000 + 8 000 + 3 000 records
    assert sun.total_income == D("111444.44")
    assert sun.contract_income == D("79444.44")
    # c2 (daily_care) is outside the scope "rehab_children": 35 000 / 79 444.44
    assert sun.outside_scope_income == D("35000.00")
    # hope: c3 (b, related, counted) 25 000 and the draft c4 (c, related, not counted) 5 000
    assert hope.related_party_income == D("25000.00")
    assert hope.contract_income == D("30000.00")


# --- every write path refreshes --------------------------------------------------------------------------------


def test_model_save_and_delete_of_a_payment(rich):
    payment = PaymentFactory(contract=rich["c3"], amount=D("1000"), paid_on=datetime.date(2025, 8, 1))
    fresh(rich["hope"])
    assert row(rich["hope"]).contract_income == D("31000.00")
    payment.amount = D("2000")
    payment.save()
    assert row(rich["hope"]).contract_income == D("32000.00")
    payment.delete()
    fresh(rich["hope"])
    assert row(rich["hope"]).contract_income == D("30000.00")


def test_api_moves_a_contract_to_another_organization(rich, client):
    client.force_login(user_with_role("administrator"))
    response = client.patch(f"/api/contracts/{rich['c3'].pk}/", {"organization": rich["lone"].pk},
                            content_type="application/json")
    assert response.status_code == 200, response.json()
    fresh(rich["hope"], rich["lone"])
    data = client.get("/api/indicators/organizations/", {"year": 2025}).json()
    income = {r["organization"]: D(str(r["contract_income"])) for r in data["results"]}
    assert income[rich["hope"].pk] == D("5000")  # only the draft contract's payment is left
    assert income[rich["lone"].pk] == D("25000")


def test_api_changes_contract_terms_income_records_key_persons_and_scope(rich, client):
    client.force_login(user_with_role("administrator"))
    hope, sun = rich["hope"], rich["sun"]
    # c3 ends after the end of next year now: only the draft's 5 000 are renewal exposure (was 30 000)
    assert row(hope).renewal_exposure == D("30000") / D("42500")  # of 30 000 + 12 000 + 500
    assert client.patch(f"/api/contracts/{rich['c3'].pk}/", {"end_on": "2027-06-30"},
                        content_type="application/json").status_code == 200
    assert row(hope).renewal_exposure == D("5000") / D("42500")
    record = IncomeRecord.objects.get(organization=hope, source="foundation_grant")
    assert client.patch(f"/api/income-records/{record.pk}/", {"amount": "22000.00"},
                        content_type="application/json").status_code == 200
    assert row(hope).total_income == D("52500.00")
    assert client.delete(f"/api/income-records/{record.pk}/").status_code == 204
    assert row(hope).total_income == D("30500.00")
    person = KeyPerson.objects.get(organization=hope, post_purchaser=rich["b"])
    assert client.delete(f"/api/key-persons/{person.pk}/").status_code == 204
    assert row(hope).related_party_income == D("0.00")
    assert client.patch(f"/api/organizations/{sun.pk}/", {"service_scope": ["rehab_children", "daily_care"]},
                        content_type="application/json").status_code == 200
    assert row(sun).outside_scope_income == D("0.00")
    fresh(hope, sun)


def test_page_form_changes_a_payment(rich, admin_client):
    contract = rich["c3"]
    payment = contract.payments.get(paid_on__isnull=False)
    data = {"reference": contract.reference, "title": contract.title, "purchaser": contract.purchaser_id,
            "organization": contract.organization_id, "service_category": contract.service_category,
            "procurement_method": contract.procurement_method, "status": contract.status,
            "signed_on": "2025-01-10", "start_on": "2025-02-01", "end_on": "2025-12-31", "amount": "50000",
            "restricted_amount": "0", "beneficiaries_target": "", "region": "", "description": "",
            "version": contract.version,
            "payments-TOTAL_FORMS": "1", "payments-INITIAL_FORMS": "1", "payments-MIN_NUM_FORMS": "0",
            "payments-MAX_NUM_FORMS": "1000", "payments-0-id": payment.pk, "payments-0-contract": contract.pk,
            "payments-0-kind": payment.kind, "payments-0-due_on": "2025-04-01", "payments-0-paid_on": "2025-04-01",
            "payments-0-amount": "26000", "payments-0-note": "", "payments-0-version": payment.version}
    response = admin_client.post(reverse("contracts:contract_edit", args=[contract.pk]), data)
    assert response.status_code == 302, response.context and [f.errors for f in response.context["formsets"]]
    fresh(rich["hope"])
    assert row(rich["hope"]).contract_income == D("31000.00")


def test_amendment_changes_the_restricted_part(rich):
    # c1: 90 000, 30 000 restricted; +10 000 → 100 000 with 30 000 restricted (the restricted amount stays)
    before = row(rich["sun"]).restricted_income
    save_amendment(user_with_role("administrator"), Amendment(
        contract=rich["c1"], signed_on=datetime.date(2025, 8, 1), amount_change=D("10000"), reason="扩大服务"))
    fresh(rich["sun"])
    # the 2025 payments of c1 (44 444.44) were 1/3 restricted, now 3/10
    assert before - row(rich["sun"]).restricted_income == D("1481.48")  # 14 814.81 − 13 333.33


def test_deleting_a_contract_and_an_organization_cascades(rich):
    rich["c3"].delete()
    fresh(rich["hope"])
    assert row(rich["hope"]).contract_income == D("5000.00")
    rich["lone"].delete()
    assert not FunderYear.objects.filter(organization_id=rich["lone"].pk).exists()
    assert aggregates.differences() == []


def test_csv_imports_of_contracts_payments_and_income_refresh_once_per_file(rich):
    admin = user_with_role("administrator")
    c3 = rich["c3"]
    header = "id,purchaser_name,contract_reference,kind,due_on,paid_on,amount"
    lines = [f"{p.pk},{c3.purchaser.name},{c3.reference},{p.kind},{p.due_on},2025-05-01,20000.00"
             for p in c3.payments.all()]
    with CaptureQueriesContext(connection) as queries:
        result = run_import("payments", "\r\n".join([header, *lines]) + "\r\n", user=admin)
    assert result.ok, result.errors
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "dashboards_funderyear"')]
    assert len(inserts) == 1  # one refresh for the file, not one per row
    assert row(rich["hope"]).contract_income == D("45000.00")  # 2 × 20 000 + the draft's 5 000

    result = run_import("income-records",
                        f"organization_uscc,fiscal_year,source,funder_name,amount,restricted_amount\r\n"
                        f"{rich['lone'].uscc},2025,donation_corporate,某公司,4000.00,0.00\r\n", user=admin)
    assert result.ok, result.errors
    assert row(rich["lone"]).total_income == D("4000.00")

    exported = export_bytes("contracts", Contract.objects.filter(pk=c3.pk)).decode("utf-8-sig")
    assert exported.count(rich["hope"].uscc) == 1
    result = run_import("contracts", exported.replace(rich["hope"].uscc, rich["lone"].uscc), user=admin)
    assert result.ok, result.errors
    fresh(rich["hope"], rich["lone"])
    assert row(rich["lone"]).contract_income == D("40000.00")
    assert row(rich["hope"]).contract_income == D("5000.00")


def test_csv_preview_writes_no_rows(rich):
    c3 = rich["c3"]
    payment = c3.payments.filter(paid_on__isnull=False).get()
    text = f"id,purchaser_name,contract_reference,kind,due_on,paid_on,amount\r\n{payment.pk},{c3.purchaser.name}," \
           f"{c3.reference},{payment.kind}," \
           f"{payment.due_on},2025-05-01,99999.00\r\n"
    with CaptureQueriesContext(connection) as queries:
        assert run_import("payments", text, user=user_with_role("administrator"), commit=False).ok
    assert not [q for q in queries.captured_queries if "dashboards_funderyear" in q["sql"]]
    assert row(rich["hope"]).contract_income == D("30000.00")


def test_amendment_import_refreshes(rich):
    c1 = rich["c1"]
    result = run_import("amendments", f"purchaser_name,contract_reference,signed_on,amount_change,new_end_on,"
                                      f"reason\r\n{c1.purchaser.name},{c1.reference},2025-08-01,10000.00,,扩大服务\r\n",
                        user=user_with_role("administrator"))
    assert result.ok, result.errors
    fresh(rich["sun"])
    assert Contract.objects.get(pk=c1.pk).amount == D("100000.00")


def test_deferred_refreshes_once_and_not_after_an_error(rich):
    with transaction.atomic(), aggregates.deferred() as pending:
        PaymentFactory(contract=rich["c3"], amount=D("1"), paid_on=datetime.date(2025, 9, 1))
        PaymentFactory(contract=rich["c1"], amount=D("1"), paid_on=datetime.date(2025, 9, 1))
        assert pending == {rich["hope"].pk, rich["sun"].pk}
        assert aggregates.differences([rich["hope"].pk]) == [rich["hope"].pk]  # not yet
    fresh(rich["hope"], rich["sun"])
    with pytest.raises(RuntimeError), transaction.atomic(), aggregates.deferred():
        Payment.objects.filter(contract=rich["c3"]).delete()
        raise RuntimeError
    fresh(rich["hope"])  # rolled back with the payments


def test_refresh_aggregates_check_finds_and_repairs_a_raw_sql_write(rich, capsys):
    call_command("refresh_aggregates", "--check")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE contracts_payment SET amount = amount + 1 WHERE contract_id = %s", [rich["c3"].pk])
    with pytest.raises(SystemExit) as exited:
        call_command("refresh_aggregates", "--check")
    assert exited.value.code == 1
    assert f"1 organizations have stale funder rows: {rich['hope'].pk}." in capsys.readouterr().err
    call_command("refresh_aggregates")
    call_command("refresh_aggregates", "--check")
    assert row(rich["hope"]).contract_income == D("30001.00")


def test_the_data_migration_fills_the_table_of_an_upgraded_database(rich):
    from django.apps import apps

    fill = importlib.import_module("dashboards.migrations.0008_fill_funder_years").fill
    FunderYear.objects.all().delete()  # as before the upgrade
    assert aggregates.differences() == sorted(o.pk for o in (rich["sun"], rich["hope"], rich["lone"]))
    fill(apps, types.SimpleNamespace(connection=connection))
    assert FunderYear.objects.count() == 13
    assert aggregates.differences() == []
