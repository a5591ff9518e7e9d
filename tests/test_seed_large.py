"""The large benchmark set (``seed_demo --size large``) at a tiny scale: proportions, validity, idempotency."""

from io import StringIO

import pytest
from django.core.management import call_command

from contracts.models import Contract, Payment, PerformanceReview
from core.uscc import validate_uscc
from demo import generate
from organizations.models import AnnualReport, IncomeRecord, Organization

pytestmark = pytest.mark.django_db

SCALE = 0.003  # 30 organizations, about 600 contracts


def seed_large():
    out = StringIO()
    call_command("seed_demo", "--size", "large", "--scale", str(SCALE), stdout=out, skip_checks=True)
    return out.getvalue()


def large_organizations():
    """The large part's organizations: the everyday set's were written with history, the large set's without."""
    return Organization.objects.exclude(pk__in=Organization.history.values("id"))


def test_proportions_follow_the_full_size_set():
    seed_large()
    orgs = large_organizations()
    n = orgs.count()
    assert n == round(10_000 * SCALE)
    contracts = Contract.objects.filter(organization__in=orgs).count()
    payments = Payment.objects.filter(contract__organization__in=orgs).count()
    reviews = PerformanceReview.objects.filter(contract__organization__in=orgs).count()
    incomes = IncomeRecord.objects.filter(organization__in=orgs).count()
    # Full size: 10k organizations, 200k contracts (20 each), 600k payments (3 per contract),
    # 30k reviews (0.15 per contract), 50k income records (5 per organization).
    assert 12 <= contracts / n <= 30
    assert 2.5 <= payments / contracts <= 3.3
    assert 0.05 <= reviews / contracts <= 0.3
    assert 2 <= incomes / n <= 9
    assert AnnualReport.objects.filter(organization__in=orgs).count() == 3 * n


def test_large_rows_are_valid_and_have_no_history():
    seed_large()
    orgs = list(large_organizations())
    assert orgs
    for org in orgs:
        validate_uscc(org.uscc)
        org.full_clean()
    for model in (Contract, Payment, PerformanceReview, IncomeRecord, AnnualReport):
        path = {"Contract": "organization", "Payment": "contract__organization",
                "PerformanceReview": "contract__organization"}.get(model.__name__, "organization")
        rows = list(model.objects.filter(**{f"{path}__in": orgs})[:300])
        assert rows, model
        for row in rows:
            row.full_clean()
    assert not Contract.history.filter(id__in=Contract.objects.filter(organization__in=orgs)).exists()


def test_large_set_is_idempotent():
    first = seed_large()
    before = {m.__name__: m.objects.count() for m in (Organization, Contract, Payment, PerformanceReview,
                                                       IncomeRecord, AnnualReport)}
    second = seed_large()
    after = {m.__name__: m.objects.count() for m in (Organization, Contract, Payment, PerformanceReview,
                                                      IncomeRecord, AnnualReport)}
    assert before == after
    assert "Demo data (large): created" in first
    assert "Demo data (large) already present" in second


def test_large_plan_scales():
    assert generate.large_plan().organizations == 10_000
    assert generate.large_plan(0.001).organizations == 10
    assert generate.large_plan(0.00001).organizations == 1
