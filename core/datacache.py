"""Keys for caching what is computed from the data a user may see, valid until the data changes.

``data_version()`` reads, in one query, the latest change-history id of every model whose rows pages aggregate
(contracts, payments, reviews, organizations, purchasers, income records, annual reports: the apps register them).
Every save and delete made through the application (pages, API, CSV import, admin) writes a history row, so a key
that contains the version changes with the first write, in every server process. Writes that bypass the history
(raw SQL, ``QuerySet.update``, the benchmark data set) are seen once the cached entry expires.

``scope_key(user)`` is what decides which rows the user may see (``core.roles.get_scope``).
"""

import hashlib

from django.apps import apps
from django.db import connections, router

from core.registry import registry
from core.roles import get_scope

# "app.Model" labels, registered by the apps (``core.registry.register_versioned_models``).
VERSIONED_MODELS = registry["versioned_models"]


def data_version(request=None):
    """The latest history id of each model in ``VERSIONED_MODELS`` (one query, each an index lookup).

    With a GET or HEAD ``request`` (which writes nothing) the answer is read once and kept on the request, so that
    the several caches one page consults cost one query between them."""
    if request is not None and request.method in ("GET", "HEAD"):
        if not hasattr(request, "_posc_data_version"):
            request._posc_data_version = data_version()
        return request._posc_data_version
    history_models = [apps.get_model(label).history.model for label in VERSIONED_MODELS]
    # The database the rows are read from (a read replica for the requests a router sends there): a cache key
    # never carries a newer version than the rows cached under it.
    connection = connections[router.db_for_read(history_models[0])]
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in history_models]
    columns = ", ".join(f"(SELECT MAX({quote('history_id')}) FROM {quote(table)})" for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return tuple(cursor.fetchone())


def scope_key(user):
    """The user and what they may see, as a tuple."""
    scope = get_scope(user)
    return (getattr(user, "pk", None), scope.role, sorted(scope.purchaser_ids), sorted(scope.region_ids),
            sorted(scope.organization_ids))


def make_key(prefix, *parts):
    """A cache key from ``prefix`` and any parts with a stable ``repr`` (hashed)."""
    return f"posc:{prefix}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def request_filters(request, ignore=("page", "per_page", "sort", "export")):
    """The query parameters of ``request`` that choose rows, as sorted (name, values) pairs."""
    return sorted((name, request.GET.getlist(name)) for name in request.GET if name not in ignore)
