"""Analysts' heavy reads on a PostgreSQL read replica, everything else on the primary (docs/operations.md).

Active only when ``DATABASE_REPLICA_URL`` is set (posc/settings.py then adds the ``replica`` database, this router
and ``ReplicaReadsMiddleware``). A request reads from the replica when it is a GET or HEAD of one of
``REPLICA_VIEWS`` (the dashboards and the indicator, flag and open-data API) or asks for an export
(``?export=…``): pages that compute over a whole province and never write. Everything else (every write, every
form, the page shown after a save, logins, sessions, the lock-out counters) stays on the primary, so a user always
reads what they have just written. The replica may lag the primary by its replication delay: a dashboard can show
a save a moment late, never an inconsistent one (each query sees one snapshot of the replica).

The data version that keys the caches (``core.datacache``) is read from the same database as the rows it keys, so
rows computed on a lagging replica are cached under the replica's (older) version, never under a newer one.
"""

from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished
from django.urls import Resolver404, resolve

REPLICA = "replica"

# Views whose GET and HEAD requests only read, over a whole scope: the dashboards and the analysts' API.
REPLICA_VIEWS = frozenset({
    "dashboards:dependency", "dashboards:purchasers", "dashboards:red_flags", "dashboards:accountability",
    "api:indicators-organizations", "api:indicators-purchasers", "api:flags", "api:ocds-releases",
})

# Always on the primary, whatever the request: who is logged in and the lock-out counters (read-after-write).
PRIMARY_ONLY_APPS = frozenset({"auth", "sessions", "axes", "authtoken", "contenttypes", "admin"})

_reads_on_replica = ContextVar("posc_reads_on_replica", default=False)


def replica_configured():
    return REPLICA in settings.DATABASES


def wants_replica(request):
    """Whether this request's reads may go to the replica (see the module docstring)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if "export" in request.GET:
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in REPLICA_VIEWS


class ReplicaReadsMiddleware:
    """Marks the requests whose reads go to the replica. The mark lasts until the response is closed (a streamed
    export reads its rows after the view has returned) and is cleared at the start of the next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _reads_on_replica.set(replica_configured() and wants_replica(request))
        return self.get_response(request)


def _clear(**kwargs):
    _reads_on_replica.set(False)


request_finished.connect(_clear, dispatch_uid="posc.dbrouter.clear")


class ReplicaRouter:
    """Reads of a marked request go to the replica, except for ``PRIMARY_ONLY_APPS``; writes and migrations go to
    the primary (``default``)."""

    def db_for_read(self, model, **hints):
        if _reads_on_replica.get() and model._meta.app_label not in PRIMARY_ONLY_APPS and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data: the replica is a copy of the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
