"""Escrow and milestone vocabulary and the lifecycle table (transitions as data).

Source: docs.payluk.ng/essentials/status-reference and concepts/escrow-lifecycle ([A]).
`status` is the fine-grained state; `state` is derived from it (PENDING -> AWAITING_PAYMENT;
ONGOING, DISPUTED, INVESTIGATING -> OPENED; COMPLETED, CLAIMED, REFUNDED, [B] SPLIT -> CLOSED).
"""

from sandbox.domain.errors import ActionNotAllowed

# settlementType
STANDARD = "STANDARD"
MILESTONE = "MILESTONE"
VAULT = "VAULT"  # [B] (profile 2026-10): stakes pooled by participants, paid to one winner

# status
PENDING = "PENDING"
ONGOING = "ONGOING"
COMPLETED = "COMPLETED"
CLAIMED = "CLAIMED"
REFUNDED = "REFUNDED"
DISPUTED = "DISPUTED"
INVESTIGATING = "INVESTIGATING"
SPLIT = "SPLIT"  # [B]: a dispute ruling that shares the held funds between seller and buyer

# state
AWAITING_PAYMENT = "AWAITING_PAYMENT"
OPENED = "OPENED"
CLOSED = "CLOSED"

# milestone status ([B] adds REFUNDED and SPLIT: a dispute's ruling settles the held milestones)
RELEASED = "RELEASED"
# vault participant status ([B]: STAKED, RELEASED, REFUNDED)
STAKED = "STAKED"
MILESTONE_STATUSES = (PENDING, RELEASED, REFUNDED, SPLIT)

OPEN_DISPUTE_STATUSES = (DISPUTED, INVESTIGATING)
# deliveryTimeline units in milliseconds, for the claim window (paidAt + maxDelivery x unit).
TIMELINE_MS = {"minutes": 60_000, "hours": 3_600_000, "days": 86_400_000}

WHO_PAYS = ("buyer", "seller", "both")
DELIVERY_TIMELINES = ("minutes", "hours", "days")
STATUSES = ("PENDING", "ONGOING", "COMPLETED", "CLAIMED", "REFUNDED", "DISPUTED", "INVESTIGATING")

STATE_OF_STATUS = {
    PENDING: AWAITING_PAYMENT,
    ONGOING: OPENED,
    DISPUTED: OPENED,
    INVESTIGATING: OPENED,
    COMPLETED: CLOSED,
    CLAIMED: CLOSED,
    REFUNDED: CLOSED,
    SPLIT: CLOSED,
}

# (settlementType, status, action) -> next status. Anything absent is `Action not allowed`.
# Sources: concepts/escrow-lifecycle, concepts/dispute-resolution, concepts/milestone-escrows.
# - edit / edit_milestones / convert / delete only while unfunded (AWAITING_PAYMENT);
# - pay once; a standard escrow is then released by the buyer (confirm_payment), claimed by
#   the seller after the delivery window (claim), or disputed by the buyer (open_dispute),
#   answered once by the seller (reply_dispute) and settled by the merchant (resolve_*);
#   confirm and claim are refused while a dispute is open (funds are frozen);
# - a milestone escrow releases milestone by milestone, the last one closing it, and cannot
#   be disputed ([A]);
# - a vault escrow ([B], concepts/vault-escrows) is born funded (`ONGOING`) and ends once: the
#   merchant names the winner (`COMPLETED`) or cancels it (`REFUNDED`). It has no row for any
#   other action, so pay, edit, confirm, claim and disputes are refused on it.
# - [B] (profile 2026-10; the domain refuses these under 2026-06 with [A]'s messages before the
#   table is asked): an additional fee set while unpaid; a SPLIT ruling (resolve_split); a funded milestone escrow with milestones
#   still held can be disputed like a standard one, and no milestone is released meanwhile.
TRANSITIONS = {
    (STANDARD, PENDING, "edit"): PENDING,
    (STANDARD, PENDING, "convert"): PENDING,
    (STANDARD, PENDING, "delete"): PENDING,
    (STANDARD, PENDING, "set_additional_fee"): PENDING,
    (STANDARD, PENDING, "pay"): ONGOING,
    (STANDARD, ONGOING, "confirm_payment"): COMPLETED,
    (STANDARD, ONGOING, "claim"): CLAIMED,
    (STANDARD, ONGOING, "open_dispute"): DISPUTED,
    (STANDARD, DISPUTED, "reply_dispute"): INVESTIGATING,
    (STANDARD, DISPUTED, "resolve_completed"): COMPLETED,
    (STANDARD, DISPUTED, "resolve_refunded"): REFUNDED,
    (STANDARD, INVESTIGATING, "resolve_completed"): COMPLETED,
    (STANDARD, INVESTIGATING, "resolve_refunded"): REFUNDED,
    (STANDARD, DISPUTED, "resolve_split"): SPLIT,
    (STANDARD, INVESTIGATING, "resolve_split"): SPLIT,
    (MILESTONE, PENDING, "edit_milestones"): PENDING,
    (MILESTONE, PENDING, "delete"): PENDING,
    (MILESTONE, PENDING, "pay"): ONGOING,
    (MILESTONE, ONGOING, "release_milestone"): ONGOING,
    (MILESTONE, ONGOING, "complete_milestones"): COMPLETED,
    (VAULT, ONGOING, "choose_winner"): COMPLETED,
    (VAULT, ONGOING, "cancel_vault"): REFUNDED,
    (MILESTONE, ONGOING, "open_dispute"): DISPUTED,
    (MILESTONE, DISPUTED, "reply_dispute"): INVESTIGATING,
    (MILESTONE, DISPUTED, "resolve_completed"): COMPLETED,
    (MILESTONE, DISPUTED, "resolve_refunded"): REFUNDED,
    (MILESTONE, DISPUTED, "resolve_split"): SPLIT,
    (MILESTONE, INVESTIGATING, "resolve_completed"): COMPLETED,
    (MILESTONE, INVESTIGATING, "resolve_refunded"): REFUNDED,
    (MILESTONE, INVESTIGATING, "resolve_split"): SPLIT,
}

ACTIONS = sorted({action for (_, _, action) in TRANSITIONS})


def is_closed(escrow: dict) -> bool:
    """A closed escrow changes no more (stores keep it packed, as it is rarely read again)."""
    return escrow.get("state") == CLOSED


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
