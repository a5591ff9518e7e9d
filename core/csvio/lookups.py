"""Lookups: foreign keys of imported rows resolved in bulk from readable natural keys, within the user's scope."""


from django.db.models import Q
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from core.csvio.cells import LOOKUP_CHUNK

AMBIGUOUS = object()


class Lookup:
    """Resolves readable values (natural keys) to related objects in bulk: one or two queries per import.

    ``scope`` is ``"visible"`` (``visible_to``) or ``"editable"`` (``editable_by``): a row naming an object out of
    that scope gets the same "not found or not yours" error as a row naming nothing. ``columns`` are the CSV
    columns read; the first non-empty one gives the key, unless ``joint`` (all together form the key).
    """

    model = None
    columns = ()
    scope = "visible"
    joint = False

    def __init__(self, model=None, scope=None, columns=None):
        if model is not None:
            self.model = model
        if scope:
            self.scope = scope
        if columns:
            self.columns = tuple(columns)

    def bind(self, col):
        self.col = col
        if not self.columns:
            self.columns = (f"{col.field_name}_name",)

    def queryset(self, user):
        manager = self.model._default_manager
        return manager.editable_by(user) if self.scope == "editable" else manager.visible_to(user)

    def key(self, cells):
        for column in self.columns:
            value = cells.get(column, "")
            if value:
                return value
        return None

    def fetch(self, keys, user, ctx):
        """{key: pk} for the keys found (``AMBIGUOUS`` for a name shared by several objects)."""
        raise NotImplementedError

    def not_found_message(self, key):
        verbose = self.model._meta.verbose_name
        if self.scope == "editable":
            return format_lazy(_("{model} “{key}” not found or not yours."), model=capfirst(verbose),
                               key=_key_text(key))
        return format_lazy(_("{model} “{key}” not found."), model=capfirst(verbose), key=_key_text(key))

    def ambiguous_message(self, key):
        return format_lazy(_("Several {models} are called “{key}”: give the code instead of the name."),
                           models=self.model._meta.verbose_name_plural, key=_key_text(key))


def _key_text(key):
    return " / ".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def _chunks(values, size=LOOKUP_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _add_found(found, key, pk):
    previous = found.get(key)
    found[key] = pk if previous is None or previous == pk else AMBIGUOUS


class CodeOrNameLookup(Lookup):
    """By a unique code (region ``code``), or by a name when exactly one object has it."""

    def __init__(self, model, code_field="code", **kwargs):
        super().__init__(model, **kwargs)
        self.code_field = code_field

    def bind(self, col):
        if not self.columns:
            self.columns = (f"{col.field_name}_{self.code_field}", f"{col.field_name}_name")
        super().bind(col)

    def fetch(self, keys, user, ctx):
        by_code, by_name = {}, {}
        for chunk in _chunks(keys):
            rows = self.queryset(user).filter(Q(**{f"{self.code_field}__in": chunk}) | Q(name__in=chunk))
            for pk, code, name in rows.values_list("pk", self.code_field, "name"):
                if code in keys:
                    by_code[code] = pk
                if name in keys:
                    _add_found(by_name, name, pk)
        return {**by_name, **by_code}  # a code wins over a name


class NameOrUsccLookup(Lookup):
    """By exact name or by unified social credit code (purchasers: both are unique; organizations: the USCC is,
    a name counts only when it names exactly one object). ``details`` are values remembered per object
    (``ctx.details[(field, pk)]``), e.g. a purchaser's region."""

    def __init__(self, model, details=(), **kwargs):
        super().__init__(model, **kwargs)
        self.details = tuple(details)

    def fetch(self, keys, user, ctx):
        from core.uscc import normalize_uscc

        found = {}
        usccs = {normalize_uscc(k): k for k in keys}
        for chunk in _chunks(keys):
            rows = self.queryset(user).filter(Q(name__in=chunk) | Q(uscc__in=[normalize_uscc(k) for k in chunk]))
            for row in rows.values_list("pk", "name", "uscc", *self.details):
                pk, name, uscc = row[:3]
                if self.details and ctx is not None:
                    ctx.details[(self.col.field_name, pk)] = dict(zip(self.details, row[3:], strict=True))
                if uscc and uscc in usccs:
                    found[usccs[uscc]] = pk
                if name in keys:
                    _add_found(found, name, pk)
        return found


class ContractLookup(Lookup):
    """A contract by its purchaser (name or USCC) and its contract number."""

    columns = ("purchaser_name", "contract_reference")
    scope = "editable"
    joint = True

    def __init__(self, model, purchaser_model, **kwargs):
        super().__init__(model, **kwargs)
        self.purchaser_model = purchaser_model

    def key(self, cells):
        purchaser, reference = (cells.get(c, "") for c in self.columns)
        if not purchaser and not reference:
            return None
        return (purchaser, reference)

    def fetch(self, keys, user, ctx):
        purchasers = NameOrUsccLookup(self.purchaser_model, scope="visible")
        purchasers.col = self.col
        purchaser_ids = purchasers.fetch({p for p, _r in keys if p}, user, None)
        wanted = {}
        for purchaser, reference in keys:
            pid = purchaser_ids.get(purchaser)
            if pid is not None and pid is not AMBIGUOUS:
                wanted.setdefault(pid, set()).add(reference)
        by_pair = {}
        refs = {r for rs in wanted.values() for r in rs}
        for chunk in _chunks(refs):
            qs = self.queryset(user).filter(purchaser_id__in=list(wanted), reference__in=chunk)
            for pk, pid, reference in qs.values_list("pk", "purchaser_id", "reference"):
                by_pair[(pid, reference)] = pk
        found = {}
        for purchaser, reference in keys:
            pid = purchaser_ids.get(purchaser)
            if pid is not None and (pid, reference) in by_pair:
                found[(purchaser, reference)] = by_pair[(pid, reference)]
        return found
