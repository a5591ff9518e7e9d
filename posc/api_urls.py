"""URLs of the REST API, mounted at ``/api/`` (namespace ``api``): one router for every app's viewsets, the
indicator endpoints, the OpenAPI schema and the Swagger UI (served from drf-spectacular-sidecar, no CDN; both for
signed-in users only)."""

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView, DefaultRouter

from contracts.api.views import ContractViewSet, PaymentViewSet, PerformanceReviewViewSet
from dashboards.api.views import OrganizationIndicatorsView, PurchaserIndicatorsView
from organizations.api.views import (
    AnnualReportViewSet,
    IncomeRecordViewSet,
    OrganizationViewSet,
    PurchaserViewSet,
    RegionViewSet,
)
from posc.api import ScopedModelViewSet, ThrottleFirstMixin

app_name = "api"


class RootView(ThrottleFirstMixin, APIRootView):
    """The list of endpoints at ``/api/`` (same authentication as the endpoints: 401 without credentials)."""

    authentication_classes = ScopedModelViewSet.authentication_classes


class Router(DefaultRouter):
    APIRootView = RootView


router = Router()
router.register("regions", RegionViewSet, basename="region")
router.register("purchasers", PurchaserViewSet, basename="purchaser")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("income-records", IncomeRecordViewSet, basename="incomerecord")
router.register("annual-reports", AnnualReportViewSet, basename="annualreport")
router.register("contracts", ContractViewSet, basename="contract")
router.register("payments", PaymentViewSet, basename="payment")
router.register("reviews", PerformanceReviewViewSet, basename="performancereview")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Signed-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] guards the schema); the split view serves
    # the Swagger UI's start-up script as a file, so the Content-Security-Policy needs no inline script.
    path("docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("indicators/organizations/", OrganizationIndicatorsView.as_view(), name="indicators-organizations"),
    path("indicators/purchasers/", PurchaserIndicatorsView.as_view(), name="indicators-purchasers"),
    path("ocds/", include("ocds.urls")),
    path("", include(router.urls)),
]
