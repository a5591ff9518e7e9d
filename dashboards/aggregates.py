"""The precomputed funder rows (``models.FunderYear``), kept equal to the raw computation
(``funders.raw_funder_rows`` over every organization and year) in the transaction of every write that changes them.

``refresh(organization_ids)`` deletes those organizations' rows and inserts their raw rows again (two statements,
the insert an ``INSERT … SELECT`` compiled from the ORM's queryset); ``rebuild()`` does it for every organization.

What changes an organization's rows: its payments (through their contract), its contracts (amount, restricted
amount, end date, status, service category, purchaser, signing date, organization: the old and the new one),
its income records, its key persons (the related-party rule), the organization itself (its service scope), and
the deletion of any of them. Single-object writes (forms, API, admin, amendments) are caught by the signals
``connect()`` registers; writes without signals (``bulk_create``, the CSV import's ``UPDATE``s, the demo
seeders) call ``refresh`` themselves or report to ``bulk_written`` (the CSV import, through ``core.registry``).

``deferred()`` collects the organizations of every refresh asked for inside it and refreshes them once, at its
exit, still inside the caller's transaction (one refresh per CSV file instead of one per row); nothing is
refreshed when the block raises or its transaction is marked for rollback (a CSV preview).

Raw SQL writes bypass all of this: ``manage.py refresh_aggregates`` rebuilds the table, ``--check`` lists the
organizations whose rows differ (docs/operations.md).
"""

import threading
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections, router, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from contracts.models import Contract, Payment
from organizations.models import IncomeRecord, KeyPerson, Organization

from .funders import FUNDER_COLUMNS, raw_funder_rows
from .models import FunderYear
from .numbers import _decimal

CHUNK = 2000  # organizations per DELETE / INSERT … SELECT
PLACES = Decimal("1e-10")  # the scale of FunderYear's money columns

# How each tracked model leads to the organization whose funder rows it changes.
ORGANIZATION_OF = {
    Organization: "pk",
    Contract: "organization_id",
    Payment: "contract__organization_id",
    IncomeRecord: "organization_id",
    KeyPerson: "organization_id",
}

_state = threading.local()


def _using():
    return router.db_for_write(FunderYear)


def _stack():
    if not hasattr(_state, "stack"):
        _state.stack = []
    return _state.stack


def organizations_of(model, pks):
    """The organization ids that the rows ``pks`` of ``model`` (a tracked model) belong to now, in the database."""
    pks = [pk for pk in pks if pk is not None]
    if not pks or model not in ORGANIZATION_OF:
        return set()
    path = ORGANIZATION_OF[model]
    if path == "pk":
        return set(pks)
    found = set()
    for start in range(0, len(pks), CHUNK):
        found.update(model._base_manager.using(_using()).filter(pk__in=pks[start:start + CHUNK])
                     .values_list(path, flat=True))  # the primary, never a replica: inside the write
    return found


def refresh(organization_ids):
    """Make the funder rows of ``organization_ids`` equal to the raw computation again, now (in the current
    transaction), or at the exit of the innermost ``deferred()`` block."""
    ids = {int(pk) for pk in organization_ids if pk is not None}
    if not ids:
        return
    stack = _stack()
    if stack:
        stack[-1].update(ids)
        return
    _refresh_now(sorted(ids))


def _refresh_now(ids):
    using = _using()
    connection = connections[using]
    with transaction.atomic(using=using):
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            # One refresh of an organization at a time (two transactions deleting and inserting the same rows
            # would both insert); NO KEY UPDATE leaves inserts of contracts referencing it unblocked.
            if connection.vendor == "postgresql":
                list(Organization.objects.using(using).select_for_update(no_key=True).filter(pk__in=chunk)
                     .order_by("pk").values_list("pk", flat=True))
            FunderYear.objects.using(using).filter(organization_id__in=chunk)._raw_delete(using)
            if len(chunk) <= CACHED_SIZES:
                _execute_insert(*_refresh_sql(using, chunk), connection)
            else:
                _insert(raw_funder_rows(Organization.objects.using(using).filter(pk__in=chunk), None,
                                        accountability=True), connection)


# The raw rows of a few organizations (what a single save refreshes), compiled once per database and number of
# organizations with stand-in ids that no row has, then run with the real ids in their places: compiling the ORM
# query costs several times more than running it for one organization.
CACHED_SIZES = 8
_STAND_IN = -(10 ** 15)
_REFRESH_SQL = {}


def _refresh_sql(using, ids):
    """``(sql, params)`` of ``raw_funder_rows`` over the organizations ``ids`` (at most ``CACHED_SIZES``)."""
    key = (using, len(ids))
    if key not in _REFRESH_SQL:
        stand_ins = [_STAND_IN - i for i in range(len(ids))]
        queryset = raw_funder_rows(Organization.objects.using(using).filter(pk__in=stand_ins), None,
                                   accountability=True)
        sql, params = queryset.query.sql_with_params()
        slots = [stand_ins.index(p) if type(p) is int and p in stand_ins else None for p in params]
        _REFRESH_SQL[key] = (sql, tuple(params), tuple(slots))
    sql, params, slots = _REFRESH_SQL[key]
    return sql, [p if slot is None else ids[slot] for p, slot in zip(params, slots, strict=True)]


def _insert(queryset, connection):
    _execute_insert(*queryset.query.sql_with_params(), connection)


def _execute_insert(sql, params, connection):
    quote = connection.ops.quote_name
    columns = ", ".join(quote(FunderYear._meta.get_field(name.removesuffix("_id")).column)
                        for name in FUNDER_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(FunderYear._meta.db_table)} ({columns}) SELECT * FROM ({sql}) raw",
                       params)


def rebuild(using=None):
    """Fill the table afresh from the raw computation of every organization (one transaction)."""
    using = using or _using()
    connection = connections[using]
    with transaction.atomic(using=using):
        FunderYear.objects.using(using).all()._raw_delete(using)
        _insert(raw_funder_rows(Organization.objects.using(using).all(), None, accountability=True), connection)
        if connection.vendor == "postgresql":  # statistics for the planner at once, not at autovacuum's leisure
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(FunderYear._meta.db_table)}")


@contextmanager
def deferred():
    """Collect the refreshes asked for inside the block; refresh each organization once at its exit (inside the
    caller's transaction). Nested blocks hand their organizations to the outer one."""
    pending = set()
    stack = _stack()
    stack.append(pending)
    try:
        yield pending
    finally:
        stack.pop()
    connection = connections[_using()]
    if connection.in_atomic_block and connection.get_rollback():
        return  # the transaction will be rolled back (a CSV preview): nothing to keep up to date
    refresh(pending)


def bulk_written(model, objects):
    """A write without signals of ``objects`` (instances of ``model``) is about to happen or has happened: refresh
    the organizations they belong to in the database (called before the write for their old organizations, and
    after it for the new ones) and, for contracts, income records and key persons, the organization on the object
    (``core.registry.bulk_written``)."""
    if model not in ORGANIZATION_OF:
        return
    ids = organizations_of(model, [o.pk for o in objects])
    if ORGANIZATION_OF[model] == "organization_id":
        ids.update(o.organization_id for o in objects)
    refresh(ids)


# ------------------------------------------------------------------ signals


def _before(sender, instance, raw=False, **kwargs):
    instance._funder_organizations = organizations_of(sender, [instance.pk]) if instance.pk is not None else set()


def _after_save(sender, instance, raw=False, **kwargs):
    ids = getattr(instance, "_funder_organizations", set()) | organizations_of(sender, [instance.pk])
    instance._funder_organizations = set()
    refresh(ids)


def _after_delete(sender, instance, **kwargs):
    ids = getattr(instance, "_funder_organizations", set())
    if sender is Organization:
        ids = ids | {instance.pk}
    refresh(ids)


def connect():
    """Register the signals (``DashboardsConfig.ready``)."""
    for model in ORGANIZATION_OF:
        uid = f"dashboards.aggregates.{model._meta.label_lower}"
        pre_save.connect(_before, sender=model, dispatch_uid=uid + ".pre_save")
        post_save.connect(_after_save, sender=model, dispatch_uid=uid + ".post_save")
        pre_delete.connect(_before, sender=model, dispatch_uid=uid + ".pre_delete")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + ".post_delete")


# ------------------------------------------------------------------ checks


def _normalized(row):
    o, y, fp, fk, src, label, *money = row
    return (o, int(y), fp, fk or "", src, label or "",
            *(_decimal(v).quantize(PLACES, rounding=ROUND_HALF_UP) for v in money))


def differences(organization_ids=None):
    """The organization ids whose stored funder rows differ from the raw computation (every organization, or
    ``organization_ids``), sorted."""
    using = _using()
    organizations = Organization.objects.using(using).all()
    stored = FunderYear.objects.using(using).order_by()
    if organization_ids is not None:
        organization_ids = list(organization_ids)
        organizations = organizations.filter(pk__in=organization_ids)
        stored = stored.filter(organization_id__in=organization_ids)
    expected, actual = {}, {}
    if organization_ids is None:
        raw = _fetch(*_raw_everything(using), using)
    else:
        raw = raw_funder_rows(organizations, None, accountability=True)
    for rows, into in ((raw, expected), (stored.values_list(*FUNDER_COLUMNS), actual)):
        for row in rows:
            row = _normalized(row)
            into.setdefault(row[0], []).append(row)
    return sorted(o for o in expected.keys() | actual.keys()
                  if sorted(expected.get(o, []), key=repr) != sorted(actual.get(o, []), key=repr))


_RAW_SQL = {}


def _raw_everything(using):
    """The SQL of ``raw_funder_rows`` over every organization and year, compiled once per database (the ORM's
    compilation of it costs far more than running it on a small database: the suite's check after every test)."""
    if using not in _RAW_SQL:
        queryset = raw_funder_rows(Organization.objects.using(using).all(), None, accountability=True)
        _RAW_SQL[using] = queryset.query.sql_with_params()
    return _RAW_SQL[using]


def _fetch(sql, params, using):
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
