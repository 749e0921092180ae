"""Merchant schemas ([B], profile 2026-10): the merchant wallet and its transactions, and the
sandbox control of the merchant's commission."""

from marshmallow import fields

from sandbox.domain.merchant import MAX_COMMISSION_BP, TRANSACTION_TYPES
from sandbox.domain.money import percent_to_wire
from sandbox.schemas.answers import PaginationSchema
from sandbox.schemas.base import NON_EMPTY, Hundredths, Naira, RequestSchema, Timestamp, one_of
from sandbox.schemas.customer import PageQuerySchema, WalletLaterSchema
from sandbox.schemas.fast import WireSchema
from sandbox.schemas.intent import DateOrInstant


class MerchantWalletSchema(WalletLaterSchema):
    """GET /v1/merchant/balance: the [B] wallet shape (`escrowBalance` is always 0: the merchant
    never pays into an escrow)."""


class TransactionEscrowSchema(WireSchema):
    """The escrow a merchant transaction came from."""

    escrow_id = fields.String(data_key="escrowId")
    payment_token = fields.String(data_key="paymentToken", allow_none=True)


class MerchantTransactionSchema(WireSchema):
    """One movement of the merchant wallet, [B]'s transaction object (lower-case enums)."""

    id = fields.String()
    amount = Naira()
    reference = fields.String()
    fee = Naira()
    transaction_type = fields.String(data_key="transactionType", metadata={"enum": list(TRANSACTION_TYPES)})
    currency = fields.String()
    status = fields.String(metadata={"enum": ["success"]})
    credit_type = fields.String(data_key="creditType", metadata={"enum": ["credit", "debit"]})
    escrow_details = fields.Nested(TransactionEscrowSchema, data_key="escrowDetails", allow_none=True)
    created_at_ms = Timestamp(data_key="createdAt")
    updated_at_ms = Timestamp(data_key="updatedAt")


class MerchantTransactionsQuerySchema(PageQuerySchema):
    """GET /v1/merchant/transactions: paging, `type`, and `reference` / `fromDate` / `toDate`
    (any of which turns the answer into a flat array, as [B] documents)."""

    type = fields.String(validate=one_of(TRANSACTION_TYPES))
    reference = fields.String(validate=NON_EMPTY)
    from_ms = DateOrInstant(data_key="fromDate")
    to_ms = DateOrInstant(data_key="toDate", end_of_day=True)


class MerchantTransactionPageSchema(WireSchema):
    data = fields.List(fields.Nested(MerchantTransactionSchema))
    pagination = fields.Nested(PaginationSchema)


class CommissionSchema(WireSchema):
    """GET/PUT /_sandbox/merchant: the merchant's commission (percent) and where it comes from
    (`namespace`: chosen here, kept by a reset; `fixture`: the fixture file's, else 0)."""

    commission = fields.Function(lambda d: percent_to_wire(d["commission_bp"]),
                                 metadata={"type": "number", "description": "percent, at most 2 decimals"})
    source = fields.String(metadata={"enum": ["namespace", "fixture"]})


class CommissionChoiceSchema(RequestSchema):
    """PUT /_sandbox/merchant: a percent (0-50, at most 2 decimals), or null for the fixture's."""

    commission_bp = Hundredths(data_key="commission", scaled=True, maximum=MAX_COMMISSION_BP // 100,
                               required=True, allow_none=True)


MERCHANT_WALLET = MerchantWalletSchema()
MERCHANT_TRANSACTION = MerchantTransactionSchema()
MERCHANT_TRANSACTIONS = MerchantTransactionSchema(many=True)
MERCHANT_TRANSACTIONS_QUERY = MerchantTransactionsQuerySchema()
COMMISSION = CommissionSchema()
COMMISSION_CHOICE = CommissionChoiceSchema()
