"""Payment schemas: the pay-escrow request in both doc generations' spellings, and answers."""

from marshmallow import ValidationError, fields, post_load

from sandbox.domain.funding import GATEWAYS
from sandbox.ids import is_object_id
from sandbox.schemas.base import NON_EMPTY, Naira, RequestSchema, Timestamp, is_unsafe_number
from sandbox.schemas.fast import WireSchema

# The gateways are the domain's (sandbox/domain/funding.py); [B] and today's clients send
# lower-case `wallet` / `card`. All are accepted, case-insensitively.


class UpperChoice(fields.String):
    """An enum matched case-insensitively and loaded upper-case."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).upper()
        if value not in self.choices:
            raise ValidationError(f"must be one of [{', '.join(self.choices)}]")
        return value


class EscrowIds(fields.Field):
    """`escrowId`: one id ([A]) or a non-empty array of ids ([B]); loaded as a list."""

    def _deserialize(self, value, attr, data, **kwargs):
        ids = value if isinstance(value, list) else [value]
        if not ids or not all(is_object_id(v) for v in ids):
            raise ValidationError("must be a valid id (24 hex characters) or an array of them")
        return [v.lower() for v in ids]


class PositiveAmount(fields.Decimal):
    """Pay-escrow `amount`: a positive number (Joi's `positive()`) that JavaScript can hold
    exactly; [A] does not compare it with the charge, [B] does (sandbox/domain/funding.py)."""

    def _deserialize(self, value, attr, data, **kwargs):
        amount = super()._deserialize(value, attr, data, **kwargs)
        if is_unsafe_number(amount):
            raise ValidationError("must be a safe number")
        if amount <= 0:
            raise ValidationError("must be a positive number")
        return amount


class EscrowDetailsSchema(RequestSchema):
    escrow_ids = EscrowIds(data_key="escrowId", required=True)


class PayEscrowSchema(RequestSchema):
    """POST /v1/payment/escrow. `gateway` defaults to card as in [B]; `amount` is accepted
    but, as in [A], not checked against the charge (profile 2026-06)."""

    gateway = UpperChoice(GATEWAYS, load_default="CARD")
    transaction_type = UpperChoice(("ESCROW",), data_key="transactionType", required=True)
    escrow_details = fields.Nested(EscrowDetailsSchema, data_key="escrowDetails", required=True)
    reference = fields.String(validate=NON_EMPTY)
    amount = PositiveAmount(allow_none=True)
    currency = UpperChoice(("NGN",))
    card_id = fields.String(data_key="cardId", allow_none=True)

    @post_load
    def flatten(self, data, **kwargs):
        data["escrow_ids"] = data.pop("escrow_details")["escrow_ids"]
        return data


class PaymentSchema(WireSchema):
    """[A] answer of pay-escrow: `{reference, status: "SUCCESS", amount}` (amount charged)."""

    reference = fields.String()
    status = fields.String()
    amount = Naira()


class WalletSchema(WireSchema):
    """GET /v1/wallet: `mainBalance`, `escrowBalance`, `currency: "NGN"`."""

    main = Naira(data_key="mainBalance")
    escrow = Naira(data_key="escrowBalance")
    currency = fields.Constant("NGN")


class PayEscrowLaterSchema(PayEscrowSchema):
    """The body in profile 2026-10 ([B]): `amount` is required and must be exactly the sum over
    the escrows of amount + buyer fee share + additional fee (`Amount mismatch`). Documents the
    profile; every profile loads with PayEscrowSchema and the domain checks the amount."""

    amount = PositiveAmount(required=True)


PAY_ESCROW = PayEscrowSchema()
PAYMENT = PaymentSchema()
WALLET_BALANCES = WalletSchema()


# -- [B] (profile 2026-10): the transaction object -----------------------------------------------

# [B]'s lower-case vocabulary; inside, the sandbox keeps [A]'s upper-case values.
LATER_TYPES = ["deposit", "withdrawal", "wallet_transfer", "escrow"]
LATER_STATUSES = ["pending", "success", "failed", "reversed"]


def _lower(name: str, enum: list, **kwargs) -> fields.Function:
    """An upper-case value dumped in [B]'s lower case."""
    return fields.Function(lambda obj: obj[name].lower(), metadata={"type": "string", "enum": enum}, **kwargs)


class BeneficiarySchema(WireSchema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class EscrowDetailsOutSchema(WireSchema):
    """[B] `escrowDetails` of a pay-escrow transaction: the escrow paid and whom it pays."""

    escrow_id = fields.String(data_key="escrowId")
    beneficiary = fields.Nested(BeneficiarySchema)
    description = fields.String(allow_none=True)
    amount = Naira()
    fee = Naira()
    payment_token = fields.String(data_key="paymentToken")
    purpose = fields.String()
    channel = fields.String()
    callback_url = fields.String(data_key="callbackUrl", allow_none=True)


class WithdrawalDetailsOutSchema(WireSchema):
    account_name = fields.String(data_key="accountName")
    account_number = fields.String(data_key="accountNumber")
    bank_name = fields.String(data_key="bankName")
    bank_code = fields.String(data_key="bankCode")
    narration = fields.String()


class BlockchainDetailsOutSchema(WireSchema):
    to_address = fields.String(data_key="toAddress")
    network = fields.String()
    token_address = fields.String(data_key="tokenAddress")


class WalletDetailsOutSchema(WireSchema):
    phone = fields.String()
    name = fields.String()
    narration = fields.String()


class DepositDetailsOutSchema(WireSchema):
    card_id = fields.String(data_key="cardId")


class TransactionSchema(WireSchema):
    """[B]'s transaction object (pay-escrow, create-intent, verify, history and the `data` of
    `payment.*` webhooks): lower-case enums. `escrowDetails` describes the escrow paid; a
    payment of several escrows describes the first there and lists them all under `escrows`
    (a sandbox addition: [B] shows one escrow only)."""

    id = fields.String()
    amount = Naira()
    reference = fields.String()
    fee = Naira()
    transaction_type = _lower("transaction_type", LATER_TYPES, data_key="transactionType")
    currency = fields.String()
    status = _lower("status", LATER_STATUSES)
    credit_type = _lower("credit_type", ["credit", "debit"], data_key="creditType")
    customer_id = fields.String(data_key="customerId", allow_none=True)
    escrow_details = fields.Nested(EscrowDetailsOutSchema, data_key="escrowDetails", allow_none=True)
    escrows = fields.List(fields.Nested(EscrowDetailsOutSchema))
    withdrawal_details = fields.Nested(WithdrawalDetailsOutSchema, data_key="withdrawalDetails", allow_none=True)
    wallet_details = fields.Nested(WalletDetailsOutSchema, data_key="walletDetails", allow_none=True)
    blockchain_details = fields.Nested(BlockchainDetailsOutSchema, data_key="blockchainDetails", allow_none=True)
    deposit_details = fields.Nested(DepositDetailsOutSchema, data_key="depositDetails", allow_none=True)
    created_at_ms = Timestamp(data_key="createdAt")
    updated_at_ms = Timestamp(data_key="updatedAt")


TRANSACTION = TransactionSchema()
TRANSACTIONS = TransactionSchema(many=True)
