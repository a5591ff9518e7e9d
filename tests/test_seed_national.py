"""The national benchmark set (``seed_demo --size national``) at a tiny scale, and the guarantee that adding it left
the everyday and large sets exactly as they were."""

import dataclasses
import hashlib
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from contracts.models import Amendment, Contract, Payment, PerformanceReview
from core.uscc import validate_uscc
from demo import data, generate, nation
from organizations.models import AnnualReport, IncomeRecord, KeyPerson, Organization, Purchaser, Region

# Fresh ids in every test: the demo sets' integrity patterns are drawn from streams keyed on the purchaser's id
# (demo.integrity), so "the same rows" means the same rows in a fresh database, and PostgreSQL's sequences do not
# go back when a test's transaction is rolled back.
pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)

# What each model's rows are fingerprinted by (natural keys and the generated values), in a fixed order.
FINGERPRINT = {
    Region: ("code", "name", "level", "parent__code"),
    Purchaser: ("name", "uscc", "region__code", "level", "kind", "phone", "address"),
    Organization: ("uscc", "name", "legal_form", "region__code", "registered_on", "staff_count", "phone", "address",
                   "business_supervisory_unit__name"),
    KeyPerson: ("organization__uscc", "role", "name", "post_purchaser__name", "post_from", "post_to"),
    Contract: ("purchaser__name", "reference", "organization__uscc", "title", "amount", "restricted_amount",
               "status", "procurement_method", "service_category", "signed_on", "start_on", "end_on",
               "region__code"),
    Payment: ("contract__purchaser__name", "contract__reference", "kind", "due_on", "paid_on", "amount"),
    PerformanceReview: ("contract__purchaser__name", "contract__reference", "reviewer_kind", "reviewed_on",
                        "output_score", "quality_score", "reviewer_name"),
    Amendment: ("contract__purchaser__name", "contract__reference", "signed_on", "amount_change", "new_end_on"),
    IncomeRecord: ("organization__uscc", "fiscal_year", "source", "amount", "restricted_amount", "funder_name"),
    AnnualReport: ("organization__uscc", "fiscal_year", "total_expenses", "program_expenses",
                   "net_assets_unrestricted", "staff_count"),
}


def fingerprint():
    """{model: (rows, first 16 hex digits of a SHA-256 over every row, sorted)}."""
    out = {}
    for model, fields in FINGERPRINT.items():
        rows = sorted("|".join(str(v) for v in row) for row in model.objects.values_list(*fields))
        out[model.__name__] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16])
    return out


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, skip_checks=True)
    return out.getvalue()


# Computed on main before the national set existed: the everyday set, then the large set at --scale 0.01 on top.
SMALL_BEFORE = {
    "Region": (17, "8f4b63b2ce96528d"), "Purchaser": (17, "54a62c1587daa50b"),
    "Organization": (120, "7514bcfa939fc00a"), "KeyPerson": (295, "d1b3b65b60353733"),
    "Contract": (1066, "9ef64a3e89154280"), "Payment": (3215, "9a4f70b3f36c6446"),
    "PerformanceReview": (965, "5fe31bf8fc97f9c8"), "Amendment": (53, "17a44a3ce9b3147c"),
    "IncomeRecord": (1235, "f1c27a39dfe6c0b8"), "AnnualReport": (792, "be969ad95316abe0"),
}
LARGE_BEFORE = {
    "Region": (70, "7ea4c7e022baf7f3"), "Purchaser": (161, "23ca6149c8790c81"),
    "Organization": (220, "aa4b564df7fff402"), "KeyPerson": (551, "a71c85534d8f04d1"),
    "Contract": (2997, "6afaa8328a47d101"), "Payment": (9106, "6f7fed855b6ff806"),
    "PerformanceReview": (1254, "53cf66f52d96d375"), "Amendment": (129, "1dcfdd83588021ca"),
    "IncomeRecord": (1770, "eeaae4d7e0d3f9cb"), "AnnualReport": (1092, "19819885db1c1ee0"),
}


def test_small_and_large_sets_are_what_they_were():
    seed()
    assert fingerprint() == SMALL_BEFORE
    seed("--size", "large", "--scale", "0.01")
    assert fingerprint() == LARGE_BEFORE


# ---------------------------------------------------------------------------------------------------------------
# The region tree (no database)


def test_region_tree_covers_the_country_with_valid_codes():
    rows = nation.region_rows()
    by_code = {r[0]: r for r in rows}
    assert len(by_code) == len(rows)  # no code twice
    levels = Counter(r[2] for r in rows)
    assert levels["province"] == 31
    assert 320 <= levels["prefecture"] <= 345
    assert 2_750 <= levels["county"] <= 2_900
    assert by_code["110000"][1] == "北京市" and by_code["650000"][1] == "新疆维吾尔自治区"
    assert by_code["440000"][1] == "广东省" and by_code["540000"][1] == "西藏自治区"
    for code, _name, level, parent, _weight, _area in rows:
        assert re.fullmatch(r"[1-6]\d{5}", code)
        if level == "province":
            assert parent is None and code.endswith("0000")
        else:
            assert code[:2] == parent[:2]  # under its own province
            assert by_code[parent][2] == {"prefecture": "province", "county": "prefecture"}[level]
        if level == "prefecture":
            assert code.endswith("00") and not code.endswith("0000")
        if level == "county":
            assert code[:4] == parent[:4] and not code.endswith("00")
    # Jilin is the real one, and no synthetic code or name meets it.
    jilin = [r for r in rows if r[0].startswith("22")]
    assert [r[0] for r in jilin] == [data.PROVINCE[0], *(p[0] for p in data.PREFECTURES),
                                     *(c[0] for c in data.COUNTIES)]
    jilin_names = {r[1] for r in jilin}
    assert not any(r[1] in jilin_names for r in rows if not r[0].startswith("22"))
    # Counties and prefectures are named once in the country (the four municipalities name their one prefecture
    # after themselves).
    names = Counter(r[1] for r in rows if r[2] != "province")
    assert max(names.values()) == 1


def test_region_tree_is_the_same_every_time():
    first = nation.region_rows()
    nation.region_rows.cache_clear()
    assert nation.region_rows() == first


# ---------------------------------------------------------------------------------------------------------------
# The national set at a thousandth of its size

SCALE = "0.001"  # 100 organizations, about 2,000 contracts
NATIONAL_AT_SCALE = {  # everyday set + national set at SCALE, as built when the national set was added
    "Region": (3210, "ded2041d5ab61596"), "Purchaser": (3655, "a640acce5b306b5e"),
    "Organization": (220, "80bf380bf4fc204e"), "KeyPerson": (551, "4a6486e551ff3393"),
    "Contract": (2826, "ced76b305d05c19a"), "Payment": (8492, "1d61c243b4d1c239"),
    "PerformanceReview": (1214, "318b4a6f1681d686"), "Amendment": (143, "9aaca31e0c4b5e33"),
    "IncomeRecord": (1715, "70ca2400135eabc6"), "AnnualReport": (1092, "52a1da8d81ec9cc7"),
}


def national_organizations():
    return Organization.objects.exclude(pk__in=Organization.history.values("id"))


def test_national_set_is_valid_proportional_and_idempotent():
    first = seed("--size", "national", "--scale", SCALE)
    assert "Demo data (national): created 100 Organization" in first
    after_first = fingerprint()

    # Regions and purchasers: the whole country, a civil-affairs bureau per county, civil affairs and the disabled
    # persons' federation per prefecture and province.
    assert Region.objects.count() == len(nation.region_rows())
    assert Region.objects.filter(level="province").count() == 31
    counties = Region.objects.filter(level="county")
    assert not counties.exclude(purchasers__kind="civil_affairs").exists()
    for level in ("prefecture", "province"):
        for kind in ("civil_affairs", "disabled_persons_federation"):
            regions = Region.objects.filter(level=level)
            if (level, kind) == ("prefecture", "disabled_persons_federation"):
                # A municipality's federation is the city's own (北京市残疾人联合会, at provincial level).
                regions = regions.exclude(parent__code__in=nation.MUNICIPALITIES)
            assert not regions.exclude(purchasers__kind=kind).exists(), (level, kind)
    assert Purchaser.objects.filter(name="北京市残疾人联合会", level="provincial").exists()
    assert 3_500 <= Purchaser.objects.count() <= 3_900
    for region in Region.objects.filter(code__in=["110000", "110100", "650000", "440102"]):
        assert region.path == ("/" if region.parent is None else region.parent.path) + f"{region.code}/"

    orgs = list(national_organizations())
    assert len(orgs) == 100
    assert len({o.region.path.split("/")[1] for o in orgs}) >= 15  # spread over the country, not only Jilin
    for org in orgs:
        validate_uscc(org.uscc)
        org.full_clean()
    contracts = Contract.objects.filter(organization__in=orgs)
    n = contracts.count()
    assert 12 <= n / 100 <= 30
    assert 2.5 <= Payment.objects.filter(contract__organization__in=orgs).count() / n <= 3.3
    assert 0.05 <= PerformanceReview.objects.filter(contract__organization__in=orgs).count() / n <= 0.3
    assert 2 <= IncomeRecord.objects.filter(organization__in=orgs).count() / 100 <= 9
    assert AnnualReport.objects.filter(organization__in=orgs).count() == 300
    for contract in contracts.select_related("purchaser__region", "region", "organization")[:300]:
        contract.full_clean()
        # A contract is bought by a purchaser above or in the organization's county, numbered in the N series.
        assert re.fullmatch(r"\d{6}[A-Z]{2}-20\d\d-N\d{7}", contract.reference)
        assert contract.region.path.startswith(contract.purchaser.region.path)
    for model in (Payment, PerformanceReview):
        for row in model.objects.filter(contract__organization__in=orgs)[:300]:
            row.full_clean()
    assert not Contract.history.filter(id__in=contracts).exists()

    second = seed("--size", "national", "--scale", SCALE)
    assert "Demo data (national) already present" in second
    assert fingerprint() == after_first  # a second run writes nothing
    # Deterministic: the same rows as every earlier run (pinned), on SQLite and PostgreSQL alike.
    assert after_first == NATIONAL_AT_SCALE


def test_an_interrupted_or_shared_national_build_gives_the_same_rows():
    seed()
    whole = dataclasses.replace(generate.national_plan(0.001), chunk=30)  # four chunks
    # Regions, purchasers and the first organization, kept by every case below (as `make bench-data` does).
    generate.seed(dataclasses.replace(whole, organizations=1))
    with transaction.atomic():
        generate.seed(whole)
        in_one_go = fingerprint()
        transaction.set_rollback(True)
    assert national_organizations().count() == 1

    with transaction.atomic():  # two processes sharing the build: --part 1/2 and --part 2/2
        assert generate.seed(whole, part=(1, 2))["Organization"] == 30 + 10  # chunks 1 and 3
        assert generate.seed(whole, part=(0, 2))["Organization"] == 29 + 30  # chunks 0 and 2
        assert fingerprint() == in_one_go
        transaction.set_rollback(True)

    generate.seed(dataclasses.replace(whole, organizations=45))  # stopped half-way through the second chunk
    assert national_organizations().count() == 45
    assert generate.seed(whole)["Organization"] == 55  # resumed
    assert fingerprint() == in_one_go
    assert generate.seed(whole)["Contract"] == 0
