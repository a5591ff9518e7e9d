"""``manage.py refresh_aggregates [--check]``: rebuild the precomputed funder rows (``dashboards.FunderYear``)
from the payments and income records, or (``--check``) compare them with the raw computation and exit with
status 1 listing the organizations whose rows differ (docs/operations.md)."""

import time

from django.core.management.base import BaseCommand

from dashboards import aggregates
from dashboards.models import FunderYear


class Command(BaseCommand):
    help = ("Rebuild the precomputed funder rows of every organization (after writes that bypassed the application, "
            "e.g. raw SQL). --check only compares them with a computation from scratch.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Change nothing: list the organizations whose stored rows differ from a computation "
                                 "from scratch, and exit with status 1 if there are any.")

    def handle(self, *args, check=False, **options):
        started = time.monotonic()
        if check:
            differing = aggregates.differences()
            if differing:
                shown = ", ".join(str(pk) for pk in differing[:100])
                more = f" and {len(differing) - 100} more" if len(differing) > 100 else ""
                self.stderr.write(f"{len(differing)} organizations have stale funder rows: {shown}{more}. "
                                  "Run manage.py refresh_aggregates to rebuild them.")
                raise SystemExit(1)
            self.stdout.write(f"Funder rows up to date ({time.monotonic() - started:.1f} s).")
            return
        aggregates.rebuild()
        self.stdout.write(f"Rebuilt {FunderYear.objects.count()} funder rows in {time.monotonic() - started:.1f} s.")
