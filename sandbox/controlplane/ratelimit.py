"""Payluk's rate limit ([B], profile 2026-10): a per-namespace setting and the count of a key's
`/v1` requests that enforces it.

payluk-api.md §1 (docs.payluk.ng/introduction, [B]): 10 requests a minute per secret key, every
`/v1` route together; over it HTTP 429 `{"status":429,"message":"Too many request"}` (no `data`)
with `RateLimit-Policy: 10;w=60` and `RateLimit: limit=10, remaining=N, reset=S` — the IETF
draft-7 headers of express-rate-limit, whose default store counts in a fixed window that opens
with a key's first request. The sandbox does the same, with `Retry-After` on the refusal as that
library sends it.

Off by default, even under 2026-10, so no CI suite is throttled by accident: switched on per
namespace with `PUT /_sandbox/rate-limit` (kept by a reset, like the other settings). It is
enforced only while the namespace answers by 2026-10; under 2026-06 it is stored and shown
(`active: false`) but counts nothing — Payluk's earlier docs have no limit.

The count is real time (the store's wall clock: Redis's own for the Redis store), never the
namespace clock, so a frozen or moved clock neither throttles for ever nor lifts the limit; and
it lives in the store, so every worker of a shared store counts into one window. Changing the
setting, or resetting the namespace, starts a fresh window.

The setting is read from the namespace's recent settings (`ns.recent_state()`: no round trip),
and a refusal is confirmed against the current setting (`count`). With several workers on Redis,
a worker that served the namespace before another worker switched the limit on learns of it with
its next operation there: that first request is not counted.
"""

from dataclasses import dataclass

from sandbox.controlplane import faults
from sandbox.domain import profiles

# The namespace setting (a part beside the entities, kept by a reset): `None` until chosen.
SETTING = "rate_limit"
# [B]'s numbers, the defaults of the control.
LIMIT, WINDOW_SECONDS = 10, 60
MAX_LIMIT, MAX_WINDOW_SECONDS = 100_000, 86_400
# From this profile on the limit is enforced.
SINCE = profiles.OCTOBER
OFF = {"enabled": False, "limit": LIMIT, "window_seconds": WINDOW_SECONDS}

# The refusal reuses the `rate_limited` scenario's answer (status, body without `data`).
REFUSAL = faults.BY_NAME["rate_limited"]


def setting_of(state: dict) -> dict:
    """The setting in a namespace's plain settings (OFF when never chosen)."""
    return state.get(SETTING) or OFF


def enforced(setting: dict, profile: str) -> bool:
    """Whether requests are counted: the limit is on and the namespace answers by 2026-10."""
    return bool(setting["enabled"]) and profile >= SINCE


def describe(ns) -> dict:
    """The setting, and whether it is enforced now (`active`)."""
    setting = ns.settings(SETTING) or OFF
    return {**setting, "active": enforced(setting, profiles.current(ns))}


def choose(ns, enabled: bool, limit: int = LIMIT, window_seconds: int = WINDOW_SECONDS) -> dict:
    """Switch the limit on or off (with its numbers); the count starts again either way."""
    ns.save_settings(SETTING, {"enabled": enabled, "limit": limit, "window_seconds": window_seconds})
    ns.clear_requests()
    return describe(ns)


@dataclass(frozen=True)
class Verdict:
    """A counted request: refused or not, and the headers its answer carries."""

    refused: bool
    headers: dict


def count(ns) -> Verdict | None:
    """Count one `/v1` request of the namespace's key; None when the limit is not enforced (then
    nothing is counted and the answer carries no RateLimit header).

    The setting comes from the namespace's recent settings (no round trip). A refusal is
    confirmed against the setting as it is now, under the namespace lock (a worker of a shared
    store may hold settings another worker has changed since): a limit switched off or raised
    elsewhere never refuses, and the worker's recent settings are fresh again after it."""
    state = ns.recent_state()
    setting = setting_of(state)
    if not enforced(setting, profiles.of_state(state)):
        return None
    counted, reset_ms = ns.count_request(setting["window_seconds"] * 1000)
    if counted > setting["limit"]:
        with ns.lock:
            setting, profile = ns.settings(SETTING) or OFF, profiles.current(ns)
        if not enforced(setting, profile):
            return None
    limit, window = setting["limit"], setting["window_seconds"]
    reset = max(0, -(-reset_ms // 1000))  # whole seconds, rounded up (express-rate-limit's `reset`)
    headers = {"RateLimit-Policy": f"{limit};w={window}",
               "RateLimit": f"limit={limit}, remaining={max(0, limit - counted)}, reset={reset}"}
    if counted <= limit:
        return Verdict(False, headers)
    return Verdict(True, {**headers, "Retry-After": str(reset)})
