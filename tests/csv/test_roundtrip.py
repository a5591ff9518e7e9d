"""Export every model, import the files into an empty database, export again: the same bytes."""

import pytest
from django.db import connection

from contracts.models import Contract, Payment, PerformanceReview
from organizations.models import IncomeRecord, Organization, Purchaser
from tests import factories as f

from .conftest import export_bytes, run_import


def _restart_ids(model):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), 1, false)", [table])
        elif connection.vendor == "sqlite":
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])


ORDER = ["purchasers", "organizations", "contracts", "payments", "reviews", "income-records"]


@pytest.mark.django_db
def test_round_trip_reproduces_every_file_byte_for_byte(dataset, admin):
    before = {slug: export_bytes(slug) for slug in ORDER}
    assert before["contracts"].startswith(b"\xef\xbb\xbfid,reference,title,")
    assert before["contracts"].count(b"\r\n") == 4  # header + 3 contracts

    for model in (PerformanceReview, Payment, Contract, IncomeRecord, Organization, Purchaser):
        model.objects.all().delete()
        _restart_ids(model)  # as in a new, empty database

    for slug in ORDER:
        result = run_import(slug, before[slug], user=admin)
        assert result.ok, (slug, result.errors)
        assert result.updated == 0 and result.created > 0

    after = {slug: export_bytes(slug) for slug in ORDER}
    for slug in ORDER:
        assert after[slug] == before[slug], slug

    # The id sequences moved past the restored ids: new records get fresh ids.
    for slug in ORDER:
        model = {"purchasers": Purchaser, "organizations": Organization, "contracts": Contract, "payments": Payment,
                 "reviews": PerformanceReview, "income-records": IncomeRecord}[slug]
        highest = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        factory = {Purchaser: f.PurchaserFactory, Organization: f.OrganizationFactory, Contract: f.ContractFactory,
                   Payment: f.PaymentFactory, PerformanceReview: f.PerformanceReviewFactory,
                   IncomeRecord: f.IncomeRecordFactory}[model]
        assert factory().pk > highest


@pytest.mark.django_db
def test_importing_an_unchanged_export_changes_nothing(dataset, admin):
    for slug in ORDER:
        data = export_bytes(slug)
        result = run_import(slug, data, user=admin)
        assert result.ok, (slug, result.errors)
        assert (result.created, result.updated) == (0, 0), slug
        assert result.unchanged > 0
