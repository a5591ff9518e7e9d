"""Django set-up shared by the benchmark scripts: production-like settings (DEBUG off), PostgreSQL only."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What a production deployment runs with; DEBUG off also stops Django from keeping every query in memory.
BENCH_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "benchmark-only-not-secret",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_COOKIES": "0",
}


def setup():
    """Configure and start Django; exit with a message unless DATABASE_URL points at PostgreSQL."""
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posc.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmarks run on PostgreSQL only: set DATABASE_URL=postgres://… (see docs/performance.md).")
    import django

    django.setup()
