"""Every data rule of the domain model (the models' constraints) is refused twice: by full_clean() on the right
field, and by the database."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from contracts.models import PerformanceReview
from tests.factories import (
    AnnualReportFactory,
    ContractFactory,
    IncomeRecordFactory,
    OrganizationFactory,
    PaymentFactory,
    PerformanceReviewFactory,
    PurchaserFactory,
)

pytestmark = pytest.mark.django_db

# (factory, attributes that break a rule, the field full_clean names)
CASES = [
    ("contract amount zero", ContractFactory, {"amount": Decimal("0"), "restricted_amount": Decimal("0")}, "amount"),
    ("contract amount negative", ContractFactory, {"amount": Decimal("-5"), "restricted_amount": Decimal("0")},
     "amount"),
    ("contract restricted > amount", ContractFactory, {"restricted_amount": Decimal("100000.01")},
     "restricted_amount"),
    ("contract restricted negative", ContractFactory, {"restricted_amount": Decimal("-1")}, "restricted_amount"),
    ("contract end before start", ContractFactory, {"end_on": datetime.date(2025, 1, 31)}, "end_on"),
    ("payment amount zero", PaymentFactory, {"amount": Decimal("0")}, "amount"),
    ("income amount zero", IncomeRecordFactory, {"amount": Decimal("0")}, "amount"),
    ("income restricted > amount", IncomeRecordFactory, {"restricted_amount": Decimal("10000.01")},
     "restricted_amount"),
    ("income restricted negative", IncomeRecordFactory, {"restricted_amount": Decimal("-1")}, "restricted_amount"),
    ("annual report parts exceed total", AnnualReportFactory, {"management_expenses": Decimal("25000")},
     "total_expenses"),
    ("annual report negative expenses", AnnualReportFactory, {"total_expenses": Decimal("-1"),
                                                               "program_expenses": Decimal("0"),
                                                               "management_expenses": Decimal("0")},
     "total_expenses"),
    ("organization bad uscc", OrganizationFactory, {"uscc": "52110105MJ0123456A"}, "uscc"),
    ("purchaser bad uscc", PurchaserFactory, {"uscc": "11220000013544357A"}, "uscc"),
]


@pytest.mark.parametrize("label,factory,attrs,field", CASES, ids=[c[0] for c in CASES])
def test_full_clean_names_the_field(label, factory, attrs, field):
    obj = factory.build(**_saved_parents(factory), **attrs)
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    assert field in exc.value.message_dict, exc.value.message_dict


@pytest.mark.parametrize("label,factory,attrs,field", [c for c in CASES if "uscc" not in c[0] or True],
                         ids=[c[0] for c in CASES])
def test_database_refuses_when_validation_is_bypassed(label, factory, attrs, field):
    obj = factory.build(**_saved_parents(factory), **attrs)
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def _saved_parents(factory):
    """Build children against saved parents so save() reaches the database constraint."""
    if factory is PaymentFactory:
        return {"contract": ContractFactory()}
    if factory in (IncomeRecordFactory, AnnualReportFactory):
        return {"organization": OrganizationFactory()}
    if factory is ContractFactory:
        return {"purchaser": PurchaserFactory(), "organization": OrganizationFactory()}
    if factory is OrganizationFactory:
        return {"region": PurchaserFactory().region}
    if factory is PurchaserFactory:
        return {"region": OrganizationFactory().region}
    return {}


def test_reference_unique_per_purchaser():
    first = ContractFactory(reference="HT-1")
    dup = ContractFactory.build(reference="HT-1", purchaser=first.purchaser, organization=first.organization)
    with pytest.raises(ValidationError) as exc:
        dup.full_clean()
    assert "此购买主体已有编号相同的合同" in str(exc.value) or "contract with this number" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        dup.save()
    # Another purchaser may use the same number.
    ContractFactory(reference="HT-1", organization=first.organization).full_clean()


def test_annual_report_one_per_organization_year():
    report = AnnualReportFactory()
    dup = AnnualReportFactory.build(organization=report.organization, fiscal_year=report.fiscal_year)
    with pytest.raises(ValidationError):
        dup.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        dup.save(force_insert=True)


def test_organization_uscc_unique_and_normalised():
    org = OrganizationFactory()
    dup = OrganizationFactory.build(uscc=org.uscc.lower(), region=org.region)
    with pytest.raises(ValidationError) as exc:
        dup.full_clean()
    assert "uscc" in exc.value.message_dict
    assert dup.uscc == org.uscc  # normalised to upper case by clean()


@pytest.mark.parametrize("score", ["output_score", "quality_score", "satisfaction_score", "financial_score"])
def test_review_scores_limited_to_0_100(score):
    review = PerformanceReviewFactory.build(contract=ContractFactory(), **{score: Decimal("101")})
    with pytest.raises(ValidationError) as exc:
        review.full_clean()
    assert score in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        review.save()


@pytest.mark.parametrize("scores,total,grade", [
    ((90, 90, 90, 90), Decimal("90.00"), "excellent"),
    ((85, 80, 90, 75), Decimal("82.50"), "good"),      # 25.5 + 24 + 18 + 15
    ((80, 80, 79.95, 80), Decimal("79.99"), "pass"),   # 24 + 24 + 15.99 + 16
    ((60, 60, 60, 60), Decimal("60.00"), "pass"),
    ((59.99, 60, 60, 60), Decimal("60.00"), "pass"),   # 17.997 + 18 + 12 + 12 = 59.997 -> 60.00
    ((50, 50, 50, 50), Decimal("50.00"), "fail"),
    ((0, 0, 0, 0), Decimal("0.00"), "fail"),
])
def test_review_total_and_grade_derived_on_save(scores, total, grade):
    review = PerformanceReviewFactory(contract=ContractFactory(), output_score=Decimal(str(scores[0])),
                                      quality_score=Decimal(str(scores[1])),
                                      satisfaction_score=Decimal(str(scores[2])),
                                      financial_score=Decimal(str(scores[3])))
    review.refresh_from_db()
    assert review.total_score == total
    assert review.grade == grade


def test_review_grade_inconsistent_with_total_refused_by_database():
    review = PerformanceReviewFactory(contract=ContractFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        PerformanceReview.objects.filter(pk=review.pk).update(grade="excellent")


def test_protect_purchaser_and_organization_with_contracts():
    contract = ContractFactory()
    with pytest.raises(ProtectedError):
        contract.purchaser.delete()
    with pytest.raises(ProtectedError):
        contract.organization.delete()


def test_contract_region_defaults_to_purchaser_region():
    contract = ContractFactory(region=None)
    assert contract.region_id == contract.purchaser.region_id


def test_history_records_changes():
    contract = ContractFactory()
    contract.amount = Decimal("120000.00")
    contract.save()
    assert contract.history.count() == 2
    new, old = contract.history.all()[:2]
    delta = new.diff_against(old)
    assert [c.field for c in delta.changes] == ["amount"]
