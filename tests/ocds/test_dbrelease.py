"""The releases written by PostgreSQL (``ocds.dbrelease``) are the bytes the Python mapping writes
(``ocds.mapping.build_release`` dumped by ``ocds.packages.dumps``), over a fixture with every case the mapping
distinguishes; on SQLite the Python path is taken."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from contracts.models import Amendment, Contract, Payment, PerformanceReview
from ocds import dbrelease, mapping, packages
from tests.factories import (
    ContractFactory,
    OrganizationFactory,
    PaymentFactory,
    PerformanceReviewFactory,
    PurchaserFactory,
    user_with_role,
)

from .helpers import assert_valid_release_package

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path is PostgreSQL's")

UTC = datetime.UTC
METHODS = ["public_tender", "invited_tender", "competitive_negotiation", "competitive_consultation",
           "single_source", "inquiry", "framework", "other"]
CATEGORIES = list(mapping.CATEGORY_ZH)
AMOUNTS = [Decimal("123456789012.34"), Decimal("0.01"), Decimal("100.10"), Decimal("5.00"), Decimal("999999.99"),
           Decimal("1234.5"), Decimal("80000.00"), Decimal("0.10")]
TEXTS = ["普通项目", 'quotes " and \\ backslash', "line\nbreak\ttab\rreturn", "control \x01\x1f char",
         "emoji 🎉 and ü", "/slash/ <tag> & 'single'", "=SUM(A1)", "长" * 150]


def rich_world():
    """Contracts covering the mapping's cases; returns the draft (never published)."""
    today = timezone.localdate()
    without_uscc = PurchaserFactory(uscc="")
    with_uscc = PurchaserFactory(uscc=OrganizationFactory.build().uscc)
    contracts = []
    for i, method in enumerate(METHODS * 2):
        contract = ContractFactory(
            procurement_method=method, service_category=CATEGORIES[i % len(CATEGORIES)],
            status=["active", "completed", "terminated", "cancelled"][i % 4],
            purchaser=without_uscc if i % 3 == 0 else with_uscc, amount=AMOUNTS[i % len(AMOUNTS)],
            restricted_amount=Decimal("0"), title=TEXTS[i % len(TEXTS)],
            description="" if i % 2 else TEXTS[(i + 3) % len(TEXTS)],
            signed_on=datetime.date(2025, 1 + i % 12, 1 + i), start_on=datetime.date(2025, 1 + i % 12, 2 + i),
            end_on=datetime.date(2026, 1 + i % 12, 28))
        contracts.append(contract)
    # Every remaining category, and a category code the mapping has no Chinese name for (written as is).
    for category in CATEGORIES[len(contracts):]:
        contracts.append(ContractFactory(service_category=category))
    Contract.objects.filter(pk=contracts[-1].pk).update(service_category="unknown_code")

    # Payments of each kind: paid, overdue, due today (scheduled), due later; amounts with every decimal shape.
    for n, contract in enumerate(contracts[:10]):
        for j, kind in enumerate(["advance", "interim", "final"]):
            PaymentFactory(contract=contract, kind=kind, amount=AMOUNTS[(n + j) % len(AMOUNTS)],
                           due_on=[datetime.date(2025, 3, 1), today, today + datetime.timedelta(days=1)][j],
                           paid_on=datetime.date(2025, 3, 2 + n) if (n + j) % 2 == 0 else None)
    # Same due date: the id breaks the tie.
    PaymentFactory(contract=contracts[11], due_on=datetime.date(2025, 5, 1), paid_on=datetime.date(2025, 5, 2),
                   amount=Decimal("10.00"))
    PaymentFactory(contract=contracts[11], due_on=datetime.date(2025, 5, 1), paid_on=None, amount=Decimal("20.50"))
    Payment.objects.filter(contract=contracts[11]).update(kind="unknown_kind")

    # Reviews of each reviewer kind, with and without beneficiaries served.
    for n, kind in enumerate(["purchaser", "third_party", "beneficiary_survey"]):
        PerformanceReviewFactory(contract=contracts[n], reviewer_kind=kind,
                                 beneficiaries_served=None if n == 1 else 37 * n,
                                 output_score=Decimal("95.5"), quality_score=Decimal("59.25"),
                                 satisfaction_score=Decimal("100"), financial_score=Decimal("0"))
        PerformanceReviewFactory(contract=contracts[12 + n], reviewer_kind=kind)

    # Amendments: amount and end date, amount only (negative), end date only.
    for contract, change, new_end in [(contracts[0], Decimal("20000.00"), datetime.date(2026, 3, 31)),
                                      (contracts[4], Decimal("-1500.50"), None),
                                      (contracts[13], Decimal("0.00"), datetime.date(2026, 6, 30)),
                                      (ContractFactory(status="active"), Decimal("1.00"), None)]:
        Amendment.objects.create(contract=contract, signed_on=datetime.date(2025, 6, 1), amount_change=change,
                                 new_end_on=new_end, reason=TEXTS[contract.pk % len(TEXTS)])

    # The same legal person on both sides: one party.
    same = ContractFactory()
    same.purchaser.uscc = same.organization.uscc
    same.purchaser.save()
    PaymentFactory(contract=same, paid_on=datetime.date(2025, 4, 1))

    # Release dates near midnight in China (UTC+8), with microseconds, from the contract and from the history.
    near = {contracts[10]: datetime.datetime(2025, 1, 1, 15, 59, 59, 999999, tzinfo=UTC),
            contracts[15]: datetime.datetime(2025, 1, 1, 16, 0, 0, tzinfo=UTC)}
    for contract, moment in near.items():  # no payment or review: the contract's own last change
        Contract.objects.filter(pk=contract.pk).update(updated_at=moment)
    Contract.objects.filter(pk=contracts[5].pk).update(updated_at=datetime.datetime(2020, 1, 1, tzinfo=UTC))
    Payment.history.filter(contract_id=contracts[5].pk).update(
        history_date=datetime.datetime(2025, 7, 1, 15, 59, 59, 999999, tzinfo=UTC))
    Contract.objects.filter(pk=contracts[0].pk).update(updated_at=datetime.datetime(2020, 1, 1, tzinfo=UTC))
    Payment.history.filter(contract_id=contracts[0].pk).update(history_date=datetime.datetime(2020, 1, 1, tzinfo=UTC))
    PerformanceReview.history.filter(contract_id=contracts[0].pk).update(
        history_date=datetime.datetime(2025, 8, 1, 16, 0, 0, 1, tzinfo=UTC))
    return ContractFactory(status="draft")


def python_texts(queryset):
    return [packages.dumps(release) for release in mapping.iter_releases(queryset)]


@postgresql_only
def test_the_database_writes_the_bytes_of_the_python_mapping():
    draft = rich_world()
    queryset = Contract.objects.all()
    expected = python_texts(queryset)
    written = list(dbrelease.release_texts(queryset))
    assert len(written) == Contract.objects.exclude(status="draft").count() == len(expected) > 15
    assert f'"ocid":"ocds-posc00-{draft.pk}"' not in "".join(written)
    for ours, theirs in zip(written, expected, strict=True):
        assert json.loads(ours) == json.loads(theirs)
        assert ours == theirs
    # The fixture reaches what it is meant to.
    text = "".join(written)
    for piece in ('"procurementMethodDetails":"其他"', '"description":"unknown_code"', '"status":"scheduled"',
                  '"status":"notMet"', '"code":"beneficiary_survey"', "服务对象 74 人", '"rationale":',
                  "金额变更 -1500.50 元", '"amount":123456789012.34,', '"amount":5.0,', '"amount":100.1,',
                  '"amount":0.01,', '"tag":["contractAmendment"]', '"tag":["awardCancellation"]',
                  '"roles":["buyer","procuringEntity","payer","supplier","payee"]', "\\u0001", '\\"', "\\\\",
                  "\\n", "🎉", '"date":"2025-01-01T23:59:59+08:00"', '"date":"2025-01-02T00:00:00+08:00"',
                  '"date":"2025-07-01T23:59:59+08:00"', '"date":"2025-08-02T00:00:00+08:00"',
                  '"title":"unknown_kind（未拨付）"'):
        assert piece in text, piece


@postgresql_only
def test_the_same_bytes_for_a_narrowed_queryset_and_another_prefix(settings):
    rich_world()
    settings.OCDS_PREFIX = "ocds-abc123"
    staff = user_with_role("staff", purchasers=[Contract.objects.order_by("pk").first().purchaser])
    queryset = Contract.objects.visible_to(staff).filter(signed_on__year=2025)
    written = list(dbrelease.release_texts(queryset))
    assert 0 < len(written) < Contract.objects.count()
    assert written == python_texts(queryset)
    assert all(json.loads(t)["ocid"].startswith("ocds-abc123-") for t in written)


def test_sqlite_takes_the_python_path():
    ContractFactory()
    if connection.vendor == "postgresql":
        assert dbrelease.release_texts(Contract.objects.all()) is not None
    else:
        assert dbrelease.release_texts(Contract.objects.all()) is None
        assert list(packages.release_texts(Contract.objects.all())) == python_texts(Contract.objects.all())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_release_package_is_the_same_from_both_paths(api, monkeypatch, language):
    """The API's package (what users download), in either language of the request: the same bytes apart from
    ``publishedDate``, and valid against the OCDS schema."""
    rich_world()
    api.force_authenticate(user_with_role("administrator"))

    def package():
        response = api.get(reverse("api:ocds-releases"), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode()
        head, releases = body.split(',"releases":[', 1)
        return json.loads(head + "}"), releases

    head, releases = package()
    monkeypatch.setattr(dbrelease, "release_texts", lambda queryset: None)
    python_head, python_releases = package()
    assert releases == python_releases
    assert {**head, "publishedDate": None} == {**python_head, "publishedDate": None}
    document = json.loads(json.dumps(head)[:-1] + ',"releases":[' + releases)
    assert len(document["releases"]) == Contract.objects.exclude(status="draft").count()
    assert_valid_release_package(document)
