"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

The browser is never downloaded: we use /usr/bin/chromium (installed by .ci/run with apt). A missing browser fails
the run loudly instead of skipping. Every test here is marked ``e2e`` (``make e2e``) and runs on a transactional
database (the live server answers from another thread), with the default thresholds in place.
"""

import os
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright + the ORM in one thread

CHROMIUM = os.environ.get("POSC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


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


@pytest.fixture(autouse=True)
def _e2e_database(transactional_db):
    """A transactional database with the default thresholds (the flush after each test removes them)."""
    from tests.e2e.helpers import seed_thresholds

    seed_thresholds()


@pytest.fixture
def site(live_server):
    """The live server's base URL."""
    return live_server.url
