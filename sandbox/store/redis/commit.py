"""The commit of a Redis namespace's operation: its buffered writes (namespace.py keeps them)
become commands of one Lua script (scripts/commit.lua) that checks the lock's fence first, so
Redis applies all of an operation or none of it."""

import time

import redis

from sandbox import clock, codec
from sandbox.store.base import COLLECTIONS, JOURNAL_SIZE, SUMMARIES, StoreUnavailable
from sandbox.store.redis.codec import as_text
from sandbox.store.redis.keys import mark_active

# The keys a namespace's state lives in (snapshots copy them; a replaced state deletes them), and
# the others it keeps.
SNAPSHOT_PARTS = ("meta", "seq", "tokens", "postings", "bal", *(f"sum:{kind}" for kind in SUMMARIES),
                  *(f"h:{kind}" for kind in COLLECTIONS), *(f"o:{kind}" for kind in COLLECTIONS))
OTHER_PARTS = ("rev", "journal", "jseq", "jdrop", "snaps")


LETTERS = {"HSET": "H", "HDEL": "D", "ZREM": "R", "RPUSH": "P", "HINCRBY": "I", "SET": "S", "DEL": "X",
           "COPY": "C", "PEXPIRE": "E"}  # the commit script's op letters (scripts/commit.lua)


def flush(ns, release: bool) -> int | None:
    """Apply the buffer (and the request's journal entry, when one waits) in one Lua script that
    first checks the fence; answers the journal entry's id when one was written."""
    keys = [ns.k("lock"), ns.k("rev"), ns.k("seq")]
    index: dict[str, int] = {}
    args: list = []

    def key_index(part) -> int:
        key = ns.k(part)
        if key not in index:
            keys.append(key)
            index[key] = len(keys)
        return index[key]

    def op(name, part, *values):
        args.extend((LETTERS.get(name, name), key_index(part), *values))

    commands(ns, op, key_index)
    if args:  # the operation wrote (`changed_in_request`)
        ns.lock.thread.wrote = True
    now = time.monotonic()
    if release and now - ns._touched > ns.store.touch_seconds:
        ns._touched = now
        for part in all_parts(ns):
            op("PEXPIRE", part)
        mark_active(ns.r, ns.id, ns.key, clock.real_ms() + ns.store.ttl_ms)
    journal = ns._journal
    if journal is not None:
        args.extend(("J", key_index("journal"), key_index("jseq"), key_index("jdrop"), JOURNAL_SIZE, journal))
        ns._journal = None
    if not args and not release:
        return None
    try:
        rev, entry_id = ns.store.commit(keys=keys, args=[ns._token, "1" if release else "0", ns.store.ttl_ms, *args])
    except redis.ResponseError as err:
        if "FENCED" in str(err):
            raise StoreUnavailable("The sandbox namespace lock expired; nothing was changed, try again") from None
        raise
    ns._rev = int(rev)
    # What was flushed is now what Redis holds: it stays readable for the rest of the lock.
    if ns._meta is not None:
        ns._meta_text = codec.dumps(ns._meta)
    for kind, puts in ns._puts.items():
        ns._cache.setdefault(kind, {}).update(puts)
    ns._token_cache.update(ns._tokens)
    for account, delta in ns._deltas.items():
        if account in ns._bal_cache:
            ns._bal_cache[account] += delta
    ns._drop_writes()
    return int(entry_id) if journal is not None else None


def commands(ns, op, key_index) -> None:
    """The buffered writes of `ns`'s operation as commit-script commands (`op(name, part, *args)`).
    An entity read under this lock and found stored keeps its place in the order (no Z)."""
    if ns._clear:
        for part in SNAPSHOT_PARTS:
            op("DEL", part)
        ns._cache, ns._token_cache, ns._bal_cache = {}, {}, {}
    for args in ns._ops:
        if args[0] == "COPY":  # the target is a key too: named by its index
            op("COPY", args[1], str(key_index(args[2])))
        else:
            op(*args)
    if ns._meta is not None:
        text = codec.dumps(ns._meta)
        if ns._clear or text != ns._meta_text:  # a clear deleted it
            op("SET", "meta", text)
    for kind, puts in ns._puts.items():
        stored = ns._cache.get(kind, {})
        for entity_id, text in puts.items():
            if text is None:
                op("HDEL", f"h:{kind}", entity_id)
                op("ZREM", f"o:{kind}", entity_id)
            else:
                op("HSET", f"h:{kind}", entity_id, text)
                if stored.get(entity_id) is None:
                    op("Z", f"o:{kind}", entity_id)
    for token, escrow_id in ns._tokens.items():
        op("HDEL", "tokens", token) if escrow_id is None else op("HSET", "tokens", token, escrow_id)
    for kind, sums in ns._sums.items():
        for entity_id, summary in sums.items():
            op("HDEL", f"sum:{kind}", entity_id) if summary is None else op("HSET", f"sum:{kind}", entity_id, summary)
    for text in ns._postings:
        op("RPUSH", "postings", text)
    for account, delta in ns._deltas.items():
        if delta:
            op("HINCRBY", "bal", account, str(delta))


def all_parts(ns) -> list[str]:
    """Every key of the namespace, its snapshots' copies included (to renew their TTL)."""
    parts = [*SNAPSHOT_PARTS, *OTHER_PARTS]
    for name in ns.r.hkeys(ns.k("snaps")):
        parts += [ns._snap_part(as_text(name), part) for part in SNAPSHOT_PARTS]
    return parts
