"""How the production server runs the app: one request's Python at a time.

granian hands requests to `--threads` Python threads. The work is pure Python, so two threads
only fight over the GIL — measured here, 2 or 4 threads without this halved the flow mix's
throughput (bench/results.md) — yet a single thread lets one sleeping request (a `latency` or
`gateway_timeout` fault) stall every other client. `OneAtATime` gives both: the threads take
turns on a plain lock (a waiting thread sleeps instead of contending), and a request that sleeps
steps aside first (`pause`), so up to `threads - 1` requests can sleep while others are served.
"""

import threading
import time

RUN_LOCK = "sandbox.run_lock"


class OneAtATime:
    """WSGI middleware: the app runs under one process-wide lock."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        environ[RUN_LOCK] = self.lock
        with self.lock:
            return self.wsgi_app(environ, start_response)


def pause(environ: dict, seconds: float) -> None:
    """Sleep without holding up other requests (the run lock, if any, is let go meanwhile)."""
    lock = environ.get(RUN_LOCK)
    if lock is None:
        time.sleep(seconds)
        return
    lock.release()
    try:
        time.sleep(seconds)
    finally:
        lock.acquire()
