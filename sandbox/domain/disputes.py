"""Disputes on standard escrows ([A]: milestone escrows cannot be disputed): submit, resolve,
read and list (docs.payluk.ng concepts/disputes)."""

from sandbox.clock import iso
from sandbox.domain import errors, ledger, lifecycle
from sandbox.domain.customers import require_customer
from sandbox.domain.errors import ActionNotAllowed, BadRequest
from sandbox.domain.escrows import close, escrow_by_id, escrow_by_token, release_to_seller, transition
from sandbox.domain.lifecycle import MILESTONE
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
    escrows cannot be disputed."""
    customer = require_customer(ns, customer_id)
    escrow = escrow_by_token(ns, token)
    if escrow["settlement_type"] == lifecycle.VAULT:  # [B] concepts/vault-escrows: never disputable
        raise BadRequest(errors.VAULT_NOT_DISPUTABLE)
    if escrow["settlement_type"] == MILESTONE:
        raise BadRequest(errors.MILESTONE_NOT_DISPUTABLE)
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


def resolve_dispute(ns, escrow_id, data: dict) -> dict:
    """The merchant rules on a disputed escrow: `COMPLETED` pays the seller as a confirm would,
    `REFUNDED` returns everything the buyer paid (fee included: no commission is charged
    without completion) to the buyer's main balance. Either way it closes."""
    escrow = escrow_by_id(ns, escrow_id)
    if escrow["state"] == lifecycle.CLOSED:
        raise BadRequest(errors.ESCROW_ALREADY_COMPLETED)
    if escrow["status"] not in lifecycle.OPEN_DISPUTE_STATUSES:
        raise BadRequest(errors.NO_DISPUTE)
    action = "resolve_completed" if data["status"] == lifecycle.COMPLETED else "resolve_refunded"
    lifecycle.next_status(escrow, action)
    merchant = ns.get_merchant()
    if action == "resolve_completed":
        release_to_seller(ns, escrow, "resolution_release")
        escrow["approved_claim_by"] = merchant["id"]
    else:
        ledger.post(ns, "refund", [(ledger.escrow_account(escrow["buyer_id"]), -escrow["held"]),
                                   (ledger.main_account(escrow["buyer_id"]), escrow["held"])],
                    escrow_id=escrow["id"])
        escrow["held"] = 0
        escrow["refunded_by"] = merchant["id"]
    escrow["dispute"] = escrow["dispute"] + [
        _thread_entry(ns, "merchant", merchant["name"], data["resolution"], data.get("file_name"))
    ]
    close(ns, escrow, action)
    return escrow


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
