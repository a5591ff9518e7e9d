"""List-page tables of the contracts app (columns declared once, reused by CSV exports)."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.tables import BaseTable, MoneyColumn
from core.templatetags.posc import GRADE_CLASSES, STATUS_CLASSES

from .models import Amendment, Contract, Payment, PerformanceReview, paid_total_subquery


class BadgeColumn(tables.Column):
    """A choice field shown as a coloured badge (status, grade)."""

    def __init__(self, *args, classes=None, **kwargs):
        self.classes = classes or {}
        super().__init__(*args, **kwargs)

    def render(self, value, record, bound_column):
        raw = getattr(record, bound_column.accessor)
        return format_html('<span class="badge {}">{}</span>', self.classes.get(raw, "text-bg-secondary"), value)


class ContractTable(BaseTable):
    """Contracts with their amount and what has been paid (needs ``with_money()``)."""

    reference = tables.Column(linkify=True, attrs={"td": {"class": "nowrap"}})
    title = tables.Column(linkify=True)
    purchaser = tables.Column(order_by=("purchaser__name",))
    organization = tables.Column(order_by=("organization__name",))
    status = BadgeColumn(classes=STATUS_CLASSES)
    signed_on = tables.DateColumn(attrs={"td": {"class": "nowrap"}})
    amount = MoneyColumn()
    paid_total = MoneyColumn(verbose_name=_("Paid to date"))

    class Meta(BaseTable.Meta):
        model = Contract
        fields = ("reference", "title", "purchaser", "organization", "service_category", "status", "signed_on",
                  "amount", "paid_total")


class PaymentTable(BaseTable):
    """Payments with their state (paid, overdue, scheduled)."""

    id = tables.Column(linkify=True, verbose_name="#")
    contract = tables.Column(linkify=True, order_by=("contract__reference",))
    organization = tables.Column(accessor="contract__organization", verbose_name=_("Undertaking organization"),
                                 order_by=("contract__organization__name",))
    due_on = tables.DateColumn(attrs={"td": {"class": "nowrap"}})
    paid_on = tables.DateColumn(attrs={"td": {"class": "nowrap"}})
    amount = MoneyColumn()
    state = tables.Column(empty_values=(), orderable=False, verbose_name=_("State"))

    class Meta(BaseTable.Meta):
        model = Payment
        fields = ("id", "contract", "organization", "kind", "due_on", "paid_on", "amount", "state")

    def render_state(self, record):
        if record.paid_on:
            return format_html('<span class="badge text-bg-success">{}</span>', _("Paid"))
        if record.is_overdue:
            return format_html('<span class="badge text-bg-danger">{}</span>', _("Overdue"))
        return format_html('<span class="badge text-bg-light border">{}</span>', _("Scheduled"))


class PerformanceReviewTable(BaseTable):
    """Performance reviews with their total score and grade."""

    reviewed_on = tables.DateColumn(linkify=True, attrs={"td": {"class": "nowrap"}})
    contract = tables.Column(linkify=True, order_by=("contract__reference",))
    organization = tables.Column(accessor="contract__organization", verbose_name=_("Undertaking organization"),
                                 order_by=("contract__organization__name",))
    total_score = tables.Column(attrs={"td": {"class": "money"}, "th": {"class": "money"}})
    grade = BadgeColumn(classes=GRADE_CLASSES)

    class Meta(BaseTable.Meta):
        model = PerformanceReview
        fields = ("reviewed_on", "contract", "organization", "reviewer_kind", "reviewer_name", "total_score",
                  "grade")



class AmendmentTable(BaseTable):
    """Amendments: when, which contract, by how much and why."""

    signed_on = tables.DateColumn(linkify=True, attrs={"td": {"class": "nowrap"}})
    contract = tables.Column(linkify=True, order_by=("contract__reference",))
    organization = tables.Column(accessor="contract__organization", verbose_name=_("Undertaking organization"),
                                 order_by=("contract__organization__name",))
    amount_change = MoneyColumn()
    reason = tables.Column(orderable=False)

    class Meta(BaseTable.Meta):
        model = Amendment
        fields = ("signed_on", "contract", "organization", "amount_change", "new_end_on", "reason")


# ---------------------------------------------------------------------------------------------------------------
# CSV columns (exports of the list pages and the API, imports, templates): see core/csvio/ and docs/csv.md.
# ---------------------------------------------------------------------------------------------------------------

from django.utils.text import format_lazy  # noqa: E402

from core import csvio  # noqa: E402
from organizations.models import Organization, Purchaser, Region  # noqa: E402

from .amendments import save_amendment  # noqa: E402


def _contract():
    """The contract a payment or review belongs to: id, then its purchaser and number (the natural key)."""
    return csvio.ForeignKey("contract", csvio.ContractLookup(Contract, Purchaser), extra=[
        ("purchaser_name", "contract__purchaser__name", _("purchaser")),
        ("contract_reference", "contract__reference", _("contract number")),
    ])


def _contract_organization():
    return csvio.ReadOnly("organization_name", "contract__organization__name", _("undertaking organization"))


def _contract_defaults(obj, values, details):
    """What ``Contract.save()`` and the form do: an empty service area is the purchaser's region, an empty start
    date the signing date."""
    if obj.region_id is None and obj.purchaser_id is not None:
        obj.region_id = (details.get(("purchaser", obj.purchaser_id)) or {}).get("region_id")
    if obj.start_on is None and obj.signed_on is not None:
        obj.start_on = obj.signed_on


def _with_paid_total(queryset):
    if "paid_total" in queryset.query.annotations:
        return queryset
    return queryset.annotate(paid_total=paid_total_subquery())  # per row: no GROUP BY over the export


CONTRACT_CSV = csvio.register(csvio.CsvSpec(
    Contract, "contracts", [
        csvio.Id(),
        csvio.Field("reference"),
        csvio.Field("title"),
        csvio.ForeignKey("purchaser", csvio.NameOrUsccLookup(Purchaser, scope="editable", details=("region_id",))),
        csvio.ForeignKey("organization", csvio.NameOrUsccLookup(
            Organization, columns=("organization_uscc", "organization_name")), extra=[
            ("organization_name", "organization__name", None),
            ("organization_uscc", "organization__uscc",
             format_lazy("{} ({})", _("undertaking organization"), _("unified social credit code"))),
        ]),
        csvio.Choice("service_category"),
        csvio.Choice("procurement_method"),
        csvio.Choice("status"),
        csvio.Field("signed_on"),
        csvio.Field("start_on"),
        csvio.Field("end_on"),
        csvio.Field("amount"),
        csvio.Field("restricted_amount"),
        csvio.Field("beneficiaries_target"),
        csvio.ForeignKey("region", csvio.CodeOrNameLookup(Region), extra=[
            ("region_code", "region__code", format_lazy("{} ({})", _("service area"), _("code"))),
            ("region_name", "region__name", _("service area")),
        ]),
        csvio.Field("description"),
        csvio.ReadOnly("paid_total", "paid_total", _("paid to date"), numeric=True, places=2),
    ],
    keys=[("purchaser", "reference")],
    annotate=_with_paid_total,
    prepare=_contract_defaults,
    example={"reference": "CY-2025-001", "title": "残疾儿童康复训练服务项目", "purchaser_name": "长春市朝阳区民政局",
             "organization_uscc": "52110105MJ0123456N", "organization_name": "长春市朝阳区阳光康复服务中心",
             "service_category": "rehab_children", "procurement_method": "public_tender", "status": "active",
             "signed_on": "2025-01-10", "start_on": "2025-02-01", "end_on": "2025-12-31",
             "amount": "300000.00", "restricted_amount": "240000.00", "beneficiaries_target": "60",
             "region_code": "220104", "region_name": "朝阳区", "description": ""},
))

PAYMENT_CSV = csvio.register(csvio.CsvSpec(
    Payment, "payments", [
        csvio.Id(),
        _contract(),
        _contract_organization(),
        csvio.Choice("kind"),
        csvio.Field("due_on"),
        csvio.Field("paid_on"),
        csvio.Field("amount"),
        csvio.Field("note"),
    ],
    parent="contract",
    example={"purchaser_name": "长春市朝阳区民政局", "contract_reference": "CY-2025-001", "kind": "advance",
             "due_on": "2025-03-01", "paid_on": "2025-03-05", "amount": "90000.00", "note": ""},
))

PERFORMANCEREVIEW_CSV = csvio.register(csvio.CsvSpec(
    PerformanceReview, "reviews", [
        csvio.Id(),
        csvio.Field("reviewed_on"),
        _contract(),
        _contract_organization(),
        csvio.Choice("reviewer_kind"),
        csvio.Field("reviewer_name"),
        csvio.Field("output_score"),
        csvio.Field("quality_score"),
        csvio.Field("satisfaction_score"),
        csvio.Field("financial_score"),
        csvio.Field("total_score"),
        csvio.Choice("grade"),
        csvio.Field("beneficiaries_served"),
        csvio.Field("findings"),
    ],
    parent="contract",
    prepare=lambda obj, values, details: obj.derive(),
    example={"purchaser_name": "长春市朝阳区民政局", "contract_reference": "CY-2025-001",
             "reviewer_kind": "third_party", "reviewer_name": "吉林省社会组织评估中心", "reviewed_on": "2025-12-20",
             "output_score": "85", "quality_score": "80", "satisfaction_score": "90", "financial_score": "75",
             "beneficiaries_served": "58", "findings": ""},
))

AMENDMENT_CSV = csvio.register(csvio.CsvSpec(
    Amendment, "amendments", [
        csvio.Id(),
        _contract(),
        _contract_organization(),
        csvio.Field("signed_on"),
        csvio.Field("amount_change"),
        csvio.Field("new_end_on"),
        csvio.Field("reason"),
    ],
    # Natural key: an amendment is the same one when its contract, signing date and reason are (docs/csv.md):
    # importing a file again leaves the stored amendments unchanged instead of applying them twice.
    keys=[("contract", "signed_on", "reason")],
    parent="contract",
    # Each row is written through save_amendment: the contract's amount and end date move with it, with history.
    save=lambda user, obj, guard: save_amendment(user, obj, guard=guard),
    example={"purchaser_name": "长春市朝阳区民政局", "contract_reference": "CY-2025-001", "signed_on": "2025-06-30",
             "amount_change": "30000.00", "new_end_on": "2026-03-31", "reason": "服务人数增加"},
))
