"""Milestone escrows: the full amount held upfront, released milestone by milestone as the
buyer confirms each (docs.payluk.ng concepts/milestone-escrows): create, edit, convert, list,
confirm."""

from sandbox.domain import errors, ledger, lifecycle, outbox
from sandbox.domain.customers import require_customer
from sandbox.domain.errors import ActionNotAllowed, BadRequest
from sandbox.domain.escrows import (
    acting_seller, apply_details, book_fee, build_milestones, category_of, check_amount, check_delivery, escrow_by_id,
    escrow_by_token, new_escrow, require_seller, set_amount, transition,
)
from sandbox.domain.lifecycle import MILESTONE, PENDING, RELEASED
from sandbox.domain.profiles import later


def _check_buyer_pays(data: dict) -> None:
    # concepts/milestone-escrows: "the buyer always covers the Payluk fee on milestone escrows".
    if data.get("who_pays") != "buyer":
        raise BadRequest(errors.MILESTONE_WHO_PAYS_BUYER)


def create_milestone_escrow(ns, seller_id, data: dict) -> dict:
    """A milestone escrow: whoPays buyer, >= 2 milestones whose amounts sum to `amount`."""
    seller_id = acting_seller(ns, seller_id, creating=True)
    amount = check_amount(ns, data.get("amount"))
    _check_buyer_pays(data)
    check_delivery(ns, data)
    category = category_of(ns, data.get("category_id"))
    milestones = build_milestones(ns, data.get("milestones"), amount)
    return new_escrow(ns, seller_id, data, amount, MILESTONE, category, milestones=milestones)


def edit_milestone_escrow(ns, seller_id, token, data: dict) -> dict:
    """Replace an unfunded milestone escrow's details and milestones (ids regenerated, fee
    recomputed); only its creator may, only while `AWAITING_PAYMENT`."""
    seller_id = acting_seller(ns, seller_id)
    escrow = escrow_by_token(ns, token)
    require_seller(escrow, seller_id)
    lifecycle.next_status(escrow, "edit_milestones")
    amount = check_amount(ns, data.get("amount"))
    _check_buyer_pays(data)
    check_delivery(ns, data)
    category = category_of(ns, data.get("category_id"))
    milestones = build_milestones(ns, data.get("milestones"), amount)
    apply_details(escrow, data)
    escrow["category"] = category
    set_amount(escrow, amount)
    escrow["milestones"] = milestones
    transition(ns, escrow, "edit_milestones", ns.now_ms())
    return escrow


def convert_to_milestone(ns, seller_id, token, data: dict) -> dict:
    """Turn an unfunded standard escrow into a milestone one: optional new `amount` (else the
    current one) split over >= 2 milestones; `whoPays` forced to `buyer`, fee recomputed. The
    amounts follow the create rules of the namespace's profile. An additional fee the merchant set
    ([B]) is dropped: a milestone escrow carries none (it could be neither changed nor cleared)."""
    seller_id = acting_seller(ns, seller_id)
    escrow = escrow_by_token(ns, token)
    require_seller(escrow, seller_id)
    lifecycle.next_status(escrow, "convert")
    amount = escrow["amount"] if data.get("amount") is None else check_amount(ns, data["amount"])
    milestones = build_milestones(ns, data.get("milestones"), amount)
    lifecycle.apply(escrow, "convert", ns.now_ms())  # no status change, so no event
    escrow["settlement_type"] = MILESTONE
    escrow["who_pays"] = "buyer"
    escrow["additional_fee"], escrow["additional_fee_refundable"] = 0, True
    set_amount(escrow, amount)
    escrow["milestones"] = milestones
    ns.save_escrow(escrow)
    return escrow


def list_milestones(ns, token) -> list[dict]:
    """The escrow's milestones; a standard escrow simply has none (`[]`)."""
    return escrow_by_token(ns, token)["milestones"]


def check_order(ns, escrow: dict, milestone: dict) -> None:
    """[B] (changelog 29 Jun 2026): only the earliest pending milestone, in the escrow's
    milestone order, can be confirmed; [A] releases them in any order."""
    if not later(ns):
        return
    earliest = next((m for m in escrow["milestones"] if m["status"] == PENDING), None)
    if earliest is not None and earliest["id"] != milestone["id"]:
        raise BadRequest(errors.MILESTONE_OUT_OF_ORDER)


def confirm_milestone(ns, buyer_id, escrow_id, milestone_id) -> dict:
    """The buyer releases one milestone: its amount goes to the beneficiary's (or seller's)
    main balance; the last release closes the escrow (`CLOSED`/`COMPLETED`) and books the fee."""
    require_customer(ns, buyer_id)
    escrow = escrow_by_id(ns, escrow_id)
    milestone = next((m for m in escrow["milestones"] if m["id"] == milestone_id), None)
    if milestone is None:
        raise BadRequest(errors.MILESTONE_NOT_FOUND)
    if escrow["buyer_id"] != buyer_id or milestone["status"] == RELEASED:
        raise ActionNotAllowed()
    pending = [m for m in escrow["milestones"] if m["status"] != RELEASED]
    last = len(pending) == 1
    action = "complete_milestones" if last else "release_milestone"
    lifecycle.next_status(escrow, action)
    check_order(ns, escrow, milestone)

    now = ns.now_ms()
    beneficiary = milestone["customer_id"] or escrow["seller_id"]
    buyer_escrow = ledger.escrow_account(buyer_id)
    ledger.post(
        ns,
        "milestone_release",
        [(buyer_escrow, -milestone["amount"]), (ledger.payee_account(ns, beneficiary), milestone["amount"])],
        escrow_id=escrow["id"],
        milestone_id=milestone["id"],
    )
    escrow["held"] -= milestone["amount"]
    milestone["status"] = RELEASED
    milestone["released_at_ms"] = now
    if last:
        book_fee(ns, escrow)
        escrow["completed_at_ms"] = now
    # Sandbox-only (off unless asked for): the release itself, before the closing event.
    outbox.emit(ns, outbox.MILESTONE_RELEASED, escrow, milestone=milestone)
    transition(ns, escrow, action, now)
    return escrow
