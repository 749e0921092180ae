"""How the Redis store writes and reads what is not one JSON value: journal entries (raw bodies
as base64), Redis replies (bytes) as text, and a whole namespace in its plain form."""

import base64
import json

from sandbox import codec
from sandbox.store.base import COLLECTIONS, new_state

STATE_KEYS = tuple(new_state(None, None))  # the plain state's keys, in order


def as_text(value) -> str | None:
    """A Redis reply (bytes, or already text) as text."""
    return value.decode() if isinstance(value, bytes) else value


def _journal_default(value):
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(value).decode()}
    raise TypeError(f"cannot store {type(value).__name__} in the journal")


def _journal_hook(obj: dict):
    return base64.b64decode(obj["$bytes"]) if obj.keys() == {"$bytes"} else obj


def journal_dump(entry: dict) -> str:
    """Journal entries hold raw bodies (bytes) and tuples: bytes travel as base64, tuples as lists."""
    return json.dumps(entry, separators=(",", ":"), default=_journal_default)


def journal_load(text: str) -> dict:
    """An entry as stored (its captured bodies come back as lists: read by index, as tuples are)."""
    return json.loads(text, object_hook=_journal_hook)


def read_plain(r, key_of) -> dict:
    """A whole namespace in its plain form (as `export_state` gives it), read in one pipeline from
    the keys `key_of(part)` names: the live ones, or a snapshot's copies."""
    pipe = r.pipeline(transaction=False)
    pipe.get(key_of("meta"))
    for kind in COLLECTIONS:
        pipe.zrange(key_of(f"o:{kind}"), 0, -1)
        pipe.hgetall(key_of(f"h:{kind}"))
    pipe.hgetall(key_of("tokens"))
    pipe.lrange(key_of("postings"), 0, -1)
    pipe.hgetall(key_of("bal"))
    replies = iter(pipe.execute())
    meta = codec.loads(as_text(next(replies)))
    collections = {}
    for kind in COLLECTIONS:
        order, texts = next(replies), next(replies)
        texts = {as_text(k): as_text(v) for k, v in texts.items()}
        collections[kind] = {as_text(i): codec.loads(texts[as_text(i)]) for i in order}
    tokens = {as_text(k): as_text(v) for k, v in next(replies).items()}
    postings = [codec.loads(as_text(t)) for t in next(replies)]
    balances = {as_text(k): int(v) for k, v in next(replies).items()}
    plain = {}
    for key in STATE_KEYS:
        if key in COLLECTIONS:
            plain[key] = collections[key]
        elif key == "tokens":
            plain[key] = tokens
        elif key == "ledger":
            plain[key] = {"postings": postings, "balances": balances}
        else:
            plain[key] = meta.get(key)
    plain.update((key, value) for key, value in meta.items() if key not in plain)
    return plain
