"""Hosted checkout: sessions the browser SDK opens and the sandbox page that settles them.

Payluk's `payluk-escrow-inline-checkout` SDK posts `{paymentToken, reference, redirectUrl,
customerId?, publicKey}` to `/v1/checkout/session` and hands the returned `session` to
Payluk's hosted widget (payluk-api.md §5.11, §9). Payluk documents nothing past that
request, so the session's life here is the sandbox's own: `PENDING` for 30 minutes on the
namespace clock, then `COMPLETED` (the buyer approved; the escrow is funded exactly like
`POST /v1/payment/escrow` with a card) or `CANCELLED` (declined; no money moves).
"""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sandbox.domain import customers, errors, escrows, funding
from sandbox.domain.errors import BadRequest, NotFound
from sandbox.domain.lifecycle import PENDING as ESCROW_PENDING
from sandbox.domain.money import fee_shares

# Session statuses. EXPIRED is never stored: a PENDING session past `expires_at_ms` reads so.
PENDING = "PENDING"
COMPLETED = "COMPLETED"
CANCELLED = "CANCELLED"
EXPIRED = "EXPIRED"

SESSION_TTL_MS = 30 * 60 * 1000
# The page charges through a card gateway: an instant external charge (see funding).
CHECKOUT_GATEWAY = "CARD"


def effective_status(session: dict, now_ms: int) -> str:
    """The stored status, or EXPIRED for a pending session whose 30 minutes are over."""
    if session["status"] == PENDING and now_ms >= session["expires_at_ms"]:
        return EXPIRED
    return session["status"]


def create_checkout_session(ns, data: dict, claim_id) -> dict:
    """Open a session for the escrow behind `paymentToken`. The escrow must still await
    payment ([B] message otherwise); `customerId`, when sent, must be a customer of the
    namespace and becomes the buyer; the reference must be new. `claim_id(id)` reserves the
    session id for the page URL and answers False when another namespace already holds it."""
    escrow = escrows.escrow_by_token(ns, data["payment_token"])
    if escrow["status"] != ESCROW_PENDING:
        raise BadRequest(errors.CHECKOUT_INVALID_STATE)
    customer_id = data.get("customer_id")
    if customer_id is not None:
        customer_id = customers.require_customer(ns, customer_id.lower())["id"]
    if funding.reference_taken(ns, data["reference"]):
        raise BadRequest(errors.DUPLICATE_REFERENCE)

    session_id = ns.new_id()
    while not claim_id(session_id):
        session_id = ns.new_id()
    now = ns.now_ms()
    session = {
        "id": session_id,
        "escrow_id": escrow["id"],
        "payment_token": escrow["payment_token"],
        "reference": data["reference"],
        # What the buyer will be charged: the same rule pay-escrow applies.
        "amount": funding.buyer_charge(escrow),
        "customer_id": customer_id,
        "buyer_id": None,
        "funded_escrow_id": None,
        "redirect_url": data["redirect_url"],
        "status": PENDING,
        "created_at_ms": now,
        "expires_at_ms": now + SESSION_TTL_MS,
        "finished_at_ms": None,
    }
    ns.save("checkout_sessions", session)
    return session


def _session(ns, session_id) -> dict:
    session = ns.get("checkout_sessions", session_id) if isinstance(session_id, str) else None
    if session is None:
        raise NotFound(errors.CHECKOUT_SESSION_NOT_FOUND)
    return session


def get_checkout_session(ns, session_id) -> dict:
    """A session as the SDK's host would report it, its status read against the clock."""
    session = _session(ns, session_id)
    session["status"] = effective_status(session, ns.now_ms())
    return session


def _open_session(ns, session_id) -> dict:
    """A session the buyer may still act on: known, not finished, not expired."""
    session = _session(ns, session_id)
    status = effective_status(session, ns.now_ms())
    if status == COMPLETED:
        raise BadRequest(errors.CHECKOUT_SESSION_COMPLETED)
    if status == CANCELLED:
        raise BadRequest(errors.CHECKOUT_SESSION_CANCELLED)
    if status == EXPIRED:
        raise BadRequest(errors.CHECKOUT_SESSION_EXPIRED)
    return session


def open_checkout(ns, session_id) -> dict:
    """What the checkout page shows: the session, its escrow, the buyer's fee share, the
    buyer if the session names one, else the customers who may pay (active, not the seller)."""
    session = _open_session(ns, session_id)
    escrow = escrows.escrow_by_id(ns, session["escrow_id"])
    buyer = ns.get("customers", session["customer_id"]) if session["customer_id"] else None
    choices = [] if buyer else [
        c for c in ns.all("customers") if c["status"] == "active" and c["id"] != escrow["seller_id"]
    ]
    buyer_fee, _ = fee_shares(escrow["fee"], escrow["who_pays"])
    return {"session": session, "escrow": escrow, "buyer_fee": buyer_fee, "buyer": buyer, "customers": choices}


def approve_checkout(ns, session_id, customer_id=None) -> dict:
    """The buyer approves: the escrow is funded by `funding.pay_escrow` (card gateway, the
    session's reference) and the session becomes COMPLETED. The buyer is the session's
    customer, else the one chosen on the page. An escrow whose charge changed since the
    session opened (edited meanwhile) is refused rather than charged a different sum."""
    session = _open_session(ns, session_id)
    buyer_id = session["customer_id"] or customer_id
    if buyer_id is None:
        raise BadRequest(errors.CHECKOUT_BUYER_REQUIRED)
    escrow = escrows.escrow_by_id(ns, session["escrow_id"])
    if escrow["status"] == ESCROW_PENDING and funding.buyer_charge(escrow) != session["amount"]:
        raise BadRequest(errors.CHECKOUT_AMOUNT_MISMATCH)
    payment = funding.pay_escrow(ns, buyer_id, {
        "gateway": CHECKOUT_GATEWAY, "escrow_ids": [escrow["id"]], "reference": session["reference"],
    })
    session["status"] = COMPLETED
    session["buyer_id"] = buyer_id
    # A multi-quantity link is not funded itself: the payment attaches to a fresh copy.
    session["funded_escrow_id"] = payment.get("funded_escrow_ids", [escrow["id"]])[0]
    session["finished_at_ms"] = ns.now_ms()
    ns.save("checkout_sessions", session)
    return session


def decline_checkout(ns, session_id) -> dict:
    """The buyer declines: the session becomes CANCELLED; no money moves."""
    session = _open_session(ns, session_id)
    session["status"] = CANCELLED
    session["finished_at_ms"] = ns.now_ms()
    ns.save("checkout_sessions", session)
    return session


def return_url(session: dict) -> str:
    """`redirectUrl` with `reference` and `status` (success | cancelled) added; its other
    query parameters and fragment are kept, a `reference`/`status` it had is replaced."""
    outcome = "success" if session["status"] == COMPLETED else "cancelled"
    parts = urlsplit(session["redirect_url"])
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("reference", "status")]
    query += [("reference", session["reference"]), ("status", outcome)]
    return urlunsplit(parts._replace(query=urlencode(query)))
