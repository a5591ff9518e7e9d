"""API endpoints of the contracts app, assembled under ``/api/`` by ``posc.api_urls``."""

from rest_framework.routers import SimpleRouter

from .views import AmendmentViewSet, ContractViewSet, PaymentViewSet, PerformanceReviewViewSet

router = SimpleRouter()
router.register("contracts", ContractViewSet, basename="contract")
router.register("payments", PaymentViewSet, basename="payment")
router.register("amendments", AmendmentViewSet, basename="amendment")
router.register("reviews", PerformanceReviewViewSet, basename="performancereview")

urlpatterns = []
