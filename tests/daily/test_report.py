"""The printable funding report of an organization-year and its PDF (WeasyPrint), in both languages."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from tests import factories as f

YEAR = 2025


@pytest.fixture
def organization(db):
    org = f.OrganizationFactory(name="春晖残疾人服务中心")
    f.IncomeRecordFactory(organization=org, fiscal_year=YEAR, source="government_subsidy", amount=Decimal("80000"))
    f.IncomeRecordFactory(organization=org, fiscal_year=YEAR - 1, source="foundation_grant", amount=Decimal("20000"))
    f.AnnualReportFactory(organization=org, fiscal_year=YEAR)
    return org


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "words"), [("en", "Funding report 2025"), ("zh-hans", "2025")])
def test_print_view(client, organization, language, words):
    client.force_login(f.user_with_role("ngo_manager", organizations=[organization]))
    client.cookies["django_language"] = language
    response = client.get(reverse("dashboards:funding_report", args=[organization.pk, YEAR]))
    page = response.content.decode()
    assert response.status_code == 200
    assert organization.name in page and words in page
    assert "<svg" in page and "<script" not in page and 'style="' not in page
    assert "80,000.00" in page  # the year's numbers
    assert "navbar" not in page  # no navigation on the report
    assert reverse("dashboards:funding_report_pdf", args=[organization.pk, YEAR]) in page
    with translation.override(language):
        from dashboards.vulnerability import RATIOS

        assert str(RATIOS[0][1]) in page  # indicators with their explanations, in the reader's language


@pytest.mark.django_db
def test_pdf(client, organization):
    client.force_login(f.user_with_role("ngo_manager", organizations=[organization]))
    response = client.get(reverse("dashboards:funding_report_pdf", args=[organization.pk, YEAR]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1  # one page for the board
    text = reader.pages[0].extract_text()
    assert organization.name in text
    assert "80,000.00" in text


@pytest.mark.django_db
def test_report_needs_the_organizations_money(client, organization):
    client.force_login(f.user_with_role("ngo_manager", organizations=[f.OrganizationFactory()]))
    for name in ("dashboards:funding_report", "dashboards:funding_report_pdf"):
        assert client.get(reverse(name, args=[organization.pk, YEAR])).status_code == 404


@pytest.mark.django_db
def test_every_page_links_the_print_stylesheet(client, organization):
    client.force_login(f.user_with_role("administrator"))
    page = client.get(reverse("dashboards:organization_funding", args=[organization.pk])).content.decode()
    assert 'print.css" media="print"' in page
    assert reverse("dashboards:funding_report", args=[organization.pk, YEAR]) in page
