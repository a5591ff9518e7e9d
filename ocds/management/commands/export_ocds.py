"""``manage.py export_ocds [--year Y] [--output F]``: every published contract as an OCDS release package, as an
administrator sees them (no visibility narrowing), written incrementally to a file or standard output."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from contracts.models import Contract
from ocds import packages
from ocds.api.views import MAX_YEAR, MIN_YEAR


class Command(BaseCommand):
    help = "Write every published contract (all years, or one) as an OCDS 1.1 release package (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="Only contracts signed in this year.")
        parser.add_argument("--output", help="File to write (default: standard output).")

    def handle(self, *args, year=None, output=None, **options):
        queryset = Contract.objects.all()
        if year is not None:
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise CommandError(f"--year must be between {MIN_YEAR} and {MAX_YEAR}.")
            queryset = queryset.filter(signed_on__year=year)
        counter = Counter(packages.release_texts(queryset))
        first = next(counter, None)
        if first is None:
            raise CommandError("No published contract to export" + (f" for {year}." if year else "."))
        path = reverse("api:ocds-releases") + (f"?year={year}" if year else "")
        uri = getattr(settings, "OCDS_BASE_URL", "http://localhost:8000").rstrip("/") + path

        def releases():
            yield first
            yield from counter

        if not output:
            for chunk in packages.release_package_text_chunks(uri, releases()):
                self.stdout.write(chunk, ending="")
            self.stdout.write("")
            return
        partial = f"{output}.partial"  # a failed export never leaves a truncated file under the final name
        try:
            with open(partial, "w", encoding="utf-8") as stream:
                for chunk in packages.release_package_text_chunks(uri, releases()):
                    stream.write(chunk)
            os.replace(partial, output)
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        if output:
            self.stderr.write(f"Wrote {counter.count} releases to {output}.")


class Counter:
    """An iterator that counts what passes through it."""

    def __init__(self, iterable):
        self.iterator = iter(iterable)
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self.iterator)
        self.count += 1
        return item
