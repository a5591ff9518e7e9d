"""Server-rendered accessibility markup (WCAG 2.1 AA): every control named, help text that exists, ranges as
fieldsets, the rows-per-page form without a change handler, flags with a marker besides colour, Chinese names marked
``lang="zh-Hans"`` in the English UI. The browser checks (axe-core, keyboard) are in tests/e2e."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from core.templatetags.posc import flag_marker, zh
from tests.factories import ContractFactory, OrganizationFactory, PaymentFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_language():
    """A request with the English cookie leaves English active in this thread: put back what was active."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def admin(client):
    client.force_login(user_with_role("administrator"))
    return client


def _ids_with_label(html):
    return set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))


def test_every_payment_row_field_has_a_label_and_paid_on_points_at_help_text_that_exists(admin):
    contract = ContractFactory()
    PaymentFactory(contract=contract, amount=Decimal("100"))
    html = admin.get(reverse("contracts:contract_edit", args=[contract.pk])).content.decode()
    labelled = _ids_with_label(html)
    for name in ("kind", "due_on", "paid_on", "amount", "note"):
        assert f"id_payments-0-{name}" in labelled, name
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert "id_payments-0-paid_on_helptext" in described
    for target in described:
        for one in target.split():
            assert f'id="{one}"' in html, f"aria-describedby points at a missing element: {one}"
    assert 'role="status"' in html and 'id="payments-status"' in html  # the total is announced
    assert re.search(r'aria-live="assertive"[^>]*><div class="alert alert-warning[^"]*" id="payments-exceed"', html)


def test_date_ranges_are_fieldsets_with_a_label_per_input_and_no_empty_for(admin):
    html = admin.get(reverse("contracts:contract_list")).content.decode()
    assert 'for=""' not in html
    labelled = _ids_with_label(html)
    assert {"id_signed_on_0", "id_signed_on_1", "id_end_on_0", "id_end_on_1"} <= labelled
    signed = html[html.index('name="signed_on_after"') - 800:html.index('name="signed_on_after"')]
    assert "<fieldset" in signed and "<legend" in signed


def test_rows_per_page_is_named_and_changes_only_on_the_button(admin):
    html = admin.get(reverse("contracts:contract_list")).content.decode()
    form = html[html.index('class="d-flex align-items-center gap-2 page-size-form"'):]
    form = form[:form.index("</form>")]
    assert 'id="per-page"' in form and 'for="per-page"' in form
    assert "onchange" not in form and 'type="submit"' in form


def test_skip_link_is_first_in_the_body_and_targets_main(admin):
    html = admin.get(reverse("home")).content.decode()
    body = html[html.index("<body"):]
    first_link = re.search(r"<a\b[^>]*>", body).group(0)
    assert 'class="skip-link"' in first_link and 'href="#main"' in first_link
    assert '<main id="main"' in html


def test_flag_marker_adds_a_shape_and_a_word():
    with translation.override("en"):
        assert "Amber" in flag_marker("amber") and "▲" in flag_marker("amber")
        assert "Red" in flag_marker("red") and "■" in flag_marker("red")
        assert flag_marker("none") == "" and flag_marker(None) == ""


def test_chinese_text_is_marked_only_in_the_english_ui():
    with translation.override("en"):
        assert str(zh("春晖康复中心")) == '<span lang="zh-Hans">春晖康复中心</span>'
        assert str(zh("Spring <b>")) == "Spring &lt;b&gt;"
    with translation.override("zh-hans"):
        assert str(zh("春晖康复中心")) == "春晖康复中心"


def test_list_cells_and_detail_heading_carry_lang_in_english(admin):
    org = OrganizationFactory(name="长春市春晖康复中心")
    admin.cookies["django_language"] = "en"
    html = admin.get(reverse("organizations:organization_list")).content.decode()
    assert re.search(r'<td[^>]*lang="zh-Hans"[^>]*>.*长春市春晖康复中心', html)
    html = admin.get(reverse("organizations:organization_detail", args=[org.pk])).content.decode()
    assert '<span lang="zh-Hans">长春市春晖康复中心</span>' in html
    admin.cookies["django_language"] = "zh-hans"
    html = admin.get(reverse("organizations:organization_list")).content.decode()
    assert 'lang="zh-Hans"' not in html


def test_swagger_ui_page_declares_its_language(admin):
    html = admin.get(reverse("api:docs")).content.decode()
    assert re.search(r'<html lang="(zh-hans|en)">', html)
    assert "swagger-a11y.js" in html


def test_flagged_cells_of_the_table_by_year_carry_a_marker(admin):
    """Government subsidy only: government share 100 % ≥ red threshold 80 % → the cell says "Red", not only pink."""
    from tests.factories import IncomeRecordFactory

    org = OrganizationFactory()
    IncomeRecordFactory(organization=org, fiscal_year=2025, source="government_subsidy", amount=Decimal("1000"))
    admin.cookies["django_language"] = "en"
    html = admin.get(reverse("dashboards:organization_funding", args=[org.pk])).content.decode()
    table = html[html.index("indicators-by-year"):]
    table = table[:table.index("</table>")]
    assert re.search(r'<td class="money table-danger">100\.0 %<span class="flag-marker flag-marker-red">'
                     r'<span aria-hidden="true">■</span> Red</span></td>', table)
