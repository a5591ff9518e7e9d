from django.urls import path

from . import accountability_views, redflags, views
from .report import FundingReportView

app_name = "dashboards"

urlpatterns = [
    path("dashboards/accountability/", accountability_views.AccountabilityDashboardView.as_view(),
         name="accountability"),
    path("organizations/<int:pk>/accountability/", accountability_views.OrganizationAccountabilityView.as_view(),
         name="organization_accountability"),
    path("dashboards/dependency/", views.DependencyDashboardView.as_view(), name="dependency"),
    path("dashboards/methodology/", views.MethodologyView.as_view(), name="methodology"),
    path("dashboards/red-flags/", redflags.RedFlagsView.as_view(), name="red_flags"),
    path("dashboards/purchasers/", views.PurchaserDashboardView.as_view(), name="purchasers"),
    path("work/", views.WorkQueueView.as_view(), name="work_queue"),
    path("organizations/<int:pk>/funding/", views.OrganizationFundingView.as_view(), name="organization_funding"),
    path("organizations/<int:pk>/funding/<int:year>/report/", FundingReportView.as_view(), name="funding_report"),
    path("organizations/<int:pk>/funding/<int:year>/report.pdf", FundingReportView.as_view(pdf=True),
         name="funding_report_pdf"),
]
