"""The journal of the sandbox control plane (being written)."""

from flask import Flask


def register(app: Flask) -> None:
    """Install this module's hooks and routes on the app (being written)."""
