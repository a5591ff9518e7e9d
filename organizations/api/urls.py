"""API endpoints of the organizations app, assembled under ``/api/`` by ``posc.api_urls``."""

from rest_framework.routers import SimpleRouter

from .views import (
    AnnualReportViewSet,
    IncomeRecordViewSet,
    KeyPersonViewSet,
    OrganizationViewSet,
    PurchaserViewSet,
    RegionViewSet,
)

router = SimpleRouter()
router.register("regions", RegionViewSet, basename="region")
router.register("purchasers", PurchaserViewSet, basename="purchaser")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("key-persons", KeyPersonViewSet, basename="keyperson")
router.register("income-records", IncomeRecordViewSet, basename="incomerecord")
router.register("annual-reports", AnnualReportViewSet, basename="annualreport")

urlpatterns = []
