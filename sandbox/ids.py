"""ObjectId-style ids and `PY_` payment tokens, reproducible when the namespace is seeded.

The generator state is plain data in the namespace (`{"seed": int | None, "n": int}`), so
a snapshot restores the id sequence too. Seeded ids come from SHA-256 of (seed, counter);
unseeded ones from `secrets`, with a Mongo-like 4-byte time prefix.
"""

import hashlib
import re
import secrets
import string

_ALNUM = string.ascii_letters + string.digits


def new_id_state(seed: int | None) -> dict:
    """Fresh generator state for a namespace."""
    return {"seed": seed, "n": 0}


def _next_bytes(state: dict, size: int) -> bytes:
    state["n"] += 1
    if state["seed"] is None:
        return secrets.token_bytes(size)
    digest = hashlib.sha256(f"{state['seed']}:{state['n']}".encode()).digest()
    return digest[:size]


def new_object_id(state: dict, now_ms: int) -> str:
    """A 24-hex id; seeded ones are fully reproducible, others carry a time prefix like Mongo's."""
    if state["seed"] is not None:
        return _next_bytes(state, 12).hex()
    return f"{(now_ms // 1000) & 0xFFFFFFFF:08x}" + _next_bytes(state, 8).hex()


def new_payment_token(state: dict) -> str:
    """`PY_` + 8 mixed-case alphanumerics + 4 digits, e.g. `PY_8AB12C9D3045`."""
    raw = _next_bytes(state, 12)
    letters = "".join(_ALNUM[b % len(_ALNUM)] for b in raw[:8])
    digits = "".join(str(b % 10) for b in raw[8:12])
    return f"PY_{letters}{digits}"


def new_reference(state: dict, prefix: str) -> str:
    """A payment reference such as `ESC_REF_1A2B3C4D5E6F` when the caller sends none."""
    return f"{prefix}{_next_bytes(state, 6).hex().upper()}"


_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}").fullmatch


def is_object_id(value) -> bool:
    """True for a 24-hex ObjectId-style string (either case)."""
    return isinstance(value, str) and _OBJECT_ID(value) is not None
