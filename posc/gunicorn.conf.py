"""gunicorn settings for POSC Tracker: ``gunicorn posc.wsgi --config posc/gunicorn.conf.py``.

Every value comes from the environment, with defaults measured on 2 and sized for more CPUs (docs/operations.md,
"Workers and threads"):

WEB_CONCURRENCY        worker processes (default: the CPUs this process may run on, plus one).
GUNICORN_THREADS       threads per worker (default 4: gthread workers; 1 gives sync workers).
GUNICORN_BIND          address to listen on (default 127.0.0.1:8000, behind the reverse proxy).
GUNICORN_TIMEOUT       seconds a request may take before its worker is restarted (default 120: the slowest pages,
                       a cold dashboard over a whole province, take seconds; exports stream).
GUNICORN_MAX_REQUESTS  restart a worker after this many requests, with 10 % jitter (default 0: never; each restart
                       also empties that process's cached dashboard rows).

Each thread holds its own database connection (CONN_MAX_AGE): a server opens up to WEB_CONCURRENCY ×
GUNICORN_THREADS connections to PostgreSQL, which must allow that many for every application server together.
"""

import os


def _int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


wsgi_app = "posc.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "").strip() or "127.0.0.1:8000"
workers = max(1, _int("WEB_CONCURRENCY", _cpus() + 1))
threads = max(1, _int("GUNICORN_THREADS", 4))
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = 30
keepalive = 5  # seconds an idle keep-alive connection from the proxy stays open (gthread only)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10
