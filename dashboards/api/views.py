"""Indicator endpoints: one row per entity and year with every indicator (docs/indicators.md) and its flag level.

The numbers come from ``dashboards.indicators`` (the same functions as the dashboard pages); this module only
narrows the entities to what the user may see, applies the entity FilterSet and the year parameters, and pages
the rows. A page computes the indicators of the entities on that page only (a bounded number of queries).
"""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from core.api import ScopedModelViewSet, ThrottleFirstMixin
from core.bounds import MAX_YEAR, ApiYearField
from core.csvio import CsvRendererMixin, rows_response
from organizations.models import Organization, Purchaser

from ..filtersets import FLAG_FILTER_CHOICES, DependencyFilterSet, PurchaserDashboardFilterSet, matches_flag
from ..flag_counts import add_flag_counts
from ..flags import Thresholds
from ..indicators import organization_indicators
from ..output import organization_output, purchaser_output
from ..purchaser_indicators import purchaser_indicators
from ..scope import default_year, finance_organizations, portfolio_purchasers
from ..vulnerability import peer_standing
from .serializers import OrganizationYearSerializer, PurchaserYearSerializer

MAX_YEARS = 30


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


class IndicatorRows:
    """The rows of ``entities`` × ``years`` computed lazily, slice by slice, for the paginator."""

    def __init__(self, entities, years, compute):
        self.entities = entities
        self.years = years
        self.compute = compute
        self._length = None

    def __len__(self):
        if self._length is None:
            self._length = self.entities.count() * len(self.years)
        return self._length

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        start, stop, _step = index.indices(len(self))
        if start >= stop:
            return []
        per = len(self.years)
        ids = list(self.entities.values_list("pk", flat=True)[start // per:(stop - 1) // per + 1])
        model = self.entities.model
        rows = self.compute(model.objects.filter(pk__in=ids), self.years)
        position = {pk: i for i, pk in enumerate(ids)}
        key = model._meta.model_name
        rows.sort(key=lambda r: (position[getattr(r, key)], r.year))
        offset = (start // per) * per
        return rows[start - offset:stop - offset]


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
        shared = {}  # organizations: the peer standing of the years, computed once for every slice

        def compute(entities, years):
            if self.output is organization_output:
                if "peers" not in shared:
                    shared["peers"] = peer_standing(years)
                return organization_indicators(entities, years, thresholds=thresholds, peers=shared["peers"])
            return self.extend(type(self).compute(entities, years, thresholds=thresholds), years)

        entities = self.filter_queryset(self.get_queryset())  # the dashboard's FilterSet validates ``flag`` too
        level = request.query_params.get("flag")
        if level or self.wants_csv() or self.wants_xlsx():
            # Every row: one computation over all the entities, like the dashboards (its queries cost about the
            # same for all entities as for a slice of them, so computing slice by slice cost one computation per
            # 500 entities: 21 over 10,000 organizations). Rows come ordered like ``entities``, then by year.
            rows = compute(entities, years)
            if level:
                rows = [row for row in rows if matches_flag(row.headline, level)]
        else:
            rows = IndicatorRows(entities, years, compute)  # a page: the entities of that page only
        if self.wants_xlsx():  # ?format=xlsx: the same rows as an Excel workbook (core.xlsxio)
            from core import xlsxio

            return xlsxio.rows_response(list(self.get_serializer().fields), map(self.output, rows),
                                        self.csv_filename)
        if self.wants_csv():  # ?format=csv: every row (core.csvio, the dashboards' CSV writer)
            return rows_response(list(self.get_serializer().fields), map(self.output, rows), self.csv_filename)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


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
