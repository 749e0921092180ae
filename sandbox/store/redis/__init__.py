"""The Redis store: namespaces shared by every worker and replica."""

from sandbox.store.redis.store import PREFIX, RedisStore

__all__ = ["PREFIX", "RedisStore"]
