"""Payment routes: the buyer funds an escrow (`POST /v1/payment/escrow`)."""

from flask import Blueprint

from sandbox.api.http import call, customer_header, envelope, json_body
from sandbox.domain import funding
from sandbox.schemas.base import load
from sandbox.schemas.payment import PAY_ESCROW, PAYMENT

bp = Blueprint("payments", __name__)


@bp.post("/v1/payment/escrow")
def pay_escrow():
    buyer_id = customer_header()
    data = load(PAY_ESCROW, json_body())
    payment = call(funding.pay_escrow, buyer_id, data)
    return envelope(200, "Payment intent verified successfully", PAYMENT.dump(payment))
