"""The Redis store: every namespace of the sandbox in Redis (one Redis or a Redis Cluster: connect.py),
shared by every worker and replica (namespace.py says how one is kept; scripts/ holds the Lua it
runs; keys.py names the keys). This worker keeps only handles, the connection and the registered
scripts."""

import threading
import time

import redis

from sandbox import clock
from sandbox.store import base
from sandbox.store.redis import connect, keys
from sandbox.store.redis.codec import as_text
from sandbox.store.redis.keys import PREFIX, namespace_base, namespace_id
from sandbox.store.redis.namespace import TOUCH_SECONDS, RedisNamespace
from sandbox.store.redis.runner import Connections, Script
from sandbox.store.redis.sessions import ConsoleSessions


HANDLE_IDLE_SECONDS = 600  # far longer than any request holds its handle (a paused one included)
SCRIPTS = ("begin", "commit", "journal", "by_token", "trim", "requests", "list")  # scripts/*.lua


class RedisStore(ConsoleSessions):
    """Every namespace of the sandbox, in Redis; this worker keeps only handles to them."""

    def __init__(self, build, url: str, ttl_seconds: int = 86400):
        self.build = build  # the key's namespace from the fixtures (as the memory store makes it)
        self._lock = threading.Lock()
        self.url = url
        self.r = connect.client(url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=0)
        self.ttl_ms = int(ttl_seconds * 1000)
        self.touch_seconds = min(TOUCH_SECONDS, ttl_seconds / 4)
        self.connections = Connections(self.r)
        self.scripts = {name: Script(self.r, name, self.connections) for name in SCRIPTS}
        self.begin, self.commit, self.journal, self.by_token, self.trim, self.requests, self.list = (
            self.scripts[name] for name in SCRIPTS)
        self._handles: dict[str, RedisNamespace] = {}  # let go when idle (`_prune`)
        self._pruned = time.monotonic()
        self.plans: dict[str, frozenset] = {}  # per service, what it reads by id (readahead.py)

    def reset(self, key: str, keep=(), **options) -> RedisNamespace:
        return base.reset(self, key, keep, **options)

    def fork(self, source: str, target: str) -> RedisNamespace:
        return base.fork(self, source, target)

    def close(self) -> None:
        """Close this worker's connections to Redis (a later use reconnects)."""
        self.connections.close()
        self.r.close()

    def namespace(self, key: str) -> RedisNamespace:
        """A handle on the key's namespace (built from the fixtures on its first lock)."""
        ns = self._handles.get(key)
        if ns is None:
            with self._lock:
                ns = self._handles.get(key)
                if ns is None:
                    self._prune()
                    ns = self._handles[key] = RedisNamespace(self, key)
        ns.used = time.monotonic()
        return ns

    def _prune(self) -> None:
        """At most once a minute, when a handle is made: let go of the handles not asked for in
        HANDLE_IDLE_SECONDS and not in use (a namespace keeps nothing in its handle that its next
        use cannot make again: the next `namespace` call makes a new one). Under `_lock`."""
        now = time.monotonic()
        if now - self._pruned < 60:
            return
        self._pruned = now
        for key, ns in list(self._handles.items()):
            if now - ns.used > HANDLE_IDLE_SECONDS and ns.idle():
                del self._handles[key]

    def keys(self) -> list[str]:
        """The keys of the namespaces that have not expired (the expired are forgotten here)."""
        now = clock.real_ms()
        expired = self.r.zrangebyscore(keys.ACTIVE, "-inf", now)
        if expired:
            pipe = self.r.pipeline(transaction=False)  # one slot ({global}): one shard of a cluster
            pipe.zrem(keys.ACTIVE, *expired)
            pipe.hdel(keys.REGISTRY, *expired)
            pipe.execute()
        ids = [as_text(i) for i in self.r.zrange(keys.ACTIVE, 0, -1)]
        if not ids:
            return []
        return [as_text(k) for k in self.r.hmget(keys.REGISTRY, ids) if k is not None]

    def revisions(self, keys: list[str]) -> list:
        """Each namespace's revision (0 when it holds nothing), in one round trip (on a cluster,
        one per shard): it changes with every commit that writes (scripts/commit.lua)."""
        names = [namespace_base(namespace_id(key)) + "rev" for key in keys]
        if not names:
            return []
        values = self.r.mget(names) if isinstance(self.r, redis.Redis) else self.r.mget_nonatomic(names)
        return [int(value or 0) for value in values]

    def drop_all(self) -> int:
        """Forget every namespace (each is rebuilt from the fixtures on its next use); answers how
        many held state. Other workers' handles find their namespaces gone on their next lock."""
        with self._lock:
            self._handles.clear()
        count = int(self.r.hlen(keys.REGISTRY))
        batch = []
        # On a cluster SCAN visits every primary and UNLINK is sent once per slot of the batch
        # (redis-py's RedisCluster splits it): the keys of many namespaces are in many slots.
        for key in self.r.scan_iter(match=f"{PREFIX}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                self.r.unlink(*batch)
                batch = []
        if batch:
            self.r.unlink(*batch)
        return count

    def link(self, token: str, key: str) -> None:
        """A page link lives as long as an idle namespace would."""
        self.r.set(keys.link(token), key, px=self.ttl_ms)

    def namespace_for_link(self, token: str) -> RedisNamespace | None:
        key = as_text(self.r.get(keys.link(token)))
        return None if key is None else self.namespace(key)
