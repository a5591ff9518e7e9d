"""The checks an import runs on its rows before and after writing them, as a mixin of ``Importer``: the fields
(validators, ``clean()``, check constraints), uniqueness (against the database and within the file) and the
user's reach (``core.writes.ScopeGuard``)."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import writes
from core.csvio.conditions import Unsupported, eval_q, q_fields
from core.csvio.lookups import _chunks


def refused_scope_fields(user, model, changed):
    """The scope-defining fields among ``changed`` (the fields a row changes on an existing record) that ``user``
    may not change: all of them unless the user is an administrator, none otherwise. A new record's region is
    free; whether the record lands inside the user's reach is checked after the write with a fresh scope."""
    rule = writes.SCOPE_FIELDS.get(model._meta.label_lower)
    if not rule or writes.is_admin(user):
        return []
    if rule == writes.ALL_FIELDS:
        return sorted(changed)
    return [name for name in rule if name in changed]


class RowChecks:
    """Checks of ``Importer`` (``self.model``; results go to ``result.add(row, column, message)``)."""

    def _validation_plan(self, cols, fields_present):
        """What ``_validate`` needs for every row, computed once per file."""
        model = self.model
        concrete = model._meta.concrete_fields
        fk_names = {f.name for f in concrete if f.is_relation}
        checks = [(c, q_fields(c.condition)) for c in model._meta.constraints
                  if isinstance(c, models.CheckConstraint)]
        return {
            "column_of": {col.field_name: col.error_column for col in cols if col.field_name},
            "fk_names": fk_names,
            "required_fks": [f for f in concrete if f.is_relation and not f.null],
            # Foreign keys were resolved by the lookups (they exist and are in scope); derived fields are set by
            # clean() or prepare, as a form does with the fields it does not show.
            "always_excluded": fk_names | {f.name for f in concrete if not f.editable},
            # On update, fields the file does not carry keep their stored values (on create they are validated).
            "absent": {f.name for f in concrete} - set(fields_present),
            "checks": checks,
        }

    def _validate(self, obj, number, bad, plan, result):
        model = self.model
        exclude = set(bad) | plan["always_excluded"]
        if not obj._state.adding:
            exclude |= plan["absent"]
        errors = {}
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.message_dict
        for f in plan["required_fks"]:
            if f.name not in bad and getattr(obj, f.attname) is None:
                errors.setdefault(f.name, []).append(gettext("This field is required."))
        failed = exclude | set(errors)
        values = None
        for constraint, referenced in plan["checks"]:
            if not bad.isdisjoint(referenced) or not errors.keys().isdisjoint(referenced):
                continue  # a field it checks is already reported
            if values is None:
                values = {f.name: getattr(obj, f.attname) for f in model._meta.concrete_fields}
            try:
                ok = eval_q(constraint.condition, values) is not False
            except Unsupported:
                try:
                    constraint.validate(model, obj, exclude=failed - plan["fk_names"])
                    ok = True
                except ValidationError:
                    ok = False
            if not ok:
                name = referenced[0] if referenced else NON_FIELD_ERRORS
                errors.setdefault(name, []).append(str(constraint.get_violation_error_message()))
        column_of = plan["column_of"]
        for name, messages in errors.items():
            column = column_of.get(name, name if name != NON_FIELD_ERRORS else "")
            for message in messages:
                result.add(number, column, message)

    def _check_unique(self, objs, rows_of, result, cols):
        """Unique fields and UniqueConstraints: against the database (one query per set) and within the file."""
        model = self.model
        column_of = {col.field_name: col.error_column for col in cols if col.field_name}
        objs = sorted(objs, key=lambda o: rows_of[id(o)])
        sets = []
        for f in model._meta.concrete_fields:
            if f.unique and not f.primary_key:
                message = f.error_messages["unique"] % {"model_name": model._meta.verbose_name,
                                                        "field_label": f.verbose_name}
                sets.append(((f.name,), None, message))
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields and not constraint.expressions:
                sets.append((tuple(constraint.fields), constraint.condition,
                             str(constraint.get_violation_error_message())))
        for names, condition, message in sets:
            attnames = [model._meta.get_field(n).attname for n in names]
            keyed = []
            for obj in objs:
                key = tuple(getattr(obj, a) for a in attnames)
                if any(k is None for k in key):
                    continue
                if condition is not None:
                    try:
                        if eval_q(condition, {f.name: getattr(obj, f.attname) for f in model._meta.concrete_fields}) \
                                is False:
                            continue
                    except Unsupported:
                        pass
                keyed.append((key, obj))
            owners = {}
            for chunk in _chunks([k for k, _o in keyed]):
                condition_q = Q()
                for index, attname in enumerate(attnames):
                    condition_q &= Q(**{f"{attname}__in": {k[index] for k in chunk}})
                for row in model._default_manager.filter(condition_q).values_list("pk", *attnames):
                    owners[tuple(row[1:])] = row[0]
            seen = {}
            column = column_of.get(names[-1], names[-1])
            for key, obj in keyed:
                number = rows_of[id(obj)]
                owner = owners.get(key)
                if owner is not None and owner != obj.pk:
                    result.add(number, column, message)
                elif key in seen:
                    result.add(number, column, _("Row %(row)d has the same value.") % {"row": seen[key]})
                else:
                    seen[key] = number

    def _check_scope(self, objs, rows_of, result, cols, guard):
        """The write path's reach rule (``core.writes.ScopeGuard``): after the write, every written object must be
        changeable by the user under a scope computed afresh (a row that changed what a scope is made of counts
        with its new values), and the user's own reach must be what it was before the import."""
        if guard.admin:
            return
        queryset = self.model._default_manager.all()
        scope = guard.fresh_scope()
        allowed = set()
        for chunk in _chunks([o.pk for o in objs]):
            allowed |= set(queryset.editable_in(scope).filter(pk__in=chunk).values_list("pk", flat=True))
        column = cols[0].error_column if cols else ""
        for obj in objs:
            if obj.pk not in allowed:
                result.add(rows_of[id(obj)], column, _("This row would put the %(model)s outside your scope.")
                           % {"model": self.model._meta.verbose_name})
        try:
            guard.check_own_scope()
        except writes.OutOfScope as exc:
            result.add(0, "", exc.message)
