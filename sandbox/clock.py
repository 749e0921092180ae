"""The namespace clock: the only source of "now" in the sandbox.

Its state is plain data (`{"offset_ms": int, "frozen_ms": int | None}`) kept inside the
namespace, so a snapshot or a shared store carries the clock with everything else. A
running clock follows real time shifted by `offset_ms`; a frozen one stays at
`frozen_ms` until moved (the time-travel controls build on this).
"""

import time
from datetime import datetime, timezone


def real_ms() -> int:
    """Wall-clock milliseconds since the epoch (the one place real time is read)."""
    return time.time_ns() // 1_000_000


def new_clock_state(start_ms: int | None = None) -> dict:
    """A running clock at real time, or a clock frozen at `start_ms` when given."""
    return {"offset_ms": 0, "frozen_ms": start_ms}


def now_ms(state: dict) -> int:
    """The namespace's current instant in epoch milliseconds."""
    if state["frozen_ms"] is not None:
        return state["frozen_ms"]
    return real_ms() + state["offset_ms"]


def iso(ms: int) -> str:
    """ISO-8601 with milliseconds and `Z`, Payluk's timestamp format (2026-06-22T10:15:00.000Z)."""
    dt = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_iso(text: str) -> int:
    """Epoch milliseconds from an ISO-8601 instant (a naive one is taken as UTC)."""
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)
