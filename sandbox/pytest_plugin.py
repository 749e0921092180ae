"""The pytest plugin's registered name (`-p sandbox.pytest_plugin`, the `pytest11` entry point):
the plugin itself is sandbox/testing/pytest_plugin.py. Registered once under this name only, so
its hooks and fixtures are not added twice."""

from sandbox.testing.pytest_plugin import *  # noqa: F403 — hooks and fixtures, as pytest reads them
from sandbox.testing.pytest_plugin import __all__  # noqa: F401
