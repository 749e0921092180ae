"""payluk-sandbox: a stateful, deterministic emulation of the Payluk escrow API."""

__version__ = "0.1.0"


def create_app(config=None):
    """Build the Flask application (imported lazily so the domain stays framework-free)."""
    from sandbox.app import create_app as _create_app

    return _create_app(config)
