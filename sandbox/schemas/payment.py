"""Payment schemas: the pay-escrow request in both doc generations' spellings, and answers."""

from marshmallow import ValidationError, fields, post_load

from sandbox.domain.funding import GATEWAYS
from sandbox.ids import is_object_id
from sandbox.schemas.base import NON_EMPTY, Naira, RequestSchema, is_unsafe_number
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
