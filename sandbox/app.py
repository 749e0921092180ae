"""Application factory: config -> fixtures -> store -> error handlers -> blueprints."""

import gc
import logging
import multiprocessing.util
from dataclasses import dataclass


from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import BaseConverter

from sandbox import codec, console
from sandbox.api import (
    auth, banking, catalog, checkout, customers, docs, errors, escrows, intents, journal, merchant, payments,
    sandbox_admin, scenarios, vaults, webhooks,
)
from sandbox.controlplane.fixture_sets import DEFAULT_SET, load_fixture_sets, replay
from sandbox.domain import profiles
from sandbox.domain.errors import FIXTURES_ONE_OF, BadRequest
from sandbox.schemas.base import wire_number
from sandbox.server.config import Config
from sandbox.store.base import Store, new_state
from sandbox.store.memory import MemoryNamespace, MemoryStore

# Keys with this prefix belong to a merchant *without* super-admin rights, so integrators can
# exercise Payluk's 401 `Access denied` on the merchant-customer routes.
LIMITED_KEY_PREFIX = "sk_test_limited_"


class SegmentConverter(BaseConverter):
    """A path segment other than `create`. Payluk's `GET /v1/customer/{customerId}` and
    `GET /v1/escrow/milestone/{paymentToken}` share their paths with `POST .../create`; this
    keeps a GET there a 405 (Allow: POST) instead of a lookup of a customer called "create"."""

    regex = r"(?!create$)[^/]+"


class WireJSON(DefaultJSONProvider):
    """Keys in Payluk's order (no sorting) and exact decimals as JSON numbers."""

    sort_keys = False
    ensure_ascii = False

    @staticmethod
    def default(o):
        return wire_number(o)

    def dumps(self, obj, **kwargs) -> str:
        """Every answer goes through here: sandbox/codec.py's compact text, as Express's
        `res.json` writes; with options (Flask's own callers), the standard library's."""
        if not kwargs:
            return codec.dumps(obj, default=wire_number)
        kwargs.setdefault("separators", (",", ":"))
        return super().dumps(obj, **kwargs)


class SandboxFlask(Flask):
    """Flask without the per-hook coroutine check: no view or hook here is async, and
    `ensure_sync` (an `inspect` call per hook per request) was ~4 % of the hot path."""

    def ensure_sync(self, func):
        return func

    def close(self) -> None:
        """Stop what the app runs beside its requests — the webhook dispatcher's thread — and
        close the store's connections. Flask has no app-level teardown: servers call this when
        they stop (`create_app_from_env` arranges it for granian's workers), tests for the apps
        they build. Idempotent."""
        sandbox = self.extensions.get("sandbox")
        if sandbox is None:
            return
        if sandbox.dispatcher is not None:
            sandbox.dispatcher.stop()
        sandbox.store.close()


@dataclass
class Sandbox:
    """Everything the app keeps, under the one key `app.extensions["sandbox"]`: its settings,
    fixture sets and store, and the parts `register` functions add (the webhook dispatcher, the
    journal recorder when the controls are on, the console's sessions)."""

    config: Config
    fixture_sets: dict
    store: Store
    dispatcher: object = None
    recorder: object = None
    console_sessions: object = None

    @property
    def fixture(self) -> dict:
        return self.fixture_sets[DEFAULT_SET]


def namespace_builder(config: Config, fixture_sets: dict):
    """`build(key, fixtures=..., seed=...)`: a namespace replayed from a fixture set."""

    def build(key: str, fixtures: str = DEFAULT_SET, seed: int | None = None,
              profile: str | None = None) -> MemoryNamespace:
        """`profile`: the namespace's own choice, which a reset keeps (else the set's, else the
        server's); the set is replayed under the profile the namespace will answer by."""
        if fixtures not in fixture_sets:
            raise BadRequest(FIXTURES_ONE_OF.format(known=", ".join(sorted(fixture_sets))))
        fixture = fixture_sets[fixtures]
        ns = MemoryNamespace(new_state(config.seed if seed is None else seed, config.clock_start_ms,
                                       config.webhook_url))
        base = {"profile": fixture.get("profile") or config.profile,
                "profile_from": profiles.FROM_FIXTURE if fixture.get("profile") else profiles.FROM_SERVER}
        ns.save_settings("fixture", {"name": fixtures, "values": {}, **base})
        ns.save_settings("profile", None if profile is None else {"name": profile})
        values = replay(ns, fixture, super_admin=not key.startswith(LIMITED_KEY_PREFIX))
        ns.save_settings("fixture", {"name": fixtures, "values": values, **base})
        return ns

    return build


def make_store(config: Config, build) -> Store:
    """The state backend `config.store` names: this process's memory, or a shared Redis."""
    if not config.shared_store:
        return MemoryStore(build)
    from sandbox.store.redis import RedisStore

    return RedisStore(build, config.store, config.namespace_ttl)


def checked_fixture_sets(config: Config) -> tuple[dict, object]:
    """The fixture sets `config` names, each read, validated and replayed once as a namespace
    will be (a bad set raises FixtureError naming its file and step), and the namespace builder
    over them. The command calls it before its banner; every app at its creation."""
    fixture_sets = load_fixture_sets(config.fixtures)
    build = namespace_builder(config, fixture_sets)
    for name in fixture_sets:
        build("sk_test_startup_check", name)
    return fixture_sets, build


def create_app(config: Config | None = None) -> Flask:
    config = (config or Config.from_env()).validate()
    fixture_sets, build = checked_fixture_sets(config)

    app = SandboxFlask("sandbox")
    app.json = WireJSON(app)
    app.url_map.converters["segment"] = SegmentConverter
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.extensions["sandbox"] = Sandbox(config, fixture_sets, make_store(config, build))
    errors.register(app)
    app.before_request(auth.authenticate)
    scenarios.register(app)
    journal.register(app)
    webhooks.register(app)
    for module in (sandbox_admin, escrows, vaults, payments, customers, merchant, intents, banking, catalog, checkout,
                   docs):
        app.register_blueprint(module.bp)
    console.register(app)
    return app


def _log_to_stderr() -> None:
    """The sandbox's own log lines (a deliberate fault at INFO, trouble at WARNING and above) on
    the server's stderr, in granian's format."""
    log = logging.getLogger("sandbox")
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def create_app_from_env() -> Flask:
    """Entry point for the WSGI server's worker (settings arrive as SANDBOX_* variables; its
    requests are run by sandbox/server/serving.py's `ParkingRunner`). Everything built so far (modules,
    schemas, fixture sets) lives as long as the process: frozen out of the garbage collector's
    view, a full collection walks only what requests leave behind (a gen-2 pass: ~20 ms before,
    ~1 ms after, timed with gc.callbacks)."""
    config = Config.from_env()
    app = create_app(config)
    _log_to_stderr()
    if config.shared_store:
        # What a shared store holds may be due with no request to wake a sender: retries that fell
        # due while every worker was down, events a stopped worker held (outbox.take_due's lease).
        app.extensions["sandbox"].dispatcher.resume()
    # A granian worker ends through multiprocessing, which runs its finalizers but not `atexit`.
    multiprocessing.util.Finalize(app, app.close, exitpriority=10)
    gc.collect()
    gc.freeze()
    return app
