"""Escrow and milestone vocabulary and the lifecycle table (transitions as data).

Source: docs.payluk.ng/essentials/status-reference and concepts/escrow-lifecycle ([A]).
`status` is the fine-grained state; `state` is derived from it (PENDING -> AWAITING_PAYMENT;
ONGOING, DISPUTED, INVESTIGATING -> OPENED; COMPLETED, CLAIMED, REFUNDED -> CLOSED).
"""

from sandbox.domain.errors import ActionNotAllowed

# settlementType
STANDARD = "STANDARD"
MILESTONE = "MILESTONE"

# status
PENDING = "PENDING"
ONGOING = "ONGOING"
COMPLETED = "COMPLETED"
CLAIMED = "CLAIMED"
REFUNDED = "REFUNDED"
DISPUTED = "DISPUTED"
INVESTIGATING = "INVESTIGATING"

# state
AWAITING_PAYMENT = "AWAITING_PAYMENT"
OPENED = "OPENED"
CLOSED = "CLOSED"

# milestone status
RELEASED = "RELEASED"

WHO_PAYS = ("buyer", "seller", "both")
DELIVERY_TIMELINES = ("minutes", "hours", "days")

STATE_OF_STATUS = {
    PENDING: AWAITING_PAYMENT,
    ONGOING: OPENED,
    DISPUTED: OPENED,
    INVESTIGATING: OPENED,
    COMPLETED: CLOSED,
    CLAIMED: CLOSED,
    REFUNDED: CLOSED,
}

# (settlementType, status, action) -> next status. Anything absent is `Action not allowed`.
# Actions are the service verbs: edit, edit_milestones, convert only while unfunded; pay once; milestone
# releases while funded, the last one (`complete_milestones`) closing the escrow.
TRANSITIONS = {
    (STANDARD, PENDING, "edit"): PENDING,
    (STANDARD, PENDING, "convert"): PENDING,
    (STANDARD, PENDING, "pay"): ONGOING,
    (MILESTONE, PENDING, "edit_milestones"): PENDING,
    (MILESTONE, PENDING, "pay"): ONGOING,
    (MILESTONE, ONGOING, "release_milestone"): ONGOING,
    (MILESTONE, ONGOING, "complete_milestones"): COMPLETED,
}

ACTIONS = sorted({action for (_, _, action) in TRANSITIONS})


def next_status(escrow: dict, action: str) -> str:
    """The status `action` leads to from the escrow's current one, or `Action not allowed`."""
    key = (escrow["settlement_type"], escrow["status"], action)
    try:
        return TRANSITIONS[key]
    except KeyError:
        raise ActionNotAllowed() from None


def apply(escrow: dict, action: str, now_ms: int) -> None:
    """Move the escrow along the table, keeping `state`, `logs` and `updated_at_ms` in step."""
    status = next_status(escrow, action)
    if status != escrow["status"]:
        escrow["logs"].append(escrow["status"])
    escrow["status"] = status
    escrow["state"] = STATE_OF_STATUS[status]
    escrow["updated_at_ms"] = now_ms
