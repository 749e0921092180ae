"""Payment routes: the buyer funds an escrow (`POST /v1/payment/escrow`)."""

from flask import Blueprint

from sandbox.api.documented import CONFIRM_PAID, ESCROW_NOT_FOUND, NOT_ALLOWED, Tag, doc, variant
from sandbox.api.http import call, customer_header, envelope, json_body
from sandbox.domain import errors as E
from sandbox.domain import funding
from sandbox.domain.profiles import OCTOBER
from sandbox.schemas import payment as pay
from sandbox.schemas.base import load
from sandbox.schemas.payment import PAY_ESCROW, PAYMENT, TRANSACTION

bp = Blueprint("payments", __name__)


@bp.post("/v1/payment/escrow")
@doc(Tag.PAYMENTS, "Fund one or more escrows (wallet or an external gateway)", data=pay.PaymentSchema,
     message="Payment intent verified successfully", body=pay.PayEscrowSchema, customer="required",
     errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.INSUFFICIENT_BALANCE), (400, E.DUPLICATE_REFERENCE)),
     links=CONFIRM_PAID)
@variant(OCTOBER, body=pay.PayEscrowLaterSchema, data=pay.TransactionSchema,
         summary="Fund one or more escrows (wallet, or a card: a saved `cardId` or a simulated charge)",
         # [B] names the refusal of an escrow not awaiting payment (sandbox/domain/funding.py).
         errors=ESCROW_NOT_FOUND + ((400, E.CHECKOUT_INVALID_STATE), (400, E.INSUFFICIENT_BALANCE),
                                    (400, E.DUPLICATE_REFERENCE), (400, E.PAY_AMOUNT_REQUIRED),
                                    (400, E.CHECKOUT_AMOUNT_MISMATCH), (400, E.CARD_NOT_FOUND)))
def pay_escrow():
    buyer_id = customer_header()
    data = load(PAY_ESCROW, json_body())
    payment = call(funding.pay_escrow, buyer_id, data, True)
    if "id" in payment:  # [B] (profile 2026-10): the buyer's transaction
        return envelope(200, "Payment intent verified successfully", TRANSACTION.dump(funding.transaction(payment)))
    return envelope(200, "Payment intent verified successfully", PAYMENT.dump(payment))
