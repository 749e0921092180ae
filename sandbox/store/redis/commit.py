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
           "COPY": "C", "PEXPIRE": "E", "EXISTS": "K"}  # the commit script's op letters (scripts/commit.lua)


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
        rev, entry_id, seq = ns.store.commit(keys=keys, args=[ns._token, "1" if release else "0", ns.store.ttl_ms, *args])
    except redis.ResponseError as err:
        if "FENCED" in str(err):
            raise StoreUnavailable("The sandbox namespace lock expired; nothing was changed, try again") from None
        raise
    ns._rev = int(rev)
    if int(seq) >= 0:  # a copy (a snapshot restored) set the counter
        ns._seq = int(seq)
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
    An entity read under this lock and found stored keeps its place in the order (no Z); a new one
    is numbered from the insertion counter read with the lock; a key known to exist is marked so
    (K) and its writes skip the TTL."""
    if ns._clear:
        for part in SNAPSHOT_PARTS:
            op("DEL", part)
        ns._cache, ns._token_cache, ns._bal_cache = {}, {}, {}
        ns._seq = 0
    seq = ns._seq
    for args in ns._ops:
        if args[0] == "COPY":  # the target is a key too: named by its index
            op("COPY", args[1], str(key_index(args[2])))
        else:
            op(*args)
    if ns._meta is not None:
        text = codec.dumps(ns._meta)
        if ns._clear or text != ns._meta_text:  # a clear deleted it
            op("SET", "meta", text)
    for part in existing(ns):
        op("EXISTS", part)
    for kind, puts in ns._puts.items():
        stored = ns._cache.get(kind, {})
        for entity_id, text in puts.items():
            if text is None:
                op("HDEL", f"h:{kind}", entity_id)
                op("ZREM", f"o:{kind}", entity_id)
            else:
                op("HSET", f"h:{kind}", entity_id, text)
                if stored.get(entity_id) is None:
                    ns._seq += 1
                    op("Z", f"o:{kind}", entity_id, ns._seq)
    if ns._seq != seq:
        op("SET", "seq", str(ns._seq))
    for token, escrow_id in ns._tokens.items():
        if escrow_id is None:
            op("HDEL", "tokens", token)
        elif not _token_stored(ns, token, escrow_id):
            op("HSET", "tokens", token, escrow_id)
    for kind, sums in ns._sums.items():
        for entity_id, summary in sums.items():
            op("HDEL", f"sum:{kind}", entity_id) if summary is None else op("HSET", f"sum:{kind}", entity_id, summary)
    for text in ns._postings:
        op("RPUSH", "postings", text)
    for account, delta in ns._deltas.items():
        if delta:
            op("HINCRBY", "bal", account, str(delta))


def _token_stored(ns, token: str, escrow_id: str) -> bool:
    """Whether Redis maps `token` to `escrow_id` already: read so under this lock, or the escrow was
    read stored with that token (an escrow's payment token never changes)."""
    if ns._clear:
        return False
    if ns._token_cache.get(token) == escrow_id:
        return True
    text = ns._cache.get("escrows", {}).get(escrow_id)
    return text is not None and f'"payment_token":"{token}"' in text


def existing(ns) -> list[str]:
    """The keys this commit writes that surely exist throughout it (so already have the TTL): a
    collection holding an entity read under this lock that the commit keeps, or more stored than
    it deletes (counted ahead); the balances when one read was not zero; the token index when a
    token was read mapped and stays."""
    if ns._clear:
        return []
    parts = []
    for kind, puts in ns._puts.items():
        kept = any(text is not None and puts.get(i, "") is not None for i, text in ns._cache.get(kind, {}).items())
        if not kept and kind in ns._counts:
            kept = ns._counts[kind][0] > sum(1 for text in puts.values() if text is None)
        if kept:
            parts += [f"h:{kind}", f"o:{kind}"] + ([f"sum:{kind}"] if kind in ns._sums else [])
    if ns._deltas and any(ns._bal_cache.values()):
        parts.append("bal")
    if ns._tokens and any(i is not None and ns._tokens.get(t, i) is not None for t, i in ns._token_cache.items()):
        parts.append("tokens")
    return parts


def all_parts(ns) -> list[str]:
    """Every key of the namespace, its snapshots' copies included (to renew their TTL)."""
    parts = [*SNAPSHOT_PARTS, *OTHER_PARTS]
    for name in ns.r.hkeys(ns.k("snaps")):
        parts += [ns._snap_part(as_text(name), part) for part in SNAPSHOT_PARTS]
    return parts
