"""``make bench``: time the application side by side with the database's own floor on a benchmark data set.

Runs on PostgreSQL only (``DATABASE_URL``), against the set that ``make bench-data`` builds
(``manage.py seed_demo --size large`` — a province — or ``--size national``). Prints one table and writes it, with
the date and the machine, into docs/performance.md between that size's markers
(``<!-- bench:results:large:start -->`` … ``<!-- bench:results:national:end -->``). Benchmarks are not tests:
nothing here asserts.

    .venv/bin/python bench/run.py [--size auto|large|national] [--repeat 5] [--duration 15] [--only a,b,c,d,e,f]
                                  [--no-write]

a. organization-year indicators, every organization, one year: app vs one SQL query (median seconds, ratio)
b. purchaser-year indicators, every purchaser, one year: the same
c. CSV export of contracts at 20k and all rows: app streaming vs COPY … TO STDOUT (rows/s, peak RSS per process)
d. CSV import of 10k contract rows with full validation (rows/s; rolled back)
e. HTTP under load against gunicorn (DEBUG off; 2 sync workers unless --workers/--threads/--worker-class say
   otherwise) with wrk, 20 connections: median/p95, req/s, errors, ratio of requests/s to a trivial view (/healthz)
   on the same server, and the CPU time per request spent in gunicorn and in the PostgreSQL backends serving it.
   Each worker serves each page twice first (``--cold``: not), so that the load measures the steady state.

    .venv/bin/python bench/run.py --only e --workers 3 --threads 4          # gthread: 3 processes × 4 threads
    .venv/bin/python bench/run.py --only e --gunicorn-config posc/gunicorn.conf.py   # the deployment's config
    CACHE_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/run.py --only e …     # on a shared Redis cache
    .venv/bin/python bench/run.py --only g --export-paths xlsx --no-write      # the Excel export alone
f. queries per page (Django test client, CaptureQueriesContext)
g. every export path against COPY of the same rows (rows/s and peak RSS, each in its own process): the page CSV
   (/contracts/?export=csv), the API CSV (/api/contracts/?format=csv), the Excel export (20k contracts) and the OCDS
   release package (/api/ocds/releases/)
h. every indicator path against the SQL floor (bench/floors.py), organizations and purchasers: the function, the
   API as JSON (every row, the largest page), the API as CSV, the dashboard's CSV (a first view: not cached)
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import floors  # noqa: E402
from _setup import ROOT, setup  # noqa: E402

YEAR = 2025
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:results:start -->", "<!-- bench:results:end -->"  # before there were two scales
SIZES = {"large": 100_000, "national": 1_000_000}  # size → fewest contracts a database of that size has


def markers(size):
    return f"<!-- bench:results:{size}:start -->", f"<!-- bench:results:{size}:end -->"


def detect_size(contracts):
    """The benchmark set a database holds, from its number of contracts."""
    return "national" if contracts >= SIZES["national"] else "large"
PORT = int(os.environ.get("BENCH_PORT", "8160"))
PYTHON = sys.executable


class Table:
    """The one results table: measurement, app, floor, ratio, target, met."""

    header = ["", "measurement", "application", "floor", "ratio", "target", "met"]

    def __init__(self):
        self.rows = []

    def add(self, key, what, app, floor="—", ratio="—", target="—", met=None):
        mark = "—" if met is None else ("yes" if met else "**no**")
        self.rows.append([key, what, app, floor, ratio, target, mark])
        print(" | ".join(str(c) for c in self.rows[-1]), flush=True)

    def markdown(self):
        lines = ["| " + " | ".join(self.header) + " |", "|" + "---|" * len(self.header)]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in self.rows]
        return "\n".join(lines)


def median_time(fn, repeat):
    """Median wall time of ``repeat`` calls after one warm-up call; returns (seconds, last result)."""
    result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def fmt_s(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def ms(microseconds):
    return f"{microseconds / 1000:.1f} ms" if microseconds < 10_000 else f"{microseconds / 1000:,.0f} ms"


def close(a, b, tolerance=Decimal("1e-6")):
    if a is None or b is None:
        return a is None and b is None
    a, b = Decimal(a), Decimal(b)
    return abs(a - b) <= tolerance * max(Decimal(1), abs(b))


# --------------------------------------------------------------------------------------------------------- a, b

def bench_organizations(table, repeat):
    from django.contrib.auth import get_user_model
    from django.db import connection

    from dashboards.indicators import organization_indicators
    from organizations.models import Organization

    analyst = get_user_model().objects.get(username="analyst")
    params = {"year": YEAR, "year_start": datetime.date(YEAR, 1, 1), "year_end": datetime.date(YEAR, 12, 31),
              "next_year_end": datetime.date(YEAR + 1, 12, 31)}

    def app():
        return organization_indicators(Organization.objects.with_finances_visible_to(analyst), YEAR)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(floors.ORGANIZATION_YEAR, params)
            return cursor.fetchall()

    app_s, app_rows = median_time(app, repeat)
    floor_s, floor_rows = median_time(floor, repeat)
    mismatches = organization_mismatches(app_rows, floor_rows)
    ratio = app_s / floor_s
    table.add("a", f"organization-year indicators, {len(app_rows):,} organizations, {YEAR}"
              + ("" if not mismatches else f" ({mismatches} values differ from SQL!)"),
              fmt_s(app_s), fmt_s(floor_s), f"{ratio:.2f}×", "≤ 1.5× SQL", ratio <= 1.5)


def organization_mismatches(app_rows, floor_rows):
    """How many values of ``organization_indicators`` rows differ from the floor's (every number it returns, the
    status, the percentiles to their 0.1 step); a row missing on either side counts once."""
    by_id = {r[0]: dict(zip(floors.ORGANIZATION_COLUMNS, r, strict=True)) for r in floor_rows}
    mismatches = abs(len(app_rows) - len(floor_rows))
    for row in app_rows:
        floor_row = by_id.get(row.organization)
        if floor_row is None:
            mismatches += 1
            continue
        for name in floors.ORGANIZATION_COMPARED:
            app_value, floor_value = getattr(row, name), floor_row[name]
            if name == "status":
                same = app_value == floor_value
            elif name in floors.ORGANIZATION_PERCENTILES:
                same = (app_value is None and floor_value is None) or (
                    app_value is not None and floor_value is not None
                    and abs(Decimal(app_value) - Decimal(floor_value)) <= Decimal("0.1"))
            else:
                same = close(app_value, floor_value)
            mismatches += not same
    return mismatches


def bench_purchasers(table, repeat):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from dashboards.purchaser_indicators import purchaser_indicators
    from organizations.models import Purchaser

    analyst = get_user_model().objects.get(username="analyst")
    today = timezone.localdate()
    params = {"year_start": datetime.date(YEAR, 1, 1), "year_end": datetime.date(YEAR, 12, 31), "today": today}

    def app():
        return purchaser_indicators(Purchaser.objects.visible_to(analyst), YEAR, today=today)

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(floors.PURCHASER_YEAR, params)
            return cursor.fetchall()

    app_s, app_rows = median_time(app, repeat)
    floor_s, floor_rows = median_time(floor, repeat)
    by_id = {r[0]: dict(zip(floors.PURCHASER_COLUMNS, r, strict=True)) for r in floor_rows}
    checked = ["contract_count", "spend", "supplier_hhi", "top_supplier_share", "single_source_share",
               "average_review_score", "failed_reviews", "overdue_payments"]
    mismatches = sum(1 for row in app_rows for name in checked
                     if not close(getattr(row, name), by_id[row.purchaser][name]))
    ratio = app_s / floor_s
    table.add("b", f"purchaser-year indicators, {len(app_rows):,} purchasers, {YEAR}"
              + ("" if not mismatches else f" ({mismatches} values differ from SQL!)"),
              fmt_s(app_s), fmt_s(floor_s), f"{ratio:.2f}×", "≤ 1.5× SQL", ratio <= 1.5)


# ------------------------------------------------------------------------------------------------------------ c

def export_run(mode, n):
    out = subprocess.run([PYTHON, str(ROOT / "bench" / "export_worker.py"), mode, str(n)], capture_output=True,
                         text=True, check=True, env=os.environ.copy())
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_export(table, repeat):
    from contracts.models import Contract

    total = Contract.objects.count()
    for n in (20_000, total):
        runs = {mode: [export_run(mode, n) for _ in range(max(1, min(repeat, 3)))] for mode in ("app", "copy")}
        rate = {m: statistics.median(r["rows"] / r["seconds"] for r in runs[m]) for m in runs}
        rss = {m: max(r["maxrss_kb"] for r in runs[m]) / 1024 for m in runs}
        rows = runs["app"][0]["rows"]
        ratio = rate["app"] / rate["copy"]
        table.add("c", f"CSV export of {rows:,} contracts: rows/s (peak RSS of the process)",
                  f"{rate['app']:,.0f}/s ({rss['app']:.0f} MB)", f"{rate['copy']:,.0f}/s ({rss['copy']:.0f} MB)",
                  f"{ratio:.2f}×", "≥ 0.5× COPY, < 200 MB", ratio >= 0.5 and rss["app"] < 200)


# ------------------------------------------------------------------------------------------------------------ g

EXPORT_PATHS = [("page", 0, "page CSV export (/contracts/?export=csv), every contract"),
                ("api", 0, "API CSV export (/api/contracts/?format=csv), every contract"),
                ("xlsx", 20_000, "Excel export of 20,000 contracts (/contracts/?export=xlsx)"),
                ("ocds", 0, "OCDS release package (/api/ocds/releases/), every published contract")]


def bench_export_paths(table, repeat, paths=()):
    """Each export route in its own process against ``COPY`` of the same contracts (the export's SELECT);
    ``paths``: only these modes (page, api, xlsx, ocds), default every one."""
    floors_by_n = {}
    for mode, n, label in EXPORT_PATHS:
        if paths and mode not in paths:
            continue
        runs = [export_run(mode, n) for _ in range(max(1, min(repeat, 3)))]
        if n not in floors_by_n:
            floors_by_n[n] = [export_run("copy", n) for _ in range(max(1, min(repeat, 3)))]
        floor_runs = floors_by_n[n]
        rate = statistics.median(r["rows"] / r["seconds"] for r in runs)
        floor_rate = statistics.median(r["rows"] / r["seconds"] for r in floor_runs)
        rss = max(r["maxrss_kb"] for r in runs) / 1024
        floor_rss = max(r["maxrss_kb"] for r in floor_runs) / 1024
        ratio = rate / floor_rate
        table.add("g", f"{label}: {runs[0]['rows']:,} rows, rows/s (peak RSS of the process)",
                  f"{rate:,.0f}/s ({rss:.0f} MB)", f"{floor_rate:,.0f}/s ({floor_rss:.0f} MB)", f"{ratio:.2f}×",
                  "≥ 0.5× COPY, < 200 MB", ratio >= 0.5 and rss < 200)


# ------------------------------------------------------------------------------------------------------------ h

def bench_indicator_paths(table, repeat):
    """Organization and purchaser indicators of one year through every path that serves them, against the
    hand-written SQL (bench/floors.py). HTTP paths through Django's test client (no server, no network), logged
    in as the analyst; the row cache (``dashboards.caching``) is cleared before each request (a first view; the
    JSON pages after the first reuse the rows it computed, as they do for a script paging through them)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from core.api import Pagination
    from dashboards import caching
    from dashboards.indicators import organization_indicators
    from dashboards.purchaser_indicators import purchaser_indicators
    from dashboards.scope import finance_organizations, portfolio_purchasers

    analyst = get_user_model().objects.get(username="analyst")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(analyst)
    today = timezone.localdate()
    biggest = getattr(Pagination, "max_page_size", None) or 1000

    def get(path, clear=False):
        def run():
            if clear:
                caching.clear()
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            return body
        return run

    def api_json(path):
        def run():  # every page of the largest size, as a script would fetch them (the first computes the rows)
            caching.clear()
            page, count = 1, 0
            while True:
                response = client.get(f"{path}&page_size={biggest}&page={page}")
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")
                data = response.json()
                count += len(data["results"])
                if not data.get("next"):
                    return count
                page += 1
        return run

    year_params = {"year": YEAR, "year_start": datetime.date(YEAR, 1, 1), "year_end": datetime.date(YEAR, 12, 31),
                   "next_year_end": datetime.date(YEAR + 1, 12, 31), "today": today}

    def floor(sql):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, year_params)
                return cursor.fetchall()
        return run

    dependency = reverse("dashboards:dependency") if _has_route("dashboards:dependency") else None
    purchasers_page = reverse("dashboards:purchasers") if _has_route("dashboards:purchasers") else None
    kinds = [
        ("organization-year indicators", floors.ORGANIZATION_YEAR,
         lambda: organization_indicators(finance_organizations(analyst), YEAR),
         reverse("api:indicators-organizations"), dependency),
        ("purchaser-year indicators", floors.PURCHASER_YEAR,
         lambda: purchaser_indicators(portfolio_purchasers(analyst), YEAR, today=today),
         reverse("api:indicators-purchasers"), purchasers_page),
    ]
    for what, sql, function, api, page in kinds:
        floor_s, floor_rows = median_time(floor(sql), repeat)
        paths = [("the function (in process)", function),
                 (f"API JSON, every page of {biggest}", api_json(f"{api}?year={YEAR}")),
                 ("API CSV", get(f"{api}?year={YEAR}&format=csv", clear=True))]
        if page:
            paths.append(("dashboard CSV, first view", get(f"{page}?year={YEAR}&export=csv", clear=True)))
        for label, run in paths:
            app_s, result = median_time(run, repeat)
            ratio = app_s / floor_s
            differ = ""
            if sql is floors.ORGANIZATION_YEAR and label.startswith("the function"):
                mismatches = organization_mismatches(result, floor_rows)
                differ = f" ({mismatches} values differ from SQL!)" if mismatches else ""
            table.add("h", f"{what}, {len(floor_rows):,} rows, {YEAR}: {label}{differ}", fmt_s(app_s),
                      fmt_s(floor_s), f"{ratio:.2f}×", "≤ 1.5× SQL", ratio <= 1.5)


def _has_route(name):
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


# ------------------------------------------------------------------------------------------------------------ d

def bench_import(table, repeat, n=10_000):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from contracts.models import Contract
    from core import csvio

    admin = get_user_model().objects.get(username="admin")
    spec = csvio.get_spec(Contract)
    header = spec.header()
    cut = Contract.objects.order_by("pk").values_list("pk", flat=True)[n - 1]
    rows = list(spec.rows(Contract.objects.filter(pk__lte=cut)))
    id_at, ref_at = header.index("id"), header.index("reference")
    for i, row in enumerate(rows):
        row[id_at] = ""
        row[ref_at] = f"BENCH-{i:05d}"
    data = b"".join(csvio.stream_csv_bytes(header, rows))  # the same bytes an export download carries

    def run(commit):
        def go():
            with transaction.atomic():
                result = csvio.Importer(spec, user=admin).run(data, commit=commit)
                transaction.set_rollback(True)  # leave the benchmark data as it was
            if result.errors:
                raise RuntimeError(f"import refused: {result.errors[:3]}")
            return result
        return go

    for commit, label in ((False, "preview (validate every row)"), (True, "validate and write, one transaction")):
        seconds, _result = median_time(run(commit), max(1, min(repeat, 3)))
        rate = len(rows) / seconds
        table.add("d", f"CSV import of {len(rows):,} contract rows, {label}", f"{rate:,.0f} rows/s ({fmt_s(seconds)})",
                  target="≥ 1,000 rows/s", met=rate >= 1000)


# --------------------------------------------------------------------------------------------------------- e, f

def pages(with_variants=False):
    """(label, path, kind) of the pages measured: kind is list/detail/dashboard/floor. ``with_variants`` gives
    each page a second path showing much more or much less data (to check that the query count is fixed)."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from organizations.models import Organization

    # Both from the large set (no audit history, which adds one query to the page whoever has it).
    by_size = (Organization.objects.exclude(pk__in=Organization.history.values("id"))
               .annotate(n=Count("contracts")).order_by("-n", "pk"))
    busiest, smallest = by_size.first(), by_size.filter(n__gt=0).last()
    contract_list = reverse("contracts:contract_list")
    result = [("trivial view (framework floor)", reverse("healthz"), "floor", None),
              ("contract list", contract_list, "list", f"{contract_list}?per_page=100")]
    for label, name in (("payment list", "contracts:payment_list"),
                        ("organization list", "organizations:organization_list")):
        path = reverse(name)
        result.append((label, path, "list", f"{path}?per_page=100"))
    result.append((f"organization page ({busiest.n} contracts)",
                   reverse("organizations:organization_detail", args=[busiest.pk]), "detail",
                   reverse("organizations:organization_detail", args=[smallest.pk])))
    for label, names in (("dependency dashboard (every organization)",
                          ("dashboards:dependency", "dashboards:dependency_dashboard")),
                         ("purchaser dashboard (every purchaser)", ("dashboards:purchasers",)),
                         ("red-flags page", ("dashboards:red_flags",))):
        for name in names:
            try:
                path = reverse(name)
            except NoReverseMatch:
                continue
            result.append((label, path, "dashboard",
                           None if name == "dashboards:red_flags" else f"{path}?per_page=100"))
            break
    return result if with_variants else [row[:3] for row in result]


def session_cookie(username):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def wait_for(url, seconds=60):
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=max(1, min(60, deadline - time.monotonic()))) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer")


def _stat(pid):
    """(parent pid, CPU clock ticks used: user + system) of a process, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[11]) + int(fields[12])


def _processes():
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _server_ticks(master):
    """CPU ticks of the gunicorn master and its workers, and the worker pids."""
    workers = [pid for pid in _processes() if (_stat(pid) or (None,))[0] == master]
    return sum((_stat(pid) or (0, 0))[1] for pid in [master, *workers]), workers


def _backend_ticks(workers, db_port):
    """CPU ticks of the PostgreSQL backends connected to the ``workers`` (found by the workers' TCP ports; a
    server on another machine or on a Unix socket gives 0), by backend pid."""
    inodes = set()
    for pid in workers:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[9] in inodes and int(cols[2].rsplit(":", 1)[1], 16) == db_port:
                ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    result = {}
    if not ports:
        return result
    marks = {f"({port})".encode() for port in ports}
    for pid in _processes():
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres:") and any(mark in title for mark in marks):
            stat = _stat(pid)
            if stat:
                result[pid] = stat[1]
    return result


def server_command(workers=2, threads=1, worker_class=None, config=None):
    """The gunicorn command line of part e: ``config`` (a gunicorn config file, e.g. posc/gunicorn.conf.py, whose
    settings come from the environment) or the worker settings given."""
    gunicorn = shutil.which("gunicorn", path=str(Path(PYTHON).parent)) or "gunicorn"
    command = [gunicorn, "posc.wsgi", "--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"]
    if config:
        return command + ["--config", str(config)]
    command += ["--workers", str(workers), "--timeout", "120"]
    if threads > 1 or worker_class:
        command += ["--worker-class", worker_class or "gthread", "--threads", str(threads)]
    return command


def server_slots(args):
    """Requests the server serves at once: worker processes × threads (from the options or the environment)."""
    if args.gunicorn_config:
        cpus = len(os.sched_getaffinity(0))
        return int(os.environ.get("WEB_CONCURRENCY") or cpus + 1) * int(os.environ.get("GUNICORN_THREADS") or 4)
    return args.workers * args.threads


def server_label(command):
    """"2 sync workers", "2 gthread workers × 4 threads" or "config posc/gunicorn.conf.py" from the command."""
    def option(name, default):
        return command[command.index(name) + 1] if name in command else default
    if "--config" in command:
        env = os.environ
        return (f"config {option('--config', '')} (WEB_CONCURRENCY={env.get('WEB_CONCURRENCY', 'default')}, "
                f"GUNICORN_THREADS={env.get('GUNICORN_THREADS', 'default')})")
    workers, cls = option("--workers", "1"), option("--worker-class", "sync")
    return f"{workers} {cls} workers" + (f" × {option('--threads', '1')} threads" if cls == "gthread" else "")


def warm(url, cookie, slots, rounds=2):
    """``rounds`` times, ``slots`` requests at once (one per worker process or thread), each waited for: every
    process computes and caches what the page caches (a dashboard's rows over the whole province take seconds the
    first time in each process), so that the load that follows measures the steady state, not the cold starts."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    def get(_):
        request = urllib.request.Request(url, headers={"Cookie": cookie, "Accept-Language": "zh-hans"})
        with urllib.request.urlopen(request, timeout=300) as response:
            response.read()

    started = time.monotonic()
    with ThreadPoolExecutor(slots) as pool:
        for _ in range(rounds):
            list(pool.map(get, range(slots)))
    return time.monotonic() - started


def bench_http(table, duration, command=None, alone_seconds=5, only_pages=None, slots=0):
    """Part e. ``command``: the gunicorn command line (``server_command()``); ``only_pages``: labels' first words
    (e.g. {"contract", "dependency"}) to measure a subset; the trivial view is always measured first. ``slots``
    (worker processes × threads): warm every process up on each page first (``warm``); 0 measures cold."""
    if not shutil.which("wrk"):
        table.add("e", "HTTP under load", "skipped: wrk is not installed (apt-get install wrk)")
        return
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", PORT)) == 0:
            raise RuntimeError(f"port {PORT} is busy; set BENCH_PORT")
    from django.db import connection

    db_port = int(connection.settings_dict.get("PORT") or 5432)
    command = command or server_command()
    print(f"part e server: {server_label(command)}; cache: {os.environ.get('CACHE_URL') or 'local memory'}",
          flush=True)
    cookie = session_cookie("analyst")
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
    clock = os.sysconf("SC_CLK_TCK")
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        floor_rps = None
        def load(url, connections, seconds):
            out = subprocess.run(["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s",
                                  "--timeout", "30s", "-s", str(ROOT / "bench" / "report.lua"),
                                  "-H", f"Cookie: {cookie}", "-H", "Accept-Language: zh-hans", url],
                                 capture_output=True, text=True, check=True).stdout
            line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
            # Requests still queued in gunicorn when wrk stops must not slow down the next measurement.
            wait_for(f"http://127.0.0.1:{PORT}/healthz", seconds=600)
            return json.loads(line[len("WRK_JSON "):])

        for label, path, kind in pages():
            if only_pages and kind != "floor" and label.split()[0] not in only_pages:
                continue
            if label.startswith("red-flags") and "red-flags" not in (only_pages or ()):
                # 90-130 s a request on the large set (measured in one process, 2026-12): 20 clients would only
                # queue behind it. Loaded only when asked for by name.
                table.add("e", f"HTTP {label}", "skipped: too slow to load with 20 clients (--pages red-flags to "
                          "try)")
                continue
            url = f"http://127.0.0.1:{PORT}{path}"
            warmed = warm(url, cookie, slots) if slots and kind != "floor" else None
            alone = load(url, 1, alone_seconds)  # one client: the page's own service time, without queueing
            app_before, workers = _server_ticks(server.pid)
            db_before = _backend_ticks(workers, db_port)
            r = load(url, 20, duration)
            app_after, workers = _server_ticks(server.pid)
            db_after = _backend_ticks(workers, db_port)
            db_ticks = sum(ticks - db_before.get(pid, 0) for pid, ticks in db_after.items())
            rps = r["requests"] / (r["duration_us"] / 1e6)
            errors = r["errors"] + r["non_2xx"]
            if kind == "floor":
                floor_rps = rps
            limit = {"floor": None, "list": 300, "detail": 300, "dashboard": 1000}[kind]
            ratio = rps / floor_rps
            met = None
            target = "—"
            if limit:
                met = (r["requests"] > 0 and r["p95_us"] / 1000 < limit and errors == 0
                       and (kind != "list" or ratio >= 0.25))
                target = f"p95 < {limit} ms, no errors" + (", ≥ 0.25× floor req/s" if kind == "list" else "")
            if r["requests"]:
                result = (f"{ms(r['p50_us'])} / {ms(r['p95_us'])}, {rps:,.1f} req/s, "
                          f"{errors} errors")
                # CPU per request (wrk's own CPU and the wait for the database excluded): what sizes a server.
                app_ms = (app_after - app_before) / clock * 1000 / r["requests"]
                db_ms = db_ticks / clock * 1000 / r["requests"]
                result += f"; CPU per request: app {app_ms:.1f} ms, database {db_ms:.1f} ms"
            else:
                result = f"no response completed within {duration} s"
            if alone["requests"]:
                result += f" (one client alone: median {ms(alone['p50_us'])})"
            if warmed is not None:
                result += f" [warm-up {warmed:.0f} s]"
            table.add("e", f"HTTP {label}: median / p95 latency, req/s, errors", result,
                      "—" if kind == "floor" else f"{floor_rps:,.0f} req/s", f"{ratio:.3f}×", target, met)
    finally:
        _, workers = _server_ticks(server.pid)
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # workers still busy with queued slow pages
            for pid in [server.pid, *workers]:
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass
            server.wait()


def bench_queries(table):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(get_user_model().objects.get(username="analyst"))

    def count(path):
        client.get(path)  # warm caches (thresholds, translations)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        return len(queries), response.status_code

    for label, path, kind, variant in pages(with_variants=True):
        n, status = count(path)
        if variant is None:
            table.add("f", f"queries per page: {label}", f"{n} queries (HTTP {status})")
            continue
        m, variant_status = count(variant)
        what = {"list": "100 rows a page", "detail": "the organization with the fewest contracts",
                "dashboard": "100 rows a page"}[kind]
        table.add("f", f"queries per page: {label}", f"{n} queries (HTTP {status}); {m} with {what}",
                  target="the same small number whatever the rows (≤ 20)",
                  met=status == variant_status == 200 and n == m and n <= 20)


# -------------------------------------------------------------------------------------------------------- report

def machine():
    from django.db import connection

    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, AttributeError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    import django

    wrk = shutil.which("wrk") and subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()
    return (f"{cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
            f"PostgreSQL {pg.split()[0]} on the same machine; Python {platform.python_version()}, "
            f"Django {django.get_version()}" + (f", wrk {wrk[1]}" if wrk else ""))


def dataset():
    from contracts.models import Contract, Payment, PerformanceReview
    from organizations.models import AnnualReport, IncomeRecord, Organization, Purchaser

    parts = [(Organization, "organizations"), (Purchaser, "purchasers"), (Contract, "contracts"),
             (Payment, "payments"), (PerformanceReview, "reviews"), (IncomeRecord, "income records"),
             (AnnualReport, "annual reports")]
    return ", ".join(f"{m.objects.count():,} {name}" for m, name in parts)


def write_doc(text, size="large", doc_path=None):
    """Replace ``size``'s results section of docs/performance.md with ``text``. A document that still has the
    single pair of markers of before gets them renamed to the large set's (that is what they held)."""
    doc_path = doc_path or DOC
    start, end = markers(size)
    doc = doc_path.read_text(encoding="utf-8") if doc_path.exists() else "# Performance\n"
    if START in doc:
        doc = doc.replace(START, markers("large")[0]).replace(END, markers("large")[1])
    if start not in doc:
        doc = doc.rstrip("\n") + f"\n\n{start}\n{end}\n"
    before, rest = doc.split(start, 1)
    after = rest.split(end, 1)[1] if end in rest else ""
    doc_path.write_text(f"{before}{start}\n{text}\n{end}{after}", encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions per measurement (median)")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page (wrk)")
    parser.add_argument("--only", default="a,b,c,d,e,f,g,h", help="sections to run, e.g. a,b")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md alone")
    parser.add_argument("--size", choices=["auto", *SIZES], default="auto",
                        help="which benchmark set the database holds, i.e. which results section to write "
                             "(auto: national from 1M contracts up, else large)")
    parser.add_argument("--export-paths", default="", help="part g: only these export paths, comma-separated "
                        "(page, api, xlsx, ocds); default every one")
    server = parser.add_argument_group("part e: the gunicorn server under load")
    server.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    server.add_argument("--threads", type=int, default=1, help="threads per worker; > 1 means gthread (default 1)")
    server.add_argument("--worker-class", default=None, help="gunicorn worker class (sync, gthread; default sync, "
                        "or gthread with --threads > 1)")
    server.add_argument("--gunicorn-config", default=None, help="run gunicorn with this config file instead (e.g. "
                        "posc/gunicorn.conf.py, which reads WEB_CONCURRENCY and GUNICORN_THREADS)")
    server.add_argument("--alone", type=int, default=5, help="seconds of one client alone per page (default 5)")
    server.add_argument("--cold", action="store_true", help="no warm-up: measure with each process's caches empty "
                        "(by default every process first serves each page twice, so the load measures the steady "
                        "state)")
    server.add_argument("--pages", default="", help="first words of the page labels to load, comma-separated "
                        "(e.g. contract,dependency); default every page")
    args = parser.parse_args()
    setup()
    from contracts.models import Contract

    contracts = Contract.objects.count()
    size = detect_size(contracts) if args.size == "auto" else args.size
    if contracts < SIZES[size]:
        print(f"Warning: fewer than {SIZES[size]:,} contracts; build the {size} set first "
              f"(make bench-data BENCH_SIZE={size}).", file=sys.stderr)
    only = set(args.only.split(","))
    if only & {"e", "f"}:
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: the manifest must exist
    started = datetime.datetime.now(datetime.UTC)
    about = (f"Run of {started:%Y-%m-%d %H:%M} UTC, {size} set. Machine: {machine()}.\n\n"
             f"Data set: {dataset()}. Year {YEAR}. Medians of {args.repeat} runs after a warm-up; "
             f"HTTP: {args.duration} s per page, 20 connections.\n")
    command = server_command(args.workers, args.threads, args.worker_class, args.gunicorn_config)
    if "e" in only:
        about += (f"HTTP server: gunicorn, {server_label(command)}; cache: "
                  f"{'Redis' if os.environ.get('CACHE_URL', '').startswith('redis') else 'local memory'}.\n")
    print(about)
    table = Table()
    print(" | ".join(table.header))
    sections = [("a", lambda: bench_organizations(table, args.repeat)),
                ("b", lambda: bench_purchasers(table, args.repeat)),
                ("c", lambda: bench_export(table, args.repeat)),
                ("d", lambda: bench_import(table, args.repeat)),
                ("e", lambda: bench_http(table, args.duration, command, args.alone,
                                                set(filter(None, args.pages.split(","))),
                                                0 if args.cold else server_slots(args))),
                ("f", lambda: bench_queries(table)),
                ("g", lambda: bench_export_paths(table, args.repeat,
                                                 set(filter(None, args.export_paths.split(","))))),
                ("h", lambda: bench_indicator_paths(table, args.repeat))]
    for key, run in sections:
        if key in only:
            try:
                run()
            except Exception as exc:  # a missing page or tool must not lose the other numbers
                table.add(key, f"failed: {type(exc).__name__}: {exc}"[:200], "—")
    text = about + "\n" + table.markdown() + "\n"
    print()
    print(table.markdown())
    if not args.no_write:
        write_doc(text, size)
        print(f"\nWritten to {DOC.relative_to(ROOT)} ({size} set).")


if __name__ == "__main__":
    main()
