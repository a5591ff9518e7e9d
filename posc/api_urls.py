"""URLs of the REST API, mounted at ``/api/`` (namespace ``api``): one router for every app's viewsets, the
indicator endpoints, the OpenAPI schema and the Swagger UI (served from drf-spectacular-sidecar, no CDN; both for
signed-in users only)."""

from importlib import import_module

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView, DefaultRouter

from core.api import ScopedModelViewSet, ThrottleFirstMixin

app_name = "api"

# The apps whose ``<app>.api.urls`` (a ``router`` and extra ``urlpatterns``) make the API, in the order the API
# root lists their endpoints.
API_APPS = ["organizations", "contracts", "dashboards", "ocds"]


class RootView(ThrottleFirstMixin, APIRootView):
    """The list of endpoints at ``/api/`` (same authentication as the endpoints: 401 without credentials)."""

    authentication_classes = ScopedModelViewSet.authentication_classes


class Router(DefaultRouter):
    APIRootView = RootView


router = Router()
app_patterns = []
for app in API_APPS:
    module = import_module(f"{app}.api.urls")
    router.registry.extend(module.router.registry)
    app_patterns += module.urlpatterns

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Signed-in users only (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] guards the schema); the split view serves
    # the Swagger UI's start-up script as a file, so the Content-Security-Policy needs no inline script.
    path("docs/", login_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    *app_patterns,
    path("", include(router.urls)),
]
