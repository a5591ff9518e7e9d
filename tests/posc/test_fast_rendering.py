"""The list pages' fast paths write the same HTML as django-tables2 and Django's widgets: table rows
(``BaseTable.body_rows``), the region/purchaser selects (``QuickSelect``, choices cached until the data changes)
and the short multiple-choice checkboxes (``QuickCheckboxes``)."""

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.test import RequestFactory
from django.urls import reverse
from django_tables2 import RequestConfig

from contracts.models import Contract
from contracts.tables import ContractTable
from contracts.views import paid_total_subquery
from core.filtersets import QuickCheckboxes, QuickSelect
from core.roles import ADMINISTRATOR
from tests.factories import ContractFactory, PaymentFactory, user_with_role

pytestmark = pytest.mark.django_db


def squeeze(html):
    """Whitespace between tags does not show."""
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


def body(html):
    return squeeze(html.split("<tbody", 1)[1].split("</tbody>", 1)[0])


def cells(html):
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", body(html))]


@pytest.fixture
def contracts():
    first = ContractFactory(reference="HT-A-1", title="听力康复", amount=Decimal("1234567.80"),
                            signed_on=datetime.date(2025, 1, 10), status="active")
    PaymentFactory(contract=first, amount=Decimal("1000.50"), paid_on=datetime.date(2025, 2, 1))
    second = ContractFactory(reference="HT-A-2", title="居家<托养>", amount=Decimal("99.00"), restricted_amount=0,
                             signed_on=datetime.date(2024, 12, 31), status="draft")
    return first, second


def render(template_name=None):
    request = RequestFactory().get("/contracts/", {"sort": "reference"})
    request.user = user_with_role(ADMINISTRATOR)
    queryset = (Contract.objects.select_related("purchaser", "organization")
                .annotate(paid_total=paid_total_subquery()))
    kwargs = {"template_name": template_name} if template_name else {}
    table = ContractTable(queryset, **kwargs)
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    return table.as_html(request)


def test_rows_show_the_expected_cells(contracts):
    first, second = contracts
    html = render()
    assert cells(html) == [
        "HT-A-1", "听力康复", first.purchaser.name, first.organization.name, "残疾儿童康复", "执行中",
        "2025年1月10日", "1,234,567.80", "1,000.50",
        "HT-A-2", "居家&lt;托养&gt;", second.purchaser.name, second.organization.name, "残疾儿童康复", "草稿",
        "2024年12月31日", "99.00", "0.00",
    ]
    url = reverse("contracts:contract_detail", args=[first.pk])
    assert f'<td class="nowrap"><a href="{url}">HT-A-1</a></td>' in body(html)
    assert '<td class="money">1,234,567.80</td>' in body(html)
    assert '<span class="badge text-bg-primary">执行中</span>' in body(html)


def test_rows_are_the_same_as_django_tables2_writes_them(contracts):
    assert body(render()) == body(render("django_tables2/bootstrap5.html"))


def test_empty_list_shows_the_empty_text():
    assert "<td colspan=\"9\">" in render()


def test_quick_select_writes_what_django_select_writes():
    choices = [("", "---------"), (1, "长春 & <市>"), (2, "吉林"), (12, "延边")]
    for value in (None, "", "2", 12):
        attrs = {"class": "form-select form-select-sm", "id": "id_region"}  # (QuickSelect sorts attributes)
        assert (squeeze(QuickSelect(choices=choices).render("region", value, attrs))
                == squeeze(forms.Select(choices=choices).render("region", value, attrs)))


def test_quick_checkboxes_write_what_django_writes():
    choices = [("active", "执行中"), ("draft", "草<稿>"), ("completed", "已完成")]
    for value in (None, ["draft"], ["active", "completed"]):
        attrs = {"id": "id_status", "class": "me-1"}
        assert (QuickCheckboxes(choices=choices).render("status", value, attrs)
                == forms.CheckboxSelectMultiple(choices=choices).render("status", value, attrs))
