"""``manage.py seed_demo``: load the demo data set (idempotent), or the large benchmark set with ``--size large``."""

import time

from django.core.management.base import BaseCommand

from demo import generate


class Command(BaseCommand):
    help = (
        "Load realistic demo data for Jilin Province (regions, purchasers, ~120 organizations, ~1,000 contracts with "
        "payments, reviews, income records and annual reports) and the demo logins admin, staff, ngo and analyst "
        "(password posc-demo). Deterministic and idempotent: a second run changes nothing. "
        "--size large adds the benchmark set (≈10k organizations, 200k contracts) without audit history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["small", "large"], default="small",
                            help="small: the everyday demo set (default); large: add the benchmark set.")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Multiply the large set's size (e.g. 0.01 for a quick try). Only with --size large.")

    def handle(self, *args, size, scale, **options):
        if scale <= 0:
            self.stderr.write("--scale must be greater than zero.")
            raise SystemExit(2)
        plans = [generate.SMALL] + ([generate.large_plan(scale)] if size == "large" else [])
        for plan in plans:
            started = time.monotonic()
            created = generate.seed(plan, log=lambda message: self.stdout.write(message) if options["verbosity"] > 1
                                    else None)
            elapsed = time.monotonic() - started
            if any(created.values()):
                summary = ", ".join(f"{count} {name}" for name, count in created.items())
                self.stdout.write(f"Demo data ({plan.name}): created {summary} in {elapsed:.1f} s.")
            else:
                self.stdout.write(f"Demo data ({plan.name}) already present; nothing to do.")
        self.stdout.write(f"Demo logins (password {generate.PASSWORD}): "
                          + ", ".join(username for username, *_ in generate.DEMO_USERS))
