"""``/api/flags/``: the flagged contracts you may see, with each flag's level and evidence (docs/integrity.md).

Filters: ``year`` (signed in that year), ``code``, ``level``, ``purchaser``, ``organization``, ``region`` (and
below), ``q``. One row per contract; ``?format=csv`` streams one row per flag instead."""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers

from contracts.api.serializers import ContractFlagSerializer
from contracts.models import Contract
from core.api import ScopedModelViewSet, ThrottleFirstMixin
from core.csvio import CsvRendererMixin, rows_response

from ..integrity import FlagSettings, any_flag, flags_for, with_flags
from ..panels import flag_dict
from ..redflags import CSV_COLUMNS, RedFlagFilterSet, contracts_of, csv_rows_of, flagged_set


class FlaggedContractSerializer(serializers.Serializer):
    contract = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    purchaser = serializers.IntegerField(source="purchaser_id")
    purchaser_name = serializers.CharField(source="purchaser.name")
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    signed_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    flags = serializers.SerializerMethodField()

    @extend_schema_field(ContractFlagSerializer(many=True))
    def get_flags(self, obj):
        return [flag_dict(f) for f in self.context["flags"].get(obj.pk, [])]


class FlagListView(CsvRendererMixin, ThrottleFirstMixin, generics.ListAPIView):
    """Flagged contracts in your scope, newest first."""

    authentication_classes = ScopedModelViewSet.authentication_classes
    serializer_class = FlaggedContractSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RedFlagFilterSet
    queryset = Contract.objects.none()  # for the schema; rows come from initial()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.flag_settings = FlagSettings.load()  # not ``settings``: APIView.settings holds DRF's own
        self.queryset = (with_flags(Contract.objects.visible_to(request.user), self.flag_settings)
                         .select_related("purchaser", "organization").filter(any_flag()).order_by("-signed_on", "-id"))

    def list(self, request, *args, **kwargs):
        # The flagged contracts are computed once (one query, cached like the red-flags page's); only the page's
        # rows are read whole, with their levels (docs/performance.md).
        params = {k: v for k, v in request.query_params.items() if k not in ("page", "page_size", "format")}
        _filterset, flagged = flagged_set(request.user, params, self.flag_settings, "-signed_on", request,
                                          strict=True)
        if self.wants_csv():
            return rows_response(CSV_COLUMNS, csv_rows_of(flagged.ids, request.user, self.flag_settings), "flags")
        page = contracts_of(self.paginate_queryset(list(flagged.ids)), self.flag_settings)
        flags = flags_for(page, request.user, self.flag_settings)
        code = request.query_params.get("code")
        if code:
            flags = {pk: [f for f in fs if f.code == code] for pk, fs in flags.items()}
        serializer = self.get_serializer(page, many=True, context={**self.get_serializer_context(), "flags": flags})
        return self.get_paginated_response(serializer.data)

    @extend_schema(description=_("Contracts carrying integrity flags (docs/integrity.md), in your scope, with each "
                                 "flag's code, level and evidence. year: contracts signed in that year; code: one "
                                 "flag; level: amber or red. ?format=csv gives one row per flag."))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
