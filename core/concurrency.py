"""No lost updates: optimistic locking for the models with an integer ``version`` field (contract, payment,
performance review).

How it works
- Every save of an existing versioned object increments its ``version`` in the database (a ``pre_save`` handler,
  connected for every model with a non-editable integer ``version`` field, so the admin, API and imports count too).
- ``OptimisticLockFormMixin`` (for model forms) carries two hidden fields: the ``version`` the user loaded and a
  signed snapshot of the values they saw. When the form is submitted after someone else saved the object, it is
  refused: a form error names the fields the other user changed (verbose names, from what to what) and who did it;
  the form keeps everything the user typed, fills in the other user's value where the user had not touched that
  field, and now carries the current version, so saving again is a deliberate choice.
- The save itself is an atomic conditional update (``UPDATE … SET version = version + 1 WHERE pk = … AND
  version = loaded``) inside the save's transaction, so of two saves racing past validation only the first wins;
  the second raises ``ConcurrentEditError``, which the edit view (``core.views.ObjectEditView``, or
  ``OptimisticLockViewMixin``) turns into the same form error (the whole submission, inline formsets included, is
  rolled back).
"""

import datetime
import json

from django import forms
from django.apps import apps
from django.core import signing
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from core.history import HIDDEN_FIELDS, display_value

VERSION_FIELD = "version"
LOCK_FORM_FIELDS = ("version", "loaded_state")
STATE_SALT = "posc.concurrency.loaded-state"  # kept from the first release: a new salt would refuse open forms


class ConcurrentEditError(Exception):
    """Raised by a save whose loaded version is no longer the object's current version."""

    def __init__(self, instance, expected):
        self.instance = instance
        self.expected = expected
        super().__init__(f"{type(instance).__name__} {instance.pk}: version {expected} is no longer current")


def is_versioned(model):
    """True for models with a non-editable integer ``version`` field."""
    try:
        f = model._meta.get_field(VERSION_FIELD)
    except Exception:
        return False
    return isinstance(f, models.IntegerField) and not f.editable


def bump_version(sender, instance, raw=False, **kwargs):
    """``pre_save``: increment the version of an existing object; refuse when the form's loaded version is stale.

    A form sets ``instance._expected_version``; other paths (admin, API, imports) just increment.
    """
    if raw or instance._state.adding or instance.pk is None:
        return
    expected = instance.__dict__.pop("_expected_version", None)
    rows = sender._base_manager.filter(pk=instance.pk)
    if expected is None:
        if rows.update(version=F(VERSION_FIELD) + 1):
            instance.version = rows.values_list(VERSION_FIELD, flat=True).get()
        return
    if not rows.filter(version=expected).update(version=F(VERSION_FIELD) + 1):
        raise ConcurrentEditError(instance, expected)
    instance.version = expected + 1


def connect_signals():
    """Connect ``bump_version`` for every versioned model (called from ``PoscConfig.ready``)."""
    for model in apps.get_models():
        if is_versioned(model):
            pre_save.connect(bump_version, sender=model, dispatch_uid=f"posc-version-{model._meta.label_lower}")


# --- snapshots of what the user loaded ---------------------------------------------------------------------------

def locked_fields(model):
    """The fields compared on a conflict: what the history records, without bookkeeping fields."""
    history = getattr(model, "history", None)
    fields = history.model.tracked_fields if history is not None else model._meta.concrete_fields
    return [f for f in fields if f.name not in HIDDEN_FIELDS]


def _serial(value):
    if isinstance(value, models.Model):
        value = value.pk
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(instance):
    """``{attname: JSON value}`` of the instance's locked fields."""
    return {f.attname: _serial(getattr(instance, f.attname)) for f in locked_fields(type(instance))}


def sign_state(instance):
    """The hidden ``loaded_state`` value: the snapshot plus the time it was taken, signed."""
    return signing.dumps({"t": timezone.now().isoformat(), "v": snapshot(instance)}, salt=STATE_SALT, compress=True)


def read_state(value):
    """(snapshot, taken_at) from a signed ``loaded_state``; (None, None) when missing or tampered with."""
    if not value:
        return None, None
    try:
        data = signing.loads(value, salt=STATE_SALT)
        return data["v"], datetime.datetime.fromisoformat(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None, None


def _python(model_field, serial):
    if serial is None:
        return None
    try:
        return model_field.to_python(serial)
    except Exception:
        return serial


def changed_fields(instance_before, current):
    """[(field, old python value, new python value)] between a snapshot and the current object."""
    result = []
    for f in locked_fields(type(current)):
        if f.attname not in instance_before:
            continue
        new = _serial(getattr(current, f.attname))
        if instance_before[f.attname] != new:
            result.append((f, _python(f, instance_before[f.attname]), getattr(current, f.attname)))
    return result


def editors_since(instance, since):
    """Display names of the users who saved ``instance`` after ``since`` (from its history), oldest first."""
    history = getattr(type(instance), "history", None)
    if history is None:
        return []
    records = history.filter(id=instance.pk).select_related("history_user").order_by("history_date")
    if since is not None:
        records = records.filter(history_date__gt=since)
    names = []
    for rec in records:
        user = rec.history_user
        name = (user.get_full_name() or user.get_username()) if user is not None else _t("another user")
        if name not in names:
            names.append(name)
    return names


# --- forms and views -------------------------------------------------------------------------------------------

class OptimisticLockFormMixin(forms.Form):
    """Model-form mixin: refuse a save when someone else saved the object since the form was loaded.

    Use it first among the bases: ``class ContractForm(OptimisticLockFormMixin, PoscModelForm)``. It adds two
    hidden fields (``version``, ``loaded_state``); render them with the form (crispy's default layout does).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    loaded_state = forms.CharField(widget=forms.HiddenInput, required=False)

    conflict = None  # after a refused save: {"editors": [...], "fields": [(label, old, new)]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and is_versioned(type(self.instance)):
            self.initial.setdefault("version", self.instance.version)
            self.initial.setdefault("loaded_state", sign_state(self.instance))

    @property
    def changed_data(self):
        """The fields the user changed; the hidden ``version`` and ``loaded_state`` are bookkeeping (the signed
        state carries the time it was taken, so it always differs): an inline row the user did not touch is
        unchanged and is not written (its version is still compared: see ``clean``)."""
        return [name for name, bound in self._bound_items()
                if name not in LOCK_FORM_FIELDS and bound._has_changed()]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or not is_versioned(type(self.instance)):
            return cleaned
        loaded = self.cleaned_data.get("version")
        if loaded is None:
            return cleaned  # the form was not rendered with its version (e.g. a script): nothing to compare
        current = type(self.instance)._base_manager.filter(pk=self.instance.pk).first()
        if current is not None and current.version != loaded:
            self.report_conflict(current)
        else:
            self.instance._expected_version = loaded
        return cleaned

    def report_conflict(self, current=None):
        """Add the "changed meanwhile" errors, merge the other user's values into untouched fields and move the
        hidden version to the current one (so that saving again is a deliberate overwrite)."""
        model = type(self.instance)
        if current is None:
            current = model._base_manager.filter(pk=self.instance.pk).first()
        if current is None:
            self.add_error(None, _("Another user deleted this record while you were editing it."))
            return
        before, taken_at = read_state(self.data.get(self.add_prefix("loaded_state")))
        changes = changed_fields(before, current) if before is not None else []
        editors = editors_since(current, taken_at)
        rows = []
        for f, old, _new in changes:
            related = None
            if f.is_relation:
                ids = {v for v in (old, getattr(current, f.attname)) if v is not None}
                related = {o.pk: str(o) for o in f.related_model._base_manager.filter(pk__in=ids)}
            rows.append((f, display_value(f, old, related), display_value(f, getattr(current, f.attname), related)))
        self.conflict = {"editors": editors, "fields": [(str(f.verbose_name), o, n) for f, o, n in rows]}

        who = ", ".join(editors) if editors else _t("another user")
        if rows:
            listing = "; ".join(_t("%(field)s from “%(old)s” to “%(new)s”") % {"field": f.verbose_name, "old": o,
                                                                                "new": n} for f, o, n in rows)
            message = _t(
                "%(who)s saved this %(model)s while you were editing it and changed: %(changes)s. Your entries are "
                "kept below (where you had not changed a field, the new value has been filled in). Check them and "
                "save again."
            ) % {"who": who, "model": model._meta.verbose_name, "changes": listing}
        else:
            message = _t(
                "%(who)s saved this %(model)s while you were editing it. Your entries are kept below. Check them "
                "and save again."
            ) % {"who": who, "model": model._meta.verbose_name}
        self.add_error(None, message)

        data = self.data.copy()
        for f, old_display, new_display in rows:
            if f.name not in self.fields or isinstance(self.fields[f.name].widget, forms.HiddenInput):
                continue
            typed = self.cleaned_data.get(f.name, _Missing) if hasattr(self, "cleaned_data") else _Missing
            untouched = typed is not _Missing and _serial(typed) == before.get(f.attname, _Missing)
            if untouched:
                data[self.add_prefix(f.name)] = _as_data(getattr(current, f.attname))
                self.add_error(f.name, format_lazy(_("Changed by another user to “{}”; their value has been filled "
                                                     "in."), new_display))
            else:
                self.add_error(f.name, format_lazy(_("Another user changed this to “{}” (it was “{}” when you opened "
                                                     "the form). Saving again keeps your value."),
                                                   new_display, old_display))
        data[self.add_prefix("version")] = str(current.version)
        data[self.add_prefix("loaded_state")] = sign_state(current)
        self.data = data


class _MissingType:
    pass


_Missing = _MissingType()


def _as_data(value):
    """A model value as it would arrive in POST data."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def report_concurrent_edit(form, exc):
    """Turn a ``ConcurrentEditError`` raised while saving ``form`` into the form's conflict errors."""
    if hasattr(form, "report_conflict") and type(exc.instance) is type(form.instance) \
            and exc.instance.pk == form.instance.pk:
        form.report_conflict()
    else:
        form.add_error(None, _t("A %(object)s on this page was changed by another user while you were editing. Your "
                                "entries are kept below. Check them and save again.")
                       % {"object": exc.instance._meta.verbose_name})


class OptimisticLockViewMixin:
    """Edit-view mixin for views whose ``form_valid`` comes from Django's generic views: run it in one transaction
    and turn a ``ConcurrentEditError`` raised by the save (two saves racing past validation) into the form's
    conflict error, re-rendering what was typed. (``core.views.ObjectEditView`` does the same in its own
    ``form_valid``.) Extra ``form_valid`` arguments (inline formsets) are passed through to ``form_invalid``.
    """

    def form_valid(self, form, *args, **kwargs):
        try:
            with transaction.atomic():
                return super().form_valid(form, *args, **kwargs)
        except ConcurrentEditError as exc:
            report_concurrent_edit(form, exc)
            return self.form_invalid(form, *args, **kwargs)
