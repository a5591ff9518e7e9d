"""A short-lived cache for indicator computations over a user's whole scope.

The dependency dashboard, the purchaser dashboard and the home page need every organization's (or purchaser's)
indicators even to show one page: the default order is by flag and the page counts red and amber rows. Over a
province (10,000 organizations) that is a few hundred milliseconds per view. ``cached_rows`` keeps the computed
rows in the memory of the server process (at most ``MAX_ENTRIES`` computations, each for at most
``CACHE_SECONDS``; unlike Django's local-memory cache it does not pickle them, which for 10,000 rows would cost a
third of the computation again), keyed by everything the rows depend on:

- what the user may see (their ``Scope``) and the user,
- the year, the filters, today's date and the thresholds,
- the *data version* (``core.datacache.data_version``): the latest change-history id of every model the
  indicators read, in one query. Every save and delete made through the application (pages, API, CSV import,
  admin) writes a history row, so a change is seen by the next request in every server process.

Writes that bypass the history (raw SQL, ``QuerySet.update``, the large benchmark set) show up after at most
``CACHE_SECONDS``.
"""

import threading
import time
from collections import OrderedDict

from django.core.cache import cache
from django.utils import timezone

from core.datacache import data_version, make_key, scope_key

CACHE_SECONDS = 300
MAX_ENTRIES = 6  # the rows of 10,000 organizations take about 17 MB

_entries = OrderedDict()  # key -> (expiry time, rows), least recently used first
_lock = threading.Lock()


def thresholds_key(thresholds):
    """The thresholds' values, as part of a cache key."""
    return sorted((name, repr(band)) for name, band in thresholds.bands.items())


def cache_key(kind, user, year, params, thresholds):
    """The cache key of one computation (``params``: the filters as (name, values) pairs)."""
    return make_key("indicators", kind, scope_key(user), year, sorted(params), timezone.localdate().isoformat(),
                    thresholds_key(thresholds), data_version())


def cached_rows(kind, user, year, params, thresholds, compute):
    """``compute()`` (a list of indicator rows), or the rows computed by an earlier request of this process with
    the same key within ``CACHE_SECONDS``. The rows are shared between requests: callers must not change them
    (the list returned is a copy; sort or filter it freely)."""
    key = cache_key(kind, user, year, params, thresholds)
    now = time.monotonic()
    with _lock:
        entry = _entries.get(key)
        if entry is not None and entry[0] > now:
            _entries.move_to_end(key)
            return list(entry[1])
    rows = compute()
    for row in rows:
        row.freeze()
    with _lock:
        _entries[key] = (now + CACHE_SECONDS, tuple(rows))
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return list(rows)


def cached_figures(name, user, compute, parts=()):
    """``compute()`` (a few numbers or rows: picklable and small) from Django's cache, keyed like ``cached_rows``
    (``name``, the user's scope, today, the data version, and ``parts``), for at most ``CACHE_SECONDS``."""
    key = make_key("figures", name, scope_key(user), timezone.localdate().isoformat(), data_version(), parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def clear():
    """Forget every cached computation (tests call it between tests)."""
    with _lock:
        _entries.clear()
