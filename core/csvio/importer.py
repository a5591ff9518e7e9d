"""The import engine: read the file, match rows to records, check versions and scope, and write all rows or
none. The row checks are in ``checks`` (with the constraint evaluator in ``conditions``), the raw SQL in ``sql``."""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import registry, writes
from core.concurrency import ConcurrentEditError
from core.csvio.cells import BOM, CHANGE_REASON, header_key, translations, unescape_cell
from core.csvio.checks import RowChecks, refused_scope_fields
from core.csvio.columns import ForeignKey, Id, ReadOnly, _has_field
from core.csvio.lookups import _chunks
from core.csvio.reader import FileError, RowError, read_table
from core.csvio.sql import advance_sequence, update_rows


@dataclass
class ImportResult:
    """What an import did (or, for a preview, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)
    read_only_columns: list = field(default_factory=list)
    committed: bool = False
    plan: list = field(default_factory=list)
    titles: dict = field(default_factory=dict)  # column code → title shown in errors (``Importer.map_header``)

    @property
    def ok(self):
        return not self.errors

    @property
    def total(self):
        return self.created + self.updated + self.unchanged

    def add(self, row, column, message):
        self.errors.append(RowError(row, column, str(message), str(self.titles.get(column, column) or "")))


class _Context:
    def __init__(self):
        self.lookups = {}
        self.details = {}


class Importer(RowChecks):
    """Validate (and, when ``commit``, write) one CSV file for one spec as one user.

    ``user=None`` runs with an administrator's scope (management commands). Everything happens in one
    transaction; a preview rolls it back, so it reports exactly what a confirm would do, and a confirm with any
    invalid row writes nothing.
    """

    def __init__(self, spec, user=None):
        self.spec = spec
        self.model = spec.model
        self.user = user or SystemUser()
        self.history_user = user if getattr(user, "pk", None) else None
        self.plan = []  # (row, "create" | "update" | "unchanged", id, version or fingerprint) for each valid row
        self.expected_plan = None
        self.lock = False

    # --------------------------------------------------------------- helpers

    @property
    def is_admin(self):
        from core.roles import get_scope

        return get_scope(self.user).is_admin

    def may_import(self):
        return self.model.user_can_add(self.user)

    def map_header(self, header, result):
        """{csv column name: index}; unknown headers are reported in ``result.ignored_columns``."""
        known = {}
        importable = {c.name for c in self.spec.import_columns()}
        for col in self.spec.columns:
            known[header_key(col.name)] = col.name
            for text in translations(col.label):
                known.setdefault(header_key(text), col.name)
            # Errors name the column as the user wrote it; a code header is shown with its label.
            result.titles[col.name] = f"{capfirst(col.label)} ({col.name})"
        mapping = {}
        for index, cell in enumerate(header):
            name = known.get(header_key(cell.lstrip(BOM)))
            if name is None:
                if cell.strip():
                    result.ignored_columns.append(cell.strip())
                continue
            if name in mapping:
                raise FileError(_("The column “%(name)s” appears twice.") % {"name": cell})
            mapping[name] = index
            if header_key(cell.lstrip(BOM)) != header_key(name):
                result.titles[name] = cell.lstrip(BOM).strip()
            if name not in importable:
                result.read_only_columns.append(cell.strip())
        return mapping

    # --------------------------------------------------------------- main

    def run(self, data, commit=False, expected_plan=None):
        """Read, check and (``commit``) write ``data``. ``expected_plan``: the preview's ``result.plan``; the
        import is refused, row by row, where the plan made now differs from it."""
        result = ImportResult()
        self.plan = result.plan
        self.expected_plan = expected_plan
        self.lock = commit
        if not self.may_import():
            raise FileError(_("Your role may not add %(models)s.")
                            % {"models": self.model._meta.verbose_name_plural})
        max_bytes = settings.CSV_IMPORT_MAX_BYTES
        if len(data) > max_bytes:
            raise FileError(_("The file is %(size)s MB; at most %(max)s MB can be imported at once.")
                            % {"size": _mb(len(data)), "max": _mb(max_bytes)})
        table = read_table(data, max_rows=settings.CSV_IMPORT_MAX_ROWS)
        header, rows = table.header, table.rows
        result.errors.extend(table.errors)
        mapping = self.map_header(header, result)
        importable = {c.name for c in self.spec.import_columns()}
        if not (importable & set(mapping)):
            raise FileError(_("None of the columns is known. The first row must hold the column names (see the "
                              "template)."))
        try:
            with transaction.atomic(), registry.write_batch():
                self._run(mapping, rows, result)
                if result.errors or not commit:
                    transaction.set_rollback(True)
        except (IntegrityError, DataError) as exc:
            result.add(0, "", _("The database refused the rows: %(error)s") % {"error": exc})
        result.errors.sort(key=lambda e: e.row)
        result.committed = commit and not result.errors
        return result

    def _cells(self, mapping, row):
        cells = {}
        for name, index in mapping.items():
            text = row[index] if index < len(row) else ""
            cells[name] = unescape_cell(text.strip())
        return cells

    def _run(self, mapping, rows, result):
        spec = self.spec
        header = set(mapping)
        cols = [col for col in spec.cols if col.present(header) or isinstance(col, Id) and "id" in header]
        cells_by_row = [(number, self._cells(mapping, row)) for number, row in rows]

        # 1. Foreign keys, in bulk: one lookup per foreign key.
        ctx = _Context()
        for col in cols:
            if isinstance(col, ForeignKey):
                keys = {k for _n, cells in cells_by_row if (k := col.keys_for_lookup(cells)) is not None}
                ctx.lookups[col.field_name] = col.lookup.fetch(keys, self.user, ctx) if keys else {}

        # 2. Parse every row's values.
        parsed = []
        for number, cells in cells_by_row:
            values, bad = {}, set()
            for col in cols:
                try:
                    values[col.field_name] = col.read(cells, ctx)
                except ValidationError as exc:
                    bad.add(col.field_name)
                    for message in exc.messages:
                        result.add(number, col.error_column, message)
            parsed.append((number, values, bad))

        # 3. Existing objects, by natural key (or id).
        targets = self._match(parsed, result, cols)

        # 4. Build and validate each object.
        fields_present = [col.field_name for col in cols if col.field_name != "id" and _editable(col)]
        # Every stored field (derived ones too: a review's total and grade), except bookkeeping.
        tracked = [f for f in self.model._meta.concrete_fields
                   if not f.primary_key and f.name != "version" and not getattr(f, "auto_now", False)
                   and not getattr(f, "auto_now_add", False)]
        plan = self._validation_plan(cols, fields_present)
        versioned = _has_field(self.model, "version")
        file_has_version = versioned and "version" in header
        to_create, to_update, rows_of = [], [], {}
        conflicts = []
        explicit_ids = False
        for (number, values, bad), target in zip(parsed, targets, strict=True):
            if target is _SKIP:
                continue
            obj = target if target is not None else self.model()
            before = _snapshot(obj, tracked) if target else None
            for name in fields_present:
                if name in values and name not in bad:
                    setattr(obj, _attname(self.model, name), values[name])
            if target is None and values.get("id") is not None and self._may_keep_id(values["id"]):
                obj.pk = values["id"]
                explicit_ids = True
            if spec.prepare:
                spec.prepare(obj, values, ctx.details)
            self._validate(obj, number, bad, plan, result)
            if target is None:
                to_create.append(obj)
                rows_of[id(obj)] = number
                self.plan.append((number, "create", None, None))
                continue
            after = _snapshot(obj, tracked)
            diff = {f.name for f in tracked if before[f.name] != after[f.name]}
            self.plan.append((number, "update" if diff else "unchanged", obj.pk,
                              obj.version if versioned else _digest(before)))
            if not diff:
                result.unchanged += 1
                continue
            if spec.save is not None:
                # Records written through their own write path are append-only (an amendment is never edited).
                name = next(f.name for f in tracked if f.name in diff)
                result.add(number, plan["column_of"].get(name, name), _(
                    "A stored %(model)s has the same %(key)s but other values, and it is not changed once saved: "
                    "record another one instead.") % {"model": self.model._meta.verbose_name,
                                                              "key": _key_label(self.model, spec.keys[0])})
                continue
            if file_has_version and "version" not in bad:
                if values.get("version") is None:
                    result.add(number, "version", _("This row changes an existing %(model)s but its version is "
                                                    "empty: export the records again and make the change in that "
                                                    "file.") % {"model": self.model._meta.verbose_name})
                elif values["version"] != obj.version:
                    conflicts.append((number, obj, values["version"]))
            for name in refused_scope_fields(self.user, self.model, diff):
                result.add(number, plan["column_of"].get(name, name),
                           _("Only an administrator may change the %(field)s of an existing %(model)s: it decides "
                             "who may see and change its records.")
                           % {"field": self.model._meta.get_field(name).verbose_name,
                              "model": self.model._meta.verbose_name})
            obj._import_changed = diff
            to_update.append(obj)
            rows_of[id(obj)] = number
        if conflicts:
            self._report_conflicts(conflicts, result)
        self._check_unique(to_create + to_update, rows_of, result, cols)
        result.created, result.updated = len(to_create), len(to_update)
        if spec.save is not None:
            self._plan_parent_versions(to_create, rows_of)
        if self.expected_plan is not None:
            self._compare_plan(result)
        if result.errors:
            return
        guard = writes.ScopeGuard(self.user).__enter__()  # the writer's reach before the write
        if spec.save is not None:
            self._save_each(to_create, explicit_ids, rows_of, result, plan["column_of"], guard)
        else:
            self._write(to_create, to_update, explicit_ids, rows_of, result)
        if result.errors:
            return
        self._check_scope(to_create + to_update, rows_of, result, cols, guard)

    # --------------------------------------------------------------- plan and conflicts

    def _report_conflicts(self, conflicts, result):
        """Rows exported at another version than the stored one: name the row, the record and who changed it."""
        model = self.model
        last = {}
        history = getattr(model, "history", None)
        if history is not None:
            pks = [obj.pk for _n, obj, _v in conflicts[:1000]]
            for row in (history.filter(id__in=pks).order_by("id", "-history_date")
                        .values("id", "history_date", "history_user__username")):
                last.setdefault(row["id"], row)
        for number, obj, version in conflicts:
            params = {"model": model._meta.verbose_name, "record": obj, "id": obj.pk, "row": version,
                      "current": obj.version}
            change = last.get(obj.pk)
            if change is not None:
                params.update(user=change["history_user__username"] or gettext("system"),
                              date=timezone.localtime(change["history_date"]).strftime("%Y-%m-%d %H:%M"))
                message = _("Conflict: %(model)s “%(record)s” (id %(id)s) is at version %(current)d, this row was "
                            "exported at version %(row)d; last changed by %(user)s on %(date)s. Export it again "
                            "and make your change in that file.") % params
            else:
                message = _("Conflict: %(model)s “%(record)s” (id %(id)s) is at version %(current)d, this row was "
                            "exported at version %(row)d. Export it again and make your change in that file.") % params
            result.add(number, "version", message)

    def _plan_parent_versions(self, to_create, rows_of):
        """Rows written one by one (``spec.save``) change their parent (an amendment its contract): the plan keeps
        the parent's version as the preview saw it (one query), so a confirm after someone changed it is refused."""
        parent = self.spec.parent_field
        if not parent:
            return
        parent_model = self.model._meta.get_field(parent).related_model
        if not _has_field(parent_model, "version"):
            return
        attname = _attname(self.model, parent)
        ids = {getattr(obj, attname) for obj in to_create}
        versions = {}
        for chunk in _chunks(ids):
            versions.update(parent_model._base_manager.filter(pk__in=chunk).values_list("pk", "version"))
        version_of = {rows_of[id(obj)]: versions.get(getattr(obj, attname)) for obj in to_create}
        self.plan[:] = [(number, action, pk, version_of[number] if action == "create" else check)
                        for number, action, pk, check in self.plan]

    def _compare_plan(self, result):
        """At confirm: refuse when the plan differs from the preview's (a row that created now updates, a record
        changed since the preview), naming each row."""
        before = {entry[0]: tuple(entry) for entry in self.expected_plan}
        now = {entry[0]: entry for entry in self.plan}
        model = self.model._meta.verbose_name
        reported = {error.row for error in result.errors}
        for number in sorted(set(before) | set(now)):
            old, new = before.get(number), now.get(number)
            if old == new or number in reported:
                continue
            if old is None or new is None:
                message = _("This row was read differently at the preview; upload the file again.")
            elif old[1] == new[1] == "create":
                parent = self.spec.parent_field
                message = _("The %(parent)s of this row changed since the preview. Upload the file again to "
                            "review.") % {"parent": self.model._meta.get_field(parent).verbose_name
                                          if parent else model}
            elif old[1] == "create" and new[1] != "create":
                message = _("At the preview this row added a new %(model)s; since then someone created it (id "
                            "%(id)s), so it would now change that record. Upload the file again to review.") % {
                    "model": model, "id": new[2]}
            elif new[1] == "create":
                message = _("At the preview this row changed an existing %(model)s, which has since been deleted. "
                            "Upload the file again to review.") % {"model": model}
            else:
                message = _("%(model)s id %(id)s changed since the preview. Upload the file again to review.") % {
                    "model": capfirst(model), "id": new[2]}
            result.add(number, "", message)
        result.errors.sort(key=lambda e: e.row)

    # --------------------------------------------------------------- matching

    def _rows(self):
        """The model's rows as the import reads them: at confirm, locked until the transaction ends
        (``SELECT … FOR UPDATE``), so nobody changes a record between its check and its write."""
        manager = self.model._default_manager
        return manager.select_for_update() if self.lock else manager.all()

    def _may_keep_id(self, pk):
        """A created object keeps the file's id only for an administrator and only when no object has it (so a
        file exported from one database restores the same ids in an empty one)."""
        return self.is_admin and pk not in self._taken_ids

    def _match(self, parsed, result, cols):
        """For each parsed row: the existing object to update, None to create, or _SKIP (row has errors)."""
        spec, model = self.spec, self.model
        targets = [None] * len(parsed)
        self._taken_ids = set()
        key_col = {col.field_name: col for col in cols}
        if spec.keys is None:
            ids = {values.get("id") for _n, values, _b in parsed if values.get("id") is not None}
            editable = {}
            existing = set()
            for chunk in _chunks(ids):
                allowed = set(model._default_manager.editable_by(self.user).filter(pk__in=chunk)
                              .values_list("pk", flat=True))
                editable.update({o.pk: o for o in self._rows().filter(pk__in=allowed)})
                if self.is_admin:
                    existing |= set(model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))
            seen = {}
            for i, (number, values, bad) in enumerate(parsed):
                pk = values.get("id")
                if pk is None:
                    continue
                if pk in seen:
                    result.add(number, "id", _("The same id as row %(row)d.") % {"row": seen[pk]})
                    targets[i] = _SKIP
                    continue
                seen[pk] = number
                if pk in editable:
                    obj = editable[pk]
                    parent = spec.parent_field
                    if parent and parent in values and parent not in bad and values[parent] is not None \
                            and getattr(obj, f"{parent}_id") != values[parent]:
                        result.add(number, key_col[parent].error_column if parent in key_col else parent,
                                   _("Row id %(id)s belongs to another %(parent)s; leave the id empty to create "
                                     "a new record.") % {"id": pk, "parent": model._meta.get_field(parent)
                                                         .verbose_name})
                        targets[i] = _SKIP
                        continue
                    targets[i] = obj
                elif self.is_admin and pk not in existing:
                    targets[i] = None  # created with this id
                else:
                    result.add(number, "id", _("No %(model)s with id %(id)s that you may change; leave the id empty "
                                               "to create a new one.") % {"model": model._meta.verbose_name, "id": pk})
                    targets[i] = _SKIP
            return targets

        self._taken_ids = set()
        if self.is_admin:
            ids = {values.get("id") for _n, values, _b in parsed if values.get("id") is not None}
            for chunk in _chunks(ids):
                self._taken_ids |= set(model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))

        # Natural keys: the keys whose values the row has, in order; the first that finds a record decides (a
        # purchaser row with a new USCC and a known name updates that purchaser), else the first one is the new
        # record's identity.
        candidates = []
        for _number, values, bad in parsed:
            candidates.append([(key, tuple(values[name] for name in key)) for key in spec.keys
                               if all(values.get(name) not in (None, "") and name not in bad for name in key)])
        existing = {}
        for key in spec.keys:
            wanted = [kv[1] for row in candidates for kv in row if kv[0] == key]
            if not wanted:
                continue
            for chunk in _chunks(wanted):
                condition = Q()
                for name_index, name in enumerate(key):
                    attname = _attname(model, name)
                    condition &= Q(**{f"{attname}__in": {v[name_index] for v in chunk}})
                for obj in self._rows().filter(condition):
                    existing[(key, tuple(getattr(obj, _attname(model, n)) for n in key))] = obj
        editable_pks = set()
        for chunk in _chunks({o.pk for o in existing.values()}):
            editable_pks |= set(model._default_manager.editable_by(self.user).filter(pk__in=chunk)
                                .values_list("pk", flat=True))
        seen = {}
        for i, ((number, _values, _bad), row_keys) in enumerate(zip(parsed, candidates, strict=True)):
            if not row_keys:
                continue
            kv = next((kv for kv in row_keys if kv in existing), row_keys[0])
            key = kv[0]
            column = key_col[key[-1]].error_column if key[-1] in key_col else key[-1]
            obj = existing.get(kv)
            identity = ("obj", obj.pk) if obj is not None else kv
            if identity in seen:
                result.add(number, column, _("Row %(row)d already has the same %(key)s.")
                           % {"row": seen[identity], "key": _key_label(model, key)})
                targets[i] = _SKIP
                continue
            seen[identity] = number
            if obj is None:
                continue
            if obj.pk not in editable_pks:
                result.add(number, column, _("This %(model)s already exists and you may not change it.")
                           % {"model": model._meta.verbose_name})
                targets[i] = _SKIP
                continue
            targets[i] = obj
        return targets

    # --------------------------------------------------------------- writing

    def _write(self, to_create, to_update, explicit_ids, rows_of, result):
        """Write the rows: each update sets only the fields its own row changed, and only while the record is still
        at the version it was read at (``UPDATE … WHERE id = %s AND version = %s``); the version goes up by one."""
        from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

        model = self.model
        now = timezone.now()
        concrete = {f.name: f for f in model._meta.concrete_fields}
        registry.bulk_written(model, to_update)  # the records' values before the write (a contract's old organization)
        if to_update:
            versioned = "version" in concrete
            auto_now = [f.name for f in concrete.values() if getattr(f, "auto_now", False)]
            groups = {}
            for obj in to_update:
                for name in auto_now:
                    setattr(obj, concrete[name].attname, now)
                groups.setdefault(tuple(sorted(obj._import_changed | set(auto_now))), []).append(obj)
            expected = 0
            written = 0
            for fields, objs in groups.items():
                written += update_rows(model, objs, list(fields), versioned=versioned)
                expected += len(objs)
            if written != expected:
                # Unreachable while the rows are locked (select_for_update); kept as the last guard.
                result.add(0, "version", _("Another user changed some of these records while the file was being "
                                           "imported; nothing was imported. Upload the file again."))
                return
            if versioned:
                for obj in to_update:
                    obj.version += 1
            get_history_manager_for_model(model).bulk_history_create(
                to_update, batch_size=500, update=True, default_user=self.history_user,
                default_change_reason=CHANGE_REASON, default_date=now)
        if to_create:
            bulk_create_with_history(to_create, model, batch_size=500, default_user=self.history_user,
                                     default_change_reason=CHANGE_REASON, default_date=now)
            if explicit_ids:
                advance_sequence(model)
        registry.bulk_written(model, to_update + to_create)

    def _save_each(self, to_create, explicit_ids, rows_of, result, column_of, guard):
        """Write the rows one by one in file order through the spec's own write path (``spec.save``), each in its
        own savepoint so that every row's refusal is reported; the caller rolls the whole file back on any."""
        rows_guard = _FileGuard(guard)
        for obj in sorted(to_create, key=lambda o: rows_of[id(o)]):
            number = rows_of[id(obj)]
            obj._change_reason = CHANGE_REASON
            try:
                with transaction.atomic():
                    self.spec.save(self.history_user or self.user, obj, rows_guard)
            except ConcurrentEditError:
                result.add(number, column_of.get(self.spec.parent_field, ""), _(
                    "The %(parent)s of this row was changed or deleted by someone else meanwhile. Upload the file "
                    "again.") % {"parent": self.model._meta.get_field(self.spec.parent_field).verbose_name})
            except ValidationError as exc:
                for name, messages in writes.errors_by_field(exc).items():
                    column = column_of.get(name, "" if name == NON_FIELD_ERRORS else name)
                    for message in messages:
                        result.add(number, column, message)
            except PermissionDenied as exc:
                result.add(number, column_of.get(self.spec.parent_field, ""), str(exc))
        if explicit_ids and not result.errors:
            advance_sequence(self.model)


class _FileGuard(writes.ScopeGuard):
    """The scope guard of rows written one by one: every row's reach checks use one scope, computed afresh when
    the first row is written, instead of three per row. As for bulk writes, the importer then checks every written
    record, and the writer's own reach, against a scope computed afresh after the last row (``_check_scope``)."""

    def __init__(self, guard):
        super().__init__(guard.user)
        self.before = guard.before
        self._scope = None

    def fresh_scope(self):
        if self._scope is None:
            self._scope = super().fresh_scope()
        return self._scope


_SKIP = object()


def _digest(snapshot):
    """A short fingerprint of a record's stored values (the preview's plan, for models without a version)."""
    return hashlib.sha256(repr(sorted(snapshot.items())).encode()).hexdigest()[:16]


def _snapshot(obj, fields):
    return {f.name: getattr(obj, f.attname) for f in fields}


def _attname(model, name):
    return model._meta.get_field(name).attname


def _editable(col):
    return getattr(col, "editable", True) and not isinstance(col, ReadOnly)


def _key_label(model, key):
    return " + ".join(str(model._meta.get_field(n).verbose_name) for n in key)


def _mb(size):
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


class SystemUser:
    """The scope of management commands: an administrator that is no database user."""

    pk = None
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True
    is_anonymous = False
    username = "system"

    def __str__(self):
        return gettext("system")
