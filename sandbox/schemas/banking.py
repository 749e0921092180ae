"""[B] banking answers (profile 2026-10): the bank list, the phone check, the deposit wallet."""

from marshmallow import fields

from sandbox.schemas.fast import WireSchema


class BankSchema(WireSchema):
    """One payout bank of `GET /v1/payment/bank-list` (`code` is opaque to clients)."""

    name = fields.String()
    code = fields.String()


class PhoneCheckSchema(WireSchema):
    """`GET /v1/payment/verify-phone/{phone}`: whether the phone is a customer's, and whose."""

    phone = fields.String()
    exists = fields.Boolean()
    customer_id = fields.String(data_key="customerId", allow_none=True)
    name = fields.String(allow_none=True)


class DepositWalletSchema(WireSchema):
    """`GET /v1/payment/deposit/wallet`: the master cNGN deposit address (BEP-20 on BSC testnet)."""

    address = fields.String(metadata={"pattern": "^0x[0-9a-f]{40}$"})
    network = fields.String(metadata={"enum": ["BSC"]})
    chain_id = fields.Integer(data_key="chainId")
    currency = fields.String(metadata={"enum": ["cNGN"]})
    qr_code = fields.String(data_key="qrCode", metadata={
        "description": "a data: URL of an SVG placeholder naming the address (not a scannable QR code)"})
    explorer_url = fields.String(data_key="explorerUrl", metadata={"format": "uri"})


BANKS = BankSchema(many=True)
PHONE_CHECK = PhoneCheckSchema()
DEPOSIT_WALLET = DepositWalletSchema()
