"""Indicator endpoints: one row per entity and year with every indicator (docs/indicators.md) and its flag level.

The numbers come from ``dashboards.indicators`` (the same functions as the dashboard pages); this module only
narrows the entities to what the user may see, applies the entity FilterSet and the year parameters, and pages
the rows. The rows of every entity are computed at once (a bounded number of queries) and kept like the
dashboards' rows (``dashboards.caching``), so the next pages and the CSV of the same request parameters reuse
them; CSV and Excel are written by the dashboards' writers (``core.csvio.rows_response``,
``core.xlsxio.rows_response``).
"""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from core.api import ScopedModelViewSet, ThrottleFirstMixin
from core.bounds import MAX_YEAR, ApiYearField
from core.csvio import CsvRendererMixin, rows_response
from core.representation import representer
from organizations.models import Organization, Purchaser

from ..caching import cached_rows
from ..filtersets import FLAG_FILTER_CHOICES, DependencyFilterSet, PurchaserDashboardFilterSet, matches_flag
from ..flag_counts import add_flag_counts
from ..flags import Thresholds
from ..indicators import organization_indicators
from ..output import organization_output, purchaser_output
from ..purchaser_indicators import purchaser_indicators
from ..scope import default_year, finance_organizations, portfolio_purchasers
from .serializers import OrganizationYearSerializer, PurchaserYearSerializer

MAX_YEARS = 30
# Query parameters that do not change which rows are computed.
NOT_FILTERS = ("page", "page_size", "format", "flag")


class YearsSerializer(serializers.Serializer):
    """The ``year`` / ``year_min`` / ``year_max`` query parameters (``default_year`` when none is given: the
    dashboards' default, the last complete calendar year)."""

    year = ApiYearField(required=False)
    year_min = ApiYearField(required=False)
    year_max = ApiYearField(required=False)

    def validate(self, attrs):
        if "year" in attrs and ("year_min" in attrs or "year_max" in attrs):
            raise serializers.ValidationError({"year": [_("Give either year or year_min/year_max, not both.")]})
        if "year" in attrs:
            return {**attrs, "years": [attrs["year"]]}
        this_year = self.context["default_year"]
        low = attrs.get("year_min", attrs.get("year_max", this_year))
        high = attrs.get("year_max", max(low, min(this_year, MAX_YEAR)) if "year_min" in attrs else low)
        if high < low:
            raise serializers.ValidationError({"year_max": [_("year_max cannot be before year_min.")]})
        if high - low + 1 > MAX_YEARS:
            raise serializers.ValidationError(
                {"year_max": [_("At most %(count)d years at once.") % {"count": MAX_YEARS}]})
        return {**attrs, "years": list(range(low, high + 1))}


YEAR_PARAMETERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description=_("One year (default: the last complete calendar year, "
                                                             "as on the dashboards).")),
    OpenApiParameter("year_min", OpenApiTypes.INT,
                     description=_("First year of a range (instead of year); at most 30 years.")),
    OpenApiParameter("year_max", OpenApiTypes.INT, description=_("Last year of a range (default: the default year).")),
    OpenApiParameter("flag", OpenApiTypes.STR, enum=[value for value, _label in FLAG_FILTER_CHOICES],
                     description=_("Only rows whose headline is (organizations: the vulnerability status; "
                                   "purchasers: the worst flag): flagged = amber or red; red; amber; none.")),
]


class IndicatorListView(CsvRendererMixin, ThrottleFirstMixin, generics.ListAPIView):
    """Shared by both indicator endpoints: entities in scope, filtered, ordered by name, then one row per year."""

    authentication_classes = ScopedModelViewSet.authentication_classes
    filter_backends = [DjangoFilterBackend]
    compute = None
    output = None  # row -> dict of rounded values, for CSV (dashboards.output)

    def get_entities(self):
        raise NotImplementedError

    def extend(self, rows, years):
        """Add columns computed beside the indicators (one query per slice of rows)."""
        return rows

    def initial(self, request, *args, **kwargs):
        """After authentication and the permission check, before the handler: the rows are restricted to the
        entities the user may see the indicators of (``get_entities``)."""
        super().initial(request, *args, **kwargs)
        self.queryset = self.get_entities().order_by("name", "pk")

    def list(self, request, *args, **kwargs):
        params = YearsSerializer(data=request.query_params,
                                 context={"default_year": default_year(request.user)})
        params.is_valid(raise_exception=True)
        years = params.validated_data["years"]
        thresholds = Thresholds.load()

        def compute(entities, years):
            if self.output is organization_output:
                # Peers come from the same statement as the totals (one pass over the funder rows).
                return organization_indicators(entities, years, thresholds=thresholds)
            return self.extend(type(self).compute(entities, years, thresholds=thresholds), years)

        entities = self.filter_queryset(self.get_queryset())  # the dashboard's FilterSet validates ``flag`` too
        level = request.query_params.get("flag")
        # Every row in one computation over all the entities, kept for the next pages and exports like the
        # dashboards' rows (``dashboards.caching``: per process, until the data changes, at most 5 minutes). The
        # queries cost about the same for all the entities as for one page of them, so computing page by page (or
        # an export slice by slice) cost one computation per page: 21 for 10,000 organizations in pages of 500.
        # Rows come ordered like ``entities`` (name, id), then by year.
        params = [(name, request.query_params.getlist(name)) for name in sorted(request.query_params)
                  if name not in NOT_FILTERS]
        rows = cached_rows(f"api-{self.csv_filename}", request.user, years, params, thresholds,
                           lambda: compute(entities, years))
        if level:
            rows = [row for row in rows if matches_flag(row.headline, level)]
        if self.wants_xlsx():  # ?format=xlsx: the same rows as an Excel workbook (core.xlsxio)
            from core import xlsxio

            return xlsxio.rows_response(list(self.get_serializer().fields), map(self.output, rows),
                                        self.csv_filename)
        if self.wants_csv():  # ?format=csv: every row (core.csvio, the dashboards' CSV writer)
            return rows_response(list(self.get_serializer().fields), map(self.output, rows), self.csv_filename)
        page = self.paginate_queryset(rows)
        # The serializer's fields, applied without DRF's per-field machinery (core.representation: the same JSON).
        return self.get_paginated_response(representer(self.get_serializer())(page))


class OrganizationIndicatorsView(IndicatorListView):
    """Organization-year indicators of the organizations whose finances you may see."""

    serializer_class = OrganizationYearSerializer
    filterset_class = DependencyFilterSet
    queryset = Organization.objects.none()  # for the schema; rows come from get_entities()
    compute = staticmethod(organization_indicators)
    output = staticmethod(organization_output)
    csv_filename = "organization-indicators"

    def get_entities(self):
        return finance_organizations(self.request.user)

    @extend_schema(
        parameters=YEAR_PARAMETERS,
        description=_("One row per organization and year with every indicator of the methodology, the "
                      "vulnerability status with the percentiles among peers, and each indicator's flag level. "
                      "Organizations whose finances you may see, filtered like the dependency dashboard, ordered by "
                      "name then year."),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PurchaserIndicatorsView(IndicatorListView):
    """Purchaser-year indicators of the purchasers with contracts, all of which you may see."""

    serializer_class = PurchaserYearSerializer
    filterset_class = PurchaserDashboardFilterSet
    queryset = Purchaser.objects.none()
    compute = staticmethod(purchaser_indicators)
    output = staticmethod(purchaser_output)
    csv_filename = "purchaser-indicators"

    def get_entities(self):
        return portfolio_purchasers(self.request.user)

    def extend(self, rows, years):
        return add_flag_counts(rows, self.request.user, years)  # flags_<code>: as on the purchaser dashboard

    @extend_schema(
        parameters=YEAR_PARAMETERS,
        description=_("One row per purchaser and year: contract count, spend, supplier HHI, top supplier share, "
                      "single-source share, average review score, failed reviews, overdue payments, with flag "
                      "levels. Purchasers with contracts, all of which you may see, filtered like the purchaser "
                      "dashboard, ordered by name then year."),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
