"""The contract list page and a contract search that matches nothing, in process (Django test client, analyst),
with the query count and the plan of every query of a search that searches text (LIKE). Not a test: prints only.

    .venv/bin/python bench/search.py [--repeat 5] [--word 不存在的词]

A word that matches nothing must cost nothing: with the trigram indexes (contracts 0003, organizations 0004) the
plans show Bitmap Index Scans on the ``*_trgm_idx`` indexes, not a Seq Scan of the contracts table.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions per page (median)")
    parser.add_argument("--word", default="QZXJ不存在", help="the search text that matches nothing")
    args = parser.parse_args()
    setup()
    from urllib.parse import urlencode

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from contracts.models import Contract

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: the manifest must exist
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(get_user_model().objects.get(username="analyst"))
    base = reverse("contracts:contract_list")
    print(f"{Contract.objects.count():,} contracts")
    for label, path in (("contract list", base), ("contract list, 100 rows a page", f"{base}?per_page=100"),
                        ("search matching nothing", f"{base}?{urlencode({'q': args.word})}"),
                        ("search matching some", f"{base}?{urlencode({'q': '康复'})}")):
        client.get(path)  # warm-up (caches, translations)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        print(f"\n{label}: median {statistics.median(times) * 1000:.0f} ms of {args.repeat} "
              f"(min {min(times) * 1000:.0f} ms), HTTP {response.status_code}, {len(queries)} queries")
        if "q=" not in path:
            continue
        for query in queries.captured_queries:
            sql = query["sql"]
            if "LIKE" not in sql:
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = [row[0] for row in cursor.fetchall()]
            print(f"  {query['time']} s  {sql[:160]}…")
            for line in plan:
                if any(k in line for k in ("Scan", "Execution Time", "Planning Time", "Limit", "Aggregate")):
                    print("    " + line.strip()[:160])


if __name__ == "__main__":
    main()
