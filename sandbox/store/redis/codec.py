"""How the Redis store writes what is not plain JSON: journal entries (raw bodies as base64),
and Redis replies (bytes) as text."""

import base64
import json


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
