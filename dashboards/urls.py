from django.urls import path

from . import redflags, views

app_name = "dashboards"

urlpatterns = [
    path("dashboards/dependency/", views.DependencyDashboardView.as_view(), name="dependency"),
    path("dashboards/methodology/", views.MethodologyView.as_view(), name="methodology"),
    path("dashboards/red-flags/", redflags.RedFlagsView.as_view(), name="red_flags"),
    path("dashboards/purchasers/", views.PurchaserDashboardView.as_view(), name="purchasers"),
    path("organizations/<int:pk>/funding/", views.OrganizationFundingView.as_view(), name="organization_funding"),
]
