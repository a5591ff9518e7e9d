"""Search-as-you-type for choice fields over large sets (thousands of organizations, hundreds of thousands of
contracts): ``GET /lookup/<model>/?q=…&mode=visible|editable`` answers at most ``MAX_RESULTS`` ``{id, label}``.

Rows always come from ``Model.objects.visible_to(user)`` (``editable_by`` in ``editable`` mode, for the parent a
form attaches a new object to), so the endpoint names nothing the user could not pick in the form itself.
"""

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, Expression, F, OuterRef, Q, Subquery
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.registry import registry

MAX_RESULTS = 20
MAX_QUERY_LENGTH = 100
MAX_WORDS = 10  # words of a search query beyond these are ignored
INLINE_IDS = 500  # related rows matching a word up to which their ids are written into the query

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


class InSubquery(Expression):
    """``column IN (subquery)`` as a condition over many matching rows (more than ``INLINE_IDS``), in the shape that
    suits the query it is compiled into:

    - in a page (a query with a LIMIT: a list page, a picker) on PostgreSQL, a lookup per outer row,
      ``column = ANY(ARRAY(SELECT id … WHERE id = column AND …))``: the outer rows are read in the page's order (the
      contracts by the ``signed_on`` index) and each is checked by one primary-key probe, so a common word costs
      the few dozen rows the page needs. An uncorrelated form first evaluated the subquery over every related row
      (a sequential scan: a two-character word cannot use a trigram index), 426 ms for 29,701 of the national
      set's organizations, however few contracts the page shows. An ``EXISTS`` would not do: PostgreSQL turns it
      into a hashed subplan, the same full scan.
    - anywhere else (the list's count and sum, exports), ``column IN (subquery)``: the subquery runs once and
      each outer row is checked in its hash (the previous ``= ANY(ARRAY(subquery))`` compared every outer row with
      the whole array, one by one: 4.5 s instead of 0.6 s for the count of 86,410 contracts of a province).
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, column, queryset, correlated=None):
        super().__init__()
        self.column = F(column) if isinstance(column, str) else column
        self.subquery = Subquery(queryset.values("pk")) if hasattr(queryset, "values") else queryset
        if correlated is None and hasattr(queryset, "values") and isinstance(column, str) and "__" not in column:
            correlated = Subquery(queryset.filter(pk=OuterRef(column)).values("pk"))
        self.correlated = correlated

    def get_source_expressions(self):
        return [self.column, self.subquery, self.correlated]

    def set_source_expressions(self, exprs):
        self.column, self.subquery, self.correlated = exprs

    def as_sql(self, compiler, connection):
        column, column_params = compiler.compile(self.column)
        page = compiler.query.high_mark is not None
        if connection.vendor == "postgresql" and page and self.correlated is not None:
            subquery, subquery_params = compiler.compile(self.correlated)
            template = "%s = ANY(ARRAY%s)"
        else:
            subquery, subquery_params = compiler.compile(self.subquery)
            template = "%s IN %s"
        return template % (column, subquery), (*column_params, *subquery_params)


def _forward_relation(model, path):
    """The model at the end of ``path`` (``organization`` or ``contract__organization``) when every step is a
    forward foreign key or one-to-one field; None otherwise."""
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except Exception:  # noqa: BLE001 - not a field: no grouping, search the path as given
            return None
        if not (field.many_to_one or field.one_to_one) or field.auto_created:
            return None
        model = field.related_model
    return model


def _word_condition(word, local, related):
    condition = Q()
    for field in local:
        condition |= Q(**{f"{field}__icontains": word})
    for path, (model, leaves) in related.items():
        matches = Q()
        for leaf in leaves:
            matches |= Q(**{f"{leaf}__icontains": word})
        found = model._base_manager.filter(matches).order_by()
        ids = list(found.values_list("pk", flat=True)[:INLINE_IDS + 1])
        if len(ids) <= INLINE_IDS:  # the ids themselves: the planner knows how few rows they are (often none)
            if ids:
                condition |= Q(**{f"{path}__in": ids})
        else:
            condition |= Q(InSubquery(path, found))
    return condition


def search_condition(fields, text, model=None, max_words=MAX_WORDS):
    """The ``Q`` of a multi-word search: every word of ``text`` (split on spaces, at most ``max_words``) must be
    found, case-insensitively, in at least one of ``fields``; each word may match a different field. ``None`` when
    ``text`` has no word.

    With ``model``, the fields of a related row (``organization__name``, ``organization__uscc``) are searched in that
    model first (one query per word and relation, through its trigram indexes on PostgreSQL) and the rows are then
    matched by id (``organization_id IN (…)``, or ``InSubquery`` when more than ``INLINE_IDS`` match) rather than
    through a join, so that every part of the condition can use an index and the planner knows how many rows a word
    matches (a word matching nothing costs nothing)."""
    words = list(dict.fromkeys(text.split()))[:max_words]
    if not words or not fields:
        return None
    local, related = [], {}
    for field in fields:
        path, _sep, leaf = field.rpartition("__")
        target = _forward_relation(model, path) if model is not None and path else None
        if target is None:
            local.append(field)
        else:
            related.setdefault(path, (target, []))[1].append(leaf)
    condition = Q()
    for word in words:
        condition &= _word_condition(word, local, related)
    return condition


def search(model_key, user, query="", mode="visible", limit=MAX_RESULTS):
    """The first ``limit`` rows of ``model_key`` the user may see (or change) matching ``query``."""
    model_label, fields = LOOKUPS[model_key]
    model = apps.get_model(model_label)
    queryset = getattr(model.objects, MODES[mode])(user)
    condition = search_condition(fields, query.strip()[:MAX_QUERY_LENGTH], model)
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
