"""[B] banking routes under /v1/payment (profile 2026-10; earlier profiles answer 404): the payout
bank list, the phone check and the master cNGN deposit wallet. Each takes a `customer-id`, as every
/v1/payment route does (payluk-api.md §1), and a super-admin key ([B])."""

from flask import Blueprint, g

from sandbox.api.documented import Tag, doc, introduced
from sandbox.api.http import call, customer_header, envelope
from sandbox.domain import banking
from sandbox.domain import errors as E
from sandbox.domain.profiles import OCTOBER
from sandbox.schemas import banking as bnk
from sandbox.schemas.banking import BANKS, DEPOSIT_WALLET, PHONE_CHECK

bp = Blueprint("banking", __name__)


@bp.get("/v1/payment/bank-list")
@introduced(OCTOBER)
@doc(Tag.PAYMENTS, "The banks a withdrawal can pay out to ([B])", data=bnk.BankSchema(many=True),
     message="Banks fetched successfully", customer="required")
def list_banks():
    customer_id = customer_header()
    return envelope(200, "Banks fetched successfully", BANKS.dump(call(banking.list_banks, customer_id)))


@bp.get("/v1/payment/verify-phone/<phone>")
@introduced(OCTOBER)
@doc(Tag.PAYMENTS, "Whether a phone number belongs to one of the merchant's customers ([B])",
     data=bnk.PhoneCheckSchema, message="Phone number verified successfully", customer="required",
     errors=((400, E.PHONE_INVALID),))
def verify_phone(phone):
    customer_id = customer_header()
    found = call(banking.verify_phone, customer_id, phone.strip())
    return envelope(200, "Phone number verified successfully", PHONE_CHECK.dump(found))


@bp.get("/v1/payment/deposit/wallet")
@bp.get("/v1/payment/get-master-wallet-address")
@introduced(OCTOBER)
@doc(Tag.PAYMENTS, "The master cNGN deposit address (BEP-20 on BSC) ([B])", data=bnk.DepositWalletSchema,
     message="Deposit wallet fetched successfully", customer="required")
def get_deposit_wallet():
    customer_id = customer_header()
    wallet = call(banking.deposit_wallet, customer_id, g.key)
    return envelope(200, "Deposit wallet fetched successfully", DEPOSIT_WALLET.dump(wallet))
