"""Change history of an object, read from django-simple-history, ready for a page.

``history_for(obj)`` returns the object's changes, newest first: who, when, what kind of change (created, changed,
deleted) and, for each changed field, its verbose name and its value before and after, shown as a user would read it
(choice labels, the related object's name for foreign keys, amounts with separators, dates).

An object's history also includes the changes of the related objects its app registers as its children (a
contract's payments and performance reviews, edited on the contract's pages), each entry naming the child it
concerns.

Queries are bounded whatever the number of changes: one query per history table (with the users joined) plus one
query per foreign-key field to name the related objects of every record at once, never one query per record.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.numbers import format_money
from core.registry import registry

DASH = "—"
HISTORY_TYPE_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
# Related objects whose history is shown on their parent's page: {model label: [(related manager, fk name)]}, and
# the fields that name such an object there ("payment: advance · 2025-03-01 · 30,000.00"): registered by the apps
# (``core.registry.register_history_children``).
RELATED_HISTORY = registry["history_children"]
SUBJECT_FIELDS = registry["history_subjects"]
# Fields never shown (bookkeeping, not information).
HIDDEN_FIELDS = {"id", "version", "created_at", "updated_at", "path"}


@dataclass
class FieldChange:
    """One field of one change: verbose name, and the value before and after as display strings."""

    name: str
    label: str
    old: str
    new: str


@dataclass
class Change:
    """One saved change of an object (or of a payment/review shown on its contract's page)."""

    when: object
    user: object
    kind: str  # "+", "~" or "-"
    subject: str = ""  # "" for the object itself, else e.g. "payment: HT-1 · advance · 30,000.00"
    fields: list = field(default_factory=list)
    reason: str = ""

    @property
    def kind_label(self):
        return HISTORY_TYPE_LABELS.get(self.kind, self.kind)

    @property
    def user_display(self):
        if self.user is None:
            return _("system")
        full = self.user.get_full_name() if hasattr(self.user, "get_full_name") else ""
        return full or self.user.get_username()


def tracked_fields(model):
    """The fields of ``model`` its history records, in form order, without bookkeeping fields."""
    history_model = model.history.model
    return [f for f in history_model.tracked_fields if f.name not in HIDDEN_FIELDS]


def display_value(model_field, value, related_names=None):
    """A stored value as a user reads it. ``value`` is the raw attribute (FK: the id).

    ``related_names``: ``{id: str}`` for a foreign key's related objects, fetched in bulk by the caller.
    """
    if value is None or value == "":
        return DASH
    if model_field.is_relation:
        if related_names is not None and value in related_names:
            return related_names[value]
        return f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    if isinstance(model_field, models.DateTimeField):
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(model_field, models.DateField):
        return date_format(value, "DATE_FORMAT")
    if isinstance(model_field, models.DecimalField):
        value = Decimal(value)
        if model_field.decimal_places == 2:
            return format_money(value)
        return str(value.normalize()) if value == value.to_integral() else str(value)
    return str(value)


def related_names_for(fields, rows):
    """``{field name: {id: str(obj)}}`` for every FK among ``fields``, one query per FK field.

    ``rows``: objects (historical records or model instances) whose ``attname`` values are collected.
    """
    names = {}
    for f in fields:
        if not f.is_relation:
            continue
        ids = {getattr(r, f.attname) for r in rows} - {None}
        if not ids:
            names[f.name] = {}
            continue
        related = f.related_model._base_manager.filter(pk__in=ids)
        names[f.name] = {obj.pk: str(obj) for obj in related}
    return names


def _diff(fields, old, new, names):
    changes = []
    for f in fields:
        before = getattr(old, f.attname) if old is not None else None
        after = getattr(new, f.attname)
        if old is not None and before == after:
            continue
        if old is None and (after is None or after == ""):
            continue  # creation: list only the fields that were filled in
        changes.append(FieldChange(f.name, str(f.verbose_name), display_value(f, before, names.get(f.name)),
                                   display_value(f, after, names.get(f.name))))
    return changes


def _changes_of(model, records, subject_label=None, skip_fields=()):
    """Turn one model's historical records (ordered oldest first) into Change entries."""
    fields = [f for f in tracked_fields(model) if f.name not in skip_fields]
    names = related_names_for(fields, records)
    previous = {}
    result = []
    for rec in records:
        old = previous.get(rec.id)
        previous[rec.id] = rec
        if rec.history_type == "~":
            field_changes = _diff(fields, old, rec, names)
            if old is not None and not field_changes:
                continue  # a save that changed nothing visible
        elif rec.history_type == "+":
            field_changes = _diff(fields, None, rec, names)
        else:
            field_changes = []
        subject = _subject(model, rec, subject_label, names) if subject_label is not None else ""
        result.append(Change(when=rec.history_date, user=rec.history_user, kind=rec.history_type, subject=subject,
                             fields=field_changes, reason=getattr(rec, "history_change_reason", "") or ""))
    return result


def _subject(model, rec, label, names):
    by_name = {f.name: f for f in model.history.model.tracked_fields}
    parts = [display_value(by_name[n], getattr(rec, by_name[n].attname), names.get(n))
             for n in SUBJECT_FIELDS.get(model._meta.label_lower, ()) if n in by_name]
    return f"{label}: {' · '.join(parts) or f'#{rec.id}'}"


def _records(history_manager_qs):
    return list(history_manager_qs.select_related("history_user").order_by("history_date", "history_id"))


def history_for(obj, limit=None):
    """The object's change history, newest first (``limit`` entries at most). See the module docstring."""
    model = type(obj)
    if not hasattr(model, "history"):
        return []
    entries = _changes_of(model, _records(model.history.filter(id=obj.pk)))
    for accessor, fk_name in RELATED_HISTORY.get(model._meta.label_lower, []):
        related_model = model._meta.get_field(accessor).related_model
        if not hasattr(related_model, "history"):
            continue
        records = related_model.history.filter(**{f"{fk_name}_id": obj.pk})
        entries += _changes_of(related_model, _records(records), subject_label=related_model._meta.verbose_name,
                               skip_fields=(fk_name,))
    entries.sort(key=lambda c: c.when, reverse=True)
    return entries[:limit] if limit else entries
