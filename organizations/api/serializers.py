"""Serializers of the organizations app: field names are the model field names; each foreign key comes with a
read-only ``<field>_name``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import writes
from core.api import ModelCleanSerializer, name_field

from ..choices import ServiceCategory
from ..models import AnnualReport, IncomeRecord, KeyPerson, Organization, Purchaser, Region

# Who may see what depends on the region: a non-administrator sending a different one gets 400 on ``region``.
REGION_HELP = writes.SCOPE_FIELD_HELP

CONTACT_FIELDS = ["contact_person", "phone", "email", "address"]


class RegionSerializer(ModelCleanSerializer):
    """An administrative division; ``path`` lists the codes from the root (read-only)."""

    parent_name = name_field("parent.name", nullable=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "parent_name", "path"]
        read_only_fields = ["path"]


class PurchaserSerializer(ModelCleanSerializer):
    """A government body that buys services (购买主体)."""

    region_name = name_field("region.name")

    class Meta:
        model = Purchaser
        fields = ["id", "name", "uscc", "region", "region_name", "level", "kind", "is_active", *CONTACT_FIELDS]
        extra_kwargs = {"region": {"help_text": REGION_HELP}}


class KeyPersonSerializer(ModelCleanSerializer):
    """A leader of an organization and, optionally, a government post they hold or held (``post_to`` empty =
    current). Part of the organization's public profile; changed by whoever may change the organization."""

    editable_relations = ("organization",)
    organization_name = name_field("organization.name")
    post_purchaser_name = name_field("post_purchaser.name", nullable=True)

    class Meta:
        model = KeyPerson
        fields = ["id", "organization", "organization_name", "name", "role", "post_purchaser",
                  "post_purchaser_name", "post_title", "post_from", "post_to"]


class OrganizationSerializer(ModelCleanSerializer):
    """An undertaking organization (承接主体): its public profile."""

    service_scope = serializers.ListField(
        child=serializers.ChoiceField(choices=ServiceCategory.choices), required=False, allow_empty=True,
        help_text=_("The service categories of its registered business scope (业务范围)."),
    )
    key_persons = KeyPersonSerializer(many=True, read_only=True,
                                      help_text=_("Key persons (read-only here; changed under /api/key-persons/)."))
    region_name = name_field("region.name")
    business_supervisory_unit_name = name_field("business_supervisory_unit.name", nullable=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "uscc", "legal_form", "charity_status", "registered_on", "region", "region_name",
                  "business_supervisory_unit", "business_supervisory_unit_name", "legal_representative",
                  "staff_count", "volunteer_count", *CONTACT_FIELDS, "description", "service_scope", "key_persons"]
        extra_kwargs = {"region": {"help_text": REGION_HELP}}


class IncomeRecordSerializer(ModelCleanSerializer):
    """Income of an organization other than payments under tracked contracts, by fiscal year."""

    editable_relations = ("organization",)
    organization_name = name_field("organization.name")
    funder_purchaser_name = name_field("funder_purchaser.name", nullable=True)

    class Meta:
        model = IncomeRecord
        fields = ["id", "organization", "organization_name", "fiscal_year", "source", "funder_name",
                  "funder_purchaser", "funder_purchaser_name", "amount", "restricted_amount", "note"]


class AnnualReportSerializer(ModelCleanSerializer):
    """An organization's annual financial figures for one fiscal year (one per organization and year)."""

    editable_relations = ("organization",)
    organization_name = name_field("organization.name")

    class Meta:
        model = AnnualReport
        fields = ["id", "organization", "organization_name", "fiscal_year", "total_expenses", "program_expenses",
                  "management_expenses", "fundraising_expenses", "personnel_costs", "net_assets_unrestricted",
                  "net_assets_restricted", "staff_count", "reported_government_income"]
