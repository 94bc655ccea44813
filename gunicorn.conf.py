"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app`.

Every value can be overridden by the environment (GUNICORN_BIND, GUNICORN_WORKERS, …) or on
the command line. The stage scheduler is NOT run here: it is its own process
(`flask --app wsgi scheduler`), see the README.
"""

import gc
import multiprocessing
import os


def _env(name: str, default: str) -> str:
    return os.environ.get(f"GUNICORN_{name}", default)


# Behind a reverse proxy on the same host; the proxy terminates HTTPS.
bind = _env("BIND", "127.0.0.1:8000")
# Worker processes, each with a few threads: requests mostly wait on the database.
workers = int(_env("WORKERS", str(min(2 * multiprocessing.cpu_count() + 1, 9))))
worker_class = "gthread"
threads = int(_env("THREADS", "4"))
# At most this many connections per worker (idle keep-alive ones included). Without a cap a
# burst of new connections can all land on one worker (whichever wakes first accepts them
# all) while the others idle: measured with 32 keep-alive connections, one of two workers
# at times served them all, at 0.4 of the throughput of an even share. With the cap a busy
# worker leaves new connections to the others; past the cap they wait in the listen queue.
worker_connections = int(_env("WORKER_CONNECTIONS", str(threads * 4)))
# A slow request (a large PDF or Excel export) may take a while; a stuck one is recycled.
timeout = int(_env("TIMEOUT", "60"))
graceful_timeout = int(_env("GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then so that memory stays flat over a long results day.
max_requests = int(_env("MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Let the proxy's X-Forwarded-* headers through only from the proxy itself.
forwarded_allow_ips = _env("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = _env("LOGLEVEL", "info")
# Load the application in each worker after fork: database pools are never shared.
preload_app = False


def post_worker_init(worker) -> None:
    """The application is loaded in this worker: its objects (modules, mappers, templates:
    about 200,000) live as long as the worker. Freeze them out of the garbage collector's
    way, so that a full collection walks only what requests made since: measured, one took
    about 100 ms with them, stalling every request of the worker, and 5 ms without. And
    collect the young generation every 50,000 net allocations instead of 700: a request's
    objects die young (a submitted sheet recomputes its trade with tens of thousands of
    them), and each collection on the way promoted the live ones towards the old generation.
    With both, the score saves' p99 went from about 70 ms to about 35 ms under the bench."""
    gc.freeze()
    gc.set_threshold(int(_env("GC_THRESHOLD", "50000")), 10, 10)
