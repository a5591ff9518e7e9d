"""factory-boy factories for every model. Valid by default: each builds an object that passes full_clean()."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from contracts.models import Contract, Payment, PerformanceReview
from core.uscc import complete_uscc
from organizations.models import (
    AnnualReport,
    IncomeRecord,
    KeyPerson,
    Organization,
    OrganizationMembership,
    Purchaser,
    PurchaserMembership,
    Region,
)


def _uscc(n, prefix="52"):
    # 52 = civil affairs / social service organization, division 220102, then a 9-character serial.
    return complete_uscc(f"{prefix}220102MJ{n:07d}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{229000 + n}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    level = "county"
    parent = None


class PurchaserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purchaser

    name = factory.Sequence(lambda n: f"测试民政局{n}")
    region = factory.SubFactory(RegionFactory)
    level = "county"
    kind = "civil_affairs"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试康复服务中心{n}")
    uscc = factory.Sequence(lambda n: _uscc(n))
    legal_form = "social_service_org"
    region = factory.SubFactory(RegionFactory)


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    reference = factory.Sequence(lambda n: f"HT-2025-{n:04d}")
    title = factory.Sequence(lambda n: f"残疾儿童康复服务项目{n}")
    purchaser = factory.SubFactory(PurchaserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    service_category = "rehab_children"
    procurement_method = "public_tender"
    status = "active"
    signed_on = datetime.date(2025, 1, 10)
    start_on = datetime.date(2025, 2, 1)
    end_on = datetime.date(2025, 12, 31)
    amount = Decimal("100000.00")
    restricted_amount = Decimal("80000.00")


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    contract = factory.SubFactory(ContractFactory)
    kind = "advance"
    due_on = datetime.date(2025, 3, 1)
    paid_on = datetime.date(2025, 3, 1)
    amount = Decimal("30000.00")


class PerformanceReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PerformanceReview

    contract = factory.SubFactory(ContractFactory)
    reviewer_kind = "third_party"
    reviewer_name = "吉林省社会组织评估中心"
    reviewed_on = datetime.date(2025, 12, 20)
    output_score = Decimal("85")
    quality_score = Decimal("80")
    satisfaction_score = Decimal("90")
    financial_score = Decimal("75")


class IncomeRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncomeRecord

    organization = factory.SubFactory(OrganizationFactory)
    fiscal_year = 2025
    source = "donation_individual"
    amount = Decimal("10000.00")
    restricted_amount = Decimal("0.00")


class AnnualReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnualReport
        django_get_or_create = ("organization", "fiscal_year")

    organization = factory.SubFactory(OrganizationFactory)
    fiscal_year = 2025
    total_expenses = Decimal("120000.00")
    program_expenses = Decimal("100000.00")
    management_expenses = Decimal("15000.00")
    fundraising_expenses = Decimal("0.00")
    personnel_costs = Decimal("60000.00")
    net_assets_unrestricted = Decimal("30000.00")
    net_assets_restricted = Decimal("5000.00")


class KeyPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyPerson

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"张{n}")
    role = "director"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("posc-demo")


def user_with_role(role, *, purchasers=(), organizations=(), username=None, **kwargs):
    """A user in the role's group with the given memberships (administrator = superuser)."""
    user = UserFactory(username=username or f"{role}-{UserFactory._meta.model.objects.count()}", **kwargs)
    if role == "administrator":
        user.is_superuser = True
        user.is_staff = True
        user.save()
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    for p in purchasers:
        PurchaserMembership.objects.create(user=user, purchaser=p)
    for o in organizations:
        OrganizationMembership.objects.create(user=user, organization=o)
    return user
