"""Search-as-you-type for choice fields over large sets (thousands of organizations, hundreds of thousands of
contracts): ``GET /lookup/<model>/?q=…&mode=visible|editable`` answers at most ``MAX_RESULTS`` ``{id, label}``.

Rows always come from ``Model.objects.visible_to(user)`` (``editable_by`` in ``editable`` mode, for the parent a
form attaches a new object to), so the endpoint names nothing the user could not pick in the form itself.
"""

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.registry import registry

MAX_RESULTS = 20
MAX_QUERY_LENGTH = 100
MAX_WORDS = 10  # words of a search query beyond these are ignored

# URL key → (model label, fields searched case-insensitively), registered by the apps
# (``core.registry.register_lookup``). core.forms uses the same table to decide which choice fields get the search
# widget.
LOOKUPS = registry["lookups"]
MODES = {"visible": "visible_to", "editable": "editable_by"}


def lookup_key(model):
    """The ``LOOKUPS`` key of ``model`` (None when its choice fields keep the plain ``<select>``)."""
    label = model._meta.label_lower
    for key, (model_label, _fields) in LOOKUPS.items():
        if model_label.lower() == label:
            return key
    return None


def search_condition(fields, text, max_words=MAX_WORDS):
    """The ``Q`` of a multi-word search: every word of ``text`` (split on spaces, at most ``max_words``) must be
    found, case-insensitively, in at least one of ``fields``; each word may match a different field. ``None`` when
    ``text`` has no word."""
    words = list(dict.fromkeys(text.split()))[:max_words]
    if not words or not fields:
        return None
    condition = Q()
    for word in words:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return condition


def search(model_key, user, query="", mode="visible", limit=MAX_RESULTS):
    """The first ``limit`` rows of ``model_key`` the user may see (or change) matching ``query``."""
    model_label, fields = LOOKUPS[model_key]
    model = apps.get_model(model_label)
    queryset = getattr(model.objects, MODES[mode])(user)
    condition = search_condition(fields, query.strip()[:MAX_QUERY_LENGTH])
    if condition is not None:
        queryset = queryset.filter(condition)
    return list(queryset[:limit])


def bad_parameter(name, message):
    """400 ``{parameter: [message]}``, as the API and the CSV exports answer a bad query parameter."""
    return JsonResponse({name: [str(message)]}, status=400, json_dumps_params={"ensure_ascii": False})


def labels(model, rows):
    """The labels of ``rows`` in the picker: ``str(row)``, or what the model's ``lookup_labels(rows)`` classmethod
    answers (regions: the name with the regions above it, so that two districts of the same name differ)."""
    label_rows = getattr(model, "lookup_labels", None)
    return label_rows(rows) if label_rows else [str(row) for row in rows]


@require_GET
@login_required
def lookup(request, model):
    """JSON ``{"results": [{"id": 1, "label": "…"}, …]}``: at most 20 matches among the user's rows."""
    if model not in LOOKUPS:
        raise Http404
    mode = request.GET.get("mode", "visible")
    if mode not in MODES:
        return bad_parameter("mode", _("Choose visible or editable."))
    query = request.GET.get("q", "")
    if "\x00" in query:  # PostgreSQL refuses NUL in a string: a 400 naming the parameter, not a server error
        return bad_parameter("q", _("Null characters are not allowed."))
    rows = search(model, request.user, query, mode)
    names = labels(apps.get_model(LOOKUPS[model][0]), rows)
    return JsonResponse({"results": [{"id": row.pk, "label": name} for row, name in zip(rows, names, strict=True)]})
