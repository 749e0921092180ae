"""The sandbox console: browser pages at /_sandbox/console to see and drive one namespace
(sign in with its `sk_test_` key). `register(app)` adds it to an app."""

from flask import Flask

from sandbox.console import actions, views  # noqa: F401 (their routes, on the one blueprint)
from sandbox.console.helpers import bp
from sandbox.console.session import Sessions


def register(app: Flask) -> None:
    """Sessions kept in the app's store and signed with the console secret (the configured one,
    else the store's), so every worker of a shared store knows them; then the pages."""
    sandbox = app.extensions["sandbox"]
    sandbox.console_sessions = Sessions(sandbox.store, sandbox.config.console_secret)
    app.register_blueprint(bp)
