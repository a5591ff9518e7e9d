"""Django's cache, chosen by the ``CACHE_URL`` environment variable (read by posc/settings.py).

- unset or empty, or ``locmem://``: each server process keeps its own cache in memory (the default: ``make run``
  and the tests need nothing else);
- ``redis://HOST:PORT/DB`` (or ``rediss://`` for TLS, ``unix:///path/to/redis.sock?db=N``): one Redis shared by
  every process of every application server, through Django's own ``RedisCache`` (needs the ``redis`` package);
- ``dummy://``: no cache at all (every lookup misses; for measuring what the cache saves).

What is cached is keyed by the *data version* (``core.datacache``), so processes that share a cache, or keep
their own, never serve rows older than the last write made through the application. See docs/operations.md.

A shared cache that stops answering must not stop the site: ``TolerantRedisCache`` treats a Redis that is down
or slow (``CACHE_TIMEOUT_SECONDS``, default 0.5 s) as a miss and logs it, so pages are computed as if nothing were
cached. (DRF's API rate limits, which count in this cache, are then not enforced until Redis is back.)
"""

import logging
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("posc.cache")

DEFAULT_TIMEOUT = 300  # seconds: the longest any cached computation lives (dashboards.caching.CACHE_SECONDS)


def caches_from_url(url, key_prefix="posc", socket_timeout=0.5):
    """The ``CACHES`` setting for ``url`` (see the module docstring); ImproperlyConfigured for any other scheme."""
    url = (url or "").strip()
    scheme = urlsplit(url).scheme.lower() if url else "locmem"
    if scheme == "locmem":
        default = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "posc"}
    elif scheme == "dummy":
        default = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    elif scheme in ("redis", "rediss", "unix"):
        default = {
            "BACKEND": "posc.caches.TolerantRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": key_prefix,
            "OPTIONS": {"socket_timeout": socket_timeout, "socket_connect_timeout": socket_timeout},
        }
    else:
        raise ImproperlyConfigured(f"CACHE_URL: unknown scheme {scheme!r} (use redis://, rediss://, unix://, "
                                   "locmem:// or dummy://)")
    default["TIMEOUT"] = DEFAULT_TIMEOUT
    return {"default": default}


def _tolerant(name, fallback):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # redis.exceptions.RedisError and OSError: a cache failure is a miss
            if not _is_cache_failure(exc):
                raise
            logger.warning("cache %s failed (%s: %s); continuing without the cache", name, type(exc).__name__, exc)
            return fallback(*args, **kwargs) if callable(fallback) else fallback

    call.__name__ = name
    return call


def _is_cache_failure(exc):
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - RedisCache cannot run without the package anyway
        return isinstance(exc, OSError)
    return isinstance(exc, RedisError | OSError)


class TolerantRedisCache(RedisCache):
    """Django's RedisCache, except that a Redis that is down or times out is a cache miss (logged), not an error
    page: ``get`` returns the default, ``set`` and ``delete`` do nothing, ``add`` reports "not added"."""

    get = _tolerant("get", lambda key, default=None, version=None: default)
    get_many = _tolerant("get_many", lambda *args, **kwargs: {})
    has_key = _tolerant("has_key", False)
    set = _tolerant("set", None)
    set_many = _tolerant("set_many", lambda *args, **kwargs: [])
    add = _tolerant("add", False)
    touch = _tolerant("touch", False)
    delete = _tolerant("delete", False)
    delete_many = _tolerant("delete_many", None)
