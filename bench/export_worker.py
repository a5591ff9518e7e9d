"""One CSV export of the first N contracts, run in its own process so that its peak RSS can be read.

    python bench/export_worker.py app 20000    # the application's streaming export (what /contracts/?export=csv runs)
    python bench/export_worker.py copy 20000   # COPY (the same SELECT) TO STDOUT WITH CSV: the database's floor
    python bench/export_worker.py page 0       # GET /contracts/?export=csv (every contract; N is ignored)
    python bench/export_worker.py api 0        # GET /api/contracts/?format=csv (every contract)
    python bench/export_worker.py xlsx 20000   # the Excel export of the first N contracts (core.xlsxio.spec_response,
                                               # what /contracts/?export=xlsx runs)
    python bench/export_worker.py ocds 0       # GET /api/ocds/releases/ (every published contract, streamed JSON)

The routes are requested with Django's test client, logged in as the analyst (zh-hans), reading the streamed body.

Prints one JSON line: rows, bytes, seconds, maxrss_kb (the peak resident memory of this process: ``VmHWM`` from
/proc, since Linux keeps ``ru_maxrss`` across ``execve`` and would report the parent's peak at the fork).
"""

import json
import os
import resource
import sys
import time

from _setup import setup

ROUTES = {"page": "/contracts/?export=csv", "api": "/api/contracts/?format=csv", "ocds": "/api/ocds/releases/"}


def route(mode, user, out):
    """Request one export route; the bytes it sent."""
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    response = client.get(ROUTES[mode])
    if response.status_code != 200:
        raise SystemExit(f"{ROUTES[mode]} answered {response.status_code}")
    size = 0
    for chunk in response.streaming_content if response.streaming else [response.content]:
        out.write(chunk)
        size += len(chunk)
    return size


def route_rows(mode, user):
    """The rows a route's export holds: every contract the user sees (OCDS: every published one)."""
    from contracts.models import Contract
    from ocds.mapping import published_contracts

    visible = Contract.objects.visible_to(user)
    return (published_contracts(visible) if mode == "ocds" else visible).count()


def main():
    mode, n = sys.argv[1], int(sys.argv[2])
    setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import translation

    from contracts.models import Contract
    from core import csvio

    user = get_user_model().objects.get(username="analyst")
    ids = Contract.objects.order_by("pk").values_list("pk", flat=True)
    cut = ids[n - 1] if 0 < n <= ids.count() else ids.last()
    queryset = Contract.objects.visible_to(user).filter(pk__lte=cut)
    spec = csvio.get_spec(Contract)
    rows = queryset.count()
    translation.activate("zh-hans")
    out = open(os.devnull, "wb")  # noqa: SIM115
    size = 0
    started = time.perf_counter()
    if mode in ROUTES:
        size = route(mode, user, out)
    elif mode == "xlsx":
        from core import xlsxio

        response = xlsxio.spec_response(spec, queryset)
        for chunk in response.streaming_content:
            out.write(chunk)
            size += len(chunk)
    elif mode == "app":
        response = csvio.export_response(spec, queryset)
        for chunk in response.streaming_content:
            out.write(chunk)
            size += len(chunk)
    else:
        values = spec.export_queryset(queryset).values_list(*[c.source for c in spec.columns])
        sql, params = values.query.sql_with_params()
        statement = connection.ops.compose_sql(sql, params)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY ({statement}) TO STDOUT WITH CSV HEADER") as copy:
                for data in copy:
                    out.write(data)
                    size += len(data)
    seconds = time.perf_counter() - started
    if mode in ROUTES:
        rows = route_rows(mode, user)
    print(json.dumps({"mode": mode, "rows": rows, "bytes": size, "seconds": seconds,
                      "maxrss_kb": peak_rss_kb()}))


def peak_rss_kb():
    """This process's peak resident set size in kB, from its own memory map (reset by ``execve``)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main()
