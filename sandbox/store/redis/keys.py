"""The Redis store's key names, in one place, and where each lives in a Redis Cluster (the package
docstring lists what each holds).

A namespace's keys all carry its hash tag `{<id>}` (`<id>`: 24 hex digits of a digest of the
secret key), so a namespace is one slot: its scripts and pipelines touch one shard, and
namespaces spread over the shards. The global keys the webhook dispatcher reads together (the
registry and the active set) share the tag `{global}`, which no namespace's tag can equal (not
hex), so they are one slot too: one shard holds both, and they are written together
(`mark_active`) and pruned together (`RedisStore.keys`), each in one pipeline. A page link is read
by its token alone: it has no tag, hashes on its whole name, and links spread over the shards as
namespaces do. The console's keys (sessions.py) are outside `sbx:*`, so a reset of every namespace
leaves them, and each is used alone: any slot will do.
"""

import hashlib

PREFIX = "sbx"  # every key of the namespaces starts so
GLOBAL_TAG = "{global}"
REGISTRY = f"{PREFIX}:{GLOBAL_TAG}:registry"  # hash: namespace id -> secret key
ACTIVE = f"{PREFIX}:{GLOBAL_TAG}:active"  # zset: namespace id -> expiry (real ms)


def namespace_id(key: str) -> str:
    """A namespace's id in key names: a digest of its secret key (which never appears in one)."""
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def namespace_base(namespace_id: str) -> str:
    """What every key of the namespace starts with (`k(part)` appends the part)."""
    return f"{PREFIX}:{{{namespace_id}}}:"


def link(token: str) -> str:
    """A checkout or authorisation page's link: token -> the namespace's secret key."""
    return f"{PREFIX}:link:{token}"


CONSOLE_PREFIX = "sbx-console"
CONSOLE_SECRET = f"{CONSOLE_PREFIX}:secret"  # the console cookies' signing key


def console_session(sid: str) -> str:
    """A signed-in console session (the id, a bearer credential, is never a key name: its digest is)."""
    return f"{CONSOLE_PREFIX}:{hashlib.sha256(sid.encode()).hexdigest()}"


def mark_active(r, namespace_id: str, key: str, expires_ms: int) -> None:
    """List the namespace among the active ones until `expires_ms`, and (again) in the registry:
    one round trip (both keys are in one slot). Registering again on every touch also lists a
    namespace made before the registry had this name (an upgrade keeps the namespaces' own keys)."""
    pipe = r.pipeline(transaction=False)
    pipe.zadd(ACTIVE, {namespace_id: expires_ms})
    pipe.hset(REGISTRY, namespace_id, key)
    pipe.execute()
