"""``manage.py seed_demo``: load the demo data set (idempotent), or the large benchmark set with ``--size large``."""

import time

from django.core.management.base import BaseCommand

from demo import generate


class Command(BaseCommand):
    help = (
        "Load realistic demo data for Jilin Province (regions, purchasers, ~120 organizations, ~1,000 contracts with "
        "payments, reviews, income records and annual reports) and the demo logins admin, staff, ngo and analyst "
        "(password posc-demo). Deterministic and idempotent: a second run changes nothing. "
        "--size large adds the benchmark set (≈10k organizations, 200k contracts) without audit history; "
        "--size national the national one (≈100k organizations over 31 provinces, 2M contracts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["small", "large", "national"], default="small",
                            help="small: the everyday demo set (default); large: add the province-scale benchmark "
                                 "set; national: add the national one.")
        parser.add_argument("--scale", type=float, default=1.0,
                            help="Multiply the large or national set's size (e.g. 0.01 for a quick try).")
        parser.add_argument("--part", default="1/1", metavar="K/N",
                            help="National set only: write the K-th of N shares of it, so that N processes started "
                                 "side by side (--part 1/N … --part N/N) share the build. Each is resumable.")

    def handle(self, *args, size, scale, part, **options):
        if scale <= 0:
            self.stderr.write("--scale must be greater than zero.")
            raise SystemExit(2)
        try:
            k, n = (int(x) for x in part.split("/"))
            if not 1 <= k <= n:
                raise ValueError
        except ValueError:
            self.stderr.write("--part is K/N with 1 ≤ K ≤ N, e.g. 1/2.")
            raise SystemExit(2) from None
        extra = {"large": generate.large_plan, "national": generate.national_plan}.get(size)
        plans = [generate.SMALL] + ([extra(scale)] if extra else [])
        for plan in plans:
            started = time.monotonic()
            created = generate.seed(plan, log=lambda message: self.stdout.write(message) if options["verbosity"] > 1
                                    else None, part=(k - 1, n) if plan.national else (0, 1))
            elapsed = time.monotonic() - started
            if any(created.values()):
                summary = ", ".join(f"{count} {name}" for name, count in created.items())
                self.stdout.write(f"Demo data ({plan.name}): created {summary} in {elapsed:.1f} s.")
            else:
                self.stdout.write(f"Demo data ({plan.name}) already present; nothing to do.")
        self.stdout.write(f"Demo logins (password {generate.PASSWORD}): "
                          + ", ".join(username for username, *_ in generate.DEMO_USERS))
