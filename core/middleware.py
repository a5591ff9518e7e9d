"""Answer a translated 503 page (with ``Retry-After``) instead of a 500 when the database cannot be reached.

With a short connect timeout (``DATABASE_CONNECT_TIMEOUT``, and the pool's ``timeout``) a request that needs an
unreachable database fails within seconds; this turns that failure into "come back shortly" for people and API
clients alike. ``/readyz`` tells a load balancer the same thing; ``/healthz`` stays the liveness probe.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger("posc.database")

RETRY_AFTER_SECONDS = 30


def database_unavailable_response(request):
    """The 503 answer: JSON under ``/api/``, otherwise the stand-alone page (rendered without the request, so no
    context processor touches the database)."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": _("The database is unavailable. Please try again shortly.")}, status=503)
    else:
        html = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
            return database_unavailable_response(request)
        return None
