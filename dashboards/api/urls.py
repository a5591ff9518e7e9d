"""API endpoints of the dashboards app, assembled under ``/api/`` by ``posc.api_urls``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .flags import FlagListView
from .views import OrganizationIndicatorsView, PurchaserIndicatorsView

router = SimpleRouter()

urlpatterns = [
    path("indicators/organizations/", OrganizationIndicatorsView.as_view(), name="indicators-organizations"),
    path("flags/", FlagListView.as_view(), name="flags"),
    path("indicators/purchasers/", PurchaserIndicatorsView.as_view(), name="indicators-purchasers"),
]
