"""The merchant's own account routes ([B], profile 2026-10): its wallet and its transactions
(docs.payluk.ng/api-reference/merchant-account, known from the later docs only).

Merchant-wide: no `customer-id` (refused), a super-admin key ([B]: everything but the escrow,
milestone and category routes needs one)."""

from flask import Blueprint, request

from sandbox.api.documented import SUPER, OneOf, Tag, doc, introduced
from sandbox.api.http import call, envelope, no_customer_header, pagination
from sandbox.domain import listings, merchant
from sandbox.domain.profiles import OCTOBER
from sandbox.schemas import merchant as mer
from sandbox.schemas.base import load
from sandbox.schemas.merchant import MERCHANT_TRANSACTIONS, MERCHANT_TRANSACTIONS_QUERY, MERCHANT_WALLET

bp = Blueprint("merchant", __name__)


@bp.get("/v1/merchant/balance")
@introduced(OCTOBER)
@doc(Tag.CUSTOMERS, "The merchant's own wallet: commissions, additional (delivery) fees, its own sales",
     data=mer.MerchantWalletSchema, message="Merchant balance fetched successfully", customer="absent", errors=SUPER)
def get_balance():
    no_customer_header()
    return envelope(200, "Merchant balance fetched successfully", MERCHANT_WALLET.dump(call(merchant.get_balance)))


@bp.get("/v1/merchant/transactions")
@introduced(OCTOBER)
@doc(Tag.CUSTOMERS, "The merchant wallet's transactions: a page, or a flat array when filtered by reference or dates",
     data=OneOf(mer.MerchantTransactionPageSchema, mer.MerchantTransactionSchema(many=True)),
     message="Merchant transactions fetched successfully", query=mer.MerchantTransactionsQuerySchema,
     customer="absent", errors=SUPER)
def list_transactions():
    no_customer_header()
    query = load(MERCHANT_TRANSACTIONS_QUERY, request.args.to_dict())
    records = call(merchant.list_transactions, query.get("type"), query.get("reference"), query.get("from_ms"),
                   query.get("to_ms"))
    message = "Merchant transactions fetched successfully"
    # [B]: any of `reference`, `fromDate`, `toDate` answers a flat array instead of a page.
    if any(key in query for key in ("reference", "from_ms", "to_ms")):
        return envelope(200, message, MERCHANT_TRANSACTIONS.dump(records))
    page = listings.paginate(records, query["page"], query["limit"])
    return envelope(200, message, {"data": MERCHANT_TRANSACTIONS.dump(page.items), "pagination": pagination(page)})
