"""Sandbox-only operations on a namespace's time: move the clock, and say what became due.

Payluk's staging makes a seller wait days for a claim window; here the namespace clock is
moved instead, and every time-based rule (claim windows, the daily top-up, checkout expiry,
milestone due dates) reads that clock, so moving it is all it takes.
"""

from datetime import date, datetime, timezone

from sandbox import clock
from sandbox.domain import escrows
from sandbox.domain import outbox
from sandbox.domain.errors import BadRequest
from sandbox.domain.lifecycle import ONGOING, PENDING, STANDARD
from sandbox.store.base import Filter


# The last instant the clock may reach: every timestamp must render as ISO-8601 (four-digit
# years), and what is scheduled after "now" (webhook delays and retries, checkout expiry) needs
# room before the year 10000.
LAST_MS = 253_370_764_800_000  # 9999-01-01T00:00:00.000Z


# What a namespace holds as configuration rather than data: made through the controls, kept by a
# reset (unless told otherwise) and by a provider-state set-up; snapshots, exports and forks carry
# them like everything else.
SETTINGS = ("webhook",)


def _move(ns, change) -> list[dict]:
    state = ns.get_clock()
    before = clock.now_ms(state)
    try:
        change(state)
    except clock.ClockError as err:
        raise BadRequest(str(err)) from None
    if clock.now_ms(state) > LAST_MS:
        raise BadRequest(f"the clock cannot move past {clock.iso(LAST_MS)}")
    ns.save_clock(state)
    return due_between(ns, before, clock.now_ms(state))


def advance_clock(ns, ms: int) -> list[dict]:
    """Move the clock forward by `ms`; answers what became due on the way."""
    return _move(ns, lambda state: clock.advance(state, ms))


def set_clock(ns, target_ms: int) -> list[dict]:
    """Move the clock forward to an instant (never backwards: ledgers would contradict it)."""
    return _move(ns, lambda state: clock.set_to(state, target_ms))


def freeze_clock(ns) -> None:
    state = ns.get_clock()
    clock.freeze(state)
    ns.save_clock(state)


def resume_clock(ns) -> None:
    state = ns.get_clock()
    clock.resume(state)
    ns.save_clock(state)


def clock_view(ns) -> dict:
    state = ns.get_clock()
    return {"now_ms": clock.now_ms(state), "frozen": state["frozen_ms"] is not None, "offset_ms": state["offset_ms"]}


def _day_start_ms(text: str) -> int:
    day = date.fromisoformat(text)
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp() * 1000)


def due_between(ns, start_ms: int, end_ms: int) -> list[dict]:
    """Everything whose time came in (start, end], in time order: escrows that became
    claimable, milestone due dates reached, checkout sessions that expired, webhook retries
    now due, customers whose daily top-up is available again."""
    from sandbox.domain import checkout, payments  # they build on services, as this module does

    due = []

    def add(at_ms, kind, **fields):
        if start_ms < at_ms <= end_ms:
            due.append({"at_ms": at_ms, "type": kind, **fields})

    # Answered from the escrow summaries: closed escrows are never decoded.
    for escrow in ns.find("escrows", Filter(either=(Filter(equal={"status": ONGOING}),
                                                    Filter(equal={"status": PENDING}, present=("milestones",))))):
        if escrow["settlement_type"] == STANDARD and escrow["status"] == ONGOING:
            add(escrows.claim_window_ends_ms(escrow), "escrow.claimable", escrow_id=escrow["id"],
                payment_token=escrow["payment_token"])
        if escrow["status"] in (PENDING, ONGOING):
            for milestone in escrow["milestones"]:
                if milestone["due_date"] and milestone["status"] == PENDING:
                    add(_day_start_ms(milestone["due_date"]), "milestone.due", escrow_id=escrow["id"],
                        milestone_id=milestone["id"])
    for session in ns.find("checkout_sessions", Filter(equal={"status": checkout.PENDING})):
        add(session["expires_at_ms"], "checkout_session.expired", session_id=session["id"],
            payment_token=session["payment_token"])
    for event in ns.find("events", Filter(equal={"status": outbox.PENDING}, at_least={"attempts": 1})):
        add(event["next_attempt_at_ms"], "webhook.retry", event_id=event["id"], escrow_id=event["escrow_id"])
    latest = {}
    for topup in ns.all("topups"):
        latest[topup["customer_id"]] = max(latest.get(topup["customer_id"], 0), topup["created_at_ms"])
    for customer_id, at_ms in latest.items():
        add(at_ms + payments.TOPUP_INTERVAL_MS, "topup.available", customer_id=customer_id)
    return sorted(due, key=lambda item: item["at_ms"])
