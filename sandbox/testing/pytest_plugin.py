"""pytest plugin (entry point `payluk_sandbox`): a `payluk_sandbox` fixture giving each test its
own sandbox namespace (a fresh `sk_test_…` key) on a live server, plus the control-plane helpers;
and `payluk_mock`, the same helpers with every requests/httpx call to Payluk's hosts answered
in-process (sandbox/testing/mock.py), no server at all.

The server is either an in-process live server (default: started on first use, one per test
session, on a free 127.0.0.1 port) or an external one named by, in this order of precedence,
`--payluk-sandbox-url`, the `PAYLUK_SANDBOX_URL` environment variable, or the
`payluk_sandbox_url` ini option; when that server protects its controls with
`SANDBOX_CONTROL_TOKEN`, give the token as `PAYLUK_SANDBOX_TOKEN` (or `SANDBOX_CONTROL_TOKEN`,
or the `payluk_sandbox_token` ini option). Sessions that never request the fixture pay nothing: no
server, and no Flask/Werkzeug/requests import (everything heavy is imported lazily).
"""

import contextlib
import os
import secrets

import pytest

ENV_URL = "PAYLUK_SANDBOX_URL"
INI_URL = "payluk_sandbox_url"
ENV_TOKENS = ("PAYLUK_SANDBOX_TOKEN", "SANDBOX_CONTROL_TOKEN")
INI_TOKEN = "payluk_sandbox_token"
TOKEN_HEADER = "X-Sandbox-Token"
SCENARIO_HEADER = "X-Sandbox-Scenario"
TIMEOUT_SECONDS = 30
# The in-process server honours these SANDBOX_* settings; it always has its controls on and
# unprotected (request threads are irrelevant: Werkzeug's server starts one per request).
IN_PROCESS_SETTINGS = ("SANDBOX_FIXTURES", "SANDBOX_SEED", "SANDBOX_CLOCK_START", "SANDBOX_PROFILE")


__all__ = ["PaylukSandbox", "PaylukSandboxError", "payluk_mock", "payluk_mock_app", "payluk_sandbox",
           "payluk_sandbox_server", "pytest_addoption", "pytest_report_header"]


class PaylukSandboxError(RuntimeError):
    """A sandbox control call that did not succeed; the message names the route and the answer."""


# -- options -------------------------------------------------------------------------------------
def pytest_addoption(parser):
    group = parser.getgroup("payluk-sandbox")
    group.addoption(
        "--payluk-sandbox-url", dest="payluk_sandbox_url", default=None, metavar="URL",
        help=f"use the payluk-sandbox already running at URL instead of starting one in-process "
             f"(overrides ${ENV_URL} and the {INI_URL} ini option)",
    )
    parser.addini(INI_URL, default="", help=f"URL of a running payluk-sandbox (used when neither "
                                             f"--payluk-sandbox-url nor ${ENV_URL} is given)")
    parser.addini(INI_TOKEN, default="", help=f"X-Sandbox-Token for an external payluk-sandbox whose "
                                              f"controls need one (else ${ENV_TOKENS[0]})")


def external_url(config) -> str | None:
    """The external server's base URL from the command line, the environment or the ini file."""
    for value in (config.getoption("payluk_sandbox_url"), os.environ.get(ENV_URL), config.getini(INI_URL)):
        if value and value.strip():
            return value.strip().rstrip("/")
    return None


def control_token(config) -> str | None:
    """The external server's control token, when its /_sandbox controls are protected."""
    for value in (*(os.environ.get(name) for name in ENV_TOKENS), config.getini(INI_TOKEN)):
        if value and value.strip():
            return value.strip()
    return None


def pytest_report_header(config):
    url = external_url(config)
    return [f"payluk-sandbox: external server {url}"] if url else []


# -- the backing server --------------------------------------------------------------------------
class InProcessServer:
    """The real sandbox app on a free 127.0.0.1 port, served by Werkzeug's threaded server in a
    background thread (acceptable inside a test session only; never as the product's server)."""

    def __init__(self, app, host: str = "127.0.0.1"):
        import threading

        from werkzeug.serving import WSGIRequestHandler, make_server

        class QuietHandler(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):  # one line per request would flood captured logs
                pass

            def connection_dropped(self, error, environ=None):
                """A dropped answer (`response_lost`, or a client gone): close the connection, as
                the production server does — kept open, the client would wait for it forever."""
                self.close_connection = True

        self.app = app
        self._server = make_server(host, 0, app, threaded=True, request_handler=QuietHandler)
        self.url = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="payluk-sandbox-server",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)
        self._server.server_close()
        self.app.close()


def build_app(**overrides):
    """The sandbox app with the default fixtures (or SANDBOX_FIXTURES / _SEED / _CLOCK_START /
    _PROFILE), and any `Config` field given (the in-process mock's webhook receiver, a seed)."""
    from dataclasses import replace

    from sandbox import create_app
    from sandbox.server.config import Config

    config = Config.from_env({name: os.environ[name] for name in IN_PROCESS_SETTINGS if os.environ.get(name)})
    return create_app(replace(config, **overrides))


def check_reachable(url: str) -> None:
    """Fail early, once, with the URL in the message, when an external server does not answer."""
    import requests

    try:
        reply = requests.get(url + "/healthz", timeout=10)
    except requests.RequestException as err:
        raise PaylukSandboxError(f"payluk-sandbox at {url} is not reachable: {err}") from None
    if reply.status_code != 200:
        raise PaylukSandboxError(f"payluk-sandbox at {url} is not healthy: GET /healthz answered "
                                 f"{reply.status_code} {reply.text[:200]!r}")


@pytest.fixture(scope="session")
def payluk_sandbox_server(pytestconfig):
    """The base URL of the sandbox for this test session (external, or started in-process)."""
    url = external_url(pytestconfig)
    if url:
        check_reachable(url)
        yield url
        return
    server = InProcessServer(build_app())
    try:
        yield server.url
    finally:
        server.stop()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# -- the per-test handle -------------------------------------------------------------------------
def _session_class():
    import requests

    class SandboxSession(requests.Session):
        """A `requests.Session` that resolves paths ("/v1/wallet") against the sandbox's base URL
        and applies a default timeout; absolute URLs pass through unchanged."""

        def __init__(self, base_url: str):
            super().__init__()
            self.base_url = base_url

        def request(self, method, url, *args, **kwargs):
            if isinstance(url, str) and url.startswith("/"):
                url = self.base_url + url
            kwargs.setdefault("timeout", TIMEOUT_SECONDS)
            return super().request(method, url, *args, **kwargs)

    return SandboxSession


class PaylukSandbox:
    """One test's view of the sandbox: its own secret key (hence its own namespace), a
    pre-authorised `session`, and helpers for the `/_sandbox` control plane. Every helper returns
    the `data` of the envelope and raises `PaylukSandboxError` when the control call fails."""

    def __init__(self, base_url: str, key: str | None = None, token: str | None = None, adapter=None):
        """`adapter`: a requests transport adapter both sessions send through for `base_url`
        (the in-process mock's: then no call leaves the process)."""
        self.base_url = base_url.rstrip("/")
        self.key = key or f"sk_test_{secrets.token_hex(16)}"
        session_class = _session_class()
        self.session = session_class(self.base_url)
        self.session.headers["Authorization"] = f"Bearer {self.key}"
        # Control calls never carry a scenario header: a fault meant for the API under test
        # must not hit the helper that inspects it.
        self._control = session_class(self.base_url)
        self._control.headers["Authorization"] = f"Bearer {self.key}"
        if token:
            self._control.headers[TOKEN_HEADER] = token
        if adapter is not None:
            self.session.mount(self.base_url, adapter)
            self._control.mount(self.base_url, adapter)
        self._customers = None

    def __repr__(self):
        return f"<PaylukSandbox {self.base_url} key={self.key}>"

    # -- plain access ----------------------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.base_url + path

    def headers(self, customer_id: str | None = None) -> dict:
        """Headers for a bare `requests` call: Authorization, `customer-id` when given, and the
        scenario header while inside a `scenario()` block."""
        headers = {"Authorization": f"Bearer {self.key}"}
        if customer_id is not None:
            headers["customer-id"] = customer_id
        scenario = self.session.headers.get(SCENARIO_HEADER)
        if scenario is not None:
            headers[SCENARIO_HEADER] = scenario
        return headers

    @property
    def customers(self) -> list[dict]:
        """The namespace's merchant customers (the fixture set unless the test added some),
        as `GET /v1/customers` returns them; re-read after `reset()` and `restore()`."""
        if self._customers is None:
            customers, page = [], 1
            while True:
                data = self.control("GET", "/v1/customers", params={"page": page, "limit": 100})
                customers.extend(data["data"])
                if data["pagination"]["isLastPage"]:
                    break
                page += 1
            self._customers = customers
        return self._customers

    def customer(self, email_or_id: str) -> dict:
        """One customer by e-mail address or id."""
        wanted = email_or_id.lower()
        for customer in self.customers:
            if wanted in (customer["id"], customer["email"].lower()):
                return customer
        raise LookupError(f"no customer {email_or_id!r} in this sandbox namespace")

    # -- namespace -------------------------------------------------------------------------------
    def reset(self, fixtures: str | None = None, seed: int | None = None, keep_settings: bool = True) -> dict:
        """Rebuild this key's namespace (optionally from a named fixture set, with a seed); its
        settings (webhook URL, faults) stay unless `keep_settings=False`."""
        body = {k: v for k, v in (("fixtures", fixtures), ("seed", seed)) if v is not None}
        if not keep_settings:
            body["keepSettings"] = False
        data = self.control("POST", "/_sandbox/reset", json=body or None)
        self._customers = data.get("customers") if isinstance(data, dict) else None
        return data

    def use_profile(self, profile: str | None, reset: bool = False) -> dict:
        """Answer by an API profile (`"2026-10"`, Payluk's October 2026 docs; None: back to the
        server's); with `reset=True` the fixtures are replayed under it. Answers `{profile, source}`."""
        data = self.control("PUT", "/_sandbox/profile", json={"profile": profile})
        if reset:
            self.reset()
        return data

    def snapshot(self, name: str) -> dict:
        return self.control("POST", "/_sandbox/snapshots", json={"name": name})

    def restore(self, name: str) -> dict:
        self._customers = None
        return self.control("POST", f"/_sandbox/snapshots/{name}/restore")

    def snapshots(self) -> list:
        return self.control("GET", "/_sandbox/snapshots")

    def state(self) -> dict:
        return self.control("GET", "/_sandbox/state")

    # -- clock -----------------------------------------------------------------------------------
    def clock(self) -> dict:
        return self.control("GET", "/_sandbox/clock")

    def advance(self, by) -> dict:
        """Move this namespace's clock forward by seconds (int/float/timedelta) or an ISO-8601
        duration ("P3D", "PT90M"); the answer lists what became due."""
        if isinstance(by, str):
            body = {"duration": by}
        elif hasattr(by, "total_seconds") or (isinstance(by, (int, float)) and not isinstance(by, bool)):
            seconds = by.total_seconds() if hasattr(by, "total_seconds") else by
            if float(seconds).is_integer():
                body = {"seconds": int(seconds)}
            else:  # the control takes whole seconds; a fraction travels as a duration (ms precision)
                body = {"duration": "PT" + f"{seconds:.3f}".rstrip("0") + "S"}
        else:
            raise TypeError(f"advance() takes seconds or an ISO-8601 duration, not {by!r}")
        return self.control("POST", "/_sandbox/clock/advance", json=body)

    def set_clock(self, now) -> dict:
        """Set this namespace's clock to an ISO-8601 instant (or an aware datetime); forward only."""
        if hasattr(now, "isoformat"):
            now = now.isoformat()
        return self.control("POST", "/_sandbox/clock/set", json={"now": now})

    def freeze(self) -> dict:
        return self.control("POST", "/_sandbox/clock/freeze")

    def resume(self) -> dict:
        return self.control("POST", "/_sandbox/clock/resume")

    # -- scenarios -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def scenario(self, name: str):
        """Send `X-Sandbox-Scenario: <name>` on the session's requests (and in `headers()`)
        inside the block; the previous value, if any, comes back afterwards."""
        previous = self.session.headers.get(SCENARIO_HEADER)
        self.session.headers[SCENARIO_HEADER] = name
        try:
            yield self
        finally:
            if previous is None:
                self.session.headers.pop(SCENARIO_HEADER, None)
            else:
                self.session.headers[SCENARIO_HEADER] = previous

    # -- observability ---------------------------------------------------------------------------
    def requests_log(self, **filters):
        """The namespace's request journal, newest first (`GET /_sandbox/requests`): filters
        `method`, `path` (a prefix), `status` (404 or "4xx"), `customer_id`, `since`, `limit`."""
        params = {_camel(name): value for name, value in filters.items() if value is not None}
        return self.control("GET", "/_sandbox/requests", params=params or None)

    def ledger(self) -> dict:
        return self.control("GET", "/_sandbox/ledger")

    def invariants(self) -> dict:
        """Check the books; raises AssertionError listing the violations when they do not balance."""
        data = self.control("GET", "/_sandbox/invariants")
        violations = data.get("violations") or []
        if violations:
            lines = "\n".join(f"  - {v}" for v in violations)
            raise AssertionError(f"payluk-sandbox ledger invariants violated for {self.key}:\n{lines}")
        return data

    def events(self):
        """The webhook events emitted in this namespace (`GET /_sandbox/events`)."""
        return self.control("GET", "/_sandbox/events")

    def deliveries(self, event_id: str | None = None):
        """Every webhook delivery attempt of this namespace (`GET /_sandbox/webhooks/deliveries`)."""
        return self.control("GET", "/_sandbox/webhooks/deliveries", params={"eventId": event_id} if event_id else None)

    def flush(self) -> list:
        """Deliver every webhook due now, synchronously (`POST /_sandbox/webhooks/flush`; a
        background sender in flight is let finish first, so every event due has been attempted
        when it returns): the attempts this flush made."""
        return self.control("POST", "/_sandbox/webhooks/flush")["attempts"]

    # -- plumbing --------------------------------------------------------------------------------
    def control(self, method: str, path: str, **kwargs):
        """Any control call (`fork`, `import`, `provider-states`, ...): its `data`, or
        `PaylukSandboxError`. Keyword arguments go to `requests` (json=, params=)."""
        reply = self._control.request(method, path, **kwargs)
        try:
            body = reply.json()
        except ValueError:
            body = None
        if reply.status_code == 404 and path.startswith("/_sandbox/") and (
            not isinstance(body, dict) or body.get("message") == "Route not found"
        ):
            raise PaylukSandboxError(
                f"{method} {path} is not provided by the payluk-sandbox at {self.base_url} "
                f"(404 Route not found): the server predates that control, or runs with its "
                f"controls switched off (SANDBOX_CONTROLS=off)"
            )
        if not 200 <= reply.status_code < 300 or not isinstance(body, dict):
            message = body.get("message") if isinstance(body, dict) else reply.text[:200]
            hint = f" (give it as {ENV_TOKENS[0]})" if reply.status_code == 401 and TOKEN_HEADER in str(message) else ""
            raise PaylukSandboxError(f"{method} {path} failed: {reply.status_code} {message}{hint}")
        return body.get("data")

    def close(self) -> None:
        self.session.close()
        self._control.close()


@pytest.fixture
def payluk_sandbox(payluk_sandbox_server, pytestconfig):
    """A fresh namespace on the session's sandbox server, with helpers (see `PaylukSandbox`)."""
    token = control_token(pytestconfig) if external_url(pytestconfig) else None
    sandbox = PaylukSandbox(payluk_sandbox_server, token=token)
    yield sandbox
    sandbox.close()


# -- the in-process mock (sandbox/testing/mock.py) ------------------------------------------------
@pytest.fixture(scope="session")
def payluk_mock_app():
    """The sandbox app `payluk_mock` answers from, built once per session (namespaces start with the
    mock's webhook receiver as their callback URL); nothing serves it on a socket."""
    from sandbox.testing.mock import MOCK_WEBHOOK_URL

    app = build_app(webhook_url=MOCK_WEBHOOK_URL)
    yield app
    app.close()


@pytest.fixture
def payluk_mock(payluk_mock_app):
    """Every `requests` / `httpx` call to Payluk's hosts answered in-process (`mock_payluk`), with
    a fresh namespace and the `payluk_sandbox` helpers (see `sandbox.testing.mock.PaylukMock`)."""
    from sandbox.testing.mock import mock_payluk

    with mock_payluk(app=payluk_mock_app) as handle:
        yield handle
