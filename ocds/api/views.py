"""OCDS endpoints: ``/api/ocds/releases/?year=Y`` (a release package, streamed) and ``/api/ocds/records/{ocid}/``
(a record package). Contracts come from ``Contract.objects.visible_to(user)``: a user gets what they may see."""

from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.models import Contract
from core.api import ScopedModelViewSet, ThrottleFirstMixin

from .. import packages
from ..mapping import contract_id_from_ocid, iter_releases, published_contracts
from ..packages import record_package, release_package_text_chunks

MIN_YEAR, MAX_YEAR = 1990, 2100
JSON = "application/json; charset=utf-8"


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)


def contracts_of_year(user, year=None):
    """The contracts ``user`` may see, signed in ``year`` (all years when None)."""
    queryset = Contract.objects.visible_to(user)
    if year is not None:
        queryset = queryset.filter(signed_on__year=year)
    return queryset


class OcdsView(ThrottleFirstMixin, APIView):
    authentication_classes = ScopedModelViewSet.authentication_classes
    permission_classes = [IsAuthenticated]


class ReleasePackageView(OcdsView):
    @extend_schema(
        operation_id="ocds_releases",
        summary=_("OCDS release package"),
        description=_("Every published contract you may see (drafts are not published), one OCDS 1.1 release "
                      "each, as one release package (streamed). Mapping: docs/ocds.md."),
        parameters=[OpenApiParameter("year", OpenApiTypes.INT, description=_(
            "Only contracts signed in this year (1990–2100); all years when absent."))],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description=_("An OCDS 1.1 release package.")),
                   400: OpenApiResponse(description=_("Invalid year.")),
                   404: OpenApiResponse(description=_("No published contract matches."))},
    )
    def get(self, request):
        params = YearSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        year = params.validated_data.get("year")
        queryset = contracts_of_year(request.user, year)
        if not published_contracts(queryset).exists():  # a release package holds at least one release
            raise Http404(_("No published contract matches."))
        uri = request.build_absolute_uri()
        # The releases are read while the response is sent (PostgreSQL: one COPY, which holds the connection
        # until it ends, so it starts only after the middleware has seen the response).
        chunks = (chunk.encode() for chunk in release_package_text_chunks(uri, packages.release_texts(queryset)))
        response = StreamingHttpResponse(chunks, content_type=JSON)
        name = f"ocds-releases-{year}.json" if year else "ocds-releases.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response


class RecordPackageView(OcdsView):
    @extend_schema(
        operation_id="ocds_record",
        summary=_("OCDS record package"),
        description=_("The record of one contracting process: its releases and the compiled release."),
        parameters=[OpenApiParameter("ocid", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     description=_("The ocid, e.g. ocds-posc00-123."))],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description=_("An OCDS 1.1 record package.")),
                   404: OpenApiResponse(description=_("Not found."))},
    )
    def get(self, request, ocid):
        contract_id = contract_id_from_ocid(ocid)
        if contract_id is None:
            raise Http404
        queryset = published_contracts(Contract.objects.visible_to(request.user)).filter(pk=contract_id)
        releases = list(iter_releases(queryset))
        if not releases:
            raise Http404
        signed_year = queryset.values_list("signed_on__year", flat=True)[0]
        packages = [request.build_absolute_uri(reverse("api:ocds-releases") + f"?year={signed_year}")]
        package = record_package(request.build_absolute_uri(), releases, packages)
        return Response(package, content_type=JSON, headers={"Cache-Control": "no-store"})
