"""Export every model, import the files into an empty database, export again: the same bytes."""

import pytest

from contracts.models import Contract, Payment, PerformanceReview
from organizations.models import IncomeRecord, Organization, Purchaser

from .conftest import export_bytes, run_import

ORDER = ["purchasers", "organizations", "contracts", "payments", "reviews", "income-records"]


@pytest.mark.django_db
def test_round_trip_reproduces_every_file_byte_for_byte(dataset, admin):
    before = {slug: export_bytes(slug) for slug in ORDER}
    assert before["contracts"].startswith(b"\xef\xbb\xbfid,reference,title,")
    assert before["contracts"].count(b"\r\n") == 4  # header + 3 contracts

    for model in (PerformanceReview, Payment, Contract, IncomeRecord, Organization, Purchaser):
        model.objects.all().delete()

    for slug in ORDER:
        result = run_import(slug, before[slug], user=admin)
        assert result.ok, (slug, result.errors)
        assert result.updated == 0 and result.created > 0

    after = {slug: export_bytes(slug) for slug in ORDER}
    for slug in ORDER:
        assert after[slug] == before[slug], slug


@pytest.mark.django_db
def test_importing_an_unchanged_export_changes_nothing(dataset, admin):
    for slug in ORDER:
        data = export_bytes(slug)
        result = run_import(slug, data, user=admin)
        assert result.ok, (slug, result.errors)
        assert (result.created, result.updated) == (0, 0), slug
        assert result.unchanged > 0
