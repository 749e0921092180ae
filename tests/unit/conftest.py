"""Fixtures shared by the unit tests of the store (test_store_port.py, test_console_sessions.py)."""

import pytest

from sandbox.store.memory import MemoryStore


@pytest.fixture
def twin(store):
    """Another worker of the same store: the same object in memory (a memory store is one process),
    a second RedisStore on the same database (or cluster) for Redis."""
    if isinstance(store, MemoryStore):
        yield store
        return
    from sandbox.store.redis import RedisStore
    from tests.unit.test_store_port import build

    other = RedisStore(build, store.url)
    yield other
    other.close()
