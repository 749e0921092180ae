"""The sandbox console: browser pages at /_sandbox/console to see and drive one namespace
(sign in with its `sk_test_` key). `register(app)` adds it to an app."""

from flask import Flask

from sandbox.console import actions, views  # noqa: F401 (their routes, on the one blueprint)
from sandbox.console.helpers import bp
from sandbox.console.session import Sessions


def register(app: Flask) -> None:
    """Sessions signed with a key made now (they end with the process), then the pages."""
    app.extensions["sandbox"].console_sessions = Sessions()
    app.register_blueprint(bp)
