"""The read-replica router (posc/dbrouter.py): which requests read from the replica, and that nothing else does.

The test database has no replica; the router is asked where it would send each read (a replica is "configured"
by patching ``replica_configured``), and the settings are checked in a subprocess with DATABASE_REPLICA_URL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.signals import request_finished
from django.test import RequestFactory, override_settings
from django.utils.connection import ConnectionDoesNotExist

from contracts.models import Contract
from core.datacache import data_version
from organizations.models import Organization
from posc import dbrouter

ROOT = Path(__file__).resolve().parents[2]
ROUTER = dbrouter.ReplicaRouter()


@pytest.fixture
def replica(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_configured", lambda: True)
    yield
    dbrouter._clear()


def route(request):
    """Where the router sends reads and writes while ``request`` is being served."""
    seen = {}

    def view(request):
        seen.update(contract=ROUTER.db_for_read(Contract), organization=ROUTER.db_for_read(Organization),
                    user=ROUTER.db_for_read(get_user_model()), session=ROUTER.db_for_read(Session),
                    write=ROUTER.db_for_write(Contract))
        return "response"

    assert dbrouter.ReplicaReadsMiddleware(view)(request) == "response"
    return seen


@pytest.mark.parametrize("path", ["/dashboards/dependency/", "/dashboards/purchasers/?year=2024",
                                  "/dashboards/red-flags/", "/api/indicators/organizations/?format=csv",
                                  "/contracts/?export=csv", "/payments/?export=xlsx"])
def test_dashboards_analysts_api_and_exports_read_from_the_replica(replica, path):
    seen = route(RequestFactory().get(path))
    assert (seen["contract"], seen["organization"]) == ("replica", "replica")
    # Who is logged in, and every write, stay on the primary.
    assert (seen["user"], seen["session"], seen["write"]) == (None, None, "default")


@pytest.mark.parametrize("path", ["/contracts/", "/contracts/1/", "/organizations/", "/", "/no/such/page/"])
def test_every_other_page_reads_from_the_primary(replica, path):
    assert route(RequestFactory().get(path))["contract"] is None


def test_a_post_reads_from_the_primary_even_on_a_replica_page(replica):
    assert route(RequestFactory().post("/dashboards/dependency/?export=csv"))["contract"] is None


def test_the_replica_is_used_until_the_response_is_closed_then_no_longer(replica, db):
    # (``db``: Django's own request_finished receiver closes stale database connections.)
    dbrouter.ReplicaReadsMiddleware(lambda request: None)(RequestFactory().get("/contracts/?export=csv"))
    # A streamed export reads its rows after the view returned: still the replica.
    assert ROUTER.db_for_read(Contract) == "replica"
    request_finished.send(sender=None)
    assert ROUTER.db_for_read(Contract) is None


def test_without_a_replica_everything_reads_from_the_primary():
    assert route(RequestFactory().get("/dashboards/dependency/"))["contract"] is None


def test_only_the_primary_is_migrated():
    assert ROUTER.allow_migrate("default", "contracts") is True
    assert ROUTER.allow_migrate("replica", "contracts") is False


@override_settings(DATABASE_ROUTERS=["posc.dbrouter.ReplicaRouter"])
def test_the_data_version_is_read_where_the_rows_are(replica):
    # On a replica request the cache key's version comes from the replica (here: a database the test run does not
    # have, so asking for it fails), so rows from a lagging replica are never cached under the primary's version.
    dbrouter.ReplicaReadsMiddleware(lambda request: None)(RequestFactory().get("/dashboards/dependency/"))
    with pytest.raises(ConnectionDoesNotExist, match="replica"):
        data_version()


def test_settings_add_the_replica_router_and_middleware_only_with_a_replica_url():
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_", "DEBUG"))}
    environ.update(DJANGO_SETTINGS_MODULE="posc.settings", DEBUG="1",
                   DATABASE_URL="postgres://posc@db.internal:5432/posc")
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "r = s.DATABASES.get('replica'); "
            "print(r and (r['HOST'], r['NAME'], r['TEST']['MIRROR'], r['CONN_MAX_AGE']), s.DATABASE_ROUTERS, "
            "s.MIDDLEWARE[0])")

    def run(**env):
        return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**environ, **env}, capture_output=True,
                              text=True, check=True).stdout.strip()

    assert run() == "None [] django.middleware.security.SecurityMiddleware"
    assert run(DATABASE_REPLICA_URL="postgres://posc@replica.internal:5432/posc") == (
        "('replica.internal', 'posc', 'default', 60) ['posc.dbrouter.ReplicaRouter'] "
        "posc.dbrouter.ReplicaReadsMiddleware")
