"""OCDS API URLs, included under ``/api/ocds/`` (namespace ``api``)."""

from django.urls import path

from .api.views import RecordPackageView, ReleasePackageView

urlpatterns = [
    path("releases/", ReleasePackageView.as_view(), name="ocds-releases"),
    path("records/<str:ocid>/", RecordPackageView.as_view(), name="ocds-record"),
]
