"""How the production server runs the app: one request thread per worker, and it never sleeps.

Why one thread (measured, bench/results.md "Serving"): granian's WSGI server with two or more
request threads stalled requests for up to ~1.5 s under load, with or without a lock between
the threads, fair or not. The cause is CPython's GIL: a thread waiting for it restarts its 5 ms
"ask for a switch" timer every time the running thread lets go, and the running thread lets go
between every two requests and takes it straight back, so a request that landed on the other
thread waits until the running thread's queue is empty — before any of our Python runs (a bare
WSGI app that spins 150 µs per request stalls the same way; one that sleeps 150 µs does not).
With one thread only that thread ever needs the GIL: no stall, and the best throughput.

What a second thread used to be for: a request that must wait — the `latency` and
`gateway_timeout` faults — slept in it while the other served. Here it does not sleep at all.
`pause` unwinds it (it is still in its `before_request` hooks: nothing has changed) and the
runner *parks* it with its granian response channel; the thread goes on serving. When its time
has come, the request is replayed from the start with the wait marked done, by the request
thread before its next request or, when no request comes, by a waker thread, and its answer is
sent on the channel it came with. Journal latency still counts from its first arrival.

`ParkingRunner` takes the place of granian's per-request callback (granian's `_runner`, which
answers at once whatever the app returns), installed by `granian_spawner`, which wraps
granian's own WSGI worker. Anywhere else (the Flask test client, the pytest plugin's server,
another WSGI server, a granian whose internals moved) `pause` simply sleeps.
"""

import heapq
import io
import itertools
import logging
import sys
import threading
import time

from sandbox import codec
from sandbox.domain.errors import SERVER_ERROR

log = logging.getLogger("sandbox")

# A body declared over the limit is still read, and dropped, up to this size before the 413 is
# sent: a client sends its whole body before it reads an answer (requests, http.client, fetch),
# and an answer sent early is followed by the connection's close, whose reset can reach the
# client mid-send and lose the 413 (it sees a broken pipe instead). Larger ones, and a client that
# waits for `Expect: 100-continue`, get the 413 at once.
DRAIN_BYTES = 16 * 1024 * 1024
ARRIVED = "sandbox.arrived"  # environ: time.perf_counter() when the request first reached the app
PARKING = "sandbox.parking"  # environ: the server parks a wait instead of sleeping through it
WAITED = "sandbox.waited"  # environ: the replay of a parked request (its wait is over)
# What every environ shares (PEP 3333); the request's own keys come from granian's scope.
BASE_ENVIRON = {
    "SCRIPT_NAME": "", "SERVER_SOFTWARE": "Granian", "GATEWAY_INTERFACE": "CGI/1.1", "wsgi.version": (1, 0),
    "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
    "wsgi.input_terminated": True, PARKING: True,
}
CRASH = (500, [("Content-Type", "application/json")],
         codec.dumps({"status": 500, "message": SERVER_ERROR, "data": {}}).encode())  # the crash handler's answer


class Park(BaseException):
    """Raised by `pause` under the parking runner: unwinds the request to the runner, which
    parks it. A BaseException, so no `except Exception` on the way takes it for an error."""

    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


def pause(environ: dict, seconds: float) -> None:
    """Wait `seconds` before the request goes on, without holding up anyone else. Call it only
    before the request has changed anything (it may be replayed from the start)."""
    if environ.get(WAITED):
        return
    if environ.get(PARKING):
        raise Park(seconds)
    time.sleep(seconds)


class ParkingRunner:
    """granian's per-request callback, `(proto, scope)`, for a WSGI app: runs the app, answers on
    `proto`, and parks a request that must wait (see the module docstring)."""

    def __init__(self, wsgi_app, max_body_bytes: int | None = None):
        self.wsgi_app = wsgi_app
        self.max_body_bytes = max_body_bytes
        self._parked: list = []  # heap of (due, n, proto, scope, body, arrived)
        self._order = itertools.count()  # ties on `due` answer in arrival order
        self._changed = threading.Condition()  # guards the heap; the waker waits on it
        self._waker = None

    def __call__(self, proto, scope: dict) -> None:
        if self._parked:
            self.replay_due()
        body = self._read_body(scope)
        self._run(proto, scope, body, time.perf_counter(), waited=False)

    def _run(self, proto, scope, body, arrived, waited) -> None:
        environ = BASE_ENVIRON | scope
        environ["wsgi.input"] = io.BytesIO(body) if body is not None else scope["wsgi.input"]
        environ[ARRIVED] = arrived
        if waited:
            environ[WAITED] = True
        started = []

        def start_response(status, headers, exc_info=None):
            started[:] = (int(status[:3]), headers)

        try:
            chunks = self.wsgi_app(environ, start_response)
        except Park as park:
            self._park(park.seconds, proto, scope, body, arrived)
            return
        except Exception:  # outside Flask's handlers (they answer every error raised inside)
            log.exception("request failed outside the app's error handlers")
            proto.response_bytes(*CRASH)
            return
        try:
            body = b"".join(chunks)
        except ConnectionAbortedError as dropped:  # a deliberate drop: `response_lost`'s answer
            log.info("%s", dropped)
            # The head with its Content-Length, then no body: the client's connection breaks.
            proto.response_iter(started[0], started[1], iter(()))
            return
        except Exception:  # a bug in producing the body; the head has not gone out yet
            log.exception("an answer's body failed")
            proto.response_bytes(*CRASH)
            return
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        proto.response_bytes(started[0], started[1], body)

    def _read_body(self, scope: dict) -> bytes | None:
        """The body, read now so a parked request can be replayed: all of it up to the limit;
        None when declared larger (Flask answers the 413 from the header; the body is read and
        dropped first, up to DRAIN_BYTES, so the client can finish sending and read the 413)."""
        stream = scope["wsgi.input"]
        length = scope.get("CONTENT_LENGTH")
        if length:
            if not length.isdigit():
                return None
            if self.max_body_bytes is not None and int(length) > self.max_body_bytes:
                if int(length) <= DRAIN_BYTES:
                    _drain(scope, int(length))
                return None
            return stream.read(int(length))
        if "chunked" in scope.get("HTTP_TRANSFER_ENCODING", "").lower():
            if self.max_body_bytes is None:
                return stream.read()
            body = stream.read(self.max_body_bytes + 1)
            if len(body) > self.max_body_bytes:  # Flask refuses it (413): the rest is dropped
                _drain(scope, DRAIN_BYTES - len(body))
            return body
        return b""

    # -- parked requests ---------------------------------------------------------------------
    def _park(self, seconds, proto, scope, body, arrived) -> None:
        with self._changed:
            heapq.heappush(self._parked, (time.monotonic() + seconds, next(self._order), proto, scope, body,
                                          arrived))
            if self._waker is None:
                self._waker = threading.Thread(target=self._wake, name="sandbox-parked-requests", daemon=True)
                self._waker.start()
            self._changed.notify()

    def replay_due(self) -> int:
        """Replay every parked request whose wait is over; answers how many."""
        done = 0
        while True:
            with self._changed:
                if not self._parked or self._parked[0][0] > time.monotonic():
                    return done
                _, _, proto, scope, body, arrived = heapq.heappop(self._parked)
            self._run(proto, scope, body, arrived, waited=True)
            done += 1

    def _wake(self) -> None:
        """The waker thread: replays what falls due while no request comes to do it."""
        while True:
            with self._changed:
                while not self._parked:
                    self._changed.wait()
                delay = self._parked[0][0] - time.monotonic()
                if delay > 0:
                    self._changed.wait(delay)
                    continue
            try:
                self.replay_due()
            except BaseException:  # noqa: BLE001 - the thread must outlive one bad replay
                log.exception("replaying a parked request failed")


def _drain(scope: dict, most: int) -> None:
    """Read and drop up to `most` more bytes of the body (DRAIN_BYTES), unless the client waits
    for `100 Continue` before it sends any."""
    if scope.get("HTTP_EXPECT", "").lower() == "100-continue":
        return
    stream = scope["wsgi.input"]
    while most > 0:
        chunk = stream.read(min(most, 64 * 1024))
        if not chunk:
            return
        most -= len(chunk)


def granian_spawner():
    """granian's WSGI worker with `ParkingRunner` as its per-request callback, for
    `Granian.serve(spawn_target=...)`; None when this granian's worker is not the one it was
    written against (the server then runs granian's own callback: `pause` sleeps)."""
    try:
        from granian.server import Server, mp
    except ImportError:
        return None
    if Server is not mp.MPServer:  # a free-threaded build: workers are threads, not processes
        return None
    original = getattr(mp.MPServer, "_spawn_wsgi_worker", None)
    if getattr(original, "__wrapped__", None) is None or not hasattr(mp, "_wsgi_call_wrap"):
        return None
    return _spawn_worker


def _runner_for(callback, scope_opts, access_log_fmt=None):
    config = getattr(callback, "config", None)
    return ParkingRunner(callback, config.get("MAX_CONTENT_LENGTH") if config is not None else None)


def _spawn_worker(*args, **kwargs):
    from granian.server import mp

    mp._wsgi_call_wrap = _runner_for  # in this worker process: the callback granian wraps the app in
    return mp.MPServer._spawn_wsgi_worker.__wrapped__(*args, **kwargs)


def _wrap_for_granian(function):
    """`function` as granian's worker processes start a spawn target (it loads the app first)."""
    try:
        from granian.server.mp import WorkerProcess
    except ImportError:
        return function
    return WorkerProcess.wrap_target(function)


_spawn_worker = _wrap_for_granian(_spawn_worker)
