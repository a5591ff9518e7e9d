"""The deployment knobs of issue #18: CACHE_URL (posc/caches.py) and the gunicorn config (posc/gunicorn.conf.py).

No Redis is needed: the settings are parsed, not connected; the tests that talk to a Redis are skipped when the
``redis`` package is missing or no Redis answers on 127.0.0.1:6379."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from posc.caches import TolerantRedisCache, caches_from_url

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.mark.parametrize("url", ["", "  ", "locmem://"])
def test_without_cache_url_each_process_keeps_its_own_cache(url):
    default = caches_from_url(url)["default"]
    assert default["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert default["TIMEOUT"] == 300


def test_a_redis_url_gives_one_shared_redis_cache_with_short_socket_timeouts():
    default = caches_from_url("redis://cache.internal:6379/1", key_prefix="posc-a", socket_timeout=0.25)["default"]
    assert default == {
        "BACKEND": "posc.caches.TolerantRedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
        "KEY_PREFIX": "posc-a",
        "OPTIONS": {"socket_timeout": 0.25, "socket_connect_timeout": 0.25},
        "TIMEOUT": 300,
    }
    assert caches_from_url("rediss://cache.internal:6380/0")["default"]["BACKEND"] == "posc.caches.TolerantRedisCache"


def test_dummy_url_turns_the_cache_off():
    assert caches_from_url("dummy://")["default"]["BACKEND"] == "django.core.cache.backends.dummy.DummyCache"


@pytest.mark.parametrize("url", ["memcached://127.0.0.1:11211", "127.0.0.1:6379", "http://cache"])
def test_an_unknown_cache_url_stops_start_up(url):
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        caches_from_url(url)


def _settings_in_subprocess(expression, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CACHE_", "DJANGO_", "DEBUG"))}
    environ.update(env, DJANGO_SETTINGS_MODULE="posc.settings", DEBUG="1")
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True,
                            check=True)
    return result.stdout.strip()


def test_settings_read_cache_url_from_the_environment():
    assert _settings_in_subprocess("settings.CACHES['default']['BACKEND']") == \
        "django.core.cache.backends.locmem.LocMemCache"
    assert _settings_in_subprocess(
        "settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'], "
        "settings.CACHES['default']['KEY_PREFIX'], settings.CACHES['default']['OPTIONS']['socket_timeout']",
        CACHE_URL="redis://10.0.0.5:6379/2", CACHE_KEY_PREFIX="posc-prod", CACHE_TIMEOUT_SECONDS="1.5",
    ) == "posc.caches.TolerantRedisCache redis://10.0.0.5:6379/2 posc-prod 1.5"


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_redis_that_is_down_is_a_cache_miss_not_an_error():
    pytest.importorskip("redis")
    cache = TolerantRedisCache(f"redis://127.0.0.1:{_closed_port()}/0",
                               {"OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2}})
    assert cache.get("figures") is None
    assert cache.get("figures", "computed") == "computed"
    assert cache.get_many(["a", "b"]) == {}
    cache.set("figures", [1, 2, 3])  # nothing raised
    assert cache.add("figures", 1) is False
    assert cache.has_key("figures") is False
    cache.delete("figures")


def _live_redis():
    pytest.importorskip("redis")
    with socket.socket() as s:
        s.settimeout(0.5)
        if s.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("no Redis on 127.0.0.1:6379")


def test_two_processes_with_the_same_redis_url_share_entries_and_prefixes_keep_sites_apart():
    _live_redis()
    prefix = f"posc-test-{uuid.uuid4().hex}"
    params = {"KEY_PREFIX": prefix, "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1}}
    one = TolerantRedisCache("redis://127.0.0.1:6379/15", params)
    other = TolerantRedisCache("redis://127.0.0.1:6379/15", params)
    elsewhere = TolerantRedisCache("redis://127.0.0.1:6379/15", {**params, "KEY_PREFIX": prefix + "-b"})
    try:
        one.set("rows", {"red": 3, "amber": 7}, 30)
        assert other.get("rows") == {"red": 3, "amber": 7}
        assert elsewhere.get("rows") is None
    finally:
        one.delete("rows")


def _gunicorn_config(**env):
    """gunicorn's effective settings for posc/gunicorn.conf.py under ``env`` (without starting a server)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("WEB_CONCURRENCY", "GUNICORN_"))}
    environ.update(env)
    out = subprocess.run([str(GUNICORN), "--print-config", "--config", "posc/gunicorn.conf.py"], cwd=ROOT,
                         env=environ, capture_output=True, text=True, check=True).stdout
    settings = {}
    for line in out.splitlines():
        name, _, value = line.partition("=")
        settings[name.strip()] = value.strip()
    return settings


def test_gunicorn_config_defaults_to_one_worker_more_than_the_cpus_with_four_threads_each():
    config = _gunicorn_config()
    assert config["workers"] == str(len(os.sched_getaffinity(0)) + 1)
    assert (config["threads"], config["worker_class"]) == ("4", "gthread")
    assert config["bind"] == "['127.0.0.1:8000']"
    assert config["wsgi_app"] == "posc.wsgi:application"
    assert (config["max_requests"], config["timeout"]) == ("0", "120")


def test_gunicorn_config_reads_web_concurrency_and_threads():
    config = _gunicorn_config(WEB_CONCURRENCY="9", GUNICORN_THREADS="2", GUNICORN_BIND="0.0.0.0:9000",
                              GUNICORN_MAX_REQUESTS="5000")
    assert (config["workers"], config["threads"], config["worker_class"]) == ("9", "2", "gthread")
    assert config["bind"] == "['0.0.0.0:9000']"
    assert (config["max_requests"], config["max_requests_jitter"]) == ("5000", "500")
    sync = _gunicorn_config(WEB_CONCURRENCY="3", GUNICORN_THREADS="1")
    assert (sync["workers"], sync["threads"], sync["worker_class"]) == ("3", "1", "sync")


@pytest.mark.django_db
def test_postgresql_jit_is_off_for_the_application_connections():
    """The JIT compiler cost more than it saved on the application's statements (docs/performance.md)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
