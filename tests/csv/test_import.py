"""Imports: encodings, headers, natural keys, updates with history, scope, and every validation rule reported by
row and column with nothing written."""

from decimal import Decimal

import pytest
from django.test.utils import override_settings
from django.utils import translation

from contracts.models import Contract, Payment, PerformanceReview
from core import csvio
from organizations.models import IncomeRecord, Organization, Purchaser
from tests import factories as f

from .conftest import errors_of, export_bytes, run_import

CONTRACT_HEADER = ("reference,title,purchaser_name,organization_uscc,service_category,procurement_method,status,"
                   "signed_on,start_on,end_on,amount,restricted_amount,region_code")


def contract_row(**changes):
    values = {"reference": "CY-2025-101", "title": "康复服务", "purchaser_name": "长春市朝阳区民政局",
              "organization_uscc": None, "service_category": "rehab_children",
              "procurement_method": "public_tender", "status": "active", "signed_on": "2025-01-10",
              "start_on": "2025-02-01", "end_on": "2025-12-31", "amount": "100000.00",
              "restricted_amount": "80000.00", "region_code": ""}
    values.update(changes)
    return ",".join(str(values[name]) for name in CONTRACT_HEADER.split(","))


def snapshot():
    return {slug: export_bytes(slug) for slug in ("purchasers", "organizations", "contracts", "payments",
                                                  "reviews", "income-records")}


@pytest.fixture
def staff(dataset):
    return f.user_with_role("staff", purchasers=[dataset["bureau"]], username="csv-staff")


@pytest.mark.django_db
def test_gb18030_file_with_chinese_headers_and_names_imports(dataset, admin):
    with translation.override("zh-hans"):
        labels = {c.name: str(c.label) for c in csvio.get_spec("organizations").columns}
    assert labels["uscc"] == "统一社会信用代码"
    header = ",".join(labels[n] for n in ("name", "uscc", "legal_form", "region_code", "staff_count"))
    text = (f"{header}\r\n"
            "长春市绿荫助残服务中心,52220104MJ7654321A,社会服务机构（民办非企业单位）,220104,8\r\n"
            "吉林省启明残疾人基金会,53220000MJ0000001X,foundation,220000,3\r\n")
    text = text.replace("52220104MJ7654321A", f.complete_uscc("52220104MJ7654321")).replace(
        "53220000MJ0000001X", f.complete_uscc("53220000MJ0000001"))
    with translation.override("zh-hans"):
        legal_form_label = str(dict(Organization._meta.get_field("legal_form").flatchoices)["social_service_org"])
    text = text.replace("社会服务机构（民办非企业单位）", legal_form_label)
    result = run_import("organizations", text.encode("gb18030"), user=admin)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 0)
    green = Organization.objects.get(name="长春市绿荫助残服务中心")
    assert green.legal_form == "social_service_org" and green.region.code == "220104" and green.staff_count == 8
    assert Organization.objects.get(name="吉林省启明残疾人基金会").legal_form == "foundation"


@pytest.mark.django_db
def test_tab_separated_utf8_bom_file_imports(dataset, staff):
    sun = dataset["sun"]
    text = ("\ufeffreference\ttitle\tpurchaser_name\torganization_uscc\tservice_category\tprocurement_method\t"
            "signed_on\tstart_on\tend_on\tamount\trestricted_amount\r\n"
            f"CY-2025-201\t助残, 托养\t长春市朝阳区民政局\t{sun.uscc}\tresidential_care\tsingle_source\t"
            "2025/3/1\t2025-03-01\t2025-12-31\t1,200,000.50\t0\r\n")
    result = run_import("contracts", text.encode("utf-8"), user=staff)
    assert result.ok, result.errors
    contract = Contract.objects.get(reference="CY-2025-201")
    assert contract.title == "助残, 托养" and contract.amount == Decimal("1200000.50")
    assert contract.status == "draft"  # column absent: the model's default
    assert contract.region == dataset["chaoyang"]  # empty service area: the purchaser's region, as save() does
    assert contract.history.get().history_user == staff


@pytest.mark.django_db
def test_existing_natural_key_updates_and_is_recorded_in_history(dataset, staff):
    c1 = dataset["contracts"][0]
    version = c1.version
    text = f"{CONTRACT_HEADER}\r\n" + contract_row(reference="CY-2025-001", title="新标题", amount="350000.00",
                                                   organization_uscc=dataset["sun"].uscc) + "\r\n"
    preview = run_import("contracts", text, user=staff, commit=False)
    assert (preview.created, preview.updated, preview.ok) == (0, 1, True)
    c1.refresh_from_db()
    assert c1.title == "=1+1"  # a preview writes nothing
    result = run_import("contracts", text, user=staff)
    assert result.ok and result.updated == 1
    c1.refresh_from_db()
    assert (c1.title, c1.amount, c1.version) == ("新标题", Decimal("350000.00"), version + 1)
    latest = c1.history.first()
    assert latest.history_type == "~" and latest.history_user == staff and latest.title == "新标题"
    assert latest.history_change_reason == "CSV import"


@pytest.mark.django_db
def test_payments_are_matched_by_id_within_the_contract(dataset, staff):
    payment = Payment.objects.get(contract__reference="CY-2025-001", kind="advance")
    other = Payment.objects.get(contract__reference="NG-2025-007")  # another purchaser: not staff's
    header = "id,purchaser_name,contract_reference,kind,due_on,paid_on,amount\r\n"
    ok = header + f"{payment.pk},长春市朝阳区民政局,CY-2025-001,advance,2025-03-01,2025-03-02,95000\r\n" \
        + ",长春市朝阳区民政局,CY-2025-001,interim,2025-06-01,,1000\r\n"
    result = run_import("payments", ok, user=staff)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 1)
    payment.refresh_from_db()
    assert payment.amount == Decimal("95000.00")

    before = snapshot()
    bad = header + f"{other.pk},长春市朝阳区民政局,CY-2025-001,advance,2025-03-01,,5\r\n" \
        + f"{payment.pk},长春市朝阳区民政局,CY-2025-002,advance,2025-03-01,,5\r\n"
    result = run_import("payments", bad, user=staff)
    assert errors_of(result) == [(2, "id"), (3, "contract_reference")]
    assert snapshot() == before


@pytest.mark.django_db
def test_out_of_scope_purchaser_is_not_found_and_not_leaked(dataset, staff):
    before = snapshot()
    text = f"{CONTRACT_HEADER}\r\n" + contract_row(purchaser_name="长春市南关区残疾人联合会",
                                                   organization_uscc=dataset["sun"].uscc) + "\r\n" \
        + contract_row(reference="X-2", purchaser_name="不存在的单位", organization_uscc=dataset["sun"].uscc) + "\r\n"
    result = run_import("contracts", text, user=staff)
    assert errors_of(result) == [(2, "purchaser_name"), (3, "purchaser_name")]
    assert result.errors[0].message.replace("长春市南关区残疾人联合会", "X") == \
        result.errors[1].message.replace("不存在的单位", "X")
    assert snapshot() == before


def _invalid_cases(dataset):
    sun = dataset["sun"].uscc
    return [
        # (slug, header, row, column)
        ("contracts", CONTRACT_HEADER, contract_row(organization_uscc=sun, amount="0"), "amount"),
        ("contracts", CONTRACT_HEADER, contract_row(organization_uscc=sun, restricted_amount="100000.01"),
         "restricted_amount"),
        ("contracts", CONTRACT_HEADER, contract_row(organization_uscc=sun, end_on="2025-01-31"), "end_on"),
        ("contracts", CONTRACT_HEADER, contract_row(organization_uscc=sun, signed_on="2025-13-01"), "signed_on"),
        ("contracts", CONTRACT_HEADER, contract_row(organization_uscc=sun, amount="12.345"), "amount"),
        ("contracts", CONTRACT_HEADER, contract_row(organization_uscc=sun, status="signed"), "status"),
        ("contracts", CONTRACT_HEADER, contract_row(organization_uscc="91310110666007217A"), "organization_uscc"),
        ("contracts", CONTRACT_HEADER, contract_row(organization_uscc=sun, region_code="999999"), "region_code"),
        ("contracts", CONTRACT_HEADER, contract_row(organization_uscc=sun, title=""), "title"),
        ("contracts", CONTRACT_HEADER, contract_row(organization_uscc=sun, purchaser_name=""), "purchaser_name"),
        ("organizations", "name,uscc,legal_form,region_code", "新机构,52110105MJ0123456A,social_group,220104", "uscc"),
        ("organizations", "name,uscc,legal_form,region_code", "新机构,5211010,social_group,220104", "uscc"),
        ("organizations", "name,uscc,legal_form,region_code,email",
         f"新机构,{f.complete_uscc('52220104MJ0000077')},social_group,220104,not-an-email", "email"),
        ("organizations", "name,uscc,legal_form,region_code,staff_count",
         f"新机构,{f.complete_uscc('52220104MJ0000077')},social_group,220104,-1", "staff_count"),
        ("purchasers", "name,region_code,level,kind", "长春市南关区残疾人联合会X,220102,county,nope", "kind"),
        ("purchasers", "name,uscc,region_code,level,kind",
         "新名字,52110105MJ0123456N,220102,county,other\r\n新名字,,220102,county,other", "name"),
        ("income-records", "organization_uscc,fiscal_year,source,amount,restricted_amount,funder_purchaser_name",
         f"{sun},2025,donation_individual,100,0,长春市南关区残疾人联合会", "funder_purchaser_name"),
        ("income-records", "organization_uscc,fiscal_year,source,amount,restricted_amount",
         f"{sun},1989,donation_individual,100,0", "fiscal_year"),
        ("income-records", "organization_uscc,fiscal_year,source,amount,restricted_amount",
         f"{sun},2025,donation_individual,100,101", "restricted_amount"),
        ("reviews", "purchaser_name,contract_reference,reviewer_kind,reviewed_on,output_score,quality_score,"
                    "satisfaction_score,financial_score",
         "长春市朝阳区民政局,CY-2025-001,third_party,2025-12-01,101,80,80,80", "output_score"),
        ("reviews", "purchaser_name,contract_reference,reviewer_kind,reviewed_on,output_score,quality_score,"
                    "satisfaction_score,financial_score",
         "长春市朝阳区民政局,NO-SUCH,third_party,2025-12-01,90,80,80,80", "contract_reference"),
        ("payments", "purchaser_name,contract_reference,kind,due_on,amount",
         "长春市朝阳区民政局,CY-2025-001,advance,2025-03-01,-5", "amount"),
    ]


@pytest.mark.django_db
def test_each_validation_rule_fails_the_preview_with_row_and_column(dataset, admin):
    before = snapshot()
    for slug, header, row, column in _invalid_cases(dataset):
        valid_first = {
            "contracts": contract_row(reference="OK-1", organization_uscc=dataset["sun"].uscc),
            "organizations": f"好机构,{f.complete_uscc('52220104MJ0000088')},social_group,220104",
            "purchasers": "又一个单位,,220102,county,other",
        }.get(slug)
        lines = [header]
        if valid_first and header.count(",") == valid_first.count(","):
            lines.append(valid_first)
        lines.append(row)
        expected_row = len(lines) if "\r\n" not in row else len(lines) + 1
        for commit in (False, True):
            result = run_import(slug, "\r\n".join(lines) + "\r\n", user=admin, commit=commit)
            assert (expected_row, column) in errors_of(result), (slug, row, result.errors)
            assert all(e.message for e in result.errors)
            assert not result.committed
    assert snapshot() == before


@pytest.mark.django_db
def test_check_character_message_names_the_expected_character(dataset, admin):
    result = run_import("organizations", "name,uscc,legal_form,region_code\r\n新机构,52110105MJ0123456A,"
                        "social_group,220104\r\n", user=admin)
    with translation.override("en"):
        assert "N" in result.errors[0].message


@pytest.mark.django_db
def test_duplicate_natural_keys_in_one_file(dataset, admin):
    sun = dataset["sun"].uscc
    text = "\r\n".join([CONTRACT_HEADER, contract_row(organization_uscc=sun), contract_row(organization_uscc=sun)])
    result = run_import("contracts", text, user=admin)
    assert errors_of(result) == [(3, "purchaser_name")] or errors_of(result) == [(3, "reference")]


@pytest.mark.django_db
def test_staff_may_not_create_an_organization_outside_their_region(dataset, staff):
    inside = f.complete_uscc("52220104MJ0000099")
    outside = f.complete_uscc("52220102MJ0000098")
    text = f"name,uscc,legal_form,region_code\r\n区内机构,{inside},social_group,220104\r\n" \
           f"区外机构,{outside},social_group,220102\r\n"
    result = run_import("organizations", text, user=staff)
    assert [e.row for e in result.errors] == [3]
    assert not Organization.objects.filter(uscc__in=[inside, outside]).exists()


@pytest.mark.django_db
def test_roles_that_may_not_add_cannot_import(dataset):
    analyst = f.user_with_role("analyst", username="csv-analyst")
    with pytest.raises(csvio.FileError):
        run_import("contracts", CONTRACT_HEADER + "\r\n", user=analyst)
    ngo = f.user_with_role("ngo_manager", organizations=[dataset["sun"]], username="csv-ngo")
    with pytest.raises(csvio.FileError):
        run_import("purchasers", "name\r\nx\r\n", user=ngo)


@pytest.mark.django_db
def test_ngo_manager_imports_income_only_for_their_organization(dataset):
    ngo = f.user_with_role("ngo_manager", organizations=[dataset["sun"]], username="csv-ngo")
    text = ("organization_uscc,fiscal_year,source,amount\r\n"
            f"{dataset['sun'].uscc},2025,service_fee,1000\r\n{dataset['hope'].uscc},2025,service_fee,1000\r\n")
    result = run_import("income-records", text, user=ngo)
    assert errors_of(result) == [(3, "organization_uscc")]
    text = "organization_uscc,fiscal_year,source,amount\r\n" + f"{dataset['sun'].uscc},2025,service_fee,1000\r\n"
    assert run_import("income-records", text, user=ngo).ok
    assert IncomeRecord.objects.filter(organization=dataset["sun"], source="service_fee").count() == 1


@pytest.mark.django_db
def test_review_total_and_grade_are_derived_on_import(dataset, admin):
    text = ("purchaser_name,contract_reference,reviewer_kind,reviewed_on,output_score,quality_score,"
            "satisfaction_score,financial_score,total_score,grade\r\n"
            "长春市朝阳区民政局,CY-2025-002,purchaser,2025-12-01,50,50,50,50,99,excellent\r\n")
    result = run_import("reviews", text, user=admin)
    assert result.ok and result.read_only_columns == ["total_score", "grade"]
    review = PerformanceReview.objects.get(contract__reference="CY-2025-002")
    assert (review.total_score, review.grade) == (Decimal("50.00"), "fail")


@pytest.mark.django_db
def test_unknown_columns_are_reported_and_ignored(dataset, admin):
    result = run_import("purchasers", "name,region_code,level,kind,备注\r\n新单位,220104,county,other,x\r\n",
                        user=admin)
    assert result.ok and result.ignored_columns == ["备注"]
    assert Purchaser.objects.filter(name="新单位").exists()


@pytest.mark.django_db
def test_limits_have_clear_messages(dataset, admin):
    with override_settings(CSV_IMPORT_MAX_BYTES=100):
        with pytest.raises(csvio.FileError, match="MB"):
            run_import("purchasers", "name,region_code\r\n" + "x" * 200, user=admin)
    with override_settings(CSV_IMPORT_MAX_ROWS=2):
        with pytest.raises(csvio.FileError):
            run_import("purchasers", "name,region_code\r\na,220104\r\nb,220104\r\nc,220104\r\n", user=admin)
    with pytest.raises(csvio.FileError):
        run_import("purchasers", "foo,bar\r\n1,2\r\n", user=admin)


@pytest.mark.django_db
def test_the_documented_excel_example_imports(regions, admin):
    """The example of docs/csv.md: Chinese headers and labels, Excel's dates, a quoted amount with separators."""
    bureau = f.PurchaserFactory(name="长春市朝阳区民政局", region=regions["chaoyang"])
    sun = f.OrganizationFactory(uscc="52110105MJ0123456N", region=regions["chaoyang"])
    text = ("合同编号,项目名称,购买主体,承接主体 (统一社会信用代码),服务类别,采购方式,状态,签订日期,开始日期,结束日期,"
            "金额（元）,限定性金额（元）\r\n"
            "CY-2025-001,残疾儿童康复训练服务项目,长春市朝阳区民政局,52110105MJ0123456N,残疾儿童康复,公开招标,执行中,"
            "2025/1/10,2025/2/1,2025/12/31,\"300,000.00\",240000\r\n")
    result = run_import("contracts", text.encode("gb18030"), user=admin)
    assert result.ok, result.errors
    contract = Contract.objects.get(reference="CY-2025-001")
    assert (contract.purchaser, contract.organization) == (bureau, sun)
    assert (contract.service_category, contract.procurement_method, contract.status) == (
        "rehab_children", "public_tender", "active")
    assert contract.amount == Decimal("300000.00") and contract.restricted_amount == Decimal("240000.00")
    assert str(contract.signed_on) == "2025-01-10"


@pytest.mark.django_db
def test_purchaser_found_by_name_gets_its_new_uscc(dataset, admin):
    uscc = f.complete_uscc("11220104MB0000001")
    result = run_import("purchasers", f"name,uscc\r\n长春市朝阳区民政局,{uscc.lower()}\r\n", user=admin)
    assert result.ok and result.updated == 1, result.errors
    dataset["bureau"].refresh_from_db()
    assert dataset["bureau"].uscc == uscc
    # Now the USCC finds it, and the name can change.
    result = run_import("purchasers", f"name,uscc\r\n长春市朝阳区民政局（新）,{uscc}\r\n", user=admin)
    assert result.ok and result.updated == 1
    dataset["bureau"].refresh_from_db()
    assert dataset["bureau"].name == "长春市朝阳区民政局（新）"
