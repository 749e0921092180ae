"""Funding escrows: the buyer pays one escrow (or several, [B]) in full, from the wallet or a
simulated gateway; multi-quantity links sell a copy per payment. The gateway vocabulary
lives here."""

import copy

from sandbox.domain import catalog, errors, ledger
from sandbox.domain import lifecycle, outbox, profiles
from sandbox.domain.customers import require_customer, require_permission
from sandbox.domain.errors import BadRequest
from sandbox.domain.escrows import escrow_by_id, transition
from sandbox.domain.lifecycle import STANDARD
from sandbox.domain.money import exact_hundredths, fee_shares
from sandbox.ids import is_object_id
from sandbox.store.base import Filter

# [A] documents WALLET / PAYSTACK / FLUTTERWAVE; card payments arrive as CARD. Every gateway but
# the wallet is simulated as an instant, successful external charge.
WALLET = "WALLET"
GATEWAYS = (WALLET, "PAYSTACK", "FLUTTERWAVE", "CARD")


def buyer_charge(escrow: dict) -> int:
    buyer_share, _ = fee_shares(escrow["fee"], escrow["who_pays"])
    return escrow["amount"] + buyer_share + escrow["additional_fee"]


def reference_taken(ns, reference: str) -> bool:
    """References are one namespace-wide space: escrow payments, payment intents and the
    hosted-checkout sessions that will become escrow payments (verify finds any of them)."""
    if ns.get("payments", reference) is not None or ns.get("intents", reference) is not None:
        return True
    return bool(ns.find("checkout_sessions", Filter(equal={"reference": reference})))


def _sells_a_copy(escrow: dict) -> bool:
    """concepts/multi-quantity-escrows: an API payment link with stock left (`totalQuantity`
    > 1) is not funded itself; each payment mints a copy. Milestone escrows never clone."""
    return escrow["settlement_type"] == STANDARD and escrow["channel"] == "API" and escrow["total_quantity"] > 1


def _sell_copy(ns, original: dict, now: int) -> dict:
    """Mint the clone a payment attaches to; the original stays payable, its stock counts down."""
    clone = {**copy.deepcopy(original), "id": ns.new_id(), "payment_token": ns.new_token(), "total_quantity": 1,
             "clone_of": original["id"], "logs": [], "created_at_ms": now, "updated_at_ms": now}
    original = {**original, "total_quantity": original["total_quantity"] - 1, "updated_at_ms": now}
    ns.save_escrow(original)
    ns.save_escrow(clone)
    # Multi-quantity: events fire per escrow, so the copy announces itself before it is funded.
    outbox.emit(ns, "escrow.created", clone)
    return clone


def check_stated_amount(ns, data: dict, total: int, required: bool) -> None:
    """[B] pay-escrow: the caller states what it pays, which must be exactly the sum over the
    escrows of amount + buyer fee share + additional fee (`Amount mismatch`). Required from API
    callers (`required`); the hosted checkout and fixture steps charge what is due. [A] accepts
    `amount` and ignores it."""
    stated = data.get("amount")
    if (stated is None and not required) or not profiles.later(ns):
        return
    if stated is None:
        raise BadRequest(errors.PAY_AMOUNT_REQUIRED)
    if exact_hundredths(stated) != total:
        raise BadRequest(errors.CHECKOUT_AMOUNT_MISMATCH)


def pay_escrow(ns, buyer_id, data: dict, amount_required: bool = False) -> dict:
    """The buyer funds one escrow (or several, [B]) in full, once: `WALLET` debits the main
    balance by amount + the buyer's fee share (+ [B] additional fee); card gateways are an
    instant external charge. The money is then held in the buyer's escrow balance. A repeated
    `reference` for the same buyer and escrows answers the first result again without charging
    twice. [B]: the `amount` stated must match (`check_stated_amount`)."""
    buyer = require_customer(ns, buyer_id)
    escrow_ids = data["escrow_ids"]
    reference = data.get("reference")
    if reference is not None:
        previous = ns.get("payments", reference)
        if previous is not None:
            if previous["buyer_id"] == buyer["id"] and previous["escrow_ids"] == escrow_ids:
                return previous
            raise BadRequest(errors.DUPLICATE_REFERENCE)
        if ns.get("intents", reference) is not None:
            raise BadRequest(errors.DUPLICATE_REFERENCE)
    if len(set(escrow_ids)) != len(escrow_ids):
        raise BadRequest(errors.DUPLICATE_ESCROW_IDS)
    escrows = [escrow_by_id(ns, escrow_id) for escrow_id in escrow_ids]
    later = profiles.later(ns)
    for escrow in escrows:
        try:
            lifecycle.next_status(escrow, "pay")
        except lifecycle.ActionNotAllowed:
            if later:  # [B] names it (payluk-api.md §errors): an escrow not awaiting payment
                raise BadRequest(errors.CHECKOUT_INVALID_STATE) from None
            raise
    require_permission(buyer, "can_buy")
    gateway = data["gateway"]
    total = sum(buyer_charge(escrow) for escrow in escrows)
    check_stated_amount(ns, data, total, amount_required)
    if later and gateway != WALLET and data.get("card_id") is not None:
        # [B] a saved card must be the buyer's; without one the card charge is simulated.
        catalog.require_card(ns, buyer["id"], data["card_id"])
    source = ledger.main_account(buyer["id"]) if gateway == WALLET else ledger.external_account(gateway)
    if gateway == WALLET and ns.balance(source) < total:
        raise BadRequest(errors.INSUFFICIENT_BALANCE)

    now = ns.now_ms()
    reference = reference or ns.new_reference("ESC_REF_")
    funded = []
    funded_escrows = []
    for escrow in escrows:
        if _sells_a_copy(escrow):
            escrow = _sell_copy(ns, escrow, now)
        funded.append(escrow["id"])
        funded_escrows.append(escrow)
        charge = buyer_charge(escrow)
        ledger.post(ns, "escrow_funding", [(source, -charge), (ledger.escrow_account(buyer["id"]), charge)],
                    escrow_id=escrow["id"], reference=reference)
        escrow["buyer_id"] = buyer["id"]
        escrow["held"] = charge
        escrow["paid_at_ms"] = now
        escrow["payment_details"] = {"reference": reference, "gateway": gateway, "amount": charge}
        transition(ns, escrow, "pay", now)
    payment = {
        "reference": reference,
        "status": "SUCCESS",
        "amount": total,
        "gateway": gateway,
        "buyer_id": buyer["id"],
        "escrow_ids": escrow_ids,
        "funded_escrow_ids": funded,
        "created_at_ms": now,
    }
    if later:
        payment.update(id=ns.new_id(), fee=sum(buyer_fee(e) for e in funded_escrows), updated_at_ms=now,
                       card_id=data.get("card_id"),
                       escrow_details=[escrow_details(ns, e) for e in funded_escrows])
        # concepts/webhooks [B]: `payment.escrow.success` as the buyer's transaction settles.
        outbox.emit_payment(ns, "payment.escrow.success", funded_escrows[0],
                            {**transaction(payment), "merchant_id": (ns.get_merchant() or {}).get("id")})
    ns.save("payments", payment, key_field="reference")
    return payment


def buyer_fee(escrow: dict) -> int:
    """The part of what the buyer pays for an escrow that is fee: its fee share (+ [B] the
    additional fee is not a fee of Payluk's: it is the merchant's delivery charge, left out)."""
    return fee_shares(escrow["fee"], escrow["who_pays"])[0]


def escrow_details(ns, escrow: dict) -> dict:
    """[B] `escrowDetails` of a pay-escrow transaction: the escrow paid and its beneficiary
    (the seller: a customer's name and phone, or the merchant's name)."""
    seller = ns.get("customers", escrow["seller_id"])
    if seller is None:
        beneficiary = {"name": (ns.get_merchant() or {}).get("name"), "phone": None}
    else:
        beneficiary = {"name": f"{seller['firstname']} {seller['lastname']}", "phone": seller["phone"]}
    return {"escrow_id": escrow["id"], "beneficiary": beneficiary, "description": escrow.get("description"),
            "amount": escrow["amount"], "fee": escrow["fee"], "payment_token": escrow["payment_token"],
            "purpose": escrow["purpose"], "channel": escrow["channel"], "callback_url": escrow.get("callback_url")}


def transaction(payment: dict) -> dict:
    """[B] the buyer's transaction of a pay-escrow (internal names, kobo): what the answer and
    the `payment.escrow.*` webhook carry. A payment recorded under 2026-06 has no id or fee of
    its own: its reference and 0 stand in. Several escrows: `escrow_details` is the first's,
    `escrows` lists them all."""
    details = payment.get("escrow_details") or []
    record = {
        "id": payment.get("id") or payment["reference"],
        "reference": payment["reference"],
        "amount": payment["amount"],
        "fee": payment.get("fee", 0),
        "currency": "NGN",
        "status": payment["status"],
        "transaction_type": "ESCROW",
        "credit_type": "DEBIT",
        "customer_id": payment["buyer_id"],
        "escrow_details": details[0] if details else None,
        "created_at_ms": payment["created_at_ms"],
        "updated_at_ms": payment.get("updated_at_ms", payment["created_at_ms"]),
    }
    if len(details) > 1:
        record["escrows"] = details
    return record


def record_decline(ns, buyer: dict, body: dict) -> dict | None:
    """[B] a declined card payment of escrows (`payment.escrow.failed`, filed under the first
    payable escrow named): what would have been charged, nothing moved, nothing kept."""
    details = body.get("escrowDetails")
    ids = details.get("escrowId") if isinstance(details, dict) else None
    ids = ids if isinstance(ids, list) else [ids]
    escrows = [ns.get("escrows", i.lower()) for i in ids if isinstance(i, str) and is_object_id(i)]
    escrows = [e for e in escrows
               if e is not None and (e["settlement_type"], e["status"], "pay") in lifecycle.TRANSITIONS]
    if not escrows:
        return None
    now = ns.now_ms()
    reference = body.get("reference") if isinstance(body.get("reference"), str) else ns.new_reference("ESC_REF_")
    payment = {"id": ns.new_id(), "reference": reference, "status": "FAILED",
               "amount": sum(buyer_charge(e) for e in escrows), "fee": sum(buyer_fee(e) for e in escrows),
               "buyer_id": buyer["id"], "escrow_details": [escrow_details(ns, e) for e in escrows],
               "created_at_ms": now, "updated_at_ms": now}
    outbox.emit_payment(ns, "payment.escrow.failed", escrows[0],
                        {**transaction(payment), "merchant_id": (ns.get_merchant() or {}).get("id")})
    return payment
