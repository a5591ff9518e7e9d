"""Database faults: after the database drops the app's connections (a restart) the next requests
succeed; with the database unreachable, pages and the API answer a translated 503 (with ``Retry-After``) and
``/readyz`` answers 503 within 10 s, while ``/healthz`` stays up."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client

from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "posc-demo"

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="dropped connections and the pool are PostgreSQL matters")


def terminate_app_connections():
    """What a database restart does to the application: kill every other session on its database."""
    s = connection.settings_dict
    with psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None, host=s["HOST"] or None,
                         port=s["PORT"] or None, autocommit=True) as admin:
        rows = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchall()
    return len(rows)


@on_postgresql
def test_the_next_requests_succeed_after_the_database_dropped_the_connections(transactional_db):
    f.user_with_role("analyst", username="li")
    connection.close()  # start from a fresh connection (a persistent one opened by an earlier test may be due to close)
    client = Client()
    for _ in range(2):  # twice: the second round starts from connections opened after the first restart
        assert client.post("/accounts/login/", {"username": "li", "password": PASSWORD}).status_code == 302
        assert client.get("/contracts/").status_code == 200
        close_old_connections()  # the end of a request, as the server does it
        assert terminate_app_connections() >= 1
        close_old_connections()  # the start of the next request
        for path in ("/contracts/", "/organizations/", "/api/contracts/"):
            assert client.get(path).status_code == 200, path
        client.logout()
        close_old_connections()
        assert terminate_app_connections() >= 1
        close_old_connections()


PROBE = """
import json, time, django
django.setup()
from django.test import Client
client = Client()
answers = {}
for name, call in [("healthz", lambda: client.get("/healthz")),
                   ("readyz", lambda: client.get("/readyz")),
                   ("login", lambda: client.post("/accounts/login/", {"username": "li", "password": "x"})),
                   ("api", lambda: client.get("/api/contracts/", HTTP_AUTHORIZATION="Token " + "0" * 40))]:
    start = time.monotonic()
    response = call()
    answers[name] = {"status": response.status_code, "seconds": time.monotonic() - start,
                     "retry_after": response.get("Retry-After"), "body": response.content.decode()}
print(json.dumps(answers))
"""


@pytest.fixture
def silent_database():
    """A TCP port that accepts connections and never answers: a database host that hangs."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"postgres://postgres@127.0.0.1:{server.getsockname()[1]}/posc"


@pytest.mark.parametrize("pool", ["1", "0"], ids=["pool", "persistent"])
def test_an_unreachable_database_answers_503_quickly_and_healthz_stays_up(silent_database, pool):
    env = {**os.environ, "DATABASE_URL": silent_database, "DATABASE_POOL": pool, "ALLOWED_HOSTS": "testserver",
           "DJANGO_SETTINGS_MODULE": "posc.settings", "LOG_LEVEL": "CRITICAL"}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])

    assert answers["healthz"]["status"] == 200 and answers["healthz"]["seconds"] < 2
    assert answers["readyz"]["status"] == 503 and answers["readyz"]["seconds"] < 10
    login = answers["login"]
    assert login["status"] == 503 and login["seconds"] < 10 and login["retry_after"] == "30"
    assert "暂时无法使用" in login["body"] and "请在 30 秒后重试" in login["body"]
    api = answers["api"]
    assert api["status"] == 503 and api["seconds"] < 10
    assert json.loads(api["body"]) == {"detail": "数据库暂时无法使用，请稍后重试。"}


def test_readyz_answers_ok_when_the_database_answers(db):
    response = Client().get("/readyz")
    assert response.status_code == 200 and response.content == b"ok"
