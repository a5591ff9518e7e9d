"""``manage.py seed_demo``: the demo data set is realistic, valid, deterministic and idempotent."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F

from contracts.models import Contract, Payment, PerformanceReview
from core.roles import get_scope
from core.uscc import validate_uscc
from organizations.models import AnnualReport, IncomeRecord, KeyPerson, Organization, Purchaser, Region

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out, skip_checks=True)
    return out.getvalue()


def counts():
    """Row count of every model, history tables, users and memberships included."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()
            if model._meta.app_label in {"organizations", "contracts", "dashboards", "auth"}}


def test_second_run_changes_nothing():
    first_output = seed()
    after_first = counts()
    snapshot = sorted(Contract.objects.values_list("purchaser__name", "reference", "amount", "status"))
    second_output = seed()

    assert counts() == after_first
    assert sorted(Contract.objects.values_list("purchaser__name", "reference", "amount", "status")) == snapshot
    assert "created" in first_output
    assert "nothing to do" in second_output
    # Every seeded contract has exactly one history row (its creation), even after the second run.
    assert Contract.history.count() == Contract.objects.count()


def test_sizes_codes_and_usccs_are_realistic():
    seed()
    assert 100 <= Organization.objects.count() <= 140
    assert 800 <= Contract.objects.count() <= 1300
    assert 12 <= Purchaser.objects.count() <= 20
    assert Payment.objects.count() > 2 * Contract.objects.count()
    years = set(Contract.objects.values_list("signed_on__year", flat=True))
    assert years == set(range(2019, 2027))

    # Real GB/T 2260 codes.
    names = dict(Region.objects.values_list("code", "name"))
    assert names["220000"] == "吉林省"
    assert names["220100"] == "长春市"
    assert names["220104"] == "朝阳区"
    assert names["220204"] == "船营区"
    assert names["222401"] == "延吉市"
    chaoyang = Region.objects.get(code="220104")
    assert chaoyang.parent.code == "220100"
    assert Region.objects.descendants_of(Region.objects.get(code="220100")).count() == 8

    # Every USCC validates; positions 1–2 follow the legal form, 3–8 the region.
    prefixes = {"social_group": "51", "social_service_org": "52", "foundation": "53", "other": "59",
                "enterprise": "91", "public_institution": "12"}
    for org in Organization.objects.select_related("region"):
        validate_uscc(org.uscc)
        assert org.uscc[:2] == prefixes[org.legal_form], org
        assert org.uscc[2:8] == org.region.code, org
    for uscc in Purchaser.objects.exclude(uscc="").values_list("uscc", flat=True):
        validate_uscc(uscc)


def test_every_object_passes_full_clean():
    seed()
    for model in (Region, Purchaser, Organization, Contract, Payment, PerformanceReview, IncomeRecord,
                  AnnualReport, KeyPerson):
        objects = list(model._default_manager.order_by("pk"))
        assert objects, model
        # full_clean() asks the database about every constraint of every object: a spread sample of ~250 each.
        for obj in objects[::max(1, len(objects) // 250)]:
            obj.full_clean()


def test_the_data_shows_the_problems_the_product_is_for():
    seed()
    assert Payment.objects.overdue(TODAY).count() >= 30
    assert PerformanceReview.objects.filter(grade="fail").count() >= 10
    assert Contract.objects.filter(procurement_method="single_source").count() >= 30
    assert Contract.objects.filter(restricted_amount=F("amount")).count() >= 10
    forms = set(Organization.objects.values_list("legal_form", flat=True))
    assert {"social_group", "social_service_org", "foundation", "enterprise"} <= forms
    assert len(set(Contract.objects.values_list("service_category", flat=True))) >= 10
    assert len(set(Contract.objects.values_list("procurement_method", flat=True))) == 8
    # Some organizations live on one purchaser, others are funded by several.
    spread = Organization.objects.annotate(funders=Count("contracts__purchaser", distinct=True))
    assert spread.filter(funders=1, contracts__isnull=False).exists()
    assert spread.filter(funders__gte=4).exists()
    assert IncomeRecord.objects.filter(source="service_fee").exists()
    assert IncomeRecord.objects.filter(source="government_subsidy", funder_purchaser__isnull=False).exists()
    # accountability: scopes everywhere, some past posts at purchasers, reports that mostly agree
    assert not Organization.objects.filter(service_scope="").exists()
    assert 10 <= KeyPerson.objects.filter(post_purchaser__isnull=False).count() <= 40
    reported = AnnualReport.objects.filter(reported_government_income__isnull=False)
    assert reported.count() > 0.8 * AnnualReport.objects.count()
    assert AnnualReport.objects.filter(reported_government_income__isnull=True).exists()


def test_demo_accounts_have_their_roles():
    seed()
    User = get_user_model()
    admin, staff, ngo, analyst = (User.objects.get(username=n) for n in ("admin", "staff", "ngo", "analyst"))
    for user in (admin, staff, ngo, analyst):
        assert user.check_password("posc-demo")
    assert admin.is_superuser and admin.is_staff
    assert get_scope(admin).is_admin
    assert get_scope(analyst).is_analyst
    assert not analyst.is_staff

    staff_scope = get_scope(staff)
    assert staff_scope.is_staff_role
    bureau = Purchaser.objects.get(name="长春市朝阳区民政局")
    assert bureau.region.code == "220104"
    assert bureau.pk in staff_scope.purchaser_ids
    assert Purchaser.objects.get(name="长春市民政局").pk not in staff_scope.purchaser_ids

    ngo_scope = get_scope(ngo)
    assert ngo_scope.is_ngo
    (org_id,) = ngo_scope.organization_ids
    organization = Organization.objects.get(pk=org_id)
    assert organization.contracts.filter(purchaser=bureau).count() >= 5
    assert organization.income_records.exists() and organization.annual_reports.exists()
    # The staff user sees the NGO's contracts with the district bureau.
    assert Contract.objects.visible_to(staff).filter(organization=organization).count() >= 5


def test_a_changed_password_survives_a_second_run():
    seed()
    user = get_user_model().objects.get(username="analyst")
    user.set_password("something-else-entirely")
    user.save()
    seed()
    user.refresh_from_db()
    assert user.check_password("something-else-entirely")


def test_demo_data_raises_each_integrity_flag_a_few_times():
    """Each flag on a plausible share of the counted contracts: present, and a few per cent, not half."""
    from contracts.choices import COUNTED_STATUSES
    from contracts.models import Amendment
    from dashboards.integrity import FLAGS, flag_counts, with_flags

    call_command("seed_demo", stdout=StringIO())
    counted = Contract.objects.filter(status__in=COUNTED_STATUSES).count()
    counts = flag_counts(with_flags(Contract.objects.all(), today=TODAY))
    for code in FLAGS:
        assert 0 < counts[code] <= 0.08 * counted, (code, counts[code], counted)
    assert Amendment.objects.exists()
