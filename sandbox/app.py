"""Application factory: config -> fixtures -> store -> error handlers -> blueprints."""

from dataclasses import dataclass

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from sandbox.api import (
    auth, catalog, checkout, customers, errors, escrows, intents, journal, payments, sandbox_admin, scenarios,
)
from sandbox.config import Config

# Keys with this prefix belong to a merchant *without* super-admin rights, so integrators can
# exercise Payluk's 401 `Access denied` on the merchant-customer routes.
LIMITED_KEY_PREFIX = "sk_test_limited_"
from sandbox.domain import services
from sandbox.domain.catalog import seed as seed_catalog
from sandbox.fixtures import load_fixture
from sandbox.schemas.base import wire_number
from sandbox.store import MemoryNamespace, Store, new_state


class WireJSON(DefaultJSONProvider):
    """Keys in Payluk's order (no sorting) and exact decimals as JSON numbers."""

    sort_keys = False
    ensure_ascii = False

    @staticmethod
    def default(o):
        return wire_number(o)


@dataclass
class Sandbox:
    """What the app keeps in `app.extensions["sandbox"]`."""

    config: Config
    fixture: dict
    store: Store


def create_app(config: Config | None = None) -> Flask:
    config = (config or Config.from_env()).validate()
    fixture = load_fixture(config.fixtures)

    def build_namespace(key: str) -> MemoryNamespace:
        ns = MemoryNamespace(new_state(config.seed, config.clock_start_ms))
        services.seed_namespace(ns, fixture, super_admin=not key.startswith(LIMITED_KEY_PREFIX))
        seed_catalog(ns, fixture)
        return ns

    app = Flask("sandbox")
    app.json = WireJSON(app)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.extensions["sandbox"] = Sandbox(config, fixture, Store(build_namespace))
    errors.register(app)
    app.before_request(auth.authenticate)
    scenarios.register(app)
    journal.register(app)
    for module in (sandbox_admin, escrows, payments, customers, intents, catalog, checkout):
        app.register_blueprint(module.bp)
    return app


def create_app_from_env() -> Flask:
    """Entry point for the WSGI server's worker (settings arrive as SANDBOX_* variables)."""
    return create_app(Config.from_env())
