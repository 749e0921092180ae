"""payluk-sandbox: a stateful, deterministic emulation of the Payluk escrow API."""

__version__ = "0.1.0"

__all__ = ["ResponseLost", "__version__", "create_app", "mock_payluk"]


def create_app(config=None):
    """Build the Flask application (imported lazily so the domain stays framework-free)."""
    from sandbox.app import create_app as _create_app

    return _create_app(config)


def __getattr__(name):
    """`sandbox.ResponseLost` (what the test client raises for a `response_lost` scenario) and
    `sandbox.mock_payluk` (the in-process mock of Payluk's hosts, sandbox/testing/mock.py),
    imported on first use so `import sandbox` stays light."""
    if name == "ResponseLost":
        from sandbox.controlplane.faults import ResponseLost

        return ResponseLost
    if name == "mock_payluk":
        from sandbox.testing.mock import mock_payluk

        return mock_payluk
    raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
