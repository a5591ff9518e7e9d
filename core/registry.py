"""What the shared base needs to know about the apps, filled by the apps at start-up.

``core`` imports no app. Where a generic page or helper needs app knowledge (which models the search pickers
offer, whose history appears on a parent's page, which tables the data version reads, what a higher app adds to
a lower app's detail page) each app registers it from its ``AppConfig.ready()``, the way the admin site is filled
by each app's ``admin.py``. The base reads the registry when it answers a request, never at import time.

Keys (``registry[key]``):

``lookups``            {URL key: (model label, fields searched)}: ``/lookup/<key>/`` and the search-picker widget
                       of every form field whose model is listed. ``register_lookup()``.
``history_children``   {parent model label (lower case): [(related manager, fk name)]}: related objects whose
                       changes appear in the parent's history. ``register_history_children()``.
``history_subjects``   {model label (lower case): field names}: the fields that name such a child in its parent's
                       history ("payment: advance · 2025-03-01 · 30,000.00"). ``register_history_children()``.
``versioned_models``   [model label]: the models whose latest history id makes the data version that keys the
                       caches of aggregated pages. ``register_versioned_models()``.
``detail_panels``      {model label (lower case): [function(request, obj) → dict]}: what a higher app shows on a
                       lower app's detail page (a purchaser's contracts, an organization's funding mix); each
                       function's dict is added to the page's template context. ``register_detail_panel()``.
``list_annotations``   {model label (lower case): [function(queryset, user) → queryset]}: columns a higher app adds
                       to a lower app's list page (a purchaser's visible contract count).
                       ``register_list_annotation()``.
``api_values``         {model label (lower case): {field name: function(objects, user) → {pk: value}}}: read-only
                       values a higher app adds to a lower app's API rows (a contract's integrity flags), computed
                       for a whole page of objects at once. ``register_api_value()``.
``bulk_writes``        [function(model, objects)]: told of writes that send no model signals (the CSV import's
                       ``bulk_create`` and ``UPDATE``s), once before the write and once after it, with the objects
                       written (a higher app's precomputed data follows them). ``register_bulk_write()``.
``write_batches``      [function() → context manager]: entered around such a writer's whole write, inside its
                       transaction (precomputed data refreshed once per file, not per row).
                       ``register_bulk_write()``.
"""

import contextlib

registry = {
    "lookups": {},
    "history_children": {},
    "history_subjects": {},
    "versioned_models": [],
    "detail_panels": {},
    "list_annotations": {},
    "api_values": {},
    "bulk_writes": [],
    "write_batches": [],
}


def _label(model):
    """``"app.Model"`` → ``"app.model"``; a model class → its lower-case label."""
    return model.lower() if isinstance(model, str) else model._meta.label_lower


def register_lookup(key, model_label, fields):
    """Offer ``model_label`` at ``/lookup/<key>/``, searched case-insensitively in ``fields``."""
    registry["lookups"][key] = (model_label, tuple(fields))


def register_history_children(parent, children, subject_fields=None):
    """Show the changes of ``children`` ([(related manager, fk name)]) in ``parent``'s history; ``subject_fields``
    ({child model label: field names}) name each child there."""
    registered = registry["history_children"].setdefault(_label(parent), [])
    for child in children:
        if tuple(child) not in registered:
            registered.append(tuple(child))
    for model, names in (subject_fields or {}).items():
        registry["history_subjects"][_label(model)] = tuple(names)


def register_versioned_models(*labels):
    """Count writes to ``labels`` (``"app.Model"``, with django-simple-history) in the data version."""
    for label in labels:
        if label not in registry["versioned_models"]:
            registry["versioned_models"].append(label)


def register_detail_panel(model, function):
    """Add ``function(request, obj)``'s dict to the context of ``model``'s detail page."""
    panels = registry["detail_panels"].setdefault(_label(model), [])
    if function not in panels:
        panels.append(function)


def register_list_annotation(model, function):
    """Pass the queryset of ``model``'s list page through ``function(queryset, user)``."""
    functions = registry["list_annotations"].setdefault(_label(model), [])
    if function not in functions:
        functions.append(function)


def detail_panels(model):
    return registry["detail_panels"].get(_label(model), [])


def list_annotations(model):
    return registry["list_annotations"].get(_label(model), [])


def register_api_value(model, name, function):
    """Fill the read-only API field ``name`` of ``model`` with ``function(objects, user)[obj.pk]``."""
    registry["api_values"].setdefault(_label(model), {})[name] = function


def api_values(model, objects, user):
    """``{field name: {pk: value}}`` of the values registered for ``model``, for ``objects`` (a page)."""
    return {name: function(objects, user) for name, function in registry["api_values"].get(_label(model), {}).items()}


def register_bulk_write(function, batch=None):
    """Call ``function(model, objects)`` before and after every write without signals (``bulk_written``);
    ``batch``: a context manager factory entered around each such writer's whole write (``write_batch``)."""
    if function not in registry["bulk_writes"]:
        registry["bulk_writes"].append(function)
    if batch is not None and batch not in registry["write_batches"]:
        registry["write_batches"].append(batch)


def bulk_written(model, objects):
    """Tell the registered apps that ``objects`` of ``model`` are about to be (or were) written without signals."""
    for function in registry["bulk_writes"]:
        function(model, objects)


@contextlib.contextmanager
def write_batch():
    """The registered batch contexts, entered around a writer's whole write (inside its transaction)."""
    with contextlib.ExitStack() as stack:
        for factory in registry["write_batches"]:
            stack.enter_context(factory())
        yield
