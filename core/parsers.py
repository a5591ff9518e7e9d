"""The API's JSON parser: a request body must be one JSON object, of bounded size and nesting, without NUL.

DRF's own ``JSONParser`` hands any JSON value to the serializers (``[]``, ``"x"``, ``1`` made every write fail
with a server error), lets a deeply nested document exhaust the recursion limit, and reads the request stream
without Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` check. This one answers 400 (or 413 for a body over the limit)
with a message saying what is wrong.
"""

import json

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20  # an API body is a flat object of fields; a few levels leave room for lists of ids


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


def max_body_bytes():
    """The largest body read (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``; None = no limit)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _refuse_constant(name):
    raise ValueError(name)  # NaN, Infinity, -Infinity are not JSON


def check_shape(data, max_depth=MAX_DEPTH):
    """Raise ``ParseError`` unless ``data`` nests at most ``max_depth`` levels and no string (key or value)
    holds a NUL character. Iterative: no recursion on hostile input."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > max_depth:
                raise exceptions.ParseError(
                    _("The JSON body is nested more than %(depth)d levels deep.") % {"depth": max_depth})
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    raise exceptions.ParseError(_("Null characters are not allowed."))
                stack.append((item, depth + 1))
        elif isinstance(value, str) and "\x00" in value:
            raise exceptions.ParseError(_("Null characters are not allowed."))


class JSONObjectParser(JSONParser):
    """``application/json`` bodies: one object, at most ``max_body_bytes()`` bytes and ``MAX_DEPTH`` levels."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = max_body_bytes()
        request = parser_context.get("request")
        declared = getattr(request, "META", {}).get("CONTENT_LENGTH") if request is not None else None
        try:
            declared = int(declared) if declared else None
        except ValueError:
            declared = None
        if limit is not None and declared is not None and declared > limit:
            raise RequestTooLarge()
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise exceptions.ParseError(_("The JSON body is not valid %(encoding)s text.")
                                        % {"encoding": encoding}) from exc
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except RecursionError as exc:
            raise exceptions.ParseError(
                _("The JSON body is nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH}) from exc
        except ValueError as exc:
            raise exceptions.ParseError(_("The body is not valid JSON: %(error)s") % {"error": exc}) from exc
        if not isinstance(data, dict):
            raise exceptions.ParseError(_("The JSON body must be an object: {…} with the fields."))
        check_shape(data)
        return data

