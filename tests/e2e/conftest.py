"""Browser tests: Playwright driving Debian's Chromium against gunicorn with production settings.

The browser is never downloaded: we use /usr/bin/chromium (installed by .ci/run with apt). A missing browser fails
the run loudly instead of skipping. Every test here is marked ``e2e`` (``make e2e``).

The server is the one a deployment runs: gunicorn, ``DJANGO_ENV=production``, ``DEBUG=0``, static files collected
(with the manifest) into a temporary directory and served by WhiteNoise. It answers over plain http on 127.0.0.1,
so the HTTPS-only settings are turned off for it by their documented switches (``SECURE_SSL_REDIRECT=0``,
``SECURE_HSTS_SECONDS=0``, ``SECURE_COOKIES=0``); everything else (CSP, lock-out, error pages) is as deployed.
It works on the test database: PostgreSQL as is, SQLite as a file (an in-memory database cannot be shared with
another process). The tests create their data with the factories on a transactional database (committed, so the
server sees it; emptied after each test), with the default thresholds in place.

Fixtures (names kept stable for every browser test):

``site``         the server's base URL (``http://127.0.0.1:<port>``), to build page addresses.
``e2e_server``   (session) the running server: ``.url``, ``.log`` (its log file), ``.environ``.
``server_errors`` (autouse) fails a test whose requests made the server log a traceback (a 500), with the log.
``page``         pytest-playwright's page, in Chromium (zh-CN, 1366 × 900, downloads accepted).
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright + the ORM in one thread

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("POSC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
GUNICORN = Path(sys.executable).with_name("gunicorn")
# Variables of the developer's shell that must not leak into the server's production settings.
CLEARED = {"DEBUG", "DATABASE_URL", "DATABASE_POOL", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_COOKIES",
           "STATIC_ROOT", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "CACHE_URL"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (see .ci/run)", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}, "locale": "zh-CN",
            "accept_downloads": True}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite: a test database in a file, which the server process can open too."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("e2e-db") / "test.sqlite3")


def _database_url():
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    from urllib.parse import quote

    credentials = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{credentials}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{quote(s['NAME'])}"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    url: str
    log: Path
    environ: dict
    process: subprocess.Popen


@pytest.fixture(scope="session")
def e2e_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn with production settings on the test database, for the whole session."""
    workdir = tmp_path_factory.mktemp("e2e-server")
    environ = {k: v for k, v in os.environ.items() if k not in CLEARED}
    environ.update({
        "DJANGO_ENV": "production", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "DATABASE_URL": _database_url(),
        "STATIC_ROOT": str(workdir / "static"),
        # Plain http on 127.0.0.1 (see the module docstring).
        "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0", "SECURE_COOKIES": "0",
        "LOG_LEVEL": "ERROR",
    })
    collected = subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT,
                               env=environ, capture_output=True, text=True)
    if collected.returncode:
        pytest.fail(f"collectstatic failed:\n{collected.stderr}", pytrace=False)
    port = _free_port()
    log = workdir / "gunicorn.log"
    with open(log, "wb") as log_file:
        # The deployment's own config file (docs/operations.md), sized for this test by its environment variables.
        process = subprocess.Popen(
            [str(GUNICORN), "--config", "posc/gunicorn.conf.py", "--graceful-timeout", "5"],
            cwd=ROOT, env={**environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2",
                           "GUNICORN_THREADS": "4", "GUNICORN_TIMEOUT": "60"},
            stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"gunicorn did not start:\n{log.read_text(errors='replace')}", pytrace=False)
        time.sleep(0.2)
    try:
        yield Server(url=url, log=log, environ=environ, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(autouse=True)
def _english_off():
    """Unlike the unit tests (tests/conftest.py), keep the deployed password hashers: the server must verify the
    passwords the factories set."""


@pytest.fixture(autouse=True)
def _e2e_database(transactional_db):
    """A transactional database with the default thresholds (the flush after each test removes them)."""
    from tests.e2e.helpers import seed_thresholds

    seed_thresholds()


SERVER_ERROR_MARKERS = (
    "Internal Server Error:", "Service Unavailable:", "Error handling request", "Exception in worker",
)


@pytest.fixture(autouse=True)
def server_errors(e2e_server, _e2e_database):
    """Fail the test if the server logged a traceback (a 500) while it ran."""
    start = e2e_server.log.stat().st_size
    yield
    with open(e2e_server.log, "rb") as log:
        log.seek(start)
        new = log.read().decode(errors="replace")
    # A 403/404 is logged with its traceback too (Django's "Forbidden (Permission denied)"): only a 500, a worker
    # crash or a 503 counts as a server error.
    if any(marker in new for marker in SERVER_ERROR_MARKERS):
        pytest.fail(f"the server logged an error during this test:\n{new[-4000:]}", pytrace=False)


@pytest.fixture
def site(e2e_server):
    """The server's base URL."""
    return e2e_server.url
