"""API endpoints of the ocds app, assembled under ``/api/`` by ``posc.api_urls``: the release and record packages
(``ocds.urls``) under ``/api/ocds/``."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = [
    path("ocds/", include("ocds.urls")),
]
