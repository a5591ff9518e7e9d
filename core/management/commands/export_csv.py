"""``manage.py export_csv MODEL [--output FILE]``: the same file as the list page's "Export CSV", for every row.

Runs with an administrator's scope (every row), unless ``--user`` names a user whose visibility applies.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core import csvio


class Command(BaseCommand):
    help = "Export a model as CSV (UTF-8 with BOM, the columns of the list pages' exports)."

    def add_arguments(self, parser):
        parser.add_argument("model", choices=[spec.slug for spec in csvio.all_specs()])
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument("--user", help="Export only what this user may see (default: everything).")

    def handle(self, *args, model, output=None, user=None, **options):
        spec = csvio.get_spec(model)
        manager = spec.model._default_manager
        queryset = manager.all()
        if user:
            User = get_user_model()
            try:
                queryset = manager.visible_to(User.objects.get(username=user))
            except User.DoesNotExist:
                raise CommandError(f"No user {user!r}.") from None
        count = 0

        def counted(rows):
            nonlocal count
            for row in rows:
                count += 1
                yield row

        pieces = csvio.stream_csv(spec.header(), counted(spec.rows(queryset)))
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fileobj:
                for piece in pieces:
                    fileobj.write(piece)
            self.stderr.write(f"{count} rows written to {output}")
        else:
            for piece in pieces:
                self.stdout.write(piece, ending="")
