"""The namespace clock: the only source of "now" in the sandbox.

Its state is plain data (`{"offset_ms": int, "frozen_ms": int | None}`) kept inside the
namespace, so a snapshot or a shared store carries the clock with everything else. A
running clock follows real time shifted by `offset_ms`; a frozen one stays at
`frozen_ms` until moved (the time-travel controls build on this).
"""

import functools
import re
import time
from datetime import datetime, timedelta, timezone

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


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
    return f"{_iso_seconds(ms // 1000)}.{ms % 1000:03d}Z"


@functools.lru_cache(maxsize=4096)
def _iso_seconds(seconds: int) -> str:
    # Every answer carries several timestamps, mostly of the same few seconds: format each once.
    return (_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")


def parse_iso(text: str) -> int:
    """Epoch milliseconds from an ISO-8601 instant (a naive one is taken as UTC)."""
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


class ClockError(ValueError):
    """A clock move the sandbox refuses (backwards, malformed duration)."""


_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d{1,3})?)S)?)?$"
)
_UNIT_MS = {"weeks": 604_800_000, "days": 86_400_000, "hours": 3_600_000, "minutes": 60_000, "seconds": 1000}


def parse_duration_ms(text: str) -> int:
    """Milliseconds in an ISO-8601 duration of weeks, days, hours, minutes, seconds
    (`P3D`, `PT2H30M`, `P1DT0.5S`); years and months have no fixed length and are refused."""
    match = _DURATION.match(text.strip().upper()) if isinstance(text, str) else None
    if not match or text.strip().upper() in ("P", "PT") or text.strip().upper().endswith("T"):
        raise ClockError(f"not an ISO-8601 duration of weeks/days/hours/minutes/seconds: {text!r}")
    total = 0.0
    for unit, value in match.groupdict().items():
        if value:
            total += float(value) * _UNIT_MS[unit]
    return int(round(total))


def advance(state: dict, ms: int) -> None:
    """Move the clock forward by `ms` (frozen or running)."""
    if ms < 0:
        raise ClockError("the clock only moves forward")
    if state["frozen_ms"] is not None:
        state["frozen_ms"] += ms
    else:
        state["offset_ms"] += ms


def set_to(state: dict, target_ms: int) -> None:
    """Move the clock forward to `target_ms`."""
    now = now_ms(state)
    if target_ms < now:
        raise ClockError(f"the clock only moves forward: it is already {iso(now)}")
    advance(state, target_ms - now)


def freeze(state: dict) -> None:
    """Stop the clock where it is."""
    if state["frozen_ms"] is None:
        state["frozen_ms"] = now_ms(state)


def resume(state: dict) -> None:
    """Let a frozen clock follow real time again, from where it stood."""
    if state["frozen_ms"] is not None:
        state["offset_ms"] = state["frozen_ms"] - real_ms()
        state["frozen_ms"] = None
