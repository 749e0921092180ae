"""One HTTP request through the sandbox app in the caller's thread: no socket, no server.

`InProcessApp.call` turns a request (method, URL parts, headers, body) into a WSGI environ as a
server on a socket would — headers a client repeats joined by commas, `Host` from the URL when the
client leaves it to its connection — runs the app's whole WSGI stack (the `response_lost`
middleware included) and answers `(status, reason, headers, body)`. It knows no client library:
the requests adapter and the httpx transports (sandbox/testing/requests_adapter.py,
httpx_transport.py) wrap it. A dropped answer (`response_lost`) has the body None: the
production server sends the head and then closes the connection, and the adapters hand their
library a body that breaks off the same way, so it raises what it raises over HTTP.

`InlineDispatcher` takes the place of the app's webhook dispatcher while it is mocked: no
background thread; what a request wakes is sent by the caller's thread right after that
request, before its answer is handed back (over HTTP the background sender posts it a moment
later). Deliveries to the mock's own receiver URL go to the test's receiver; any other URL gets a
real POST, as over HTTP.
"""

import io
import sys
import threading
import time
from urllib.parse import unquote_to_bytes

from flask import g, has_request_context, request

from sandbox.controlplane.dispatcher import FLUSH_WAIT_SECONDS, Dispatcher
from sandbox.controlplane.faults import ResponseLost

# What every environ shares (PEP 3333); a request's own keys are added per call.
BASE_ENVIRON = {
    "SCRIPT_NAME": "", "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_SOFTWARE": "payluk-sandbox-mock",
    "GATEWAY_INTERFACE": "CGI/1.1", "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "0", "wsgi.version": (1, 0),
    "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
    "wsgi.input_terminated": True,
}
DEFAULT_PORTS = {"http": "80", "https": "443"}
UNPREFIXED = {"CONTENT_TYPE", "CONTENT_LENGTH"}  # PEP 3333: these two have no HTTP_ prefix
# A fork copies a namespace, its outbox included, into another key: both keys' due events are sent.
FORK_PATH = "/_sandbox/fork"
EVERY_KEY = None  # a wake that cannot name its key (public checkout routes, the console, a fork)


class InProcessApp:
    """Calls the Flask app's WSGI stack directly; thread-safe (each call builds its own environ)."""

    def __init__(self, app):
        self.app = app

    def call(self, method: str, scheme: str, netloc: str, path: str, query: str, headers, body: bytes):
        """One request; answers `(status_code, reason, [(name, value)], body_bytes)`, the body
        None when the `response_lost` scenario dropped it (the webhooks the request emitted are
        sent all the same). `path` is the URL's path as sent (percent-encoded), `query` without
        `?`, `headers` (name, value) pairs in order."""
        environ = dict(BASE_ENVIRON)
        environ["REQUEST_METHOD"] = method
        environ["PATH_INFO"] = unquote_to_bytes(path).decode("latin-1") if "%" in path else path
        environ["QUERY_STRING"] = query
        environ["wsgi.url_scheme"] = scheme
        environ["wsgi.input"] = io.BytesIO(body)
        host, _, port = netloc.rpartition(":") if netloc.rfind(":") > netloc.rfind("]") else (netloc, "", "")
        environ["SERVER_NAME"] = host
        environ["SERVER_PORT"] = port or DEFAULT_PORTS.get(scheme, "80")
        for name, value in headers:
            if isinstance(name, bytes):
                name, value = name.decode("latin-1"), value.decode("latin-1")
            elif isinstance(value, bytes):
                value = value.decode("latin-1")
            key = name.upper().replace("-", "_")
            if key not in UNPREFIXED:
                key = "HTTP_" + key
            seen = environ.get(key)
            # A header sent twice reaches the app joined by a comma, as every WSGI server does.
            environ[key] = value if seen is None else f"{seen}, {value}"
        environ.setdefault("HTTP_HOST", netloc)
        if body:
            environ["CONTENT_LENGTH"] = str(len(body))
        started = []

        def start_response(status, response_headers, exc_info=None):
            if exc_info is not None and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = (status, response_headers)

        chunks = self.app.wsgi_app(environ, start_response)
        try:
            content = b"".join(chunks)
        except ResponseLost:  # committed; the head goes out, the body never does
            content = None
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
            dispatcher = self.app.extensions["sandbox"].dispatcher
            if isinstance(dispatcher, InlineDispatcher):
                dispatcher.deliver_woken()
        status, response_headers = started
        code, _, reason = status.partition(" ")
        return int(code), reason, response_headers, content


class InlineDispatcher(Dispatcher):
    """The app's webhook dispatcher while it is mocked. `wake()` (the app calls it after a
    request that may have emitted events) notes the request's key for its thread; the in-process
    call then sends that key's due events before it returns (`deliver_woken`).

    `receive(url, body, headers, key)` answers the attempt (`{status_code, error}`) of a delivery
    to the mock's own receiver, or None for any other URL: that one is POSTed for real, inside
    `passthrough()` (the mock lets it out even when it blocks other hosts)."""

    def __init__(self, store, receive, passthrough):
        super().__init__(store)
        self.receive = receive
        self.passthrough = passthrough
        self._local = threading.local()

    def wake(self) -> None:
        keys = self._local.__dict__.setdefault("keys", set())
        key = g.get("key") if has_request_context() else None
        keys.add(EVERY_KEY if key is None or request.path == FORK_PATH else key)

    def stop(self, timeout: float = 5) -> None:
        """Nothing runs beside the requests: there is no thread to stop."""

    def deliver_woken(self) -> None:
        """Send what is due in the namespaces this thread's last request woke (every namespace
        when it could not name one). Another thread sending that namespace's events is let finish
        first (one sender at a time, outbox.take_due): with no background sender here, what it did
        not take would wait for the next request."""
        keys = self._local.__dict__.pop("keys", None)
        if not keys:
            return
        for key in self.store.keys() if EVERY_KEY in keys else keys:
            self.deliver_due(key, wait=FLUSH_WAIT_SECONDS)

    def _send(self, key, ns, event, faults):
        self._local.key = key  # for `_post`: whose namespace the delivery comes from
        return super()._send(key, ns, event, faults)

    def _post(self, url: str, body: bytes, headers: dict) -> dict:
        started = time.perf_counter()
        attempt = self.receive(url, body, headers, getattr(self._local, "key", None))
        if attempt is None:
            with self.passthrough():
                return super()._post(url, body, headers)
        return {"status_code": attempt.get("status_code"), "error": attempt.get("error"),
                "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
