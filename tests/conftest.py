"""Shared fixtures: the app, an HTTP adapter (in-process or live socket), the `api` helper,
and the ledger invariants checked after every test.

Tests that take `http` (directly or through `api`) run three times: against the Flask app
in-process, against a real `payluk-sandbox` server on a socket (session-scoped, reset through
`/_sandbox/reset` before each test), and in-process on the Redis store. A module that imports
tests/cluster_leg.py's `http` runs a fourth time, in-process on a Redis Cluster.
"""

import contextlib
import io
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from requests.structures import CaseInsensitiveDict

import sandbox.app  # noqa: F401  (every module loaded before any test: pytester's tests restore
#                    sys.modules afterwards, and modules first loaded inside one would be loaded
#                    twice, leaving a live app raising one copy's PaylukError past the other's handler)
from sandbox import create_app
from sandbox.domain.profiles import DEFAULT as DEFAULT_PROFILE, OCTOBER as LATER
from sandbox.server.config import Config
from sandbox.schemas import fast
from tests import processes

# Every compiled dump/load is redone by marshmallow and compared (sandbox/schemas/fast.py),
# here and in the servers the suite starts (they inherit the variable).
os.environ["SANDBOX_SELF_CHECK"] = "1"
fast.SELF_CHECK = True

ROOT = Path(__file__).resolve().parent.parent
# Every process this session starts carries it (tests/processes.py); none may outlive the session.
SESSION_MARKER = processes.mark_session()
START = "2026-06-22T10:15:00.000Z"
SEED = 1234
KEY = "sk_test_suite"

SELLER = "665f1b2c9a1e4d0012ab3c30"
BUYER = "665f1b2c9a1e4d0012ab3c31"
POOR_BUYER = "665f1b2c9a1e4d0012ab3c32"
SELLER2 = "665f1b2c9a1e4d0012ab3c33"
BENEFICIARY = "665f1b2c9a1e4d0012ab3c40"
UNKNOWN_ID = "aaaaaaaaaaaaaaaaaaaaaaaa"

# docs.payluk.ng/concepts/milestone-escrows, verbatim.
DOCS_MILESTONE_EXAMPLE = {
    "amount": 1000000,
    "purpose": "Company website build",
    "whoPays": "buyer",
    "milestones": [
        {"title": "Design", "amount": 300000, "dueDate": "2026-07-15", "customerId": "665f1b2c9a1e4d0012ab3c40"},
        {"title": "Development", "amount": 500000, "dueDate": "2026-08-15"},
        {"title": "Deployment", "amount": 200000},
    ],
}


# The same escrow as profile 2026-10 takes it: [B] requires the delivery window on milestone escrows.
LATER_MILESTONE_EXAMPLE = {**DOCS_MILESTONE_EXAMPLE, "maxDelivery": 30, "deliveryTimeline": "days"}


def balances_of(wallet: dict) -> dict:
    """A wallet answer without the `id`, `createdAt`, `updatedAt` profile 2026-10 adds: what
    both profiles answer (`mainBalance`, `escrowBalance`, `currency`)."""
    return {k: v for k, v in wallet.items() if k not in ("id", "createdAt", "updatedAt")}


def pay_body(escrow_id, gateway="WALLET", **extra) -> dict:
    """A pay-escrow body in the documented [A] spelling."""
    return {"gateway": gateway, "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow_id}, **extra}


# What paying an escrow that is not awaiting payment answers (paid already, a link sold out, a
# vault), by API profile: 2026-06 the lifecycle's `Action not allowed`, 2026-10 [B]'s named
# refusal (sandbox/domain/funding.py `pay_escrow`). Nothing is charged under either.
NOT_PAYABLE = {DEFAULT_PROFILE: (400, "Action not allowed"),
               LATER: (400, "Escrow is not in a valid state for checkout")}


@dataclass
class Reply:
    status: int
    body: dict
    headers: dict

    @property
    def data(self):
        return self.body["data"]


class Contract:
    """Every JSON answer an API test receives is checked against the published OpenAPI
    document of the API profile the test's namespace answers by: its status must be documented
    for the route, its body must match the schema."""

    def __init__(self, profile: str = DEFAULT_PROFILE):
        import jsonschema_rs
        from werkzeug.exceptions import HTTPException

        from sandbox.docs import openapi

        self.jsonschema_rs, self.HTTPException, self.openapi = jsonschema_rs, HTTPException, openapi
        self.doc = openapi.document(profile)
        self.adapter = create_app(make_config()).url_map.bind("localhost")
        self.validators = {}

    def check(self, method: str, path: str, reply) -> None:
        if reply.body is None or method == "OPTIONS":
            return  # HTML pages, scripts, redirects, dropped connections
        try:
            rule, _ = self.adapter.match(path.split("?", 1)[0], method, return_rule=True)
        except self.HTTPException:
            return  # unknown route or method: the 404/405 envelope is checked in test_cross_cutting
        key = (method, rule.rule, reply.status)
        if key not in self.validators:
            path_item = self.doc["paths"].get(self.openapi.openapi_path(rule.rule), {})
            if method.lower() not in path_item:
                # A route of a later API profile: absent from this one, answered as unknown (once
                # the key is known good: auth comes first).
                assert reply.status in (401, 403, 404), f"{method} {rule.rule} is not in this profile's document"
                assert reply.body["data"] == {} and reply.body["status"] == reply.status, reply.body
                return
            operation = path_item[method.lower()]
            spec = operation["responses"].get(str(reply.status))
            assert spec is not None, f"{method} {rule.rule} answered {reply.status}, which the document does not list"
            schema = spec["content"]["application/json"]["schema"]
            self.validators[key] = self.jsonschema_rs.validator_for({**schema, "components": self.doc["components"]},
                                                                    validate_formats=True)
        problems = [f"{e.instance_path}: {e.message}" for e in self.validators[key].iter_errors(reply.body)]
        assert not problems, f"{method} {rule.rule} {reply.status} does not match the document: {problems[:5]}"


CONTRACTS: dict = {}  # API profile -> Contract


def contract(profile: str = DEFAULT_PROFILE) -> Contract:
    if profile not in CONTRACTS:
        CONTRACTS[profile] = Contract(profile)
    return CONTRACTS[profile]


class Http:
    """One request API over either transport; remembers the keys it used; checks every
    answer against the OpenAPI document."""

    def __init__(self):
        self.keys = set()
        self.profiles = {}  # key -> the API profile its namespace answers by, when not the default (`later_http`)

    def request(self, method, path, *, key=KEY, customer=None, json=None, data=None, files=None,
                body=None, headers=None) -> Reply:
        sent = dict(headers or {})
        if key is not None:
            sent["Authorization"] = f"Bearer {key}"
            self.keys.add(key)
        if customer is not None:
            sent["customer-id"] = customer
        reply = self._send(method, path, sent, json, data, files, body)
        contract(self.profiles.get(key, DEFAULT_PROFILE)).check(method, path, reply)
        return reply

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def put(self, path, **kw):
        return self.request("PUT", path, **kw)


class InProcessHttp(Http):
    transport = "app"

    def __init__(self, app):
        super().__init__()
        self.app = app
        self.client = app.test_client()

    def _send(self, method, path, headers, json, data, files, body):
        kwargs = {"headers": headers}
        if json is not None:
            kwargs["json"] = json
        elif body is not None:
            kwargs["data"] = body
        elif data is not None or files is not None:
            form = dict(data or {})
            for name, items in (files or {}).items():
                form[name] = [(io.BytesIO(content), filename) for filename, content in items]
            kwargs["data"] = form
            kwargs["content_type"] = "multipart/form-data"
        resp = self.client.open(path, method=method, **kwargs)
        return Reply(resp.status_code, resp.get_json(force=True, silent=True), CaseInsensitiveDict(resp.headers))


class LiveHttp(Http):
    transport = "live"

    def __init__(self, base_url):
        super().__init__()
        self.base_url = base_url
        self.session = requests.Session()

    def _send(self, method, path, headers, json, data, files, body):
        kwargs = {"headers": headers, "timeout": 30}
        if json is not None:
            kwargs["json"] = json
        elif body is not None:
            kwargs["data"] = body
        else:
            kwargs["data"] = data
            if files:
                kwargs["files"] = [(name, item) for name, items in files.items() for item in items]
        resp = self.session.request(method, self.base_url + path, **kwargs)
        try:
            parsed = resp.json()
        except ValueError:
            parsed = None
        return Reply(resp.status_code, parsed, resp.headers)


class OneKey:
    """Mixin for an Http adapter: its requests default to `key` instead of the suite's key."""

    def __init__(self, target, key):
        super().__init__(target)
        self.key = key

    def request(self, method, path, *, key=None, **kw):
        return super().request(method, path, key=key or self.key, **kw)


def advance_clock(app, ms: int, key: str = KEY) -> None:
    """Move a frozen namespace clock on by `ms`, through the store (either backend)."""
    ns = app.extensions["sandbox"].store.namespace(key)
    with ns.lock:
        setting = ns.get_clock()
        setting["frozen_ms"] += ms
        ns.save_clock(setting)


def make_config(**overrides) -> Config:
    return Config(seed=SEED, clock_start=START).with_overrides(**overrides)


BACKENDS = ("memory", "redis")
HTTP_LEGS = ("app", "live", "redis")  # the `http` fixture's parameters
CLUSTER_LEG = "redis-cluster"  # a fourth, for the modules that import tests/cluster_leg.py's `http`


@pytest.fixture(scope="session")
def redis_cluster():
    """A Redis Cluster of the suite's own: three masters on free ports (tests/redis_server.py),
    stopped at the end of the session, or the test is skipped with the reason. It has database 0
    only: what shares it is isolated by flushing (`store_url`, and `drop_all` before each test of
    the shared in-process app) and by distinct secret keys."""
    from tests.redis_server import running_cluster

    with running_cluster() as cluster:
        yield cluster
        shared = _APPS.pop(CLUSTER_LEG, None)  # its dispatcher stops before the cluster goes away
        if shared is not None:
            shared.close()


@pytest.fixture(scope="session")
def redis_url():
    """A real redis-server of the suite's own (free port, no persistence files), or the test
    is skipped with the reason (tests/redis_server.py)."""
    from tests.redis_server import running_redis

    with running_redis() as server:
        yield server.url
        # The shared Redis-backed app stops its dispatcher before its Redis goes away (else
        # its thread logs `cannot list namespaces` until the interpreter exits).
        shared = _APPS.pop("redis", None)
        if shared is not None:
            shared.close()


def _backend(request) -> str:
    """The state backend the test runs on: redis (or redis-cluster) when its `http` parameter says so."""
    params = getattr(getattr(request.node, "callspec", None), "params", {})
    return params["http"] if params.get("http") in ("redis", CLUSTER_LEG) else "memory"


_APPS: dict = {}


def store_url(request, backend: str, database: int) -> str:
    """An emptied Redis store of `backend` for an app or server of its own: `database` of the
    suite's redis-server (FLUSHDB; apart from the per-test apps on database 0), or the suite's
    cluster (FLUSHALL of every master: it has database 0 only, so its users are kept apart by that
    flush and by distinct secret keys)."""
    if backend == CLUSTER_LEG:
        cluster = request.getfixturevalue("redis_cluster")
        cluster.flush()
        return cluster.url
    from tests.redis_server import database as emptied

    return emptied(request.getfixturevalue("redis_url"), database)


def backend_config(request, backend: str, database: int, **overrides) -> Config:
    """make_config on `backend`: for redis, the suite's redis-server, `database` emptied (a
    module-scoped app keeps its own database, apart from the per-test apps on database 0); for
    redis-cluster, the suite's cluster, emptied (`store_url`)."""
    if backend == "memory":
        return make_config(**overrides)
    return make_config(store=store_url(request, backend, database), **overrides)


@pytest.fixture
def app(request):
    """The app with no namespace yet: fixed seed, clock frozen at START, default fixtures; on the
    Redis backend when the test runs with `http` = redis. One app per backend serves every test
    (building one compiles ~110 URL rules: ~30 ms, a minute over the suite); each test starts
    with every namespace forgotten (`drop_all`, as `POST /_sandbox/reset?all=true` does).
    A test that changes the app itself (a hook, a route) makes its own with create_app."""
    backend = _backend(request)
    if backend not in _APPS:
        stores = {"redis": lambda: request.getfixturevalue("redis_url"),
                  CLUSTER_LEG: lambda: request.getfixturevalue("redis_cluster").url}
        _APPS[backend] = create_app(make_config(store=stores[backend]()) if backend in stores else make_config())
    app = _APPS[backend]
    app.extensions["sandbox"].store.drop_all()
    return app


@contextlib.contextmanager
def running_server(*args, log: Path | None = None):
    """A real `payluk-sandbox` process (granian) on a free port, in a process group of its own
    (stopped with its workers, even when the test fails); yields its base URL. With `log`, what
    it prints goes to that file."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    out = log.open("w") if log else subprocess.PIPE
    proc = processes.start([sys.executable, "-m", "sandbox", "--port", "0", *args],
                           cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        if log:
            out.close()
            deadline = time.monotonic() + 15
            while not (first := log.read_text().partition("\n")[0]):
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.02)
        else:
            first = proc.stdout.readline()
            # Keep reading what the server prints (its log), or a full pipe would block it.
            threading.Thread(target=proc.stdout.read, daemon=True).start()
        match = re.search(r"http://[\d.]+:\d+", first)
        assert match, f"server did not announce its URL: {first!r}"
        url = match.group(0)
        deadline = time.monotonic() + 15
        while True:
            try:
                if requests.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "live server did not become healthy"
            time.sleep(0.02)
        yield url
    finally:
        processes.stop(proc)


@pytest.fixture(scope="session")
def live_server():
    """The session's live server, served as `make run` serves it (one request thread per worker,
    sandbox/server/serving.py's runner: every live API test goes through it)."""
    with running_server("--seed", str(SEED), "--clock-start", START) as url:
        yield url


@pytest.fixture(params=HTTP_LEGS)
def http(request):
    """`app`: in-process on the memory backend; `live`: a real server; `redis`: in-process on
    the Redis backend (the same suite on both backends)."""
    yield from http_leg(request)


def http_leg(request):
    """The `http` fixture's body, for every leg (tests/cluster_leg.py adds `redis-cluster`:
    in-process on the suite's Redis Cluster)."""
    if request.param in ("app", "redis", CLUSTER_LEG):
        client = InProcessHttp(request.getfixturevalue("app"))
    else:
        client = LiveHttp(request.getfixturevalue("live_server"))
        # The server's defaults again: a reset keeps settings (a callback URL a test set) otherwise.
        assert client.post("/_sandbox/reset", json={"keepSettings": False}).status == 200
    yield client
    for key in sorted(client.keys):
        if not key.startswith("sk_test_"):
            continue
        reply = client.get("/_sandbox/invariants", key=key)
        assert reply.status == 200, reply.body
        assert reply.data["violations"] == [], f"ledger invariants broken for {key}"


class Api:
    """One helper per operation: sends it, asserts the expected status, returns `data`. Under
    profile 2026-10 (`later`) the default milestone body carries the delivery window [B] requires
    and a payment sends the `amount` due ([B] checks it) unless the test gives one."""

    def __init__(self, http: Http, later: bool = False):
        self.http = http
        self.later = later
        self.milestone_example = LATER_MILESTONE_EXAMPLE if later else DOCS_MILESTONE_EXAMPLE

    @property
    def not_payable(self) -> tuple[int, str]:
        """(status, message) of paying an escrow that is not awaiting payment, under this
        helper's profile (NOT_PAYABLE)."""
        return NOT_PAYABLE[LATER if self.later else DEFAULT_PROFILE]

    def amount_due(self, escrow_id) -> Decimal:
        """What the buyer owes for an escrow: amount + the buyer's fee share + any additional fee."""
        escrow = self.http.get("/_sandbox/state").data["state"]["escrows"][escrow_id]
        fee = escrow["fee"]
        share = {"buyer": fee, "seller": 0}.get(escrow["who_pays"], fee - fee // 2)
        return Decimal(escrow["amount"] + share + escrow["additional_fee"]) / 100

    def _expect(self, reply: Reply, status: int):
        assert reply.status == status, reply.body
        assert reply.body["status"] == status
        return reply.data

    def error(self, reply: Reply, status: int, message: str):
        """Assert a Payluk error envelope with exactly this code and message."""
        assert (reply.status, reply.body) == (status, {"status": status, "message": message, "data": {}})

    def create_milestone_escrow(self, body=None, seller=SELLER, status=201, **kw):
        reply = self.http.post("/v1/escrow/milestone/create", customer=seller,
                               json=self.milestone_example if body is None else body, **kw)
        return self._expect(reply, status)

    def edit_milestone_escrow(self, token, body, seller=SELLER, status=200):
        return self._expect(self.http.put(f"/v1/escrow/milestone/edit/{token}", customer=seller, json=body), status)

    def convert_to_milestone(self, token, body, seller=SELLER, status=200):
        return self._expect(self.http.put(f"/v1/escrow/milestone/convert/{token}", customer=seller, json=body), status)

    def create_escrow(self, fields=None, seller=SELLER, files=None, as_json=False, status=201):
        fields = fields or {"amount": "150000", "purpose": 'MacBook Pro 14"', "whoPays": "both",
                            "description": "Space grey, sealed", "maxDelivery": "3",
                            "deliveryTimeline": "days", "totalQuantity": "1"}
        if as_json:
            reply = self.http.post("/v1/escrow/create", customer=seller, json=fields)
        else:
            reply = self.http.post("/v1/escrow/create", customer=seller, data=fields, files=files or {})
        return self._expect(reply, status)

    def verify(self, token, customer=None, status=200):
        return self._expect(self.http.get(f"/v1/escrow/verify/{token}", customer=customer), status)

    def milestones(self, token, status=200):
        return self._expect(self.http.get(f"/v1/escrow/milestone/{token}"), status)

    def pay(self, escrow_id, buyer=BUYER, gateway="WALLET", status=200, **extra):
        if self.later and "amount" not in extra:
            extra["amount"] = float(self.amount_due(escrow_id))
        return self._expect(self.http.post("/v1/payment/escrow", customer=buyer, json=pay_body(escrow_id, gateway, **extra)),
                            status)

    def confirm(self, escrow_id, milestone_id, buyer=BUYER, status=200):
        return self._expect(
            self.http.post(f"/v1/escrow/milestone/confirm/{escrow_id}/{milestone_id}", customer=buyer), status
        )

    def wallet(self, customer):
        return self._expect(self.http.get("/v1/wallet", customer=customer), 200)

    def balances(self, *customers):
        return {c: self.wallet(c)["mainBalance"] for c in customers}

    def create_customer(self, body, status=201):
        return self._expect(self.http.post("/v1/customer/create", json=body), status)

    def funded_milestone_escrow(self, body=None):
        escrow = self.create_milestone_escrow(body)
        self.pay(escrow["id"])
        return escrow


@pytest.fixture
def api(http):
    return Api(http)


@pytest.fixture
def later_http(http):
    """`http` with the suite's key answering by the October 2026 profile (answers checked against
    that profile's document): for what [B] changes, on every backend."""
    reply = http.put("/_sandbox/profile", json={"profile": LATER})
    assert reply.status == 200, reply.body
    http.profiles[KEY] = LATER
    return http


@pytest.fixture
def later(later_http):
    """`api` under the October 2026 profile."""
    return Api(later_http, later=True)


@pytest.fixture(scope="session", autouse=True)
def _close_apps():
    """The session's shared apps stop their background threads (webhook dispatcher) and close
    their store connections at the end."""
    yield
    for app in _APPS.values():
        app.close()


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when a process a test started is still alive (and stop it)."""
    left = processes.leftovers(SESSION_MARKER)
    if not left:
        return
    processes.kill(pid for pid, _ in left)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [f"{len(left)} process(es) started by the tests outlived them (killed now):",
             *(f"  {pid} {command[:200]}" for pid, command in left)]
    if reporter is not None:
        reporter.write_line("\n".join(lines), red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
