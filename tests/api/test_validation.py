"""Invalid payloads are refused exactly like the forms refuse them: 400 with field-named messages, in the language
of Accept-Language, and never a 500 (not even when the database itself refuses the row)."""

import re

import pytest

from contracts.models import Contract
from organizations.models import AnnualReport, Organization

from .conftest import client_for

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def contract_body(world, **changes):
    body = {"reference": "CC-2025-200", "title": "康复服务", "purchaser": world.bureau_a.pk,
            "organization": world.org_a.pk, "service_category": "rehab_children",
            "procurement_method": "public_tender", "status": "active", "signed_on": "2025-01-05",
            "start_on": "2025-02-01", "end_on": "2025-12-31", "amount": "50000.00", "restricted_amount": "10000.00"}
    body.update(changes)
    return body


def post(world, endpoint, body, language="en"):
    return client_for(world.admin).post(f"/api/{endpoint}/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("amount", ["0", "0.00", "-100.00"])
def test_zero_or_negative_contract_amount(world, amount):
    response = post(world, "contracts", contract_body(world, amount=amount, restricted_amount="0"))
    assert response.status_code == 400
    assert response.json()["amount"] == ["The amount must be greater than zero."]


def test_restricted_amount_above_the_amount(world):
    response = post(world, "contracts", contract_body(world, amount="1000.00", restricted_amount="1000.01"))
    assert response.status_code == 400
    assert response.json() == {"restricted_amount": ["The restricted amount cannot exceed the contract amount."]}


def test_end_before_start(world):
    response = post(world, "contracts", contract_body(world, start_on="2025-06-01", end_on="2025-05-31"))
    assert response.status_code == 400
    assert response.json() == {"end_on": ["The end date cannot be before the start date."]}


def test_several_errors_are_reported_together(world):
    response = post(world, "contracts", contract_body(world, amount="-1", restricted_amount="-2",
                                                      end_on="2025-01-01"))
    assert response.status_code == 400
    assert set(response.json()) == {"amount", "restricted_amount", "end_on"}


def test_bad_uscc_names_the_expected_check_character(world):
    body = {"name": "某机构", "uscc": "52110105MJ0123456A", "legal_form": "social_group", "region": world.pref_a.pk}
    response = post(world, "organizations", body)
    assert response.status_code == 400
    assert response.json() == {"uscc": ["The check character of this unified social credit code should be N, "
                                        "not A."]}
    chinese = post(world, "organizations", body, language="zh-hans")
    assert chinese.status_code == 400
    assert "N" in chinese.json()["uscc"][0]
    assert not Organization.objects.filter(name="某机构").exists()


def test_lower_case_uscc_is_normalised(world):
    body = {"name": "某机构", "uscc": "52110105mj0123456n", "legal_form": "social_group", "region": world.pref_a.pk}
    response = post(world, "organizations", body)
    assert response.status_code == 201, response.json()
    assert response.json()["uscc"] == "52110105MJ0123456N"


def test_duplicate_uscc_of_an_organization(world):
    body = {"name": "重名机构", "uscc": world.org_a.uscc, "legal_form": "social_group", "region": world.pref_a.pk}
    response = post(world, "organizations", body)
    assert response.status_code == 400
    assert list(response.json()) == ["uscc"]


def test_unknown_choice_in_english_and_chinese(world):
    english = post(world, "contracts", contract_body(world, service_category="massage"))
    assert english.status_code == 400
    assert english.json() == {"service_category": ['"massage" is not a valid choice.']}
    chinese = post(world, "contracts", contract_body(world, service_category="massage"), language="zh-hans")
    assert chinese.status_code == 400
    assert chinese.json() == {"service_category": ["“massage” 不是合法选项。"]}


def test_model_messages_follow_accept_language(world):
    english = post(world, "contracts", contract_body(world, amount="0", restricted_amount="0"))
    chinese = post(world, "contracts", contract_body(world, amount="0", restricted_amount="0"), language="zh-hans")
    assert english.json()["amount"] == ["The amount must be greater than zero."]
    message = chinese.json()["amount"][0]
    assert CJK.search(message), message
    assert message != "The amount must be greater than zero."


def test_duplicate_reference_for_the_same_purchaser(world):
    response = post(world, "contracts", contract_body(world, reference="CC-2025-001"))
    assert response.status_code == 400
    assert response.json() == {"reference": ["This purchaser already has a contract with this number."]}
    # Surrounding spaces do not make a different number (the form strips them too).
    spaced = post(world, "contracts", contract_body(world, reference="  CC-2025-001 "))
    assert spaced.status_code == 400
    # The same number at another purchaser is fine.
    other = post(world, "contracts", contract_body(world, reference="CC-2025-001", purchaser=world.bureau_a1.pk))
    assert other.status_code == 201, other.json()


def test_duplicate_reference_on_update(world):
    client = client_for(world.admin)
    response = client.patch(f"/api/contracts/{world.contract_a.pk}/", {"purchaser": world.bureau_a1.pk,
                                                                         "reference": "NG-2024-007"},
                            format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"reference": ["This purchaser already has a contract with this number."]}


def test_second_annual_report_for_the_same_year(world):
    body = {"organization": world.org_a.pk, "fiscal_year": 2025, "total_expenses": "1000.00"}
    assert post(world, "annual-reports", body).status_code == 201
    response = post(world, "annual-reports", body)
    assert response.status_code == 400
    assert response.json() == {"fiscal_year": ["This organization already has an annual report for that year."]}
    assert AnnualReport.objects.count() == 1


def test_annual_report_parts_above_total(world):
    body = {"organization": world.org_a.pk, "fiscal_year": 2025, "total_expenses": "1000.00",
            "program_expenses": "900.00", "management_expenses": "200.00"}
    response = post(world, "annual-reports", body)
    assert response.status_code == 400
    assert list(response.json()) == ["total_expenses"]


def test_income_record_rules(world):
    body = {"organization": world.org_a.pk, "fiscal_year": 2025, "source": "donation_individual",
            "amount": "100.00", "restricted_amount": "150.00", "funder_purchaser": world.bureau_a.pk}
    response = post(world, "income-records", body)
    assert response.status_code == 400
    assert response.json() == {
        "restricted_amount": ["The restricted amount cannot exceed the amount."],
        "funder_purchaser": ["A funding purchaser can only be named for a government subsidy."],
    }
    assert post(world, "income-records", {**body, "fiscal_year": 1989, "restricted_amount": "0",
                                          "funder_purchaser": None}).status_code == 400


def test_review_scores_above_100(world):
    body = {"contract": world.contract_a.pk, "reviewer_kind": "third_party", "reviewed_on": "2025-12-01",
            "output_score": "101", "quality_score": "80", "satisfaction_score": "80", "financial_score": "80"}
    response = post(world, "reviews", body)
    assert response.status_code == 400
    assert list(response.json()) == ["output_score"]


def test_database_refusal_is_a_400_not_a_500(world, monkeypatch):
    """Even if validation missed it (two requests racing), the database's constraint answers 400."""
    monkeypatch.setattr(Contract, "validate_constraints", lambda self, *a, **k: None)
    monkeypatch.setattr(Contract, "validate_unique", lambda self, *a, **k: None)
    response = post(world, "contracts", contract_body(world, reference="CC-2025-001"))
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Contract.objects.filter(reference="CC-2025-001").count() == 1


def test_malformed_values(world):
    response = post(world, "contracts", contract_body(world, signed_on="31/12/2025", amount="abc"))
    assert response.status_code == 400
    assert set(response.json()) == {"signed_on", "amount"}


def test_field_errors_and_model_rules_are_reported_together(world):
    response = post(world, "contracts", contract_body(world, service_category="massage", start_on="2025-06-01",
                                                      end_on="2025-05-31", amount="0", restricted_amount="0"))
    assert response.status_code == 400
    assert response.json() == {
        "service_category": ['"massage" is not a valid choice.'],
        "amount": ["The amount must be greater than zero."],
        "end_on": ["The end date cannot be before the start date."],
    }
