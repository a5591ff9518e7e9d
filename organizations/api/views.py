"""API viewsets of the organizations app: every row through ``visible_to``, filters from the app's FilterSets."""

from django.db.models import Prefetch

from core.api import ScopedModelViewSet, describe_actions

from ..filtersets import (
    AnnualReportFilterSet,
    IncomeRecordFilterSet,
    KeyPersonFilterSet,
    OrganizationFilterSet,
    PurchaserFilterSet,
    RegionFilterSet,
)
from ..models import AnnualReport, IncomeRecord, KeyPerson, Organization, Purchaser, Region
from .serializers import (
    AnnualReportSerializer,
    IncomeRecordSerializer,
    KeyPersonSerializer,
    OrganizationSerializer,
    PurchaserSerializer,
    RegionSerializer,
)


@describe_actions(Region)
class RegionViewSet(ScopedModelViewSet):
    """Administrative divisions (行政区划). Everyone reads them; administrators change them."""

    queryset = Region.objects.select_related("parent")
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet
    ordering_fields = ["id", "code", "name", "level", "path"]


@describe_actions(Purchaser)
class PurchaserViewSet(ScopedModelViewSet):
    """Purchasers (购买主体): public profiles, read by every role."""

    queryset = Purchaser.objects.select_related("region")
    serializer_class = PurchaserSerializer
    filterset_class = PurchaserFilterSet
    ordering_fields = ["id", "name", "uscc", "level", "kind", "is_active", "region__code"]


@describe_actions(Organization)
class OrganizationViewSet(ScopedModelViewSet):
    """Undertaking organizations (承接主体): public profiles."""

    queryset = Organization.objects.select_related("region", "business_supervisory_unit").prefetch_related(
        Prefetch("key_persons", queryset=KeyPerson.objects.select_related("organization", "post_purchaser")))
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["id", "name", "uscc", "legal_form", "charity_status", "registered_on", "staff_count",
                       "volunteer_count", "region__code"]


@describe_actions(KeyPerson)
class KeyPersonViewSet(ScopedModelViewSet):
    """Key persons of organizations and their government posts (part of the public profile)."""

    queryset = KeyPerson.objects.select_related("organization", "post_purchaser")
    serializer_class = KeyPersonSerializer
    filterset_class = KeyPersonFilterSet
    ordering_fields = ["id", "name", "role", "post_from", "post_to", "organization__name"]


@describe_actions(IncomeRecord)
class IncomeRecordViewSet(ScopedModelViewSet):
    """Income of organizations other than payments under tracked contracts."""

    queryset = IncomeRecord.objects.select_related("organization", "funder_purchaser")
    serializer_class = IncomeRecordSerializer
    filterset_class = IncomeRecordFilterSet
    ordering_fields = ["id", "fiscal_year", "source", "amount", "restricted_amount", "organization__name"]


@describe_actions(AnnualReport)
class AnnualReportViewSet(ScopedModelViewSet):
    """Organizations' annual financial figures."""

    queryset = AnnualReport.objects.select_related("organization")
    serializer_class = AnnualReportSerializer
    filterset_class = AnnualReportFilterSet
    ordering_fields = ["id", "fiscal_year", "total_expenses", "program_expenses", "management_expenses",
                       "net_assets_unrestricted", "organization__name"]
