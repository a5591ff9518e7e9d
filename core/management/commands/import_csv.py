"""``manage.py import_csv MODEL FILE [--dry-run]``: the import pages' rules, for scheduled jobs.

Runs with an administrator's scope (like the administrator on the import page), unless ``--user`` names a user
whose scope and permissions apply. Every row error is printed; the command exits with status 1 when any row is
invalid, and then nothing is written. ``--dry-run`` validates and reports without writing.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core import csvio


class Command(BaseCommand):
    help = "Import a CSV file (create or update by natural key); all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("model", choices=[spec.slug for spec in csvio.all_specs(importable=True)])
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")
        parser.add_argument("--user", help="Import as this user (their scope and history entries).")

    def handle(self, *args, model, file, dry_run=False, user=None, **options):
        spec = csvio.get_spec(model)
        account = None
        if user:
            User = get_user_model()
            try:
                account = User.objects.get(username=user)
            except User.DoesNotExist:
                raise CommandError(f"No user {user!r}.") from None
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from None
        try:
            result = csvio.Importer(spec, account).run(data, commit=not dry_run)
        except csvio.FileError as exc:
            raise CommandError(str(exc)) from None
        for error in result.errors:
            where = f"row {error.row}" if error.row else "file"
            column = f", column {error.column}" if error.column else ""
            self.stderr.write(f"{where}{column}: {error.message}")
        for name in result.ignored_columns:
            self.stderr.write(f"ignored unknown column: {name}")
        summary = f"{result.created} to create, {result.updated} to update, {result.unchanged} unchanged"
        if result.errors:
            raise CommandError(f"{len(result.errors)} errors; nothing was imported ({summary}).")
        if dry_run:
            self.stdout.write(f"Dry run, nothing written: {summary}.")
        else:
            self.stdout.write(f"Imported: {result.created} created, {result.updated} updated, "
                              f"{result.unchanged} unchanged.")
