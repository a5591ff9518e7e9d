"""List-page tables of the organizations app (columns declared once, reused by CSV exports)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import BaseTable, MoneyColumn

from .models import AnnualReport, IncomeRecord, Organization, Purchaser


class PurchaserTable(BaseTable):
    """Purchasers with the number of contracts the user may see."""

    name = tables.Column(linkify=True)
    region = tables.Column(order_by=("region__code",))
    contract_count = tables.Column(verbose_name=_("Contracts"), orderable=True, attrs={"td": {"class": "money"}})

    class Meta(BaseTable.Meta):
        model = Purchaser
        fields = ("name", "kind", "level", "region", "uscc", "is_active", "contract_count")


class OrganizationTable(BaseTable):
    """Undertaking organizations with their legal form and region."""

    name = tables.Column(linkify=True)
    uscc = tables.Column(attrs={"td": {"class": "font-monospace small"}})
    region = tables.Column(order_by=("region__code",))

    class Meta(BaseTable.Meta):
        model = Organization
        fields = ("name", "uscc", "legal_form", "charity_status", "region", "registered_on", "staff_count")


class IncomeRecordTable(BaseTable):
    """Income records other than contract payments, by fiscal year."""

    id = tables.Column(linkify=True, verbose_name="#")
    organization = tables.Column(linkify=True, order_by=("organization__name",))
    amount = MoneyColumn()
    restricted_amount = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = IncomeRecord
        fields = ("id", "organization", "fiscal_year", "source", "funder_name", "funder_purchaser", "amount",
                  "restricted_amount")


class AnnualReportTable(BaseTable):
    """Annual financial figures of organizations."""

    fiscal_year = tables.Column(linkify=True)
    organization = tables.Column(linkify=True, order_by=("organization__name",))
    total_expenses = MoneyColumn()
    program_expenses = MoneyColumn()
    management_expenses = MoneyColumn()
    net_assets_unrestricted = MoneyColumn()

    class Meta(BaseTable.Meta):
        model = AnnualReport
        fields = ("fiscal_year", "organization", "total_expenses", "program_expenses", "management_expenses",
                  "net_assets_unrestricted", "staff_count")


# ---------------------------------------------------------------------------------------------------------------
# CSV columns (exports of the list pages and the API, imports, templates): see core/csvio/ and docs/csv.md.
# ---------------------------------------------------------------------------------------------------------------

import re  # noqa: E402

from django.core.exceptions import ValidationError  # noqa: E402
from django.utils.text import format_lazy  # noqa: E402

from core import csvio  # noqa: E402
from core.uscc import normalize_uscc  # noqa: E402

from .models import KeyPerson, Region  # noqa: E402


class CodeList(csvio.Field):
    """Several codes in one cell (an organization's service scope): exported as ``code;code``, imported from codes
    or labels in any language separated by ``;``, ``,``, ``、`` or spaces."""

    SEPARATORS = re.compile(r"[;,，；、\s]+")

    def csv_columns(self):
        [column] = super().csv_columns()
        column.formatter = lambda value: ";".join(value or [])
        # The same in SQL (the stored "a,b" without empty codes, joined by ";"), for exports the database formats.
        column.db_text = "array_to_string(array_remove(string_to_array({}, ','), ''), ';')"
        return [column]

    def parse(self, text):
        choices = {}
        for code, label in self.model_field.code_list.choices:
            choices[code.casefold()] = code
            for translated in csvio.translations(label):
                choices.setdefault(translated.casefold(), code)
        codes = []
        for part in self.SEPARATORS.split(text.strip()):
            if not part:
                continue
            code = choices.get(part.casefold())
            if code is None:
                raise ValidationError(_("Unknown service category: %(value)s."), params={"value": part})
            codes.append(code)
        return codes


def _region(name="region", label=None):
    """A region foreign key: id, ``<name>_code`` (the natural key) and ``<name>_name``."""
    verbose = label or _("region")
    return csvio.ForeignKey(name, csvio.CodeOrNameLookup(Region), extra=[
        (f"{name}_code", f"{name}__code", format_lazy("{} ({})", verbose, _("code"))),
        (f"{name}_name", f"{name}__name", verbose),
    ])


def _organization(scope="visible"):
    """The organization a row belongs to: id, name and USCC (the natural key; an unambiguous name also works)."""
    return csvio.ForeignKey("organization", csvio.NameOrUsccLookup(
        Organization, scope=scope, columns=("organization_uscc", "organization_name")), extra=[
        ("organization_name", "organization__name", None),
        ("organization_uscc", "organization__uscc",
         format_lazy("{} ({})", _("undertaking organization"), _("unified social credit code"))),
    ])


PURCHASER_CSV = csvio.register(csvio.CsvSpec(
    Purchaser, "purchasers", [
        csvio.Id(),
        csvio.Field("name"),
        csvio.Choice("kind"),
        csvio.Choice("level"),
        _region(),
        csvio.Field("uscc", normalize=normalize_uscc),
        csvio.Field("is_active"),
        csvio.Field("contact_person"),
        csvio.Field("phone"),
        csvio.Field("email"),
        csvio.Field("address"),
    ],
    keys=[("uscc",), ("name",)],
    example={"name": "长春市朝阳区民政局", "uscc": "", "region_code": "220104", "level": "county",
             "kind": "civil_affairs", "is_active": "true", "contact_person": "王明", "phone": "0431-88880000",
             "email": "", "address": "长春市朝阳区"},
))

ORGANIZATION_CSV = csvio.register(csvio.CsvSpec(
    Organization, "organizations", [
        csvio.Id(),
        csvio.Field("name"),
        csvio.Field("uscc", normalize=normalize_uscc),
        csvio.Choice("legal_form"),
        csvio.Choice("charity_status"),
        _region(),
        csvio.Field("registered_on"),
        csvio.ForeignKey("business_supervisory_unit", csvio.NameOrUsccLookup(Purchaser)),
        csvio.Field("legal_representative"),
        csvio.Field("staff_count"),
        csvio.Field("volunteer_count"),
        csvio.Field("contact_person"),
        csvio.Field("phone"),
        csvio.Field("email"),
        csvio.Field("address"),
        csvio.Field("description"),
        CodeList("service_scope"),
    ],
    keys=[("uscc",)],
    example={"name": "长春市朝阳区阳光康复服务中心", "uscc": "52110105MJ0123456N",
             "legal_form": "social_service_org", "charity_status": "none", "registered_on": "2018-05-20",
             "region_code": "220104", "business_supervisory_unit_name": "长春市朝阳区民政局",
             "legal_representative": "李华", "staff_count": "12", "volunteer_count": "30",
             "contact_person": "李华", "phone": "0431-85550000", "email": "", "address": "长春市朝阳区",
             "description": "", "service_scope": "rehab_children;daily_care"},
))

INCOMERECORD_CSV = csvio.register(csvio.CsvSpec(
    IncomeRecord, "income-records", [
        csvio.Id(),
        _organization(scope="editable"),
        csvio.Field("fiscal_year"),
        csvio.Choice("source"),
        csvio.Field("funder_name"),
        csvio.ForeignKey("funder_purchaser", csvio.NameOrUsccLookup(Purchaser)),
        csvio.Field("amount"),
        csvio.Field("restricted_amount"),
        csvio.Field("note"),
    ],
    parent="organization",
    example={"organization_uscc": "52110105MJ0123456N", "organization_name": "长春市朝阳区阳光康复服务中心",
             "fiscal_year": "2025", "source": "donation_corporate", "funder_name": "某某科技有限公司",
             "funder_purchaser_name": "", "amount": "50000.00", "restricted_amount": "20000.00", "note": ""},
))

ANNUALREPORT_CSV = csvio.register(csvio.CsvSpec(
    AnnualReport, "annual-reports", [
        csvio.Id(),
        csvio.Field("fiscal_year"),
        _organization(scope="editable"),
        csvio.Field("total_expenses"),
        csvio.Field("program_expenses"),
        csvio.Field("management_expenses"),
        csvio.Field("fundraising_expenses"),
        csvio.Field("personnel_costs"),
        csvio.Field("net_assets_unrestricted"),
        csvio.Field("net_assets_restricted"),
        csvio.Field("staff_count"),
        csvio.Field("reported_government_income"),
    ],
    keys=[("organization", "fiscal_year")],
    importable=False,
))

KEYPERSON_CSV = csvio.register(csvio.CsvSpec(
    KeyPerson, "key-persons", [
        csvio.Id(),
        _organization(scope="editable"),
        csvio.Field("name"),
        csvio.Choice("role"),
        csvio.ForeignKey("post_purchaser", csvio.NameOrUsccLookup(Purchaser)),
        csvio.Field("post_title"),
        csvio.Field("post_from"),
        csvio.Field("post_to"),
    ],
    parent="organization",
    example={"organization_uscc": "52110105MJ0123456N", "organization_name": "长春市朝阳区阳光康复服务中心",
             "name": "李华", "role": "legal_representative", "post_purchaser_name": "长春市朝阳区民政局",
             "post_title": "科员", "post_from": "2015-03-01", "post_to": "2019-12-31"},
))
