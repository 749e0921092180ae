"""`mock_payluk`: every `requests` and `httpx` call to Payluk's hosts answered by the sandbox app
in this process — no server, no socket, no port, no base-URL setting (issue 23).

    from sandbox import mock_payluk

    with mock_payluk() as payluk:           # also @mock_payluk() and the `payluk_mock` fixture
        client = MyPaylukClient(secret_key=payluk.key)   # hard-codes https://staging.api.payluk.ng
        client.pay(...)
        payluk.advance("P3D")               # the same controls as the `payluk_sandbox` fixture
        assert payluk.webhooks[-1].event == "escrow.ongoing"

How calls are routed (the libraries' own seams, nothing below them is touched):
  * requests: `Session.get_adapter` — the method every `Session.send` (and so `requests.get`)
    asks which transport adapter sends a URL — answers `InProcessAdapter` for Payluk's hosts
    (requests_adapter.py). Other URLs get the adapter requests would have used: a test's own
    `responses` mock (which patches `HTTPAdapter.send`) still sees them.
  * httpx: `Client._transport_for_url` / `AsyncClient._transport_for_url` — where httpx picks
    the transport for a URL (its `mounts=`) — answer `InProcessTransport` /
    `AsyncInProcessTransport` for Payluk's hosts (httpx_transport.py). Other URLs get the
    client's own transport: a test's `respx` mock (which patches httpcore's pool, or that same
    method) still sees them.
Patched on entering the outermost mock, restored on leaving it (even on an exception). A
stale patch, one another library patched over and restored after we left, passes everything
through. Clients on other HTTP stacks (urllib, aiohttp, pycurl, a subprocess) are not routed.

`responses` and `respx` themselves were not used for the routing: each patches the seam a test's
own `responses`/`respx` mock patches, so the two would replace each other (a test's mock for its
other hosts would then refuse the Payluk calls, or the reverse).
"""

import functools
import hashlib
import hmac
import importlib.util
import inspect
import json
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sandbox.testing.inprocess import InlineDispatcher, InProcessApp
from sandbox.testing.pytest_plugin import PaylukSandbox

log = logging.getLogger("sandbox")

# Every host the mock answers for (payluk-api.md §1, §5.11, §9): the API, the hosted-checkout
# session hosts the browser SDK posts to, and the host of the SDK's widget script.
HOSTS = {
    "staging.api.payluk.ng": "the API, staging (sk_test_ keys)",
    "api.payluk.ng": "the API, live (answered as staging: sk_live_ keys get 403 Unauthorized Access)",
    "staging.live.payluk.ng": "hosted checkout sessions, staging (POST /v1/checkout/session)",
    "live.payluk.ng": "hosted checkout sessions, live",
    "checkout.payluk.ng": "the checkout widget script (/escrow-checkout.min.js: the sandbox's stand-in)",
}
BASE_URL = "https://staging.api.payluk.ng"  # the handle's `base_url`: where Payluk's staging API lives
# Paths Payluk serves on a host where the sandbox has its own stand-in.
ALIASES = {("checkout.payluk.ng", "/escrow-checkout.min.js"): "/_sandbox/escrow-checkout.min.js"}
# The callback URL namespaces start with under the mock (`.invalid` never resolves: RFC 2606):
# what is "posted" there goes to the test's receiver, or is collected.
MOCK_WEBHOOK_URL = "https://webhooks.payluk-mock.invalid/"
SIGNATURE_HEADER = "x-payluk-signature"
DECORATOR_ARGUMENT = "payluk_mock"  # a decorated function with this parameter receives the handle

_lock = threading.RLock()
_active: list = []  # the entered PaylukMockers, innermost last
_patches: list = []  # (owner, name, original, replacement) while any mocker is active
_passthrough = threading.local()  # set while a webhook goes out for real (never blocked)


@dataclass(frozen=True)
class WebhookDelivery:
    """One webhook POST the mock's receiver got: the exact bytes and headers Payluk sends,
    signed with the sending namespace's secret key (`key`)."""

    url: str
    headers: dict
    body: bytes
    key: str | None
    status_code: int | None = field(default=None, compare=False)  # what the receiver answered

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def event(self) -> str:
        return self.json()["event"]

    @property
    def data(self) -> dict:
        return self.json()["data"]

    @property
    def signature(self) -> str:
        return self.headers[SIGNATURE_HEADER]

    def verify(self, secret: str | None = None) -> bool:
        """True when `x-payluk-signature` is the HMAC-SHA512 of the body keyed with `secret`
        (default: the sending namespace's key), as a receiver checks it."""
        key = (secret or self.key or "").encode()
        return hmac.compare_digest(hmac.new(key, self.body, hashlib.sha512).hexdigest(), self.signature)


class PaylukMock(PaylukSandbox):
    """What `mock_payluk` yields: the `payluk_sandbox` fixture's handle (its own key, or the one
    named; every control: clock, reset, snapshots, scenarios, journal, events, flush) talking to
    the in-process app, plus what only the mock has: `webhooks` (every delivery its receiver
    got, in order), `webhook_receiver` (a callable given each `WebhookDelivery`; it answers
    None or a status code, or raises: a failed attempt, retried on the namespace clock), `app`."""

    def __init__(self, mocker, key: str | None = None):
        super().__init__(BASE_URL, key, adapter=mocker.adapter)
        self._mocker = mocker
        self.webhooks: list[WebhookDelivery] = []
        self.webhook_receiver = None

    def __repr__(self):
        return f"<PaylukMock in-process key={self.key}>"

    @property
    def app(self):
        return self._mocker.app

    def handle(self, key: str | None = None) -> PaylukSandbox:
        """A handle on another key's namespace (fresh when None), through the same mock."""
        return PaylukSandbox(BASE_URL, key, adapter=self._mocker.adapter)


class PaylukMocker:
    """The context manager / decorator `mock_payluk(...)` returns. Each entry builds its own state
    (an app unless one was given, the handle), so one instance can decorate a function called
    many times; entries nest (the innermost answers), from any number of threads' calls."""

    def __init__(self, key=None, *, app=None, webhooks=None, block_other_hosts=False, allow_hosts=(), **settings):
        if webhooks is not None and webhooks is not False and not callable(webhooks) and not (
                isinstance(webhooks, str) and webhooks.startswith(("http://", "https://"))):
            raise TypeError(f"webhooks= takes a callable, an http(s) URL, None (collect) or False (none), "
                            f"not {webhooks!r}")
        if app is not None and settings:
            raise TypeError(f"settings ({', '.join(sorted(settings))}) configure the app mock_payluk builds; "
                            f"not with app=")
        self.key, self.given_app, self.webhooks = key, app, webhooks
        self.block_other_hosts = block_other_hosts
        self.allow_hosts = frozenset(host.lower() for host in allow_hosts)
        self.settings = settings
        self.app = self.handle_ = None

    # -- entering and leaving ----------------------------------------------------------------------
    def __enter__(self) -> PaylukMock:
        if self.app is not None:
            raise RuntimeError("this mock_payluk is already active; nest another mock_payluk() instead")
        app = self.given_app or _build_app(self.webhooks, self.settings)
        sandbox = app.extensions["sandbox"]
        self._previous_dispatcher = sandbox.dispatcher
        sandbox.dispatcher = InlineDispatcher(sandbox.store, self._receive, passthrough)
        self.app = app
        self._call = InProcessApp(app).call
        try:
            self.adapter, self.transports = _requests_adapter(self._route), _httpx_transports(self._route)
            self.handle_ = PaylukMock(self, self.key)
            if callable(self.webhooks):
                self.handle_.webhook_receiver = self.webhooks
            with _lock:
                _active.append(self)
                if len(_active) == 1:
                    _install()
        except BaseException:
            self._leave()
            raise
        return self.handle_

    def __exit__(self, *exc_info) -> None:
        self._leave()

    def _leave(self) -> None:
        with _lock:
            if self in _active:
                _active.remove(self)
                if not _active:
                    _uninstall()
        if self.handle_ is not None:
            self.handle_.close()
        sandbox = self.app.extensions["sandbox"]
        sandbox.dispatcher = self._previous_dispatcher
        if self.given_app is None:
            self.app.close()
        self.app = self.handle_ = None

    def __call__(self, func):
        """As a decorator: the function runs inside the mock (a fresh entry per call); a parameter
        named `payluk_mock` receives the handle (pytest then does not look for that fixture)."""
        signature = inspect.signature(func)
        wants = DECORATOR_ARGUMENT in signature.parameters
        mocker = self

        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def wrapper(*args, **kwargs):
                with PaylukMocker._again(mocker) as handle:
                    if wants:
                        kwargs[DECORATOR_ARGUMENT] = handle
                    return await func(*args, **kwargs)
        else:
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                with PaylukMocker._again(mocker) as handle:
                    if wants:
                        kwargs[DECORATOR_ARGUMENT] = handle
                    return func(*args, **kwargs)
        if wants:
            wrapper.__signature__ = signature.replace(
                parameters=[p for name, p in signature.parameters.items() if name != DECORATOR_ARGUMENT])
        return wrapper

    @staticmethod
    def _again(mocker) -> "PaylukMocker":
        """A fresh entry with the same options (a decorated function may run again, or in threads)."""
        return PaylukMocker(mocker.key, app=mocker.given_app, webhooks=mocker.webhooks,
                            block_other_hosts=mocker.block_other_hosts, allow_hosts=mocker.allow_hosts,
                            **mocker.settings)

    # -- routing -----------------------------------------------------------------------------------
    def _route(self, method, scheme, netloc, path, query, headers, body):
        host = netloc.rpartition("@")[2].split(":")[0].lower()
        path = ALIASES.get((host, path), path)
        return self._call(method, scheme, netloc, path, query, headers, body)

    def blocks(self, host: str) -> bool:
        return self.block_other_hosts and host not in self.allow_hosts and not getattr(_passthrough, "on", False)

    # -- webhooks ------------------------------------------------------------------------------------
    def _receive(self, url: str, body: bytes, headers: dict, key: str | None):
        """A delivery to the mock's receiver URL: to the callable, the URL, or collected."""
        if url != MOCK_WEBHOOK_URL:
            return None  # a URL the test set with the controls: sent for real
        handle = self.handle_
        receiver = handle.webhook_receiver if handle is not None else None
        delivery = WebhookDelivery(url, dict(headers), body, key)
        attempt = {"status_code": 200, "error": None}
        if receiver is not None:
            try:
                answer = receiver(delivery)
                attempt["status_code"] = 200 if answer is None else int(getattr(answer, "status_code", answer))
            except Exception as err:  # the receiver failed: an attempt that failed, retried on the clock
                log.warning("payluk mock: the webhook receiver raised on %s", delivery.event, exc_info=True)
                attempt.update(status_code=None, error=f"{type(err).__name__}: {err}")
        elif isinstance(self.webhooks, str):
            attempt = _post_for_real(self.webhooks, body, headers)
        if handle is not None:
            delivery = WebhookDelivery(url, delivery.headers, body, key, attempt["status_code"])
            with _lock:
                handle.webhooks.append(delivery)
        return attempt


def mock_payluk(key: str | None = None, *, app=None, webhooks=None, block_other_hosts: bool = False,
                allow_hosts=(), **settings) -> PaylukMocker:
    """Route every `requests` / `httpx` (sync and async) call to Payluk's hosts (`HOSTS`) to the
    sandbox app in this process; a context manager (yields a `PaylukMock`) and a decorator.

    key: the handle's secret key (default: a fresh `sk_test_…`); every key the client sends is
        its own namespace, as over HTTP.
    app: a sandbox app to answer (default: a fresh one per entry, from the SANDBOX_* settings
        the pytest plugin honours and `settings`: `seed=`, `clock_start=`, `fixtures=`,
        `profile=` — any `sandbox.server.config.Config` field).
    webhooks: where deliveries go (every namespace starts with the mock's receiver as its
        callback URL): None, collected in `handle.webhooks`; a callable, called with each
        `WebhookDelivery` (and collected); an http(s) URL, POSTed there for real (and
        collected); False, no callback URL (events stay `NOT_SENT`, as on a fresh server).
        Sent right after the request that emitted them; retries falling due on a running clock
        go out with `handle.flush()` (or after the namespace's next request that changes it).
    block_other_hosts: refuse calls to any other host (the library's connection error) instead
        of letting them go out; `allow_hosts` are let through all the same. Calls a test's own
        `responses` / `respx` mock answers are never blocked.
    """
    return PaylukMocker(key, app=app, webhooks=webhooks, block_other_hosts=block_other_hosts,
                        allow_hosts=allow_hosts, **settings)


def active() -> PaylukMock | None:
    """The innermost active mock's handle (None outside any)."""
    try:
        return _active[-1].handle_
    except IndexError:
        return None


# -- plumbing --------------------------------------------------------------------------------------
def _build_app(webhooks, settings: dict):
    from sandbox.testing.pytest_plugin import build_app

    return build_app(webhook_url=None if webhooks is False else MOCK_WEBHOOK_URL, **settings)


@contextmanager
def passthrough():
    """A real webhook POST goes out even when the mock blocks other hosts."""
    before = getattr(_passthrough, "on", False)
    _passthrough.on = True
    try:
        yield
    finally:
        _passthrough.on = before


def _post_for_real(url: str, body: bytes, headers: dict) -> dict:
    from sandbox.controlplane.dispatcher import post

    with passthrough():
        return post(url, body, headers)


def _innermost():
    try:
        return _active[-1]
    except IndexError:  # the last mock left between the check and the read
        return None


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _requests_adapter(route):
    from sandbox.testing.requests_adapter import InProcessAdapter

    return InProcessAdapter(route)


def _httpx_transports(route):
    """(sync, async) in-process transports, or None where httpx is not installed."""
    if importlib.util.find_spec("httpx") is None:
        return None
    from sandbox.testing.httpx_transport import (
        AsyncInProcessTransport,
        InProcessTransport,
    )

    return InProcessTransport(route), AsyncInProcessTransport(route)


def _patch(owner, name: str, make) -> None:
    original = owner.__dict__[name]
    replacement = make(original)
    replacement.__wrapped__ = original
    setattr(owner, name, replacement)
    _patches.append((owner, name, original, replacement))


def _install() -> None:
    """Patch the seams (under `_lock`, when the first mock is entered)."""
    import requests
    from requests.adapters import HTTPAdapter

    from sandbox.testing.requests_adapter import BlockedAdapter, InProcessAdapter

    def requests_seam(original):
        def get_adapter(session, url):
            mocker = _innermost()
            if mocker is None:
                return original(session, url)
            host = _host(url)
            if host in HOSTS:
                for prefix, adapter in session.adapters.items():  # a handle's own mock comes first
                    if isinstance(adapter, InProcessAdapter) and url.lower().startswith(prefix.lower()):
                        return adapter
                return mocker.adapter
            adapter = original(session, url)
            if mocker.blocks(host) and _requests_reaches_network(adapter, HTTPAdapter):
                return BlockedAdapter(_blocked(host))
            return adapter

        return get_adapter

    _patch(requests.Session, "get_adapter", requests_seam)
    if importlib.util.find_spec("httpx") is None:
        return
    import httpx

    from sandbox.testing.httpx_transport import BlockedTransport

    def httpx_seam(which: int):
        def make(original):
            def _transport_for_url(client, url):
                mocker = _innermost()
                if mocker is None:
                    return original(client, url)
                host = url.host.lower()
                if host in HOSTS:
                    return mocker.transports[which]
                transport = original(client, url)
                if mocker.blocks(host) and _httpx_reaches_network(transport, httpx):
                    return BlockedTransport(_blocked(host))
                return transport

            return _transport_for_url

        return make

    _patch(httpx.Client, "_transport_for_url", httpx_seam(0))
    _patch(httpx.AsyncClient, "_transport_for_url", httpx_seam(1))


def _uninstall() -> None:
    """Undo the patches (under `_lock`, when the last mock is left). A seam someone patched over
    since is left to them: our function under theirs passes everything through from now on."""
    while _patches:
        owner, name, original, replacement = _patches.pop()
        if owner.__dict__.get(name) is replacement:
            setattr(owner, name, original)


def _blocked(host: str) -> str:
    return (f"payluk mock: {host} is not a Payluk host and mock_payluk(block_other_hosts=True) blocks other "
            f"hosts (allow it with allow_hosts=[{host!r}])")


def _library_code(function, prefixes) -> bool:
    return getattr(function, "__module__", "").startswith(prefixes)


def _requests_reaches_network(adapter, http_adapter) -> bool:
    """requests' own HTTPAdapter, unpatched: the call would open a connection (a `responses`
    mock has replaced `HTTPAdapter.send`; a custom adapter is the test's own)."""
    return isinstance(adapter, http_adapter) and _library_code(type(adapter).send, ("requests.",))


def _httpx_reaches_network(transport, httpx) -> bool:
    """httpx's own transport over httpcore's pool, neither patched (respx patches one of them)."""
    if type(transport) is httpx.HTTPTransport:
        method = "handle_request"
    elif type(transport) is httpx.AsyncHTTPTransport:
        method = "handle_async_request"
    else:
        return False
    pool = getattr(transport, "_pool", None)
    return (_library_code(getattr(type(transport), method), ("httpx.",))
            and _library_code(getattr(type(pool), method, None), ("httpcore.",)))
