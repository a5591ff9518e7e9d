"""The error pages (``handler400``/``403``/``404``/``500`` in ``posc.urls``): translated, inside the site's layout,
with the navigation for a signed-in user; the 403 page shows the reason of the refusal (the ``PermissionDenied``
message). Django's own 400 and 500 handlers render without the request, hence without the navigation.

A 500 page is first rendered like the others; if that fails too (the database the menu needs is down, a broken
template), a page without the request context is served, then a bare one: the error page itself never fails.
"""

import logging

from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def _render(request, template_name, status, context=None):
    # A request refused before LocaleMiddleware ran (core.middleware) has no language yet: choose it here.
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(request)
    with translation.override(language):
        return _render_in_language(request, template_name, status, context)


def _render_in_language(request, template_name, status, context):
    try:
        return HttpResponse(loader.render_to_string(template_name, context or {}, request), status=status)
    except Exception:  # noqa: BLE001 - an error page must not fail: retry without the request (no navigation)
        logger.exception("Rendering %s with the request failed", template_name)
    try:
        return HttpResponse(loader.render_to_string(template_name, context or {}), status=status)
    except Exception:  # noqa: BLE001
        logger.exception("Rendering %s failed", template_name)
    return HttpResponse(f"<!doctype html><title>{status}</title><h1>{status}</h1>", status=status)


def _reason(exception):
    """The message of a ``PermissionDenied("…")`` (empty when it has none)."""
    return str(exception) if exception is not None else ""


@requires_csrf_token
def bad_request(request, exception=None):
    return _render(request, "400.html", 400)


@requires_csrf_token
def permission_denied(request, exception=None):
    return _render(request, "403.html", 403, {"reason": _reason(exception)})


@requires_csrf_token
def page_not_found(request, exception=None):
    return _render(request, "404.html", 404, {"request_path": request.path})


@requires_csrf_token
def server_error(request):
    return _render(request, "500.html", 500)
