"""The one write path: every change a user makes through a form, the API or a CSV import goes through here.

It imports no app module (models are named by their ``app_label.model_name`` label), only the core pieces
(``core.roles``, ``core.concurrency``).

What ``save_object(user, instance)`` guarantees, inside one transaction (a refusal rolls everything back):

1. **Stale versions are refused.** For a model with a ``version`` field, ``expected_version`` (or the
   ``_expected_version`` a form put on the instance) must equal the stored version, else
   ``core.concurrency.ConcurrentEditError`` (a form error naming what changed; 409 on the API). The stored row is
   read with ``select_for_update`` so that two writers are serialised.
2. **Scope-defining fields are administrator-only** (``SCOPE_FIELDS``: a purchaser's and an organization's
   region; memberships entirely). A non-administrator changing one gets ``ScopeFieldError``, a Django
   ``ValidationError`` naming the field (a form error; 400 on the API). On creation the region is chosen freely
   but the new record must land inside the writer's reach (3.).
3. **The record stays inside the writer's reach, with the scope computed afresh.** For a non-administrator: an
   existing record must be changeable before the change, and be changeable after it, with scopes computed from
   the database at that moment (``core.roles.compute_scope``), not the one cached on the user when the request
   began; and the writer's own reach (``Scope.reach``: role, memberships, regions, organizations) must be the
   same after the write as before. Otherwise ``OutOfScope`` (a ``PermissionDenied`` with a translated reason:
   403 on pages and API).
4. **A save that changes nothing writes nothing**: no ``version`` bump, no history row, no ``updated_at``
   (``save_object`` returns False). Otherwise the row is saved once and django-simple-history records who
   changed what (``_history_user`` is set to ``user``).

Usage::

    from core import writes

    with transaction.atomic():
        changed = writes.save_object(request.user, instance, expected_version=version_sent_by_client)

Several writes in one submission (a form and its inline rows, an import) share one ``ScopeGuard`` so that the
writer's scope is computed twice in all rather than twice per row::

    with transaction.atomic(), writes.ScopeGuard(user) as guard:
        for obj in objs:
            writes.save_object(user, obj, guard=guard)

A bulk writer that does its own ``bulk_create`` / ``update`` (the CSV import) can check the same rules without
``save_object``::

    with transaction.atomic(), writes.ScopeGuard(user) as guard:
        writes.check_scope_fields(user, obj, stored)       # per row: stored is the row as read (None: a new row)
        guard.check_reach(Model, [pks of the existing rows]) # before writing: the rows are inside the reach
        ... write ...
        guard.check_reach(Model, [pks written])              # after writing
    # leaving the block checks that the writer's own reach did not change (raises OutOfScope: roll back)

``changed_fields(stored, instance)`` lists the fields whose values differ (what would really change).
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.concurrency import VERSION_FIELD, ConcurrentEditError, is_versioned
from core.roles import compute_scope, get_scope

ALL_FIELDS = "__all__"

# Fields that decide who may see what: ``{model label: field names}`` (``ALL_FIELDS``: the whole record).
# Only an administrator may change them. Engineers adding a model whose field widens someone's reach list it here.
SCOPE_FIELDS = {
    "organizations.purchaser": ("region",),
    "organizations.organization": ("region",),
    "organizations.purchasermembership": ALL_FIELDS,
    "organizations.organizationmembership": ALL_FIELDS,
}

# Bookkeeping fields that are not compared when deciding whether anything changed.
BOOKKEEPING_FIELDS = {VERSION_FIELD, "created_at", "updated_at", "path"}

OUT_OF_SCOPE_MESSAGE = _("You may not create or move a record outside your own scope.")
SCOPE_CHANGE_MESSAGE = _("This change would change which records you may see or change; only an administrator "
                         "may do that.")
SCOPE_FIELD_MESSAGE = _("Only an administrator may change the %(field)s of a %(model)s: it decides who may see "
                        "which records.")
SCOPE_RECORD_MESSAGE = _("Only an administrator may change %(models)s.")


class OutOfScope(PermissionDenied):
    """The write would create, move or leave a record outside the writer's reach, or change that reach.

    ``str(exc)`` / ``exc.message`` is the translated reason (shown on the 403 page and in the API's ``detail``).
    """

    def __init__(self, message=OUT_OF_SCOPE_MESSAGE):
        self.message = message
        super().__init__(message)


class ScopeFieldError(ValidationError):
    """A non-administrator changed a scope-defining field: ``{field: [message]}`` (a ``ValidationError``)."""


def _label(model):
    return model._meta.label_lower


def is_admin(user):
    return get_scope(user).is_admin


def compared_fields(model):
    """Concrete fields whose change is a real change (no primary key, version or timestamps)."""
    return [f for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in BOOKKEEPING_FIELDS
            and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)]


def changed_fields(stored, instance):
    """Names of the fields whose value in ``instance`` differs from ``stored`` (the row as read from the
    database); every compared field when ``stored`` is None (a new record)."""
    fields = compared_fields(type(instance))
    if stored is None:
        return [f.name for f in fields]
    changed = []
    for f in fields:
        old, new = getattr(stored, f.attname), getattr(instance, f.attname)
        if old != new:
            try:  # "12" from a form against 12 from the database is no change
                new = f.to_python(new)
            except ValidationError:
                pass
            if old != new:
                changed.append(f.name)
    return changed


def check_scope_fields(user, instance, stored=None, changed=None):
    """Refuse (``ScopeFieldError``, or ``OutOfScope`` for membership records) a non-administrator's change of a
    scope-defining field. ``stored``: the row as read before the change, None for a new row."""
    rule = SCOPE_FIELDS.get(_label(type(instance)))
    if rule is None or is_admin(user):
        return
    meta = instance._meta
    if rule == ALL_FIELDS:
        raise OutOfScope(SCOPE_RECORD_MESSAGE % {"models": meta.verbose_name_plural})
    if stored is None:
        return  # a new record: the reach check decides where it may be created
    if changed is None:
        changed = changed_fields(stored, instance)
    refused = [name for name in rule if name in changed]
    if refused:
        raise ScopeFieldError({
            name: [ValidationError(SCOPE_FIELD_MESSAGE % {"field": meta.get_field(name).verbose_name,
                                                           "model": meta.verbose_name}, code="scope_field")]
            for name in refused})


def _manager(model):
    return model._default_manager


class ScopeGuard:
    """Context manager around one or more writes by ``user``: remembers the writer's scope computed afresh on
    entry, checks records against a fresh scope with ``check_reach``, and on a normal exit refuses
    (``OutOfScope``) if the writer's own reach changed. Use it inside ``transaction.atomic()`` so that a refusal
    rolls the writes back. Administrators are not restricted (every check passes without a query)."""

    def __init__(self, user):
        self.user = user
        self.admin = is_admin(user)
        self.before = None

    def __enter__(self):
        if not self.admin:
            self.before = compute_scope(self.user)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.check_own_scope()
        return False

    def fresh_scope(self):
        return compute_scope(self.user)

    def check_own_scope(self):
        """Refuse when the writer's reach computed now differs from the one on entry."""
        if self.admin:
            return
        if self.fresh_scope().reach != self.before.reach:
            raise OutOfScope(SCOPE_CHANGE_MESSAGE)

    def check_reach(self, model, pks, deleting=False):
        """Refuse unless every row of ``pks`` is changeable (deletable) by the writer, with the scope computed
        afresh now."""
        if self.admin:
            return
        pks = {pk for pk in pks if pk is not None}
        if not pks:
            return
        scope = self.fresh_scope()
        queryset = _manager(model).all()
        if not hasattr(queryset, "editable_in"):
            raise OutOfScope()  # a model without a visibility rule: administrators only
        allowed = queryset.deletable_in(scope) if deleting else queryset.editable_in(scope)
        if allowed.filter(pk__in=pks).count() != len(pks):
            raise OutOfScope()


def read_stored(instance, lock=True):
    """The row of ``instance`` as stored now (locked for the transaction), or None for a new / deleted row."""
    if instance.pk is None or instance._state.adding:
        return None
    rows = type(instance)._base_manager.filter(pk=instance.pk)
    if lock:
        rows = rows.select_for_update()
    return rows.first()


def save_object(user, instance, *, expected_version=None, guard=None, save=None):
    """Write ``instance`` (a new or changed model instance, not saved yet) for ``user`` by the rules of this
    module; returns True when a row was written, False when nothing changed.

    ``expected_version``: the version the writer read (defaults to the ``_expected_version`` set by
    ``OptimisticLockFormMixin``); None: not checked. ``guard``: a ``ScopeGuard`` shared by several writes (one
    is opened for this write otherwise). ``save``: called as ``save(instance)`` instead of ``instance.save()``.

    Raises ``ConcurrentEditError`` (stale version, or the row was deleted meanwhile), ``ScopeFieldError``
    (a ``ValidationError``) or ``OutOfScope`` (a ``PermissionDenied``); the transaction is rolled back.
    """
    model = type(instance)
    if expected_version is None:
        expected_version = instance.__dict__.get("_expected_version")
    creating = instance.pk is None or instance._state.adding
    with transaction.atomic():
        stored = None if creating else read_stored(instance)
        if not creating and stored is None:
            raise ConcurrentEditError(instance, expected_version)  # deleted since it was read
        versioned = is_versioned(model)
        if stored is not None and versioned and expected_version is not None \
                and getattr(stored, VERSION_FIELD) != expected_version:
            raise ConcurrentEditError(instance, expected_version)
        changed = changed_fields(stored, instance)
        check_scope_fields(user, instance, stored, changed)
        if stored is not None and not changed:
            instance.__dict__.pop("_expected_version", None)
            if versioned:
                setattr(instance, VERSION_FIELD, getattr(stored, VERSION_FIELD))
            return False
        own_guard = guard is None
        if own_guard:
            guard = ScopeGuard(user).__enter__()
        if stored is not None:
            guard.check_reach(model, [instance.pk])  # it was inside the reach before the change
        if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) is not None:
            instance._history_user = user  # not the management commands' system user: no database row
        if save is not None:
            save(instance)
        else:
            instance.save()
        guard.check_reach(model, [instance.pk])  # and still is after it
        if own_guard:
            guard.check_own_scope()
    return True


def delete_object(user, instance, guard=None):
    """Delete ``instance`` for ``user`` if it is deletable with a fresh scope (``OutOfScope`` otherwise)."""
    with transaction.atomic():
        own_guard = guard is None
        if own_guard:
            guard = ScopeGuard(user).__enter__()
        guard.check_reach(type(instance), [instance.pk], deleting=True)
        if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) is not None:
            instance._history_user = user  # not the management commands' system user: no database row
        instance.delete()
        if own_guard:
            guard.check_own_scope()


SCOPE_FIELD_HELP = _("Only an administrator may change this: it decides who may see which records.")


def disable_scope_fields(form, user):
    """Model forms: for a non-administrator editing an existing record, show the scope-defining fields
    (``SCOPE_FIELDS``) disabled (Django then ignores any posted value). On a new record they stay editable: the
    write path refuses a record created outside the user's reach."""
    rule = SCOPE_FIELDS.get(_label(form._meta.model))
    if rule is None or rule == ALL_FIELDS or is_admin(user) or form.instance.pk is None:
        return
    for name in rule:
        field = form.fields.get(name)
        if field is not None:
            field.disabled = True
            field.help_text = SCOPE_FIELD_HELP


def errors_by_field(exc):
    """``{field or NON_FIELD_ERRORS: [messages]}`` of a ValidationError (for a form's ``add_error``)."""
    if hasattr(exc, "error_dict"):
        return {name: [m for e in errors for m in e.messages] for name, errors in exc.error_dict.items()}
    return {NON_FIELD_ERRORS: exc.messages}


__all__ = ["ALL_FIELDS", "SCOPE_FIELDS", "OutOfScope", "ScopeFieldError", "ScopeGuard", "changed_fields",
           "check_scope_fields", "delete_object", "disable_scope_fields", "errors_by_field", "read_stored",
           "save_object"]
