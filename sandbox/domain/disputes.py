"""Disputes on standard escrows ([A]: milestone escrows cannot be disputed; [B]: they can, over
the milestones still held): submit, resolve (COMPLETED, REFUNDED, [B] SPLIT), read and list
(docs.payluk.ng concepts/disputes)."""

from sandbox.clock import iso
from sandbox.domain import errors, ledger, lifecycle, profiles
from sandbox.domain.customers import require_customer
from sandbox.domain.errors import ActionNotAllowed, BadRequest
from sandbox.domain.escrows import (
    book_fee, close, escrow_by_id, escrow_by_token, held_pool, release_to_seller, settle, transition,
)
from sandbox.domain.lifecycle import COMPLETED, MILESTONE, PENDING, REFUNDED, RELEASED, SPLIT
from sandbox.domain.money import exact_hundredths
from sandbox.domain.listings import Page, created_within, escrow_page
from sandbox.domain.uploads import cdn_url
from sandbox.store.base import Filter


def _dispute_time(ms: int) -> str:
    # submit-dispute's example prints `createdAt` as "2026-06-22 10:30:00" (space, no zone).
    return iso(ms)[:19].replace("T", " ")


def _evidence_url(ns, filename: str | None) -> str | None:
    return cdn_url("dispute", ns.new_id(), filename, "bin") if filename else None


def _thread_entry(ns, kind: str, name: str, message: str, filename: str | None) -> dict:
    return {"type": kind, "name": name, "message": message, "proof_url": _evidence_url(ns, filename),
            "created_at": _dispute_time(ns.now_ms())}


def submit_dispute(ns, customer_id, token, data: dict) -> dict:
    """The buyer opens a dispute on a funded standard escrow (`DISPUTED`); the seller answers
    once (`INVESTIGATING`); each side once; the seller cannot open one. [A]: milestone
    escrows cannot be disputed; [B]: they can while a milestone is still held (funds frozen:
    no milestone is confirmed meanwhile)."""
    customer = require_customer(ns, customer_id)
    escrow = escrow_by_token(ns, token)
    if escrow["settlement_type"] == lifecycle.VAULT:  # [B] concepts/vault-escrows: never disputable
        raise BadRequest(errors.VAULT_NOT_DISPUTABLE)
    if escrow["settlement_type"] == MILESTONE:
        if not profiles.later(ns):
            raise BadRequest(errors.MILESTONE_NOT_DISPUTABLE)
        if all(m["status"] == RELEASED for m in escrow["milestones"]):
            raise BadRequest(errors.ALL_MILESTONES_RELEASED)
    sides = {entry["type"] for entry in escrow["dispute"] or []}
    if customer_id == escrow["buyer_id"]:
        if "buyer" in sides:
            raise BadRequest(errors.BUYER_ALREADY_DISPUTED)
        side, action = "buyer", "open_dispute"
    elif customer_id == escrow["seller_id"]:
        if "seller" in sides:
            raise BadRequest(errors.SELLER_ALREADY_DISPUTED)
        side, action = "seller", "reply_dispute"
    else:
        raise ActionNotAllowed()
    lifecycle.next_status(escrow, action)
    name = f"{customer['firstname']} {customer['lastname']}"
    escrow["dispute"] = (escrow["dispute"] or []) + [
        _thread_entry(ns, side, name, data["message"], data.get("file_name"))
    ]
    transition(ns, escrow, action, ns.now_ms())
    return escrow


RULING_ACTIONS = {COMPLETED: "resolve_completed", REFUNDED: "resolve_refunded", SPLIT: "resolve_split"}


def resolve_dispute(ns, escrow_id, data: dict) -> dict:
    """The merchant rules on a disputed escrow (from `DISPUTED` or `INVESTIGATING`); it closes.

    `COMPLETED` pays the seller as a confirm would ([B] milestone escrow: the held milestones
    go to their beneficiaries). `REFUNDED`: [A] returns everything the buyer paid (fee
    included: no commission is charged without completion); [B] returns the held pool
    (`held_pool`: the fee is never refunded) and the additional fee when refundable (the body's
    `additionalFeeRefundable` overrides the escrow's), held milestones become `REFUNDED`.
    [B] `SPLIT`: `sellerAmount` + `buyerAmount` must add up to the pool; each side gets its
    part, held milestones become `SPLIT`, the escrow shows `split`. In [B] the merchant's
    commission is earned on every ruling (the fee is never refunded). `sellerAmount` /
    `buyerAmount` sent beside COMPLETED or REFUNDED are ignored (real clients send them)."""
    later = profiles.later(ns)
    ruling = data["status"]
    if ruling == SPLIT and not later:
        raise BadRequest(errors.RESOLUTION_STATUS_ONE_OF)
    escrow = escrow_by_id(ns, escrow_id)
    if escrow["state"] == lifecycle.CLOSED:
        raise BadRequest(errors.ESCROW_ALREADY_COMPLETED)
    if escrow["status"] not in lifecycle.OPEN_DISPUTE_STATUSES:
        raise BadRequest(errors.NO_DISPUTE)
    action = RULING_ACTIONS[ruling]
    lifecycle.next_status(escrow, action)
    pool = held_pool(escrow)
    if ruling == SPLIT:
        to_seller, to_buyer = _split_amounts(data, pool)
    refundable = data.get("additional_fee_refundable")
    if refundable is None:
        refundable = escrow["additional_fee_refundable"]

    merchant = ns.get_merchant()
    now = ns.now_ms()
    if ruling == COMPLETED:
        if escrow["settlement_type"] == MILESTONE:
            _release_held_milestones(ns, escrow, now)
        else:
            release_to_seller(ns, escrow, "resolution_release")
        escrow["approved_claim_by"] = merchant["id"]
    elif ruling == REFUNDED and not later:
        ledger.post(ns, "refund", [(ledger.escrow_account(escrow["buyer_id"]), -escrow["held"]),
                                   (ledger.main_account(escrow["buyer_id"]), escrow["held"])],
                    escrow_id=escrow["id"])
        escrow["held"] = 0
        escrow["refunded_by"] = merchant["id"]
    elif ruling == REFUNDED:
        settle(ns, escrow, "refund", 0, pool, refundable)
        _mark_held_milestones(escrow, REFUNDED)
        escrow["refunded_by"] = merchant["id"]
    else:
        settle(ns, escrow, "split", to_seller, to_buyer, refundable)
        _mark_held_milestones(escrow, SPLIT)
        escrow["split"] = {"seller_amount": to_seller, "buyer_amount": to_buyer, "pool": pool,
                           "resolved_at_ms": now}
    if later and data.get("additional_fee_refundable") is not None:
        escrow["additional_fee_refundable"] = refundable
    escrow["dispute"] = escrow["dispute"] + [
        _thread_entry(ns, "merchant", merchant["name"], data["resolution"], data.get("file_name"))
    ]
    close(ns, escrow, action)
    return escrow


def _split_amounts(data: dict, pool: int) -> tuple[int, int]:
    """[B] SPLIT's two parts in kobo: both sent, adding up to the held pool."""
    if data.get("seller_amount") is None or data.get("buyer_amount") is None:
        raise BadRequest(errors.SPLIT_AMOUNTS_REQUIRED)
    to_seller, to_buyer = exact_hundredths(data["seller_amount"]), exact_hundredths(data["buyer_amount"])
    if to_seller + to_buyer != pool:
        raise BadRequest(errors.SPLIT_SUM_MISMATCH)
    return to_seller, to_buyer


def _release_held_milestones(ns, escrow: dict, now: int) -> None:
    """[B] COMPLETED on a milestone escrow: each held milestone is released to its beneficiary
    (or the seller) as a confirm would, then the fee is booked."""
    buyer_escrow = ledger.escrow_account(escrow["buyer_id"])
    for milestone in escrow["milestones"]:
        if milestone["status"] != PENDING:
            continue
        beneficiary = milestone["customer_id"] or escrow["seller_id"]
        ledger.post(ns, "resolution_release",
                    [(buyer_escrow, -milestone["amount"]), (ledger.payee_account(ns, beneficiary), milestone["amount"])],
                    escrow_id=escrow["id"], milestone_id=milestone["id"])
        escrow["held"] -= milestone["amount"]
        milestone["status"] = RELEASED
        milestone["released_at_ms"] = now
    book_fee(ns, escrow)


def _mark_held_milestones(escrow: dict, status: str) -> None:
    """[B] the held milestones take the ruling's status (REFUNDED or SPLIT)."""
    for milestone in escrow["milestones"]:
        if milestone["status"] == PENDING:
            milestone["status"] = status


def list_my_disputes(ns, customer_id, query: dict) -> Page:
    """Disputed escrows the customer is party to (`/v1/escrow/dispute/get`), newest first."""
    require_customer(ns, customer_id)
    return escrow_page(ns, query, Filter(present=("dispute",), any_field=(("buyer_id", "seller_id"), customer_id))
                       & created_within(query) & Filter.where(payment_token=query.get("payment_token")))


def get_dispute(ns, customer_id, escrow_id) -> dict:
    """One escrow's dispute thread, for a party to it (others get `Escrow not found`)."""
    require_customer(ns, customer_id)
    escrow = escrow_by_id(ns, escrow_id)
    if customer_id not in (escrow["buyer_id"], escrow["seller_id"]):
        raise BadRequest(errors.ESCROW_NOT_FOUND)
    if not escrow["dispute"]:
        raise BadRequest(errors.NO_DISPUTE)
    return escrow


def list_all_disputes(ns, query: dict) -> Page:
    """Every disputed escrow of the merchant (`/v1/escrow/all-dispute`), newest first."""
    where = Filter(present=("dispute",)) & created_within(query)
    if query.get("payment_id") is not None:
        where &= Filter(any_field=(("id", "payment_token"), query["payment_id"]))
    return escrow_page(ns, query, where)
