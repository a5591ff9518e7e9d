"""Real output of every path (API release package, API record package, ``manage.py export_ocds``) validates against
the official OCDS 1.1.5 schemas, for the demo data and for hand-built edge cases."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from contracts.models import Contract
from tests.factories import (
    ContractFactory,
    PaymentFactory,
    PerformanceReviewFactory,
    PurchaserFactory,
    user_with_role,
)

from .helpers import assert_valid_record_package, assert_valid_release_package

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=StringIO(), skip_checks=True)


def releases_url(year=None):
    return reverse("api:ocds-releases") + (f"?year={year}" if year is not None else "")


def record_url(ocid):
    return reverse("api:ocds-record", args=[ocid])


def get_package(api, user, year=None):
    api.force_authenticate(user)
    response = api.get(releases_url(year))
    assert response.status_code == 200, response.content[:500]
    assert response.streaming
    assert response["Content-Type"].startswith("application/json")
    # One JSON document; numbers read back as Decimal to check money exactly.
    return json.loads(b"".join(response.streaming_content), parse_float=Decimal)


def to_json(package):
    """Decimal → float again for the validator (JSON Schema ``number``)."""
    return json.loads(json.dumps(package, default=float))


def test_demo_data_every_path_validates(api, tmp_path):
    seed()
    admin = user_with_role("administrator")
    expected = set(Contract.objects.filter(signed_on__year=2025).exclude(status="draft").values_list("pk", flat=True))
    assert len(expected) > 50

    package = get_package(api, admin, 2025)
    assert {int(r["ocid"].rsplit("-", 1)[1]) for r in package["releases"]} == expected
    assert_valid_release_package(to_json(package))
    assert package["uri"].endswith(releases_url(2025))

    output = tmp_path / "ocds-2025.json"
    call_command("export_ocds", year=2025, output=str(output), stderr=StringIO())
    from_file = json.loads(output.read_text(encoding="utf-8"))
    assert_valid_release_package(from_file)
    # The command and the API publish the same releases (the administrator sees everything).
    assert from_file["releases"] == to_json(package)["releases"]

    # A record package for a contract with payments and reviews.
    contract = (Contract.objects.filter(signed_on__year=2025, status="completed", payments__paid_on__isnull=False,
                                        reviews__isnull=False).distinct().order_by("pk").first())
    ocid = f"ocds-posc00-{contract.pk}"
    response = api.get(record_url(ocid))
    assert response.status_code == 200
    record_package = json.loads(response.content)
    assert_valid_record_package(record_package)
    record = record_package["records"][0]
    assert record["ocid"] == ocid
    latest = max(record["releases"], key=lambda r: r["date"])
    assert record["compiledRelease"] == {**latest, "tag": ["compiled"]}
    in_package = next(r for r in from_file["releases"] if r["ocid"] == ocid)
    assert latest == in_package
    assert latest["tag"] == ["contractTermination"]
    assert latest["contracts"][0]["status"] == "terminated"
    assert latest["contracts"][0]["implementation"]["transactions"]
    assert any(m["type"] == "assessment" for m in latest["contracts"][0]["implementation"]["milestones"])


def test_command_writes_all_years_to_stdout_and_refuses_bad_years():
    seed()
    out = StringIO()
    call_command("export_ocds", stdout=out)
    package = json.loads(out.getvalue())
    assert_valid_release_package(package)
    assert len(package["releases"]) == Contract.objects.exclude(status="draft").count()
    assert len({r["ocid"] for r in package["releases"]}) == len(package["releases"])
    with pytest.raises(CommandError, match="between 1990 and 2100"):
        call_command("export_ocds", year=1989, stdout=StringIO())
    with pytest.raises(CommandError, match="No published contract"):
        call_command("export_ocds", year=2030, stdout=StringIO())


def release_of(api, contract):
    api.force_authenticate(user_with_role("administrator"))
    response = api.get(record_url(f"ocds-posc00-{contract.pk}"))
    assert response.status_code == 200, response.content
    package = response.json()
    assert_valid_record_package(package)
    return package["records"][0]["releases"][-1]


def test_contract_without_payments(api):
    contract = ContractFactory()
    release = release_of(api, contract)
    assert release["tag"] == ["contract"]
    assert "implementation" not in release["contracts"][0]
    assert [p["roles"] for p in release["parties"]] == [["buyer", "procuringEntity"], ["supplier"]]
    assert release["contracts"][0]["status"] == "active"
    assert release["awards"][0]["status"] == "active"


def test_amended_contract_publishes_its_amendments(api):
    from contracts.amendments import Amendment, save_amendment

    contract = ContractFactory(amount=Decimal("100000.00"), restricted_amount=Decimal("0"),
                               signed_on=datetime.date(2025, 1, 10), start_on=datetime.date(2025, 2, 1),
                               end_on=datetime.date(2025, 12, 31))
    save_amendment(user_with_role("administrator"), Amendment(
        contract=contract, signed_on=datetime.date(2025, 6, 1), amount_change=Decimal("20000.00"),
        new_end_on=datetime.date(2026, 3, 31), reason="服务对象增加"))
    release = release_of(api, contract)  # validated against the schema
    assert release["tag"] == ["contractAmendment"]
    ocds_contract = release["contracts"][0]
    assert ocds_contract["value"] == {"amount": 120000, "currency": "CNY"}
    assert ocds_contract["period"]["endDate"].startswith("2026-03-31")
    [amendment] = ocds_contract["amendments"]
    assert amendment["rationale"] == "服务对象增加"
    assert amendment["date"].startswith("2025-06-01") and amendment["date"].endswith("+08:00")
    assert "20000.00" in amendment["description"]


def test_cancelled_contract(api):
    contract = ContractFactory(status="cancelled")
    release = release_of(api, contract)
    assert release["tag"] == ["awardCancellation"]
    assert release["contracts"][0]["status"] == "cancelled"
    assert release["awards"][0]["status"] == "cancelled"


def test_purchaser_without_uscc_is_a_party_without_identifier(api):
    purchaser = PurchaserFactory(uscc="")
    contract = ContractFactory(purchaser=purchaser)
    release = release_of(api, contract)
    buyer = release["parties"][0]
    assert buyer["id"] == f"purchaser-{purchaser.pk}"
    assert "identifier" not in buyer
    assert release["buyer"] == {"id": buyer["id"], "name": purchaser.name}
    supplier = release["parties"][1]
    assert supplier["identifier"] == {"scheme": "CN-USCC", "id": contract.organization.uscc,
                                      "legalName": contract.organization.name}
    assert supplier["id"] == f"CN-USCC-{contract.organization.uscc}"


def test_payments_reviews_money_and_dates(api):
    contract = ContractFactory(amount=Decimal("123456789012.34"), restricted_amount=Decimal("0"),
                               signed_on=datetime.date(2025, 1, 10), start_on=datetime.date(2025, 2, 1),
                               end_on=datetime.date(2025, 12, 31), description="内部备注以外的服务说明",
                               procurement_method="single_source")
    paid = PaymentFactory(contract=contract, amount=Decimal("30000.05"), paid_on=datetime.date(2025, 3, 2))
    overdue = PaymentFactory(contract=contract, kind="final", due_on=datetime.date(2025, 6, 1), paid_on=None,
                             amount=Decimal("1000.00"), note="内部备注")
    scheduled = PaymentFactory(contract=contract, kind="final", due_on=datetime.date(2099, 6, 1), paid_on=None,
                               amount=Decimal("1000.00"))
    review = PerformanceReviewFactory(contract=contract, reviewer_name="张三", findings="内部发现")
    api.force_authenticate(user_with_role("administrator"))
    package = get_package(api, user_with_role("administrator"), 2025)
    assert_valid_release_package(to_json(package))
    release = package["releases"][0]
    assert release["tag"] == ["implementation"]
    assert release["tender"]["procurementMethod"] == "direct"
    assert release["tender"]["procurementMethodDetails"] == "单一来源"
    ocds_contract = release["contracts"][0]
    assert ocds_contract["value"] == {"amount": Decimal("123456789012.34"), "currency": "CNY"}
    assert release["awards"][0]["value"] == ocds_contract["value"]
    assert ocds_contract["dateSigned"] == "2025-01-10T00:00:00+08:00"
    assert ocds_contract["period"] == {"startDate": "2025-02-01T00:00:00+08:00",
                                       "endDate": "2025-12-31T23:59:59+08:00"}
    [transaction] = ocds_contract["implementation"]["transactions"]
    assert transaction["id"] == f"payment-{paid.pk}"
    assert transaction["value"] == {"amount": Decimal("30000.05"), "currency": "CNY"}
    assert transaction["date"] == "2025-03-02T00:00:00+08:00"
    assert transaction["payer"]["id"] == release["buyer"]["id"]
    milestones = {m["id"]: m for m in ocds_contract["implementation"]["milestones"]}
    assert milestones[f"payment-{overdue.pk}"]["status"] == "notMet"
    assert milestones[f"payment-{scheduled.pk}"]["status"] == "scheduled"
    assessment = milestones[f"review-{review.pk}"]
    assert assessment["type"] == "assessment" and assessment["status"] == "met"
    assert assessment["dateMet"] == "2025-12-20T00:00:00+08:00"
    assert "82.50" in assessment["description"]  # 0.3·85 + 0.3·80 + 0.2·90 + 0.2·75
    # Not published: people, internal notes and findings.
    text = json.dumps(package, ensure_ascii=False, default=str)
    for secret in ("张三", "内部备注", "内部发现"):
        assert secret not in text.replace("内部备注以外的服务说明", "")
    assert "payer" in release["parties"][0]["roles"] and "payee" in release["parties"][1]["roles"]


@pytest.mark.parametrize(("method", "expected"), [
    ("public_tender", "open"), ("invited_tender", "selective"), ("competitive_negotiation", "limited"),
    ("competitive_consultation", "limited"), ("inquiry", "limited"), ("single_source", "direct"),
    ("framework", "selective"),
])
def test_procurement_methods(api, method, expected):
    release = release_of(api, ContractFactory(procurement_method=method))
    assert release["tender"]["procurementMethod"] == expected


def test_other_method_has_no_ocds_method_but_keeps_the_chinese_name(api):
    release = release_of(api, ContractFactory(procurement_method="other"))
    assert "procurementMethod" not in release["tender"]
    assert release["tender"]["procurementMethodDetails"] == "其他"


def test_drafts_are_not_published(api):
    draft = ContractFactory(status="draft")
    published = ContractFactory()
    package = get_package(api, user_with_role("administrator"), 2025)
    assert [r["ocid"] for r in package["releases"]] == [f"ocds-posc00-{published.pk}"]
    assert api.get(record_url(f"ocds-posc00-{draft.pk}")).status_code == 404


def test_release_id_and_date_follow_payment_changes(api):
    contract = ContractFactory()
    Contract.objects.filter(pk=contract.pk).update(updated_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    before = release_of(api, contract)
    assert before["date"] == "2025-01-01T08:00:00+08:00"
    PaymentFactory(contract=contract)
    after = release_of(api, contract)
    assert after["id"] != before["id"]
    assert after["date"] > before["date"]
    assert after["id"] == f"{after['ocid']}-{after['date']}"


def test_prefix_setting(api, settings):
    settings.OCDS_PREFIX = "ocds-abc123"
    contract = ContractFactory()
    api.force_authenticate(user_with_role("administrator"))
    assert api.get(record_url(f"ocds-posc00-{contract.pk}")).status_code == 404
    response = api.get(record_url(f"ocds-abc123-{contract.pk}"))
    assert response.status_code == 200
    assert response.json()["records"][0]["ocid"] == f"ocds-abc123-{contract.pk}"


def test_prefix_check(settings):
    from ocds.checks import check_prefix

    assert check_prefix() == []
    settings.OCDS_PREFIX = "posc"
    [error] = check_prefix()
    assert error.id == "ocds.E001"


def test_purchaser_and_organization_with_the_same_uscc_are_one_party(api):
    contract = ContractFactory()
    purchaser = contract.purchaser
    purchaser.uscc = contract.organization.uscc
    purchaser.save()
    release = release_of(api, contract)
    [party] = release["parties"]
    assert party["roles"] == ["buyer", "procuringEntity", "supplier"]
    assert release["buyer"]["id"] == release["awards"][0]["suppliers"][0]["id"] == party["id"]


def test_failed_export_leaves_no_file(tmp_path, monkeypatch):
    from ocds import packages

    ContractFactory.create_batch(3)

    def failing(queryset):  # the database fails after the first release
        texts = original(queryset)
        try:
            yield next(texts)
            raise RuntimeError("database went away")
        finally:
            texts.close()  # PostgreSQL: ends the COPY, which holds the connection

    original = packages.release_texts
    monkeypatch.setattr(packages, "release_texts", failing)
    output = tmp_path / "ocds.json"
    with pytest.raises(RuntimeError):
        call_command("export_ocds", output=str(output), stderr=StringIO())
    assert list(tmp_path.iterdir()) == []
