"""Webhook events and their delivery schedule: an outbox per namespace, on its clock.

docs.payluk.ng/concepts/webhooks: one event per escrow status transition, named `escrow.`
+ the lower-cased status, plus `escrow.created`; the body is `{event, data: <escrow>,
timestamp}`. Delivery ([B]): 10 s timeout, up to 3 retries with exponential backoff, best
effort. Here every event is kept (even with no URL set), each delivery attempt is logged,
and retries fall due on the namespace clock, so moving the clock fires them.

This module decides *what* is sent and *when*; sending is the dispatcher's job
(sandbox/controlplane/dispatcher.py), outside the namespace lock.
"""

from sandbox.domain.errors import EVENT_NOT_FOUND, NO_WEBHOOK_URL, BadRequest, NotFound
from sandbox.store.base import Filter

EVENT_CAP = 1000
DELIVERY_CAP = 2000
MAX_ATTEMPTS = 4  # the first try and 3 retries
RETRY_BASE_MS = 60_000  # retries 1, 2 and 4 minutes after a failed attempt
# Sandbox-only, off by default: Payluk documents no milestone-level events.
MILESTONE_RELEASED = "escrow.milestone.released"
# Receiver fault modes a namespace can switch on (listed in the scenario catalogue too).
FAULTS = {
    "duplicate": "every delivery is sent twice (receivers must deduplicate on data.id + event)",
    "out_of_order": "events due together are sent newest first",
    "delayed": "each event is first sent `delaySeconds` later on the namespace clock",
    "wrong_signature": "x-payluk-signature is computed with a wrong key (receivers must reject it)",
}

# Event statuses.
NOT_SENT = "NOT_SENT"  # no callback URL when it happened
PENDING = "PENDING"  # due at `next_attempt_at_ms`
SENDING = "SENDING"  # handed to a dispatcher, until its lease (real time) runs out
DELIVERED = "DELIVERED"
FAILED = "FAILED"  # every attempt failed


# The `outbox` part of a namespace's settings: {"waiting": False} only when no event waits (due,
# for a retry, or in a sender's hands), so a sender can tell from the settings alone that a
# namespace has nothing to send (`may_wait`) instead of reading every event's summary (up to
# EVENT_CAP of them). Whatever makes an event wait sets it (`_waits`); a sender that finds none
# waiting clears it (`none_waiting`, under the namespace lock, so no event can start waiting in
# between). Data, not configuration: a reset that keeps the settings keeps the fresh build's.
# Absent (a state made before it existed): an event may wait.
OUTBOX = "outbox"


def may_wait(ns) -> bool:
    """Whether an event may wait in `ns` (False: surely none does)."""
    return (ns.settings(OUTBOX) or {}).get("waiting", True) is not False


def none_waiting(ns) -> None:
    """Note that no event waits (the caller has just found none, under the namespace lock)."""
    if may_wait(ns):
        ns.save_settings(OUTBOX, {"waiting": False})


def _waits(ns) -> None:
    """Note that an event waits."""
    if not may_wait(ns):
        ns.save_settings(OUTBOX, {"waiting": True})


def imported(state: dict) -> dict:
    """`state` (a plain exported state) with its flag corrected when it says no event waits while
    one does (a hand-edited import): such events would otherwise never be sent."""
    flag, events = state.get(OUTBOX), state.get("events")
    if not (isinstance(flag, dict) and flag.get("waiting") is False and isinstance(events, dict)):
        return state
    if any(isinstance(event, dict) and event.get("status") in (PENDING, SENDING) for event in events.values()):
        return {**state, OUTBOX: {"waiting": True}}
    return state


def configure(ns, changes: dict) -> dict:
    """Set the namespace's callback URL, the sandbox-only milestone events and fault modes."""
    config = {**ns.settings("webhook"), **changes}
    ns.save_settings("webhook", config)
    return config


def _schedule(event: dict, config: dict, now_ms: int) -> None:
    if config["url"] is None:
        event.update(status=NOT_SENT, next_attempt_at_ms=None)
        return
    delay = config["delay_seconds"] * 1000 if "delayed" in config["faults"] else 0
    event.update(status=PENDING, url=config["url"], attempts=0, next_attempt_at_ms=now_ms + delay)


def emit(ns, event_type: str, escrow: dict | None, milestone: dict | None = None) -> dict | None:
    """Record an event about `escrow` (as it is now; None: a payment of no escrow, a deposit,
    withdrawal or wallet transfer) and schedule its delivery."""
    config = ns.settings("webhook")
    if event_type == MILESTONE_RELEASED and not config["milestone_events"]:
        return None
    now = ns.now_ms()
    event = {"id": ns.new_id(), "type": event_type, "escrow_id": escrow and escrow["id"], "escrow": escrow,
             "milestone": milestone, "at_ms": now, "url": None, "attempts": 0}
    _schedule(event, config, now)
    if event["status"] == PENDING:
        _waits(ns)
    ns.save("events", event)  # saved as text now: later changes to `escrow` do not reach it
    ns.count_dropped("events", ns.trim("events", EVENT_CAP))
    return event


def emit_payment(ns, event_type: str, escrow: dict | None, payment: dict) -> dict | None:
    """[B] a `payment.<transactionType>.<status>` event: `data` is the transaction (`payment`),
    filed under the escrow it came from (so the escrow's events list it), or under none (an
    intent's). A customer's transaction carries its `customer_id`; the merchant wallet's has
    none (its `customerId` is null)."""
    event = emit(ns, event_type, escrow)
    event["payment"] = payment
    ns.save("events", event)
    return event


def emit_transition(ns, escrow: dict, before_status: str) -> None:
    """`escrow.<status>` when a transition changed the status (one event per transition)."""
    if escrow["status"] != before_status:
        emit(ns, f"escrow.{escrow['status'].lower()}", escrow)


def list_events(ns, event_type=None, escrow_id=None) -> list[dict]:
    return ns.find("events", Filter.where(type=event_type, escrow_id=escrow_id))


def resend(ns, event_id) -> dict:
    """Deliver an event again, now (a fresh round of attempts), to the current URL."""
    event = ns.get("events", event_id)
    if event is None:
        raise NotFound(EVENT_NOT_FOUND)
    config = ns.settings("webhook")
    if config["url"] is None:
        raise BadRequest(NO_WEBHOOK_URL)
    event.update(status=PENDING, url=config["url"], attempts=0, next_attempt_at_ms=ns.now_ms())
    _waits(ns)
    ns.save("events", event)
    return event


WAITING = Filter(among={"status": (PENDING, SENDING)})  # due now or later, or in a sender's hands


def take_due(ns, real_ms: int, lease_ms: int) -> list[dict] | None:
    """The events due now, in the order they are to be sent (oldest first, or newest first under
    the `out_of_order` fault), marked SENDING so no other sender takes them; None (nothing taken)
    while another sender has the namespace's deliveries in hand. None waiting at all: noted so
    (`none_waiting`).

    A sender (a worker's dispatcher) holds what it took on a lease in real time (`real_ms`, the
    machine's clock: a delivery takes real time whatever the namespace clock shows): the event it
    sends n-th is its own until `real_ms` + n × `lease_ms`, so the lease of the one it is sending
    now runs out first. While that lease runs, nothing is taken — with several workers, a
    namespace's events still go out one sender at a time, in order. Once it has run out (the
    sender died, or a worker restarted mid-delivery), what that sender still held is due again,
    in its place: sent at least once, as Payluk's retries are."""
    now = ns.now_ms()
    waiting = ns.find("events", WAITING)
    if not waiting:
        none_waiting(ns)
        return []
    held = [event.get("lease_until_ms") or 0 for event in waiting if event["status"] == SENDING]
    if held and min(held) > real_ms:
        return None
    due = [event for event in waiting if event["status"] == SENDING or event["next_attempt_at_ms"] <= now]
    if "out_of_order" in ns.settings("webhook")["faults"]:
        due.reverse()
    for position, event in enumerate(due, 1):
        event.update(status=SENDING, lease_until_ms=real_ms + position * lease_ms)
        ns.save("events", event)
    return due


def record_attempt(ns, event_id: str, attempt: dict) -> dict | None:
    """Log one attempt (`{url, status_code, latency_ms, error}`) and decide what comes next:
    delivered on a 2xx, else a retry after 1, 2, 4 minutes on the namespace clock, else FAILED."""
    event = ns.get("events", event_id)
    if event is None:  # dropped from the capped outbox, or the namespace was reset meanwhile
        return None
    now = ns.now_ms()
    event["attempts"] += 1
    event.pop("lease_until_ms", None)
    ok = attempt["status_code"] is not None and 200 <= attempt["status_code"] < 300
    if ok:
        event.update(status=DELIVERED, next_attempt_at_ms=None)
    elif event["attempts"] >= MAX_ATTEMPTS:
        event.update(status=FAILED, next_attempt_at_ms=None)
    else:
        event.update(status=PENDING, next_attempt_at_ms=now + RETRY_BASE_MS * 2 ** (event["attempts"] - 1))
        _waits(ns)
    ns.save("events", event)
    record = {"id": ns.new_id(), "event_id": event_id, "event_type": event["type"], "attempt": event["attempts"],
              "at_ms": now, "next_retry_at_ms": event["next_attempt_at_ms"], **attempt}
    ns.save("deliveries", record)
    ns.count_dropped("deliveries", ns.trim("deliveries", DELIVERY_CAP))
    return event
