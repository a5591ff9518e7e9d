"""Shared data for the CSV tests: a small but complete data set with awkward values."""

import datetime
from decimal import Decimal

import pytest

from core import csvio
from tests import factories as f


def export_bytes(slug, queryset=None):
    """The whole export of a model as bytes (what the pages and the command write)."""
    spec = csvio.get_spec(slug)
    qs = spec.model.objects.all() if queryset is None else queryset
    return b"".join(csvio.stream_csv_bytes(spec.header(), spec.rows(qs)))


def run_import(slug, data, user=None, commit=True):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return csvio.Importer(csvio.get_spec(slug), user).run(data, commit=commit)


def errors_of(result):
    return [(e.row, e.column) for e in result.errors]


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    """Uploaded files waiting for confirmation go to the test's own directory."""
    settings.CSV_IMPORT_DIR = str(tmp_path / "uploads")


@pytest.fixture
def regions(db):
    province = f.RegionFactory(code="220000", name="吉林省", level="province")
    city = f.RegionFactory(code="220100", name="长春市", level="prefecture", parent=province)
    chaoyang = f.RegionFactory(code="220104", name="朝阳区", level="county", parent=city)
    nanguan = f.RegionFactory(code="220102", name="南关区", level="county", parent=city)
    return {"province": province, "city": city, "chaoyang": chaoyang, "nanguan": nanguan}


@pytest.fixture
def dataset(regions):
    """Two purchasers, three organizations, contracts with payments and reviews, income records."""
    bureau = f.PurchaserFactory(name="长春市朝阳区民政局", region=regions["chaoyang"], uscc="")
    federation = f.PurchaserFactory(name="长春市南关区残疾人联合会", region=regions["nanguan"],
                                    kind="disabled_persons_federation", uscc="52110105MJ0123456N",
                                    contact_person="张三", phone="0431-1234", email="a@example.org",
                                    address="南关区, \"人民大街\" 1号")
    sun = f.OrganizationFactory(name="阳光康复服务中心", region=regions["chaoyang"], business_supervisory_unit=bureau,
                                registered_on=datetime.date(2018, 5, 20), staff_count=12, volunteer_count=3,
                                description="第一行\n第二行, 带逗号")
    hope = f.OrganizationFactory(name="=HYPERLINK(\"x\")希望", region=regions["nanguan"], legal_form="foundation",
                                 charity_status="recognized")
    twin = f.OrganizationFactory(name="阳光康复服务中心", region=regions["nanguan"])  # same name as ``sun``
    c1 = f.ContractFactory(reference="CY-2025-001", title="=1+1", purchaser=bureau, organization=sun,
                           amount=Decimal("300000.00"), restricted_amount=Decimal("240000.00"),
                           beneficiaries_target=60, description="@SUM(A1)")
    c2 = f.ContractFactory(reference="NG-2025-007", title="+cmd 托养服务", purchaser=federation, organization=hope,
                           service_category="residential_care", procurement_method="single_source",
                           status="completed", amount=Decimal("0.05"), restricted_amount=Decimal("0.00"),
                           region=regions["city"])
    c3 = f.ContractFactory(reference="CY-2025-002", title="-2+3", purchaser=bureau, organization=twin,
                           amount=Decimal("123456789012.34"), restricted_amount=Decimal("1.00"), status="draft")
    f.PaymentFactory(contract=c1, kind="advance", amount=Decimal("90000.00"), note="\t首付")
    f.PaymentFactory(contract=c1, kind="final", due_on=datetime.date(2025, 12, 31), paid_on=None,
                     amount=Decimal("210000.00"))
    f.PaymentFactory(contract=c2, kind="final", amount=Decimal("0.05"))
    f.PerformanceReviewFactory(contract=c1, findings="'=not a formula")
    f.PerformanceReviewFactory(contract=c2, reviewer_kind="beneficiary_survey", output_score=Decimal("50"),
                               beneficiaries_served=7)
    f.IncomeRecordFactory(organization=sun, source="government_subsidy", funder_purchaser=federation,
                          amount=Decimal("50000.00"), restricted_amount=Decimal("50000.00"))
    f.IncomeRecordFactory(organization=hope, fiscal_year=2024, source="donation_corporate", funder_name="某某科技",
                          note="\r回车")
    return {"bureau": bureau, "federation": federation, "sun": sun, "hope": hope, "twin": twin,
            "contracts": [c1, c2, c3], **regions}


@pytest.fixture
def admin(db):
    return f.user_with_role("administrator", username="csv-admin")
