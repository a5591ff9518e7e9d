"""Probes and small routes outside the apps.

``/healthz``  liveness: the process answers (no database query; also the benchmarks' framework floor).
``/readyz``   readiness: the database answers ``SELECT 1`` (503 otherwise, within the connect timeout).
"""

from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.middleware import RETRY_AFTER_SECONDS


@require_GET
@never_cache
def healthz(request):
    """Answer ``ok`` whenever the application is up; touches no database and no template."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_GET
@never_cache
def readyz(request):
    """Answer ``ok`` when the database answers, ``503 database unavailable`` (with ``Retry-After``) otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        response = HttpResponse("database unavailable", status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the static icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
